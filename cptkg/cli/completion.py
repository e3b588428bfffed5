"""``cptkg completion SHELL``: the shell completion script of the command line, written by shtab.

Install it once; for bash (with the bash-completion package, which loads it on first use)::

    cptkg completion bash > ~/.local/share/bash-completion/completions/cptkg

(without bash-completion: ``source <(cptkg completion bash)`` in ``~/.bashrc``); for zsh,
``cptkg completion zsh > ~/.zfunc/_cptkg`` with ``fpath+=(~/.zfunc)`` before ``compinit``.

The script is generated from the parser itself, so it completes every command and option of the
installed version, the choices of each option, file and folder names where a command reads or
writes one, and the names of the named queries and check rules. It is static: a TAB runs the
shell's own code, never Python, so nothing of cptkg is imported per keystroke (argcomplete would
import the command line, rdflib and pyoxigraph on each TAB). shtab leaves out a sub-command that
has no help text; ``tests/test_completion.py`` completes every command of :data:`~cptkg.cli.COMMANDS`
in a real bash to catch one.
"""

from __future__ import annotations

import argparse

from ..core.errors import CptkgError

#: The shells shtab writes a script for.
SHELLS = ("bash", "zsh", "tcsh")
#: Arguments that name a file (or a folder) to read or write, by their metavar.
_FILES, _FOLDERS = {"FILE", "PATH", "TEXT_OR_FILE"}, {"DIR"}


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``completion`` command to the parser."""
    completion = commands.add_parser(
        "completion",
        help="print the shell completion script (install: cptkg completion bash > "
        "~/.local/share/bash-completion/completions/cptkg)",
        description="Print the completion script of cptkg for a shell. Install it once, for bash: "
        "cptkg completion bash > ~/.local/share/bash-completion/completions/cptkg ; for zsh: "
        "cptkg completion zsh > ~/.zfunc/_cptkg (fpath+=(~/.zfunc) before compinit). "
        "Needs: pip install 'cptkg[completion]'.",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    completion.set_defaults(handler=run_completion)


def run_completion(args: argparse.Namespace) -> int:
    """Print the completion script of the command line (the parser that parsed this command) for a shell."""
    print(completion_script(args.top_parser, args.shell), end="")
    return 0


def completion_script(top: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of a ``cptkg`` parser for a shell; the parser's actions gain what to complete."""
    try:
        import shtab
    except ImportError:
        raise CptkgError("cptkg completion needs shtab: pip install 'cptkg[completion]'") from None
    from ..checks import OWLRL_RULE, rules
    from ..core.queries import catalog

    named = {("query", "name"): sorted(catalog()), ("check", "skip"): sorted([*rules(), OWLRL_RULE])}
    for command, parser in _parsers(top):
        for action in parser._actions:
            if (command, action.dest) in named and action.choices is None:
                action.choices = named[command, action.dest]  # a copy of the parser: what to offer, not a check
            elif action.metavar in _FILES:
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            elif action.metavar in _FOLDERS:
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(top, shell=shell)


def _parsers(top: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The top parser (as ``""``) and each command's parser, by command name."""
    found = [("", top)]
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += list(action.choices.items())
    return found

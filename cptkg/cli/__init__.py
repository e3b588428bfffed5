"""The ``cptkg`` command line.

Exit status, for every command:

====  ==========================================================================
0     done; for ``validate`` and ``check``: no violation or error-level finding
1     ``validate``: the data does not conform; ``check``: an error-level finding
2     unusable input: unknown code, query or parameter, unreadable or invalid
      file, an output file that exists without ``--force``
====  ==========================================================================

Each command is a module of this package that adds itself to the parser in its ``register``
function; :data:`COMMANDS` lists them in the order ``cptkg --help`` shows. The command line sits on
top of the package: nothing else imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence

from ..core.errors import CptkgError, one_line
from ..core.version import __version__
from . import (
    check,
    claims,
    completion,
    diagram,
    docs,
    export,
    link,
    map,
    mappings,
    push,
    queries,
    query,
    report,
    serve,
    sparql,
    validate,
    variant,
)

#: The command modules, each with ``register(subparsers)``, in the order of ``cptkg --help``.
COMMANDS = [
    report, queries, query, sparql, export, mappings, map, link, claims, validate, check, diagram, docs, variant, serve,
    push, completion,
]  # fmt: skip

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


#: Commands that read the whole parser (the reference documentation, the shell completion).
WHOLE_PARSER = ("docs", "completion")


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``cptkg`` argument parser: the global options and one subcommand per module of :data:`COMMANDS`
    (only ``command``'s, when given: some commands' options import what they describe)."""
    top = _global_options()
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        if command is None or module.__name__.rpartition(".")[2] == command:
            module.register(commands)
    top.set_defaults(top_parser=top)  # the docs command documents the command line from its own parser
    return top


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when its own parser is enough to read it: the first word after the
    global options (and their values). None for anything else (help, an unknown or abbreviated option,
    an unknown command, one of :data:`WHOLE_PARSER`): the whole parser reads those.

    >>> command_named(["--load", "report", "claims", "file.csv"])
    'claims'
    >>> command_named(["--back", "rdflib", "report", "81311"]) is None
    True
    """
    options = _global_options()._option_string_actions
    words = iter(argv)
    for word in words:
        if word.startswith("-"):
            name, given, _ = word.partition("=")
            action = options.get(name)
            if action is None or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                return None  # help, the version, or an option only the whole parser knows (abbreviated)
            if action.nargs != 0 and not given:
                next(words, None)
            continue
        names = {module.__name__.rpartition(".")[2] for module in COMMANDS}
        return word if word in names and word not in WHOLE_PARSER else None
    return None


def _global_options() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cptkg",
        description="Query, validate and check the CPT molecular-pathology knowledge graph.",
        epilog="Exit status: 0 done, 1 findings (validate, check), 2 unusable input.",
    )
    top.add_argument("--version", action="version", version=f"cptkg {__version__}")
    top.add_argument(
        "--backend", choices=["oxigraph", "rdflib"], default="oxigraph", help="query engine (default: oxigraph)"
    )
    top.add_argument(
        "--load",
        metavar="PATH",
        action="append",
        default=[],
        help="add a data file or folder of .ttl files to the embedded graph (repeatable)",
    )
    top.add_argument(
        "--link",
        metavar="FILE",
        action="append",
        default=[],
        help="load an outside terminology or mapping file (RDF, OBO Graphs JSON, OBO, SSSOM TSV) into its own graph (repeatable; see the link command)",
    )
    top.add_argument(
        "--endpoint",
        metavar="URL",
        help="answer from the graph in a SPARQL 1.1 store at this query URL (see push) instead of the embedded graph",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (the process's arguments by default); returns the exit status.

    A :class:`~cptkg.CptkgError` is printed as one line on standard error, with status 2.
    """
    import os

    # nothing here does linear algebra; numpy (which pyarrow imports) would otherwise start a BLAS
    # thread per core that spins for a while, taking a core from the work (2% of a claims check)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(command_named(argv)).parse_args(argv)
    restore = _unwind_on_termination()
    try:
        return int(args.handler(args) or EXIT_OK)
    except CptkgError as error:
        print(f"cptkg: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:  # the reader went away (``cptkg report 81311 | head``)
        sys.stderr.close()
        return EXIT_OK
    except OSError as error:  # the system refused (standard output on a full disk): one line, not a trace
        where = f"{error.filename}: " if error.filename else ""
        print(f"cptkg: error: {where}{error.strerror or error}", file=sys.stderr)
        _drop_standard_output()
        return EXIT_UNUSABLE
    except (MemoryError, ImportError) as error:  # a cap on memory (ulimit -v) the work does not fit in
        print(f"cptkg: error: {_short_of_memory(error)}", file=sys.stderr)
        _drop_standard_output()
        return EXIT_UNUSABLE
    finally:
        restore()


def run() -> int:
    """The installed ``cptkg`` command and ``python -m cptkg``: :func:`main` on the process's arguments,
    then a quicker end (the objects left are frozen, so that the interpreter's last collection at
    exit does not walk them: a few hundredths of a second of every command)."""
    import gc

    status = main()
    gc.freeze()
    return status


def _short_of_memory(error: MemoryError | ImportError) -> str:
    """One line for a process that ran out of memory, or could not load a library (an extra such as
    polars or pyarrow that is broken, or that a limit on the address space leaves no room to map)."""
    if isinstance(error, MemoryError):
        return "out of memory: give the process more (a limit such as ulimit -v), or a smaller input"
    reason = one_line(str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__)
    return f"cannot load a library it needs ({reason[:300]}): reinstall it, or give the process more memory if it is limited"


def _drop_standard_output() -> None:
    """Send what standard output still holds nowhere, so that the interpreter's flush at exit does not
    fail again (and print a trace) where the first write failed."""
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _unwind_on_termination() -> Callable[[], object]:
    """Make SIGTERM and SIGHUP (what ``kill``, systemd, CI and a closed terminal send) unwind the
    program as Ctrl-C does, so that a file being written is removed rather than left half-done; the
    exit status is the shell's 128 + the signal's number. Returns what puts the old handlers back."""
    import signal
    import threading

    def terminate(number: int, _frame: object) -> None:
        raise SystemExit(128 + number)

    if threading.current_thread() is not threading.main_thread():  # handlers are the main thread's
        return lambda: None
    numbers = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {number: signal.signal(number, terminate) for number in numbers}
    return lambda: [signal.signal(number, handler) for number, handler in previous.items()]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())

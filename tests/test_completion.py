"""Shell completion: the script ``cptkg completion bash`` writes, run by a real bash as a TAB runs it.

Bash calls the completion function with ``COMP_WORDS``/``COMP_CWORD`` set to the line being edited
and shows ``COMPREPLY``; :func:`complete` does the same in a ``bash --norc`` process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

import pytest

from cptkg.cli import COMMANDS, parser

from .conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

HARNESS = r"""
source "$1"
COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
function=$(complete -p cptkg | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$function" cptkg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> os.PathLike:
    """The script installed by the documented command, run as a real process in a fresh home."""
    home = tmp_path_factory.mktemp("home")
    target = home / ".local" / "share" / "bash-completion" / "completions" / "cptkg"
    target.parent.mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
    command = f"{sys.executable} -m cptkg completion bash > ~/.local/share/bash-completion/completions/cptkg"
    subprocess.run(["bash", "-c", command], env=env, check=True, timeout=120)
    return target


def complete(script: os.PathLike, line: str, cwd: os.PathLike | None = None) -> list[str]:
    """What bash offers for a TAB at the end of ``line``."""
    answer = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", HARNESS, "harness", str(script), line],
        capture_output=True, text=True, check=True, cwd=cwd, timeout=60,
    )  # fmt: skip
    return [word for word in answer.stdout.splitlines() if word]


def command_names() -> list[str]:
    top = parser()
    [commands] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return list(commands.choices)


def test_every_command_completes(installed):
    # shtab silently drops a sub-command created without help=: this is where that would show
    assert complete(installed, "cptkg ") == command_names()
    assert len(command_names()) == len(COMMANDS)
    assert complete(installed, "cptkg qu") == ["queries", "query"]


def test_options_and_their_choices_complete(installed):
    assert set(complete(installed, "cptkg export --f")) == {"--format", "--force"}
    assert complete(installed, "cptkg --backend ") == ["oxigraph", "rdflib"]
    assert "json-ld" in complete(installed, "cptkg export --format ")
    assert complete(installed, "cptkg completion ") == ["bash", "zsh", "tcsh"]


def test_named_queries_and_check_rules_complete(installed, kg):
    assert complete(installed, "cptkg query covered") == ["covered-codons"]
    assert complete(installed, "cptkg query ") == sorted(kg.queries)
    assert complete(installed, "cptkg check --skip disjoint") == ["disjoint-classes"]


def test_file_arguments_complete_file_names(installed, tmp_path):
    (tmp_path / "claims-march.csv").write_text("claim_id\n", encoding="utf-8")
    (tmp_path / "data.ttl").write_text("", encoding="utf-8")
    assert complete(installed, "cptkg claims cl", cwd=tmp_path) == ["claims-march.csv"]
    assert complete(installed, "cptkg --load da", cwd=tmp_path) == ["data.ttl"]
    assert complete(installed, "cptkg report 81311 --output da", cwd=tmp_path) == ["data.ttl"]


def test_zsh_and_tcsh_scripts_are_written(cli):
    assert cli("completion", "zsh").out.startswith("#compdef cptkg")
    assert "complete cptkg" in cli("completion", "tcsh").out


def test_without_shtab_the_command_says_how_to_get_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "shtab", None)  # import shtab raises ImportError
    run = cli("completion", "bash")
    assert run.code == 2 and "pip install 'cptkg[completion]'" in run.err and not run.out

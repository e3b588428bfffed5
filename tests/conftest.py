"""Shared fixtures: the loaded graph on each backend, and the command line run in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

import cptkg
from cptkg.cli import main

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"
FIXTURES = TESTS / "fixtures"

# The property tests explore new examples on every run, except in CI (the CI variable set), where the
# same seed-free examples run each time so that a gate never turns red by chance; explore more with
# `pytest tests/test_hardening_*.py --hypothesis-seed=N` and keep what fails as an @example.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def kg() -> cptkg.KnowledgeGraph:
    """The embedded graph on the default backend, loaded once."""
    return cptkg.load()


@pytest.fixture(scope="session")
def graphs():
    """The embedded graph, and the graph with one claim case's extra data file, each loaded once."""
    loaded: dict[str | None, cptkg.KnowledgeGraph] = {}

    def get(extra: str | None) -> cptkg.KnowledgeGraph:
        if extra not in loaded:
            loaded[extra] = cptkg.load(*([CASES / "claims" / extra] if extra else []))
        return loaded[extra]

    return get


@pytest.fixture(scope="session", params=["oxigraph", "rdflib"])
def any_kg(request) -> cptkg.KnowledgeGraph:
    """The embedded graph on every backend in turn."""
    return cptkg.load(backend=request.param)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run the command line in this process; returns exit code, stdout and stderr."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_process(*argv: str, cwd: Path | None = None) -> Run:
    """Run ``python -m cptkg`` as a real process."""
    done = subprocess.run(
        [sys.executable, "-m", "cptkg", *argv], check=False, capture_output=True, text=True, cwd=cwd, timeout=120
    )
    return Run(done.returncode, done.stdout, done.stderr)

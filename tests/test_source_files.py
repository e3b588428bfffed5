"""The files of the repository: canonical Turtle for the ontology and shapes, tidy query files, parseable data."""

from __future__ import annotations

import sys

import pytest

from cptkg.core.queries import read_query
from cptkg.core.rdfio import read_quads

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import normalize

sys.path.pop(0)

QUERY_FILES = sorted((ROOT / "queries").rglob("*.rq"))
DATA_FILES = sorted((ROOT / "data").rglob("*.ttl"))


@pytest.mark.parametrize("path", normalize.canonical_files(), ids=lambda p: p.name)
def test_ontology_and_shapes_are_canonical(path):
    assert path.read_text(encoding="utf-8") == normalize.canonical_text(path), "run: python tools/normalize.py"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_files_are_tidy(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert b"\r" not in raw and b"\t" not in raw
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "PREFIX" not in text.upper().split("SELECT")[0].split("ASK")[0], "queries use the package prefix map"
    read_query(path)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_data_files_parse(path):
    assert read_quads(path, require_triples=True)

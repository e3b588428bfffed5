"""The benchmark suite runs: its generator makes graphs cptkg loads and checks, and a run at the smallest size
measures every operation against its baseline and writes the report. No timing is asserted here (speed
is what ``benchmarks/run.py`` measures, into BENCHMARKS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cptkg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate


@pytest.fixture(scope="module")
def three_codes(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "codes-3"
    generate.generate(3, out)
    return out


def test_generated_codes_load_and_answer_the_named_queries(three_codes):
    kg = cptkg.load(three_codes / "codes")
    assert kg.codes == ["81210", "81275", "81276", "81311", "X0001", "X0002"]  # the shipped codes and the two generated
    codons = kg.query("covered-codons", code="X0002").records()
    assert [(r["gene_symbol"], r["exon_number"], r["codon_number"]) for r in codons] == [
        ("SYN2", 2, 12), ("SYN2", 2, 13), ("SYN2", 3, 61)
    ]  # fmt: skip
    # the same graph through load(data=...): every data file named
    same = cptkg.load(data=generate.source_files(three_codes))
    assert sorted(same.codes) == kg.codes
    manifest = json.loads((three_codes / "manifest.json").read_text())
    assert manifest["defective_codes"] == ["X0001"]
    assert manifest["triples"] == len({q.triple for q in kg.backend.quads()})


def test_check_finds_the_injected_defects_only_in_the_defective_code(three_codes):
    report = cptkg.load(three_codes / "codes").check()
    errors = [f for f in report.findings if f.severity == "error"]
    assert {f.rule for f in errors} >= {"disjoint-classes", "functional-property", "datatype-range"}
    named = {term.id for f in errors for term in f.resources}
    assert "cptkg:gene-SYN1" in named and "cptkg:exon-SYN1-3" in named and "cptkg:codon-SYN1-61" in named
    assert not any("SYN2" in term or "81311" in term for term in named)


def test_suite_smoke_run_at_the_smallest_size(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1", "--lines", "1000", "--repeats", "1",
         "--naive-query-cap", "15", "--cap", "600", "--workdir", str(tmp_path / "work"), "--output", str(output)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "work" / "results.json").read_text())
    measured = {(run["op"], run["tool"]) for run in results["runs"]}
    assert {("report", "cptkg"), ("report", "naive"), ("queries", "cptkg"), ("queries", "pyoxigraph"),
            ("check", "cptkg"), ("check", "naive"), ("validate", "naive"), ("variant", "cptkg"),
            ("variant", "floor"), ("claims", "cptkg"), ("claims", "floor"), ("exports", "bench_exports")} <= measured  # fmt: skip
    for run in results["runs"]:
        if run["tool"] != "rdflib":  # the naive query baseline may stop at its cap; nothing else may
            assert not run["timed_out"] and run["status"] in (0, 1), run
        assert run["peak_rss_mib"] > 0
    queries = {case["case"]: case for run in results["runs"] if run["op"] == "queries" and run["tool"] == "cptkg"
               for case in run["cases"] if "case" in case}  # fmt: skip
    pyoxigraph = {case["case"]: case for run in results["runs"] if run["op"] == "queries" and run["tool"] == "pyoxigraph"
                  for case in run["cases"] if "case" in case}  # fmt: skip
    assert set(queries) == set(pyoxigraph) and len(queries) >= len(cptkg.load().queries)
    assert all(queries[c]["rows"] == pyoxigraph[c]["rows"] for c in queries), "cptkg and pyoxigraph disagree on rows"
    check = next(run for run in results["runs"] if run["op"] == "check" and run["tool"] == "cptkg")
    assert check["findings"]["consistent"] is True  # the shipped graph
    text = output.read_text()
    for heading in ("## Machine and run", "## Targets", "### check", "## Named queries", "### claims", "### variant",
                    "## Readers of exported files"):  # fmt: skip
        assert heading in text

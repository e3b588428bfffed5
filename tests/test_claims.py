"""Claim checks: table-driven line cases and file cases (``cases/claims/``), the API's forms, the
command line's formats and exit status, the claims vocabulary and shapes, and the benchmark's smoke run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cptkg.claims import COLUMNS, RULES, SEVERITIES, ClaimLine, count_records, read_records
from cptkg.core.errors import InputError
from cptkg.terminology.icd10cm import _ICD10CM

from .conftest import CASES, ROOT, run_process

CLAIMS = CASES / "claims"
LINE_CASES = json.loads((CLAIMS / "lines.json").read_text())
FILE_CASES = json.loads((CLAIMS / "files.json").read_text())
UNUSABLE = json.loads((CLAIMS / "unusable.json").read_text())


@pytest.mark.parametrize("case", LINE_CASES, ids=[c["name"] for c in LINE_CASES])
def test_line_case(graphs, case):
    result = graphs(case.get("graph")).check_claims([case["line"]])
    assert [[f.severity, f.rule] for f in result] == case["findings"], case["why"]
    text = " ".join(f.message for f in result)
    for expected in case.get("messages", []):
        assert expected in text
    cited = {f.rule: f.source for f in result}  # each finding cites one source
    assert all(cited.values()) and cited.items() >= case.get("source", {}).items()
    assert {f.line for f in result} == {1} and {f.claim_id for f in result} == {case["line"]["claim_id"]}


def test_every_severity_is_exercised_by_a_case():
    """Every rule is hit from both sides by the coder's cases (test_claim_rule_data.py); these cases use
    only rules of the table, and every severity."""
    seen = {rule for case in LINE_CASES for _, rule in case["findings"]}
    seen |= {finding[3] for case in FILE_CASES for finding in case["findings"]}
    assert seen <= set(RULES)
    assert {s for case in LINE_CASES for s, _ in case["findings"]} == set(SEVERITIES)


@pytest.mark.parametrize("case", FILE_CASES, ids=[c["file"] for c in FILE_CASES])
def test_file_case(kg, case):
    path = CLAIMS / case["file"]
    result = kg.check_claims(path)
    assert [[f.line, f.claim_id, f.severity, f.rule] for f in result] == case["findings"], case["why"]
    assert result.lines == case["lines"] == count_records(path)
    assert result.exit_status == case["exit"]
    # the same file through the command line: same findings, JSON shape of the issue, exit status
    done = run_process("claims", str(path), "--format", "json", "--quiet")
    assert done.code == case["exit"], done.err
    answer = json.loads(done.out)
    assert list(answer) == ["lines", "findings"] and answer["lines"] == case["lines"]
    assert list(answer["findings"][0]) == ["claim_id", "line", "severity", "rule", "message", "source"]
    assert answer == json.loads(result.to_json())


@pytest.mark.parametrize("case", UNUSABLE, ids=[c["file"] for c in UNUSABLE])
def test_unusable_file(kg, cli, case):
    path = CLAIMS / case["file"]
    with pytest.raises(InputError, match=case["error"]):
        kg.check_claims(path)
    run = cli("claims", str(path))
    assert run.code == 2 and run.out == ""
    assert case["error"] in run.err and run.err.count("\n") == 1


def test_unreadable_line_names_its_line_and_what_is_wrong(kg):
    findings = kg.check_claims(CLAIMS / "mixed.csv")
    by_line = {f.line: f.message for f in findings if f.rule == "unreadable-line"}
    assert "units must be a whole number" in by_line[4] and "'two'" in by_line[4]
    assert "missing column payer, place_of_service, units" in by_line[6]
    assert "2025-13-45" in by_line[8]
    assert "10 fields, the header 9" in by_line[9]


def test_forms_of_the_result(kg):
    result = kg.check_claims(CLAIMS / "mixed.csv")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["claim_id", "line", "severity", "rule", "message", "source"]
    assert len(frame) == len(result) and frame["line"].tolist() == [f.line for f in result]
    csv_lines = result.to_csv().splitlines()
    assert csv_lines[0] == "claim_id,line,severity,rule,message,source" and len(csv_lines) > len(result)
    text = str(result)
    assert "line 7, claim M5: error [code-unknown]" in text
    assert text.rstrip().endswith("8 lines checked: 6 error, 4 warning, 1 info; 6 with errors")
    assert "<table>" in result._repr_html_() and "M5" in result.to_table()


def test_rows_from_a_dataframe(kg):
    import pandas

    row = dict(zip(COLUMNS, ["D1", "81311", "", "C92.00", "Medicare", "81", 1]), contractor="JE", dex_z_code="Z1")
    result = kg.check_claims(pandas.DataFrame([row]))
    assert [(f.claim_id, f.rule) for f in result] == [("D1", "coverage-not-covered")]


def test_command_line_formats_exit_status_and_output_file(cli, tmp_path):
    passing = tmp_path / "ok.csv"
    passing.write_text(",".join(COLUMNS) + "\nP1,81311,,C18.7,Aetna,81,1\n")
    run = cli("claims", str(passing))
    assert run.code == 0
    assert run.out.startswith("line 2, claim P1: info [coverage-criteria-gap]")
    assert "1 line checked" in run.out
    assert "\r" not in run.err  # no progress bar when standard error is not a terminal
    failing = CLAIMS / "mixed.csv"
    run = cli("claims", str(failing), "--format", "csv", "--quiet")
    assert run.code == 1 and run.err == ""
    assert run.out.splitlines()[0] == "claim_id,line,severity,rule,message,source"
    target = tmp_path / "findings.json"
    run = cli("claims", str(failing), "--format", "json", "--output", str(target))
    assert run.code == 1 and run.out == "" and json.loads(target.read_text())["lines"] == 8
    run = cli("claims", str(failing), "--output", str(target))
    assert run.code == 2 and "already exists" in run.err
    assert json.loads(target.read_text())["lines"] == 8  # untouched
    assert cli("claims", str(failing), "--format", "csv", "--output", str(target), "--force").code == 1
    assert target.read_text().startswith("claim_id,line")
    assert not list(tmp_path.glob(".*.part"))


def test_progress_bar_on_a_terminal(tmp_path):
    """With standard error on a terminal, tqdm draws progress there; --quiet silences it."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    source = tmp_path / "claims.csv"
    source.write_text(",".join(COLUMNS) + "\n" + "".join(f"P{i},81311,,C18.7,Aetna,81,1\n" for i in range(50)))
    outputs = {}
    for quiet in (False, True):
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
        argv = [sys.executable, "-m", "cptkg", "claims", str(source), "--output", str(tmp_path / f"out-{quiet}.txt")]
        done = subprocess.run(
            argv + (["--quiet"] if quiet else []), stderr=follower, stdout=subprocess.DEVNULL, timeout=120, check=False
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        outputs[quiet] = b"".join(chunks).decode(errors="replace")
        assert done.returncode == 0, outputs[quiet]
    assert "100%" in outputs[False] and "50/50" in outputs[False] and "lines" in outputs[False]
    assert outputs[True] == ""


def test_variant_column(kg):
    """The optional variant column is judged by the variant capability against the line's code."""
    line = dict(zip(COLUMNS, ["V1", "81311", "", "C18.7", "Aetna", "81", "1"]))
    inside = kg.check_claims([{**line, "variant": "NRAS p.Gln61Arg"}])
    assert [f.rule for f in inside] == ["coverage-criteria-gap"]
    # codon 146 is in exon 4, which 81311 does not analyse (issue 22: a change in exons 2 and 3 is in scope)
    outside = kg.check_claims([{**line, "claim_id": "V2", "variant": "NRAS A146T"}, {**line, "variant": "KRAS G12D"}])
    assert [(f.line, f.severity, f.rule) for f in outside][1::2] == [
        (1, "error", "variant-out-of-scope"),
        (2, "error", "variant-other-gene"),  # a KRAS change on the NRAS code
    ]
    assert "codon 146" in outside[1].message and "KRAS" in outside[3].message and "81275" in outside[3].message
    assert outside[1].source.startswith("Reference facts 11: 81311")  # the record of what 81311 analyses
    unreadable = kg.check_claims([{**line, "variant": "not a variant"}])
    assert [(f.severity, f.rule) for f in unreadable][1:] == [("warning", "variant-unclassified")]
    assert "cannot read" in unreadable[1].message
    other_code = kg.check_claims([{**line, "cpt_code": "G0452", "variant": "NRAS Q61R"}])
    assert [f.rule for f in other_code] == ["code-not-described", "coverage-no-policy", "variant-out-of-scope"]
    assert "in the scope of 81311, not of G0452" in other_code[2].message


def test_claims_vocabulary_and_shapes(kg):
    """A parsed line, as RDF in the claims vocabulary, conforms to the shapes; a bad one does not."""
    import pyshacl
    from rdflib import Literal, URIRef

    from cptkg.core.prefixes import CPTKG

    line = ClaimLine.parse(
        2,
        dict(
            zip(COLUMNS, ["C1", "81311", "26;GA", "C18.7;C43.9", "Medicare", "81", "1"]),
            variant="p.G12D",
            date_of_service="2025-01-31",
        ),
    )
    good = line.to_graph()
    conforms, _, report = pyshacl.validate(good, shacl_graph=kg.shapes, ont_graph=kg.ontology)
    assert conforms, report
    bad = line.to_graph()
    subject = URIRef(CPTKG + "claim-line-2")
    bad.add((subject, URIRef(CPTKG + "lineModifier"), Literal("265")))
    bad.add((subject, URIRef(CPTKG + "diagnosisCode"), Literal("18.7")))
    bad.add((subject, URIRef(CPTKG + "unitsOfService"), Literal(0)))
    conforms, results, _ = pyshacl.validate(bad, shacl_graph=kg.shapes, ont_graph=kg.ontology)
    assert not conforms
    paths = {str(o).rsplit("/", 1)[-1] for o in results.objects(None, URIRef("http://www.w3.org/ns/shacl#resultPath"))}
    assert {"lineModifier", "diagnosisCode", "unitsOfService"} <= paths


def test_shape_and_parser_agree_on_icd10cm(kg):
    from rdflib import URIRef

    sh = "http://www.w3.org/ns/shacl#"
    patterns = {
        str(kg.shapes.value(prop, URIRef(sh + "path"))).rsplit("/", 1)[-1]: str(
            kg.shapes.value(prop, URIRef(sh + "pattern"))
        )
        for prop in kg.shapes.objects(None, URIRef(sh + "property"))
    }
    assert patterns["diagnosisCode"] == _ICD10CM.pattern


def test_reading_streams(tmp_path):
    """Records come one at a time: a file-level error is raised at once, line errors as they come."""
    path = tmp_path / "c.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "A,81311,,C18.7,Aetna,81,1\n" * 3)
    records = read_records(path)
    assert next(records)[0] == 2
    assert sum(1 for _ in records) == 2


def test_benchmark_smoke(tmp_path):
    """The benchmark runs at its smallest size and reports lines per second and peak memory."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_claims.py"),
            "--sizes",
            "10000",
            "--workdir",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    (run,) = report["runs"]
    assert run["lines"] == 10000 and run["lines_per_second"] > 0 and run["peak_rss_mib"] > 0
    assert report["baseline"]["peak_rss_mib"] > 0


def test_the_rule_table_and_the_rule_families_match(monkeypatch):
    from cptkg.claims import engine, rules

    assert engine.check_registry() == []
    # a family that reports an id the table lacks, and a table row without a family, are both named
    monkeypatch.setitem(rules.FAMILIES, "units", (rules.FAMILIES["units"][0], ("units-over-the-moon",)))
    problems = engine.check_registry()
    assert "family units reports units-over-the-moon, which the table lacks" in problems
    assert "rule units-above-limit of the table has no family function" in problems


def test_a_rule_reports_only_the_severities_of_its_table_row(kg, monkeypatch):
    from cptkg.claims import ClaimRules, rules
    from cptkg.core.findings import Severity

    def loud(tables, ctx, report):
        report("coverage-no-policy", "made louder than the table allows", severity=Severity.ERROR)

    monkeypatch.setitem(rules.FAMILIES, "coverage", (loud, ("coverage-no-policy",)))
    line = ClaimLine.parse(2, dict(zip(COLUMNS, ["C1", "81311", "", "C18.7", "Aetna", "81", "1"])))
    with pytest.raises(AssertionError, match="coverage-no-policy has no error level"):
        ClaimRules(kg).check(line)


# ---------------------------------------------------------------- claims, units and the explain view (issue 22)

MOLDX_LINE = {
    "claim_id": "K1", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7;C78.00", "payer": "Medicare",
    "contractor": "Noridian JE", "place_of_service": "81", "units": "1", "date_of_service": "2024-03-15",
    "dex_z_code": "Z1",
}  # fmt: skip


def rules_of(result, line: int) -> list[str]:
    return [f.rule for f in result if f.line == line]


def test_adjacent_lines_of_a_claim_show_an_indication_together(kg):
    """A colorectal primary on one line and a secondary on the next: metastatic colorectal cancer by claim."""
    primary = {**MOLDX_LINE, "icd10cm": "C18.7"}
    secondary = {**MOLDX_LINE, "cpt_code": "81275", "icd10cm": "C78.01", "dex_z_code": ""}
    together = kg.check_claims([primary, secondary])
    assert rules_of(together, 1) == ["mcrc-by-claim"] and "line 2 (C78.01)" in together[0].message
    other = {**MOLDX_LINE, "claim_id": "K2", "icd10cm": "C18.7;C78.00"}
    apart = kg.check_claims([primary, other, secondary])  # K1's lines are not next to each other
    assert rules_of(apart, 1) == ["coverage-conditional"]
    assert rules_of(apart, 2) == ["no-findings"]
    [in_parts] = [f for f in apart if f.rule == "claim-checked-in-parts"]
    assert in_parts.line == 3 and in_parts.severity == "warning" and "sort the file by claim_id" in in_parts.message


def test_a_claim_longer_than_the_limit_is_checked_in_parts(kg, monkeypatch):
    from cptkg.claims import engine

    monkeypatch.setattr(engine, "MAX_CLAIM_LINES", 2)
    result = kg.check_claims([MOLDX_LINE] * 3)
    assert "claim-checked-in-parts" not in rules_of(result, 1) + rules_of(result, 2)
    assert rules_of(result, 3)[0] == "claim-checked-in-parts"
    # the first part's two lines are added up for the unit edit of the date of service; the third is alone
    assert "units-mue-date-of-service" in rules_of(result, 2) and "units-mue-date-of-service" not in rules_of(result, 3)


@pytest.mark.parametrize("units", ["1.0", "1.00", 1.0])
def test_units_with_a_zero_decimal_part_are_read_and_said(kg, units):
    result = kg.check_claims([{**MOLDX_LINE, "units": units}])
    assert [(f.severity, f.rule) for f in result] == [("info", "units-decimal-read")]
    assert "read as 1 unit" in result[0].message


@pytest.mark.parametrize("units", ["1_000", "\u0661", "\u00b2", "\uff11", "1\u00a0000", "1.5", "0", "two", True])
def test_units_must_be_ascii_whole_numbers(kg, units):
    """As the security review asks: int() would read 1_000 and non-ASCII digits; the check does not."""
    [finding] = kg.check_claims([{**MOLDX_LINE, "units": units}])
    assert finding.rule == "unreadable-line" and "units must be a whole number" in finding.message


def test_units_with_a_plus_sign_are_a_whole_number(kg):
    assert [f.rule for f in kg.check_claims([{**MOLDX_LINE, "units": "+1"}])] == ["no-findings"]


def test_explain_shows_every_rule_of_the_table_for_one_line(cli):
    from cptkg.claims.rules import table

    path = CLAIMS / "coder-cases.csv"
    run = cli("claims", str(path), "--explain", "9")  # C008: the primary here, the secondary on line 10
    assert run.code == 0, run.err
    assert run.out.startswith("line 9, claim C008")
    for rule in table():
        assert run.out.count(f"[{rule}]") == 1, rule
    fired = run.out.split("fired:")[1].split("evaluated, did not fire:")[0]
    assert "info [mcrc-by-claim]" in fired and "(source: billing-rules.md" in fired
    assert "[units-above-limit] 1 unit within A57486's 1" in run.out  # evaluated, with what it looked at
    assert "data: unit-limits" in run.out
    run = cli("claims", str(path), "--explain", "76", "--format", "json")  # C072: an unknown code
    assert run.code == 1
    answer = json.loads(run.out)
    outcomes = {o["rule"]: o for o in answer["rules"]}
    assert answer["claim_id"] == "C072" and len(outcomes) == len(table())
    assert outcomes["code-unknown"]["outcome"] == "fired" and outcomes["code-unknown"]["severity"] == "error"
    assert outcomes["coverage-not-covered"]["outcome"] == "not evaluated"
    run = cli("claims", str(path), "--explain", "5000")
    assert run.code == 2 and "no line 5000" in run.err and run.err.count("\n") == 1

"""Claim files as payers and CMS export them: real RIF, DE-SynPUF and X12 837P files, a column mapping, hostile files.

The expected answers are those tests/data/external/SOURCES.md gives for each file
(tests/cases/external-claim-files.json holds them as a table).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cptkg.claims import check_claims, open_claims
from cptkg.claims.layouts import parse_columns
from cptkg.core.errors import InputError

from .conftest import CASES, TESTS

EXTERNAL = TESTS / "data" / "external"
TABLE = json.loads((CASES / "external-claim-files.json").read_text(encoding="utf-8"))
RIF_A = EXTERNAL / "claims" / "bfd-rif-sample-a-bcarrier.txt"
X12_1 = EXTERNAL / "x12" / "lfh-5010X222A2-example1.837"
RIF_COLUMNS = (
    "claim_id=CLM_ID,cpt_code=HCPCS_CD,modifiers=HCPCS_1ST_MDFR_CD+HCPCS_2ND_MDFR_CD,icd10cm=LINE_ICD_DGNS_CD,"
    "place_of_service=LINE_PLACE_OF_SRVC_CD,units=LINE_SRVC_CNT,date_of_service=CLM_FROM_DT"
)


def records(path: Path, columns=None) -> list[tuple[int, dict]]:
    source = open_claims(path, columns)
    found = list(source.records)
    assert not [r for _, r in found if isinstance(r, InputError)], found
    return found


# ---------------------------------------------------------------- the real files


@pytest.mark.parametrize("case", TABLE["files"], ids=lambda c: Path(c["file"]).name)
def test_each_real_export_reads_as_its_source_says(case):
    path = EXTERNAL / case["file"]
    source = open_claims(path)
    found = list(source.records)
    assert source.layout == case["layout"] and source.payer_wide
    if "records" in case:
        assert len(found) == case["records"]
    by_line = {}
    for number, record in found:
        by_line.setdefault(number, record)
    for number, expected in case.get("expect", []):
        record = by_line[number]
        for key, value in expected.items():
            assert record.get(key) == value, (number, key, record.get(key))
    for code in case.get("diagnoses_include", []):
        assert code in found[0][1]["icd10cm"].split(";")
    if "codes" in case:
        assert [r["cpt_code"] for _, r in found] == case["codes"]
        assert sorted({r["claim_id"] for _, r in found}) == sorted(case["claims"])
    if "empty_codes" in case:
        assert sum(1 for _, r in found if not r["cpt_code"]) == case["empty_codes"]
        assert set(case["units_seen"]) <= {r["units"] for _, r in found}
    if "notice" in case:
        assert any(case["notice"] in notice for notice in source.notices), source.notices


@pytest.mark.parametrize("case", TABLE["files"], ids=lambda c: Path(c["file"]).name)
def test_lines_for_other_codes_are_counted_and_skipped(kg, case, cli):
    path = EXTERNAL / case["file"]
    result = check_claims(kg, path)
    assert result.exit_status == 0 and result.findings == [] and result.lines == 0
    total = sum(1 for _ in open_claims(path).records)
    assert result.tally.skipped_other_codes == total > 0
    run = cli("claims", str(path), "--format", "json", "--quiet")
    data = json.loads(run.out)
    assert run.code == 0 and data["skipped_other_codes"] == data["lines"] == total and data["layout"] == case["layout"]
    text = cli("claims", str(path), "--quiet").out
    assert f"{total:,} line{'s' if total != 1 else ''} for other codes skipped" in text.splitlines()[-1]


def test_other_codes_can_be_checked_instead(kg):
    result = check_claims(kg, EXTERNAL / "claims" / "bfd-rif-sample-a-bcarrier-multiple-lines.txt", other_codes="check")
    assert result.lines == 7 and {f.rule for f in result} >= {"code-unknown"}
    assert [f.line for f in result if f.rule == "code-unknown"] == [2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("case", TABLE["refused"], ids=lambda c: Path(c["file"]).name)
def test_an_interchange_that_contradicts_its_delimiters_is_refused(case, cli):
    path = EXTERNAL / case["file"]
    with pytest.raises(InputError) as caught:
        open_claims(path)
    assert caught.value.line == case["line"] and case["reason"] in caught.value.reason
    run = cli("claims", str(path))
    assert run.code == 2 and run.out == "" and run.err.count("\n") == 1 and path.name in run.err


def test_the_x12_reader_agrees_with_pyx12s_map_driven_reader_on_the_4010_sample():
    """pyx12 has a map for 4010 (X098A1): its loop-aware reader and the segment walk give the same lines."""
    pyx12 = pytest.importorskip("pyx12")
    from pyx12 import error_handler, params, x12context

    path = EXTERNAL / "x12" / "pyx12-4010X098A1-simple_837p.x12"
    theirs = []
    with path.open() as handle:
        reader = x12context.X12ContextReader(params.params(), error_handler.errh_null(), handle)
        for claim in reader.iter_segments("2300"):
            place = claim.get_value("CLM05-1")
            for line in claim.select("2400"):
                modifiers = ";".join(m for m in (line.get_value(f"SV101-{i}") for i in range(3, 7)) if m)
                theirs.append((claim.get_value("CLM01"), line.get_value("SV101-2"), modifiers, line.get_value("SV104"),
                               line.get_value("SV105") or place))
    assert pyx12.__name__ == "pyx12" and len(theirs) == 5
    ours = [(r["claim_id"], r["cpt_code"], r["modifiers"], r["units"], r["place_of_service"]) for _, r in records(path)]
    assert ours == theirs


# ---------------------------------------------------------------- a line for the graph's code, in each layout


def _derived(tmp_path: Path, source: Path, replacements: list[tuple[str, str]]) -> Path:
    """A real export with the graph's code and an ICD-10-CM diagnosis put into its first line (written here)."""
    text = source.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text)
    return path


def _as_cptkg_csv(tmp_path: Path, rows: list[tuple[int, dict]]) -> Path:
    """The same lines as a cptkg claim file, padded with blank lines so that the line numbers agree."""
    columns = ("claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units", "date_of_service")
    lines = [",".join(columns)]
    for number, record in rows:
        while len(lines) < number - 1:
            lines.append("")
        lines.append(",".join(str(record[c]) for c in columns))
    path = tmp_path / "same.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("source", "replacements"),
    [
        (RIF_A, [("|92999|", "|81311|"), ("|A52|", "|C18.7|")]),
        (X12_1, [("HC:99213", "HC:81311"), ("HI*BK:0340*BF:V7389", "HI*ABK:C187*ABF:C20")]),
    ],
    ids=["rif", "x12"],
)
def test_a_line_for_the_graphs_code_is_checked_as_the_same_cptkg_line_is(kg, tmp_path, source, replacements):
    path = _derived(tmp_path, source, replacements)
    result = check_claims(kg, path)
    checked = [(n, r) for n, r in records(path) if r["cpt_code"] == "81311"]
    assert result.lines == 1 and result.tally.skipped_other_codes == len(records(path)) - 1
    assert "C18.7" in checked[0][1]["icd10cm"].split(";")
    same = check_claims(kg, _as_cptkg_csv(tmp_path, checked))
    assert [(f.line, f.rule, f.severity) for f in result] == [(f.line, f.rule, f.severity) for f in same]
    assert "unreadable-line" not in {f.rule for f in result}


# ---------------------------------------------------------------- a column mapping


def test_a_column_mapping_reads_an_export_with_names_of_its_own(tmp_path):
    yaml_map = tmp_path / "columns.yaml"
    yaml_map.write_text("claim_id: CLM_ID\ncpt_code: HCPCS_CD\nmodifiers: [HCPCS_1ST_MDFR_CD, HCPCS_2ND_MDFR_CD]\n"
                        "icd10cm: LINE_ICD_DGNS_CD\nplace_of_service: LINE_PLACE_OF_SRVC_CD\nunits: LINE_SRVC_CNT\n"
                        "date_of_service: CLM_FROM_DT\n")
    for columns in (RIF_COLUMNS, yaml_map):
        source = open_claims(RIF_A, columns)
        ((number, record),) = list(source.records)
        assert source.layout == "columns" and number == 2
        assert (record["claim_id"], record["cpt_code"], record["modifiers"], record["icd10cm"], record["units"],
                record["date_of_service"]) == ("9991831999", "92999", "LT", "A52", "1", "1999-10-27")


def test_the_columns_option_on_the_command_line(cli):
    run = cli("claims", str(RIF_A), "--columns", RIF_COLUMNS, "--format", "json", "--quiet")
    assert run.code == 0 and json.loads(run.out)["layout"] == "columns"
    bad = cli("claims", str(RIF_A), "--columns", "claim_id=CLM_ID,cpt_code=NO_SUCH_COLUMN")
    assert bad.code == 2 and "NO_SUCH_COLUMN" in bad.err and bad.err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [("claim_id=CLM_ID", "cpt_code"), ("claim_id=CLM_ID,cpt_code=X,colour=Y", "unknown column colour"), ("claim_id", "name=COLUMN")],
)
def test_a_bad_column_mapping_is_named(text, reason):
    with pytest.raises(InputError, match=reason):
        parse_columns(text)


# ---------------------------------------------------------------- hostile files


def _rif_lines() -> list[str]:
    return RIF_A.read_text().splitlines()


def test_a_short_row_is_an_unreadable_line_and_the_next_is_read(kg, tmp_path):
    header, row = _rif_lines()
    path = tmp_path / "short.txt"
    path.write_text("\n".join([header, row.rsplit("|", 5)[0], row.replace("|92999|", "|81311|")]) + "\n")
    result = check_claims(kg, path)
    assert [(f.line, f.rule) for f in result if f.rule == "unreadable-line"] == [(2, "unreadable-line")]
    assert "fields" in next(f.message for f in result if f.line == 2)
    assert {f.line for f in result} == {2, 3}


def test_a_rif_file_with_the_wrong_delimiter_is_refused_in_one_line(cli, tmp_path):
    path = tmp_path / "commas.txt"
    path.write_text("\n".join(line.replace("|", ",") for line in _rif_lines()) + "\n")
    run = cli("claims", str(path))
    assert run.code == 2 and "commas.txt, line 1" in run.err and "--columns" in run.err and run.err.count("\n") == 1


def test_a_huge_field_is_an_unreadable_line(kg, tmp_path):
    header, row = _rif_lines()
    path = tmp_path / "huge.txt"
    path.write_text("\n".join([header, row.replace("|LT|", "|" + "L" * 200_000 + "|")]) + "\n")
    result = check_claims(kg, path, other_codes="check")
    assert [(f.line, f.rule) for f in result] == [(2, "unreadable-line")]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"DML_IND|CLM_ID\x00\x01\x02|HCPCS_CD\n", "binary"),
        ("truncated.837", X12_1.read_bytes()[:200], "cut short"),
        ("not-ascii.837", X12_1.read_bytes().replace(b"SMITH", "SMÏTH".encode()), "ASCII"),
    ],
)
def test_binary_and_broken_interchanges_are_one_line_errors(cli, tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        open_claims(path)
    run = cli("claims", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and name in run.err and "Traceback" not in run.err


def test_the_python_door_takes_the_same_options(kg):
    result = kg.check_claims(RIF_A, columns=RIF_COLUMNS, other_codes="skip")
    assert result.tally.layout == "columns" and result.tally.skipped_other_codes == 1
    assert result.to_dict()["skipped_other_codes"] == 1

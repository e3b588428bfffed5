"""The columnar claims engine against the row engine: the same findings, line for line and byte for byte.

The row engine (``cptkg claims --engine row``) is the oracle: every case file of ``cases/claims/``,
the line cases given as rows, claims of several lines, claims checked in parts and cut at the line
limit, tiny batches (a claim held back from one batch to the next), Parquet and Arrow files, and
100,000 generated lines go through both engines and must come out the same in JSON, CSV and text.
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest

from cptkg.claims import ClaimRules, Tally, check_records, count_records, read_records, rows_records, write_findings
from cptkg.claims import engine as row_engine
from cptkg.claims.columnar import check_file, check_rows
from cptkg.claims.columnar import evaluate as columnar_evaluate

from .conftest import CASES, ROOT

CLAIMS = CASES / "claims"
CASE_FILES = ["mixed.csv", "mixed.jsonl", "not-utf8.csv", *sorted(p.name for p in CLAIMS.glob("coder-cases*.csv"))]
LINE_CASES = json.loads((CLAIMS / "lines.json").read_text())
FORMS = ("json", "csv", "text")


@pytest.fixture(scope="module")
def rules(kg) -> ClaimRules:
    return ClaimRules(kg)


def by_row_engine(rules: ClaimRules, records, fmt: str, lines: int) -> str:
    out, tally = io.StringIO(), Tally()
    write_findings(check_records(rules, records, tally), out, fmt, lines=lines, tally=tally)
    return out.getvalue()


def by_columnar_engine(rules: ClaimRules, path, fmt: str, batch_size: int = 100_000) -> str:
    out = io.StringIO()
    check_file(rules, path, out, fmt, batch_size=batch_size)
    return out.getvalue()


def coder_rows() -> list[dict[str, str]]:
    with (CLAIMS / "coder-cases.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path, rows: list[dict[str, str]]) -> None:
    names = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("fmt", FORMS)
@pytest.mark.parametrize("name", CASE_FILES)
def test_case_files(rules, name, fmt):
    path = CLAIMS / name
    expected = by_row_engine(rules, read_records(path), fmt, count_records(path))
    assert by_columnar_engine(rules, path, fmt) == expected
    assert by_columnar_engine(rules, path, fmt, batch_size=3) == expected  # claims held back between batches


def test_line_cases_given_as_rows(graphs):
    """The line cases as rows, one file per graph: adjacent cases with one claim id are one claim."""
    for extra in sorted({case.get("graph") or "" for case in LINE_CASES}):
        rows = [case["line"] for case in LINE_CASES if (case.get("graph") or "") == extra]
        rules = ClaimRules(graphs(extra or None))
        for fmt in FORMS:
            out = io.StringIO()
            check_rows(rules, rows, out, fmt)
            assert out.getvalue() == by_row_engine(rules, rows_records(rows), fmt, len(rows)), (extra, fmt)


def claims_file(path, seed: int = 3) -> None:
    """Claims of several lines (the coder's lines, three to a claim, some claims repeated later in the
    file), claim ids a CSV or JSON string must escape, lines that cannot be read (with and without a
    claim id, inside claims), and one claim longer than the row engine's line limit."""
    rng = random.Random(seed)
    rows = []
    for number, row in enumerate(coder_rows()):
        row = {k: v for k, v in row.items() if k not in ("expected", "not_expected", "why")}
        rows.append({**row, "claim_id": f"K{number // 3}"})
    rows += [dict(r) for r in rng.sample(rows, 30)]  # the same claims again, not adjacent: checked in parts
    odd_ids = ["A,1", 'B"2', "C\\3", " D4 "]
    rows += [{**rows[i], "claim_id": odd_ids[i % 4]} for i in range(12)]
    for at in sorted(rng.sample(range(len(rows)), 12), reverse=True):
        rows.insert(at, {**rows[at], "units": "two", "claim_id": rng.choice(["", rows[at]["claim_id"]])})
    long_claim = {**rows[0], "claim_id": "LONG", "units": "1"}
    rows += [long_claim] * (row_engine.MAX_CLAIM_LINES + 5) + [{**rows[1], "claim_id": "LONG"}]
    write_csv(path, rows)


@pytest.mark.parametrize("batch_size", [100_000, 7])
def test_claims_of_several_lines_in_parts_and_cut(rules, tmp_path, batch_size):
    path = tmp_path / "claims.csv"
    claims_file(path)
    for fmt in FORMS:
        expected = by_row_engine(rules, read_records(path), fmt, count_records(path))
        assert by_columnar_engine(rules, path, fmt, batch_size) == expected, fmt
    findings = json.loads(expected_json := by_row_engine(rules, read_records(path), "json", count_records(path)))
    rules_seen = {f["rule"] for f in findings["findings"]}
    assert {"claim-checked-in-parts", "unreadable-line", "units-mue-date-of-service"} <= rules_seen, expected_json[:0]


def test_forgotten_claim_ids_and_a_small_memory(rules, tmp_path, monkeypatch):
    """With the row engine's limits small (claims of 4 lines, 3 claim ids remembered) and few keys
    remembered, what is forgotten and when is the same in both engines."""
    monkeypatch.setattr(row_engine, "MAX_CLAIM_LINES", 4)
    monkeypatch.setattr(row_engine, "RECENT_CLAIMS", 3)
    monkeypatch.setattr(columnar_evaluate, "KEY_LIMIT", 5)
    path = tmp_path / "claims.csv"
    claims_file(path, seed=5)
    for batch_size in (100_000, 5):
        expected = by_row_engine(rules, read_records(path), "json", count_records(path))
        assert by_columnar_engine(rules, path, "json", batch_size) == expected, batch_size


def test_tables_in_and_out(rules, tmp_path):
    """Parquet and Arrow files in (their rows numbered from 1, as rows given in Python are; whole
    numbers and dates as typed columns), and findings written as tables."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import feather

    rows = [{k: v for k, v in r.items() if k not in ("expected", "not_expected", "why")} for r in coder_rows()]
    rows += [{**rows[0], "units": "1.0"}, {**rows[1], "units": "0"}, {**rows[2], "date_of_service": "03/15/2024"}]
    table = pa.Table.from_pylist(rows)
    typed = table.set_column(
        table.schema.get_field_index("units"),
        "units",
        pa.array([int(r["units"]) if r["units"].isdigit() else None for r in rows]),
    )
    pq.write_table(table, tmp_path / "claims.parquet")
    feather.write_feather(typed, tmp_path / "claims.arrow")
    typed_rows = typed.to_pylist()
    for name, given in (("claims.parquet", rows), ("claims.arrow", typed_rows)):
        for fmt in FORMS:
            expected = by_row_engine(rules, rows_records(given), fmt, len(given))
            assert by_columnar_engine(rules, tmp_path / name, fmt) == expected, (name, fmt)
    expected = json.loads(by_row_engine(rules, rows_records(rows), "json", len(rows)))["findings"]
    for fmt, read in (("parquet", pq.read_table), ("arrow", feather.read_table)):
        target = tmp_path / f"findings.{fmt}"
        with target.open("wb") as out:
            check_file(rules, tmp_path / "claims.parquet", out, fmt)
        assert read(target).to_pylist() == expected


def test_command_line(cli, tmp_path):
    path = CLAIMS / "mixed.csv"
    row = cli("claims", str(path), "--format", "json", "--engine", "row", "--quiet")
    columnar = cli("claims", str(path), "--format", "json", "--engine", "columnar", "--quiet")
    default = cli("claims", str(path), "--format", "json", "--quiet")
    assert row.code == columnar.code == default.code == 1
    assert row.out == columnar.out == default.out
    target = tmp_path / "findings.parquet"
    done = cli("claims", str(path), "--format", "parquet", "--output", str(target))
    assert done.code == 1 and target.stat().st_size > 0 and "8 lines checked" in done.err
    refused = cli("claims", str(path), "--format", "parquet", "--engine", "row")
    assert refused.code == 2 and refused.out == "" and refused.err.count("\n") == 1 and "columnar" in refused.err


@pytest.mark.slow
def test_generated_lines(rules, tmp_path):
    """100,000 generated lines (every rule fires somewhere): the same JSON from both engines."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_claims import write

    path = write(100_000, tmp_path / "claims.csv")
    assert by_columnar_engine(rules, path, "json") == by_row_engine(rules, read_records(path), "json", 100_000)


EXTERNAL = ROOT / "tests" / "data" / "external"
EXPORTS = sorted([*(EXTERNAL / "claims").glob("*"), *(EXTERNAL / "x12").glob("*")], key=lambda p: p.name)


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name)
def test_exports_on_the_command_line(cli, path):
    """Payers' exports (CMS RIF, DE-SynPUF, X12 837P), read by the row engine's readers, and their lines
    for other codes skipped or checked: the same output from both engines."""
    for extra in ([], ["--other-codes", "check"]):
        for fmt in ("json", "text"):
            argv = ["claims", str(path), "--format", fmt, "--quiet", *extra]
            row, columnar = cli(*argv, "--engine", "row"), cli(*argv, "--engine", "columnar")
            assert (columnar.code, columnar.out, columnar.err) == (row.code, row.out, row.err), (extra, fmt)


def test_column_mapping_delimiters_and_skipping(cli, tmp_path):
    """A column mapping, a pipe-delimited file of cptkg's columns, and --other-codes skip on a cptkg file."""
    mapping = (
        "claim_id=CLM_ID,cpt_code=HCPCS_CD,modifiers=HCPCS_1ST_MDFR_CD+HCPCS_2ND_MDFR_CD,icd10cm=LINE_ICD_DGNS_CD,"
        "place_of_service=LINE_PLACE_OF_SRVC_CD,units=LINE_SRVC_CNT,date_of_service=CLM_FROM_DT"
    )
    piped = tmp_path / "coder-cases.txt"
    piped.write_text((CLAIMS / "coder-cases.csv").read_text(encoding="utf-8").replace(",", "|"), encoding="utf-8")
    runs = [
        [str(EXTERNAL / "claims" / "bfd-rif-sample-a-bcarrier.txt"), "--columns", mapping],
        [str(piped)],
        [str(CLAIMS / "mixed.csv"), "--other-codes", "skip"],
    ]
    for argv in runs:
        for fmt in FORMS:
            row = cli("claims", *argv, "--format", fmt, "--quiet", "--engine", "row")
            columnar = cli("claims", *argv, "--format", fmt, "--quiet", "--engine", "columnar")
            assert (columnar.code, columnar.out) == (row.code, row.out), (argv, fmt)


def test_lines_the_csv_module_cannot_read(rules, tmp_path):
    """A NUL byte and a field over the csv module's limit, past the file's start: reported at their
    lines as the row engine reports them (and JSON's count of lines is the row engine's)."""
    text = (CLAIMS / "coder-cases.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    broken = [
        *text[:60],
        "N1,81311,,C18.7,Aetna,81,1\x00,,,,,,,,\n",
        *text[60:80],
        f'B1,81311,,"{"x" * 140_000}"\n',
        *text[80:],
    ]
    path = tmp_path / "broken.csv"
    path.write_text("".join(broken), encoding="utf-8")
    for fmt in FORMS:
        expected = by_row_engine(rules, read_records(path), fmt, count_records(path))
        assert by_columnar_engine(rules, path, fmt) == expected, fmt
    unreadable = {f.line: f.message for f in check_records(rules, read_records(path)) if f.rule == "unreadable-line"}
    assert {61, 82} <= set(unreadable)  # each bad line reported; the lines after them read


@pytest.mark.parametrize("case", json.loads((CLAIMS / "unusable.json").read_text()), ids=lambda c: c["file"])
def test_unusable_files(cli, tmp_path, case):
    """A file that cannot be used at all: the row engine's one-line error, exit status 2, no output; and a
    Parquet file without a required column is refused the same way."""
    runs = [cli("claims", str(CLAIMS / case["file"]), "--engine", engine) for engine in ("row", "columnar")]
    assert [(r.code, r.out, r.err) for r in runs[1:]] == [(runs[0].code, runs[0].out, runs[0].err)]
    assert runs[0].code == 2 and case["error"] in runs[0].err and runs[0].err.count("\n") == 1


def test_a_table_without_a_required_column(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "claims.parquet"
    pq.write_table(pa.table({"claim_id": ["A"], "cpt_code": ["81311"]}), path)
    run = cli("claims", str(path))
    assert run.code == 2 and run.out == "" and "lacks the columns modifiers" in run.err and run.err.count("\n") == 1


# ---------------------------------------------------------------- claims of one line, composed from parts (issue 19)


def recombined_rows(rules: ClaimRules, count: int, seed: int) -> list[dict[str, str]]:
    """Lines of one claim each whose every column is drawn on its own from the coder's cases, the dates
    also from every date the rule tables hold and the days either side of it: values put together as
    no coder wrote them, so that a part that reads more than it says shows up."""
    from datetime import timedelta

    from cptkg.claims.columnar.checking import thresholds

    rng = random.Random(seed)
    cases = coder_rows()
    columns = [c for c in cases[0] if c not in ("claim_id", "expected", "not_expected", "why")]
    values = {c: sorted({row[c] for row in cases}) for c in columns}
    values["date_of_service"] += [str(d + timedelta(days=k)) for d in thresholds(rules.tables) for k in (-1, 0, 1)]
    return [{"claim_id": f"R{n}", **{c: rng.choice(values[c]) for c in columns}} for n in range(count)]


@pytest.mark.parametrize("dex", [True, False], ids=["with-dex-column", "without-dex-column"])
def test_recombined_lines(rules, tmp_path, dex):
    """3,000 recombined lines: the same findings from both engines, whatever the batch."""
    rows = recombined_rows(rules, 3000, seed=11 if dex else 12)
    if not dex:
        rows = [{k: v for k, v in row.items() if k != "dex_z_code"} for row in rows]
    path = tmp_path / "recombined.csv"
    write_csv(path, rows)
    expected = by_row_engine(rules, read_records(path), "json", count_records(path))
    assert by_columnar_engine(rules, path, "json") == expected
    assert by_columnar_engine(rules, path, "json", batch_size=250) == expected
    seen = {f["rule"] for f in json.loads(expected)["findings"]}
    assert {"coverage-not-covered", "modifier-gy-under-lcd", "policy-not-in-force", "code-before-start"} <= seen


def test_each_part_reads_only_what_it_says(rules):
    """A part's findings on a line do not change when every value it does not read is another line's."""
    from cptkg.claims.lines import ClaimLine
    from cptkg.claims.rules import parts_of
    from cptkg.core.errors import InputError

    columns = {"code": "cpt_code", "modifiers": "modifiers", "diagnoses": "icd10cm", "payer": "payer",
               "place": "place_of_service", "units": "units", "units_written": "units", "variant": "variant",
               "contractor": "contractor", "dex": "dex_z_code", "date": "date_of_service"}  # fmt: skip
    rng = random.Random(13)
    rows = recombined_rows(rules, 1500, seed=13)
    parts = [part for function in rules.families for part in parts_of(function)]
    compared = 0
    for own, other in zip(rows, rng.sample(rows, len(rows))):
        for part in parts:
            read = {columns[value] for value in part.reads}
            mixed = {**other, **{c: own[c] for c in read}}
            if part.modifiers:  # the modifiers it names are the line's own, the others another line's
                named = [m for m in own["modifiers"].split(";") if m in part.modifiers]
                rest = [m for m in other["modifiers"].split(";") if m and m not in part.modifiers]
                mixed["modifiers"] = ";".join(named + rest)
            try:
                lines = [ClaimLine.parse(2, row) for row in (own, mixed)]
            except InputError:
                continue
            found = [[(f.severity, f.rule, f.message, f.source) for f in rules.check_part(part, line)] for line in lines]
            assert found[0] == found[1], (part.check.__name__, own, mixed)
            compared += bool(found[0])
    assert compared > 1000  # parts that found something, compared


@pytest.mark.parametrize(
    ("size", "explain", "engine"),
    [(1024, None, "row"), (2 * 2**20, None, "columnar"), (2 * 2**20, 5, "row"), (2 * 2**20 - 1, None, "row")],
)
def test_auto_takes_the_columnar_engine_from_two_mebibytes(tmp_path, size, explain, engine):
    import argparse

    from cptkg.cli.claims import chosen_engine

    path = tmp_path / "claims.csv"
    path.write_bytes(b"x" * size)
    args = argparse.Namespace(file=str(path), format="json", engine="auto", explain=explain)
    assert chosen_engine(args) == engine


@pytest.mark.parametrize(
    "body",
    [
        "L\nL\n",
        "\nL\n\n\nL\n",  # empty lines, one first
        " \nL\n",  # only the first line blank
        "L\n   \nL\n\t\n",  # lines of spaces only
        "L\r\n \r\nL\r\n\r\n",  # CRLF, blank ones too
        "L \n\tL\n",  # spaces inside lines are not blank lines
        "L\n \x0b\x0c \nL",  # other spaces; no line end at the end
        'L\n\n"C3",81311,,C18.7,UHC,81,1\n',  # a quote: the csv module counts
    ],
)
@pytest.mark.parametrize("ahead", [False, True], ids=["here", "ahead"])
def test_lines_counted_first_as_the_row_engine_counts_them(tmp_path, body, ahead):
    from cptkg.claims.columnar.reading import count_ahead, count_first, open_source

    path = tmp_path / "claims.csv"
    header = "claim_id,cpt_code,modifiers,icd10cm,payer,place_of_service,units\n"
    path.write_bytes((header + body.replace("L", "C1,81311,,C18.7,UHC,81,1")).encode())
    source = open_source(path, None)
    if ahead:
        count_ahead(source)
    assert count_first(source) == count_records(path)


def test_a_count_begun_ahead_raises_its_error_where_it_is_asked_for(tmp_path, monkeypatch):
    from cptkg.claims.columnar import reading

    path = tmp_path / "claims.csv"
    path.write_text("claim_id,cpt_code,modifiers,icd10cm,payer,place_of_service,units\nC1,81311,,C18.7,UHC,81,1\n")
    source = reading.open_source(path, None)

    def failing(text, pattern):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(reading, "_matches", failing)
    reading.count_ahead(source)
    with pytest.raises(OSError, match="Input/output error"):
        reading.count_first(source)


@pytest.mark.parametrize(
    "body",
    [
        "L\nL,x\n\nL\n",  # a long line and a blank one: as many delimiters as lines of 7 fields
        "L\nL,x\n  \t\nL\n",  # a long line and a line of spaces
        "L\nC2,81311,,C18.7,UHC,81\nL,x\n",  # a short line and a long one
        "\nL,x\nL\n",  # the first line blank, a long one after it
        "L\r\nL,x\r\n\r\nL\r\n",  # CRLF, a blank line and a long one
        "L\n\r\nL,x\n",  # a carriage return alone on a line
        "L\nC3,81311,,C18.7,UHC,81,1\rL\n",  # a carriage return inside a line
        "L\n\nL\n",  # a blank line alone
        "L\n \nL\n",  # a line of spaces alone
        "L\nC2,81311,,C18.7,UHC\nL\n",  # a short line alone
        "L\nL\n",  # plain
    ],
)
def test_blocks_of_lines_polars_would_read_otherwise(rules, tmp_path, body):
    """A block of lines is read by polars only when every line has the header's fields; the blocks that
    are not (counted by their delimiters, which a blank line and a long one can make add up) are read
    as the row engine reads them."""
    path = tmp_path / "claims.csv"
    header = "claim_id,cpt_code,modifiers,icd10cm,payer,place_of_service,units\n"
    path.write_bytes((header + body.replace("L", "C1,81311,,C18.7,UHC,81,1") * 3).encode())
    for fmt in ("json", "text"):
        expected = by_row_engine(rules, read_records(path), fmt, count_records(path))
        assert by_columnar_engine(rules, path, fmt) == expected, fmt
        assert by_columnar_engine(rules, path, fmt, batch_size=2) == expected, fmt


class _FullDisk(io.RawIOBase):
    """A file that takes ``room`` bytes, then says the disk is full."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            import errno

            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return len(data)


def test_a_write_that_fails_fails_the_check_and_ends_the_writing_thread(rules, tmp_path, monkeypatch):
    import threading

    path = tmp_path / "claims.csv"
    write_csv(path, [{**row, "claim_id": f"W{n}"} for n, row in enumerate(recombined_rows(rules, 400, seed=3))])
    def ours() -> list[str]:  # the engine's reading and writing threads still running
        from cptkg.claims.columnar import READING_THREAD
        from cptkg.claims.columnar.writing import WRITING_THREAD

        return [t.name for t in threading.enumerate() if t.name in (READING_THREAD, WRITING_THREAD)]

    out = io.TextIOWrapper(io.BufferedWriter(_FullDisk(5000), buffer_size=64), encoding="utf-8")
    with pytest.raises(OSError, match="No space left"):
        check_file(rules, path, out, "json", batch_size=50)
    assert ours() == []
    # a batch that cannot be checked: the error comes out, and the writing thread ends too
    calls = []

    def failing(self, lines, groups, tally):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the third batch")
        return original(self, lines, groups, tally)

    original = columnar_evaluate.Evaluator.batch
    monkeypatch.setattr(columnar_evaluate.Evaluator, "batch", failing)
    out = io.TextIOWrapper(io.BufferedWriter(_FullDisk(10**9)), encoding="utf-8")
    with pytest.raises(RuntimeError, match="the third batch"):
        check_file(rules, path, out, "json", batch_size=50)
    assert ours() == []


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize(("begun", "checked"), [(50, 50), (50, 120), (100_000, 100_000)])
def test_work_begun_before_the_graph_is_loaded_is_taken_up(rules, tmp_path, begun, checked, suffix):
    """columnar.begin counts the lines and reads the first batches while the graph loads; the check
    that follows takes them up (at begin's batch size) and gives what a check begun from nothing
    gives; a second check of the same source reads it anew; no thread of the engine is left running."""
    import threading

    from cptkg.claims.columnar import READING_THREAD, begin
    from cptkg.claims.columnar.reading import COUNTING_THREAD, open_source

    rows = [{**row, "claim_id": f"B{n}"} for n, row in enumerate(recombined_rows(rules, 700, seed=5))]
    path = tmp_path / f"claims{suffix}"
    if suffix == ".csv":
        write_csv(path, rows)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    expected = by_row_engine(rules, read_records(path), "json", count_records(path))
    source = open_source(path, None)
    begin(source, "json", batch_size=begun)
    out = io.StringIO()
    check_file(rules, source, out, "json", batch_size=checked)
    assert out.getvalue() == expected
    source.counting.result()
    names = {READING_THREAD, COUNTING_THREAD}
    assert [t.name for t in threading.enumerate() if t.name in names and t.is_alive()] == []
    if suffix == ".csv":  # (a file of records is read once, as the row engine reads it)
        again = io.StringIO()
        check_file(rules, source, again, "json", batch_size=checked)
        assert again.getvalue() == expected


def test_a_batch_that_cannot_be_read_ahead_fails_the_check(rules, tmp_path, monkeypatch):
    from cptkg.claims.columnar import begin, reading
    from cptkg.claims.columnar.reading import open_source

    path = tmp_path / "claims.csv"
    write_csv(path, [{**row, "claim_id": f"R{n}"} for n, row in enumerate(recombined_rows(rules, 300, seed=7))])
    original = reading._plain_block
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(5, "Input/output error")
        return original(*args)

    monkeypatch.setattr(reading, "_plain_block", failing)
    source = open_source(path, None)
    begin(source, "text", batch_size=50)
    reading = source.reading
    with pytest.raises(OSError, match="Input/output error"):
        check_file(rules, source, io.StringIO(), "text", batch_size=50)
    assert not reading.thread.is_alive()

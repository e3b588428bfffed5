"""Claim files as other tools write them, through the columnar engine: CSV (its block reader and its
line count) and Parquet or Arrow tables with columns of any type.

The columnar engine reads a CSV file in blocks: polars reads a *plain* block, the row engine's reader
(one ``csv.reader`` over the file's lines, continued past the block's end while a quoted field goes
on) every other. Quoted line breaks, quotes inside unquoted fields, lone carriage returns (the header's
too), a byte order mark, NUL and bytes that are not UTF-8 must give the row engine's findings, line
numbers and JSON count at any batch size: the cases of ``cases/claims/hostile-csv.json``, and files
drawn at random from the same pieces (seeded, so that a failure can be replayed). A table's column
may be of any Arrow type (a list, a decimal, a timestamp, bytes, a dictionary, nulls only): each row
must give the findings the row engine gives for the same row read into Python.
"""

from __future__ import annotations

import io
import json
import random

import pytest

from cptkg.claims import ClaimRules, Tally, check_records, count_records, read_records, write_findings
from cptkg.claims.columnar import check_file, reading
from cptkg.core.errors import CptkgError

from .conftest import CASES

HOSTILE = json.loads((CASES / "claims" / "hostile-csv.json").read_text(encoding="utf-8"))
FORMS = ("json", "csv", "text")
BATCH_SIZES = (1, 2, 7, 100_000)


@pytest.fixture(scope="module")
def rules(kg) -> ClaimRules:
    return ClaimRules(kg)


def case_bytes(case: dict) -> bytes:
    lines = HOSTILE["lines"]
    body = case["body"].replace("{LEAD}", "{L}\n" * case.get("lead", 0))
    body = body.replace("{HEADER}", case.get("header", HOSTILE["header"]))
    body = body.replace("{L}", lines["L"]).replace("{M}", lines["M"])
    return body.encode("utf-8", "surrogateescape")


def by_row_engine(rules: ClaimRules, path, fmt: str) -> str | tuple:
    out, tally = io.StringIO(), Tally()
    try:
        write_findings(check_records(rules, read_records(path), tally), out, fmt, lines=count_records(path), tally=tally)
    except CptkgError as error:
        return ("refused", str(error))
    return out.getvalue()


def by_columnar_engine(rules: ClaimRules, path, fmt: str, batch_size: int) -> str | tuple:
    out = io.StringIO()
    try:
        check_file(rules, path, out, fmt, batch_size=batch_size)
    except CptkgError as error:
        return ("refused", str(error))
    return out.getvalue()


def assert_same(rules: ClaimRules, path, sizes=BATCH_SIZES) -> None:
    try:
        source = reading.open_source(path)
    except CptkgError:  # a file refused as a whole: by both engines, with one message
        source = None
    if source is not None:
        assert reading.count_first(source) == count_records(path)
    for fmt in FORMS:
        expected = by_row_engine(rules, path, fmt)
        for size in sizes:
            assert by_columnar_engine(rules, path, fmt, size) == expected, (fmt, size)


@pytest.mark.parametrize("case", HOSTILE["cases"], ids=lambda case: case["name"])
def test_hostile_csv_as_the_row_engine_reads_it(rules, tmp_path, case):
    path = tmp_path / "claims.csv"
    path.write_bytes(case_bytes(case))
    assert_same(rules, path)


def test_the_row_engine_counts_the_records_it_reads(tmp_path):
    """JSON's ``lines`` (count_records) is the number of records the check reads, whatever the delimiter:
    a tab-delimited file with a quoted line break was counted with the comma (one line too many)."""
    for case in HOSTILE["cases"]:
        if "tab" in case["name"] or "bars" in case["name"]:
            path = tmp_path / f"{case['name']}.csv"
            path.write_bytes(case_bytes(case))
            assert count_records(path) == sum(1 for _ in read_records(path)) == 2, case["name"]


def test_the_cases_are_what_they_say(tmp_path):
    """Each case holds what its name says it tests (a case edited into a plain file would test nothing)."""
    held = {case["name"]: case_bytes(case) for case in HOSTILE["cases"]}
    assert b"\r" in held["lone-cr-everywhere"] and b"\n" not in held["lone-cr-everywhere"]
    assert held["header-ends-with-cr"].split(b"\n")[0].count(b"\r") == 1
    assert held["bom-crlf-quotes"].startswith(b"\xef\xbb\xbf")
    assert held["nul-in-quoted-record"].index(b"\x00") > 8192 and b"\xff" in held["not-utf8-inside-quotes"]
    assert not held["quoted-last-line-without-end"].endswith((b"\n", b"\r"))
    assert held["odd-quotes-then-plain-lines"].count(b'"') % 2 == 1


def test_a_quoted_region_ends_and_polars_reads_on(rules, tmp_path, monkeypatch):
    """A block that is not plain is read by the row engine's reader only up to the end of the record it
    ends in: the blocks after it are plain again and polars reads them, numbered on from there."""
    plain = "C1,81311,,C18.7,Medicare,81,1\n"
    quoted = 'C2,81311,,"C18.7\nC78.00",Medicare,81,1\n'
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,cpt_code,modifiers,icd10cm,payer,place_of_service,units\n" + plain * 40 + quoted + plain * 40)
    read_whole = []
    original = reading._plain_block

    def spy(chunk, names, delimiter, line):
        batch = original(chunk, names, delimiter, line)
        read_whole.append((line, batch is not None))
        return batch

    monkeypatch.setattr(reading, "_plain_block", spy)
    batches = list(reading.read_batches(reading.open_source(path), 10))
    lines = [n for batch in batches for n in batch.frame[reading.LINE].to_list()]
    assert lines == [*range(2, 42), 42, *range(44, 84)]  # the quoted record is line 42 (it spans 42 and 43)
    assert all(whole for line, whole in read_whole if line < 40 or line > 44)  # all but the quoted record's block
    assert sum(line > 44 for line, _ in read_whole) >= 3
    assert_same(rules, path, sizes=(3, 10))


@pytest.mark.parametrize("quoting", ["QUOTE_ALL", "QUOTE_MINIMAL", "QUOTE_NONNUMERIC"])
def test_files_quoted_by_a_csv_writer_are_read_by_polars(rules, tmp_path, monkeypatch, quoting):
    """A file quoted as CSV writers quote (every field, or those that need it; quotes doubled inside,
    delimiters inside quotes, empty quoted fields) is read by polars, not line by line, and gives the
    row engine's findings; a block with a quoted line break, or a quote that is not a writer's, is not."""
    import csv

    values = [
        ["C1", "81311", "", "C18.7;C78.00", "Medicare", "81", "1"],
        ["C2", "81311", "26", "C18.7", 'Aetna "Gold"', "81", "1"],
        ["C3", "81275", "", "C18.7", "Blue Cross, Inc.", "11", "2"],
        ["C4", "81311", "GA;GZ", "C92.02", "UHC", "81", "1.0"],
    ] * 30
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=getattr(csv, quoting), lineterminator="\r\n")
        writer.writerow(["claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units"])
        writer.writerows(values)
    read_whole = []
    original = reading._plain_block

    def spy(chunk, names, delimiter, line):
        batch = original(chunk, names, delimiter, line)
        read_whole.append(batch is not None)
        return batch

    monkeypatch.setattr(reading, "_plain_block", spy)
    assert_same(rules, path, sizes=(7, 100_000))
    assert read_whole and all(read_whole)
    for odd in ('C5,81311,,"C18.7\r\nC78.00",UHC,81,1\r\n', 'C5,81311,,C18.7,Ae"tna,81,1\r\n', 'C5,81311,,"C18.7"x,UHC,81,1\r\n'):
        read_whole.clear()
        path.write_bytes(path.read_bytes() + odd.encode())
        assert_same(rules, path, sizes=(100_000,))
        assert read_whole[-1] is False  # the block with it is read by the row engine's reader


PIECES = {
    "claim_id": ["C1", "C2", "", "é1", "X" * 50],
    "cpt_code": ["81311", "81275", "", "ABCDE", "81311.0"],
    "modifiers": ["", "26", "GA;GZ", "XX"],
    "icd10cm": ["", "C18.7", "C18.7;C78.00", "C92.02"],
    "payer": ["", "Medicare", "UHC", "Noridian JE"],
    "place_of_service": ["81", "11", "x"],
    "units": ["1", "2", "-1", "1.0", ""],
    "date_of_service": ["", "2024-03-15", "2025-08-21", "2025-02-30"],
}
HEADER = list(PIECES)


def random_file(seed: int) -> bytes:
    """A file of the pieces above, with quoting, quoted line breaks, stray quotes, blank lines, short
    and long lines, and line ends of every kind, drawn from ``seed``."""
    draw = random.Random(seed)
    end = draw.choice(["\n", "\r\n", "\r", "\n"])
    lines = [",".join(HEADER)]
    for _ in range(draw.choice([3, 20, 60])):
        fields = []
        for name in HEADER:
            value = draw.choice(PIECES[name])
            roll = draw.random()
            if roll < 0.05:
                value = f'"{value}\n{value}"'
            elif roll < 0.08:
                value = f'"{value}"'
            elif roll < 0.10:
                value += '"'
            fields.append(value)
        roll = draw.random()
        if roll < 0.05:
            fields = fields[:-2]
        elif roll < 0.08:
            fields.append("more")
        lines.append("" if draw.random() < 0.05 else ",".join(fields))
    text = end.join(lines) + (end if draw.random() < 0.8 else "")
    data = text.encode("utf-8")
    if draw.random() < 0.1:
        at = draw.randrange(len(data))
        data = data[:at] + draw.choice([b"\x00", b"\xff"]) + data[at:]
    return data


@pytest.mark.parametrize("seed", range(24))
def test_random_files_as_the_row_engine_reads_them(rules, tmp_path, seed):
    path = tmp_path / "claims.csv"
    path.write_bytes(random_file(seed))
    assert_same(rules, path, sizes=(1, 5, 100_000))


def typed_columns(rows: list[dict[str, str]]) -> dict:
    """The rows' columns, each of another Arrow type than text (what a data lake's table may hold)."""
    import datetime
    import decimal

    import pyarrow as pa

    def column(name: str):
        return [row[name] for row in rows]

    return {
        "claim_id": pa.array(column("claim_id")).dictionary_encode(),
        "cpt_code": pa.array([[code] if code else [] for code in column("cpt_code")], pa.list_(pa.string())),
        "modifiers": pa.array(column("modifiers"), pa.large_string()),
        "icd10cm": pa.array([{"code": code} for code in column("icd10cm")]),
        "payer": pa.array([name.encode() for name in column("payer")], pa.binary()),
        "place_of_service": pa.array([None] * len(rows), pa.null()),
        "units": pa.array([decimal.Decimal(u) if u.isdigit() else None for u in column("units")], pa.decimal128(10, 2)),
        "date_of_service": pa.array(
            [datetime.datetime.fromisoformat(d) if d else None for d in column("date_of_service")], pa.timestamp("us")
        ),
        "contractor": pa.array([float(len(c)) if c else float("nan") for c in column("contractor")]),
        "dex_z_code": pa.array([bool(d) for d in column("dex_z_code")]),
    }


@pytest.mark.parametrize("suffix", [".parquet", ".arrow"])
def test_table_columns_of_any_type(rules, tmp_path, suffix):
    """A column that is not text, a whole number or a date is read by the row engine's code row by row
    (where not null), whatever its type: no type makes the columnar engine fail or differ."""
    import pyarrow as pa

    plain = [
        {"claim_id": "C1", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7;C78.00", "payer": "Medicare",
         "place_of_service": "81", "units": "1", "date_of_service": "2024-03-15", "contractor": "Noridian JE",
         "dex_z_code": "ZTEST1"},
        {"claim_id": "C2", "cpt_code": "", "modifiers": "26", "icd10cm": "", "payer": "", "place_of_service": "",
         "units": "", "date_of_service": "", "contractor": "", "dex_z_code": ""},
    ] * 3  # fmt: skip
    text = {name: pa.array([row[name] for row in plain]) for name in plain[0]}
    typed = typed_columns(plain)
    for name, column in typed.items():  # each type alone among text columns, then all at once
        check_table(rules, tmp_path / f"{name}{suffix}", pa.table({**text, name: column}))
    check_table(rules, tmp_path / f"all{suffix}", pa.table(typed))


def check_table(rules: ClaimRules, path, table) -> None:
    import pyarrow.parquet as pq
    from pyarrow import feather

    from cptkg.claims import rows_records

    if path.suffix == ".parquet":
        pq.write_table(table, path)
        given = pq.read_table(path).to_pylist()
    else:
        feather.write_feather(table, path, compression="uncompressed")
        given = feather.read_table(path).to_pylist()
    for fmt in FORMS:
        out, tally = io.StringIO(), Tally()
        write_findings(check_records(rules, rows_records(given), tally), out, fmt, lines=len(given), tally=tally)
        for size in (1, 4, 100):
            assert by_columnar_engine(rules, path, fmt, size) == out.getvalue(), (path.name, fmt, size)


def writer_file(seed: int) -> bytes:
    """Lines written by ``csv.writer`` with a quoting, delimiter and line end drawn from ``seed``, values
    with quotes, delimiters, spaces and line breaks inside, some rows short or long, sometimes a stray
    quote put in afterwards."""
    import csv

    draw = random.Random(seed)
    extra = ['a "quoted" name', "x,y", " lead", "trail ", '""', '"', "é", "\t", "a|b", "", "C18.7\nC78.00"]
    delimiter = draw.choice([",", "\t", "|"])
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=draw.choice(["\n", "\r\n"]),
                        quoting=draw.choice([csv.QUOTE_ALL, csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC]))  # fmt: skip
    writer.writerow(HEADER)
    for _ in range(draw.choice([5, 40])):
        row = [draw.choice(PIECES[name] + (extra if draw.random() < 0.2 else [])) for name in HEADER]
        writer.writerow(row[:-1] if draw.random() < 0.03 else row + ["x"] if draw.random() < 0.03 else row)
    data = text.getvalue().encode()
    if draw.random() < 0.15:
        at = draw.randrange(len(data))
        data = data[:at] + b'"' + data[at:]
    return data


@pytest.mark.parametrize("seed", range(16))
def test_files_of_csv_writers_as_the_row_engine_reads_them(rules, tmp_path, seed):
    """The polars path for quoted blocks side by side with ``csv.reader`` (the row engine's reader)."""
    path = tmp_path / "claims.csv"
    path.write_bytes(writer_file(seed))
    assert_same(rules, path, sizes=(3, 100_000))

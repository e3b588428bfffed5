"""The claim checks on Apache Spark (local mode, one session for the module): the same findings as the
columnar engine, byte for byte, on 20,000 generated lines, on the case files, and on claims of several
lines, in parts and over the line limit once the file is sorted by claim id (Spark groups a claim's
lines wherever they are); and check_dataframe on a DataFrame built in Spark."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from cptkg.claims import ClaimRules, columnar, spark

from .conftest import CASES, ROOT
from .test_claims_engines import claims_file

CLAIMS = CASES / "claims"


@pytest.fixture(scope="module")
def session():
    found = spark.session("cptkg tests")
    yield found
    found.stop()


@pytest.fixture(scope="module")
def rules(kg) -> ClaimRules:
    return ClaimRules(kg)


def both(rules, session, path, fmt="json") -> tuple[str, str]:
    expected, found = io.StringIO(), io.StringIO()
    columnar.check_file(rules, path, expected, fmt)
    spark.check_file(rules, path, found, fmt, spark=session)
    return expected.getvalue(), found.getvalue()


def test_files(rules, session, tmp_path):
    """Generated lines, and the coder's lines as claims of several lines, in parts, with unreadable lines
    and claim ids to escape, and over the line limit, sorted by claim id."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_claims import write

    generated = write(20_000, tmp_path / "generated.csv")
    expected, found = both(rules, session, generated)
    assert found == expected and json.loads(found)["lines"] == 20_000
    mixed = tmp_path / "claims.csv"
    claims_file(mixed)
    with mixed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda row: row["claim_id"].strip())  # each claim's lines together, in file order
    with mixed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    expected, found = both(rules, session, mixed, "csv")
    assert found == expected and "claim-checked-in-parts" in found


def test_check_dataframe(rules, session):
    """A DataFrame built in Spark (claim columns and line numbers): one row per finding, ``seq`` in order."""
    with (CLAIMS / "coder-cases.csv").open(encoding="utf-8", newline="") as handle:
        rows = [{**row, "line": number} for number, row in enumerate(csv.DictReader(handle), start=2)]
    frame = session.createDataFrame(rows)
    found = spark.check_dataframe(rules, frame).orderBy("line", "seq").collect()
    expected = columnar.findings_of(rules, [(row["line"], row) for row in rows]).rows()
    assert [(r.claim_id, r.line, r.severity, r.rule, r.message, r.source) for r in found] == expected
    assert {r.seq for r in found if r.line == found[0].line} == set(range(sum(r.line == found[0].line for r in found)))


def test_command_line(cli, session):
    """``cptkg claims FILE --engine spark`` (on the module's session): the columnar engine's output and exit status."""
    path = str(CLAIMS / "mixed.csv")
    found = cli("claims", path, "--engine", "spark", "--format", "csv", "--quiet")
    expected = cli("claims", path, "--engine", "columnar", "--format", "csv", "--quiet")
    assert (found.code, found.out) == (expected.code, expected.out) == (1, expected.out)


def test_a_column_that_is_not_text_is_refused(rules, session):
    """An array, map, struct or bytes column has no text a claim file could hold (Spark would read the
    modifiers ``["26", "TC"]`` as ``[26, TC]``): refused, naming the column, with how to give it."""
    from pyspark.sql import functions as F

    from cptkg.core.errors import InputError

    row = {"claim_id": "C1", "cpt_code": "81311", "icd10cm": "C18.7", "payer": "Medicare",
           "place_of_service": "81", "units": "1", "line": 2}  # fmt: skip
    frame = session.createDataFrame([row]).withColumn("Modifiers", F.array(F.lit("26"), F.lit("TC")))
    with pytest.raises(InputError, match=r"column Modifiers is array<string>, not text.*concat_ws"):
        spark.check_dataframe(rules, frame)
    given = frame.withColumn("Modifiers", F.concat_ws(";", F.col("Modifiers")))  # as the message says
    found = [(r.rule, r.message) for r in spark.check_dataframe(rules, given).collect()]
    expected = columnar.findings_of(rules, [(2, {**row, "modifiers": "26;TC"})]).select("rule", "message").rows()
    assert sorted(found) == sorted(expected) and any("TC" in message for _, message in found)
    for column in (F.create_map(F.lit("a"), F.lit("b")), F.struct(F.lit("x")), F.lit(b"81").cast("binary")):
        with pytest.raises(InputError, match="not text"):
            spark.check_dataframe(rules, frame.withColumn("Modifiers", F.lit("")).withColumn("payer", column))

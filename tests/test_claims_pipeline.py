"""The columnar engine's pipeline: the bytes of written findings, and the order in which its threads work.

:class:`~cptkg.claims.columnar.writing.ColumnBytes` writes a column of written findings from its Arrow
buffers; whichever way polars laid the column out (values in order in their buffers, gathered out
of order, short values held in their views, several chunks, a slice) the bytes must be the values
joined, which Python's own ``str.join`` gives.
"""

from __future__ import annotations

import io
import random
import threading

import pytest

from cptkg.claims import ClaimRules
from cptkg.claims.columnar import check_batches, check_file
from cptkg.claims.columnar import evaluate as columnar_evaluate
from cptkg.claims.columnar.reading import RawBatch, record_batches
from cptkg.claims.records import rows_records

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def rules(kg) -> ClaimRules:
    return ClaimRules(kg)


def _built(values: list[str]) -> pl.Series:
    """A column made value after value by an expression, as the engine makes its written findings."""
    return pl.Series("out", values, dtype=pl.String).str.replace_all("#", "#", literal=True)


def _values(count: int, seed: int, short: bool = False) -> list[str]:
    pick = random.Random(seed)
    words = ["claim", "Ärzte", "line 12", "👩‍⚕️", '{"rule": "x"}', ",\n  ", "ok"]
    lowest = 1 if short else 13
    return ["#" + "".join(pick.choices(words, k=pick.randint(lowest, 40))) for _ in range(count)]


def _columns() -> dict[str, tuple[pl.Series, bool]]:
    """Columns and whether their bytes can be taken from their buffers as they are."""
    values = _values(3000, seed=1)
    built = _built(values)
    shuffled = built.gather(pl.Series(random.Random(2).sample(range(3000), 3000)))
    return {
        "built": (built, True),
        "empty": (_built([]), False),
        "sliced": (built.slice(517, 1400), True),
        "chunks": (pl.concat([built, _built(_values(900, seed=3))], rechunk=False), True),
        "chunks, one a slice": (pl.concat([built.slice(0, 1000), _built(_values(900, seed=3))], rechunk=False), False),
        "gathered out of order": (shuffled, False),
        "short values in their views": (_built(_values(2000, seed=4, short=True)), False),
        "plain series": (pl.Series("out", values, dtype=pl.String), None),
    }


@pytest.mark.parametrize("name", list(_columns()))
def test_column_bytes_are_the_values_joined(name):
    from cptkg.claims.columnar.writing import ColumnBytes

    column, in_place = _columns()[name]
    written = ColumnBytes(column)
    if in_place is not None:  # the buffers written as they are where they can be, and only there
        assert (written.views is not None) is in_place
    values = column.to_list()
    pick = random.Random(name)
    spans = [(0, len(values)), (0, 0), (len(values), len(values))]
    spans += [tuple(sorted(pick.randint(0, len(values)) for _ in range(2))) for _ in range(200)]
    for first, stop in spans:
        assert b"".join(written.span(first, stop)) == "".join(values[first:stop]).encode(), (first, stop)


def test_a_count_begun_ahead_that_fails_fails_the_check_before_any_output(rules, tmp_path, monkeypatch):
    from cptkg.claims.columnar import READING_THREAD, begin, reading
    from cptkg.claims.columnar.writing import WRITING_THREAD

    path = tmp_path / "claims.csv"
    line = "C{n},81311,,C18.7,UHC,81,1,,2024-03-15\n"
    path.write_text("claim_id,cpt_code,modifiers,icd10cm,payer,place_of_service,units,variant,date_of_service\n"
                    + "".join(line.format(n=n) for n in range(300)))  # fmt: skip

    def failing(text, pattern):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(reading, "_matches", failing)
    source = reading.open_source(path, None)
    begin(source, "json", batch_size=50)
    out = io.StringIO()
    with pytest.raises(OSError, match="Input/output error"):
        check_file(rules, source, out, "json", batch_size=50)
    assert out.getvalue() == ""
    names = (READING_THREAD, WRITING_THREAD, reading.COUNTING_THREAD)
    assert [t.name for t in threading.enumerate() if t.name in names and t.is_alive()] == []


def test_a_batch_is_checked_before_the_next_is_read(rules, monkeypatch):
    """The first batch is checked while the second is still being read (the last claim of a batch
    is held back until the next batch shows whether it goes on, or the file ends)."""
    checked = threading.Event()
    original = columnar_evaluate.Evaluator.batch

    def batch(self, lines, groups, tally):
        checked.set()
        return original(self, lines, groups, tally)

    monkeypatch.setattr(columnar_evaluate.Evaluator, "batch", batch)
    row = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7", "payer": "UHC",
           "place_of_service": "81", "units": "1", "date_of_service": "2024-03-15"}  # fmt: skip
    rows = [dict(row, claim_id=f"C{n // 2}") for n in range(40)]  # claims of two lines, across batches
    waited: list[bool] = []

    def batches():
        for number, raw in enumerate(record_batches(rows_records(rows), 15)):
            assert isinstance(raw, RawBatch)
            yield raw
            if number == 0:
                waited.append(checked.wait(timeout=30))

    out = io.StringIO()
    tally = check_batches(rules, batches(), out, "csv")
    assert waited == [True]
    assert tally.lines == 40
    assert out.getvalue().count("\n") == 1 + 40  # the header and a finding for each line


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_work_begun_for_checking_every_code_serves_a_check_that_skips_other_codes(rules, tmp_path, suffix):
    """begin() reads a file's batches into lines ahead; a check then asked to skip lines for codes
    the graph does not hold (which must be done before lines are read) still skips them: the same
    findings as a check begun from nothing."""
    import json

    from cptkg.claims.columnar import begin
    from cptkg.claims.columnar.reading import open_source

    row = {"claim_id": "C", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7", "payer": "UHC",
           "place_of_service": "81", "units": "1", "date_of_service": "2024-03-15"}  # fmt: skip
    rows = [dict(row, claim_id=f"C{n}", cpt_code="99213" if n % 3 else "81311") for n in range(120)]
    path = tmp_path / f"claims{suffix}"
    if suffix == ".csv":
        path.write_text(",".join(row) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows))
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    fresh = io.StringIO()
    check_file(rules, open_source(path, None), fresh, "json", batch_size=25, other_codes="skip")
    assert '"skipped_other_codes": 80' in fresh.getvalue()
    source = open_source(path, None)
    begin(source, "json", other_codes="check", batch_size=25)
    out = io.StringIO()
    check_file(rules, source, out, "json", batch_size=25, other_codes="skip")
    assert out.getvalue() == fresh.getvalue()


@pytest.mark.parametrize("pieces", [1, 2, 3, 7, 1000])
def test_findings_made_in_pieces_come_out_in_line_order(rules, monkeypatch, pieces):
    """A batch's findings are made and written in pieces, the lines checked one by one (here, lines
    that cannot be read) put between them: first, at a piece's edge, and after the last keyed line."""
    from cptkg.claims import Tally, check_records, columnar, write_findings

    row = {"claim_id": "C", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7", "payer": "UHC",
           "place_of_service": "81", "units": "1", "date_of_service": "2024-03-15"}  # fmt: skip
    unreadable = {0, 5, 6, 11, 12, 13, 29}
    rows = [dict(row, claim_id=f"C{n}", units="two" if n in unreadable else "1") for n in range(30)]
    expected, tally = io.StringIO(), Tally()
    write_findings(check_records(rules, rows_records(rows), tally), expected, "json", lines=len(rows), tally=tally)
    monkeypatch.setattr(columnar, "WRITE_PIECES", pieces)
    out = io.StringIO()
    writer = columnar.writing.TextWriter(out, columnar.writing.Form("json"), Tally(), lines=len(rows))
    check_batches(rules, record_batches(rows_records(rows), 100), out, "json", writer=writer)
    assert out.getvalue() == expected.getvalue()
    assert out.getvalue().count('"rule": "unreadable-line"') == len(unreadable)

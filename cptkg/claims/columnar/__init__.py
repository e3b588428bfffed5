"""The columnar claims engine: the row engine's rules, each distinct claim checked once, on batches of columns.

``cptkg claims FILE --engine columnar`` reads a claim file (CSV, JSON Lines, a payer's export,
Parquet, Arrow IPC) in batches (:mod:`.reading`: polars on the plain blocks of a CSV file, the row
engine's readers elsewhere), reads each column's distinct values once with
:meth:`~cptkg.claims.lines.ClaimLine.parse` itself (:mod:`.normalise`), groups the lines into claims
as the row engine does (:mod:`.grouping`), checks each distinct claim once with the row engine's
rule families (:mod:`.checking`, :mod:`.evaluate`; a claim of one line part by part, each part of a
family once per distinct value of what it reads, :mod:`.parts`) and joins the findings back to every line
(:mod:`.results`), and writes them batch by batch (:mod:`.writing`): JSON, CSV and text byte for byte
as ``--engine row`` writes them, or Parquet and Arrow tables. Memory is bounded by the batch size and
the number of distinct claims remembered, not by the file.

>>> import cptkg, io, json
>>> from cptkg.claims import ClaimRules
>>> from cptkg.claims.columnar import check_rows
>>> line = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7;C78.00",
...         "payer": "Medicare", "contractor": "Noridian JE", "place_of_service": "81", "units": "1",
...         "date_of_service": "2024-03-15", "dex_z_code": "ZTEST1"}
>>> out = io.StringIO()
>>> tally = check_rows(ClaimRules(cptkg.load()), [line, dict(line, claim_id="C2")], out, "json")
>>> [(f["claim_id"], f["rule"]) for f in json.loads(out.getvalue())["findings"]]
[('C1', 'no-findings'), ('C2', 'no-findings')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from ..findings import FINDING_FIELDS, Tally
from ..records import Record, rows_records, skips_other_codes
from .reading import (
    PYTHON,
    READING_THREAD,
    ROW,
    RawBatch,
    ReadAhead,
    Source,
    count_ahead,
    count_first,
    input_format,
    open_source,
    read_batches,
    record_batches,
)

if TYPE_CHECKING:
    from ..engine import ClaimRules

__all__ = [
    "BATCH_SIZE",
    "FORMATS",
    "READING_THREAD",
    "Source",
    "begin",
    "check_batches",
    "check_file",
    "check_rows",
    "findings_of",
    "input_format",
    "open_source",
]

#: Lines per batch: memory grows with it, and so does the work polars does at once (a new process of
#: 1M generated lines: 50k 3.2-3.5 s, 100k 2.9-3.3 s, 200k 2.6-2.8 s and 760-790 MiB, 300k 2.7-2.8 s
#: and 930 MiB).
BATCH_SIZE = 200_000
#: A batch's findings are made and written in this many pieces (the next made while one is written).
WRITE_PIECES = 4
#: The forms findings can be written in.
FORMATS = ("json", "csv", "text", "parquet", "arrow")


def check_file(
    rules: ClaimRules,
    path: str | Path | Source,
    out: TextIO | BinaryIO,
    fmt: str,
    *,
    batch_size: int = BATCH_SIZE,
    progress=None,
    columns: Any = None,
    other_codes: str = "auto",
) -> Tally:
    """Check a claim file (a path, or a :class:`~.reading.Source` opened already) and write its findings
    to ``out`` (a text stream, or binary for Parquet and Arrow); a file that cannot be used at all
    raises :class:`~cptkg.InputError` before any output. ``columns`` and ``other_codes`` are those of
    :func:`cptkg.claims.check_claims`."""
    from .writing import TextWriter

    source = path if isinstance(path, Source) else open_source(path, columns)
    tally = Tally()
    tally.layout, tally.notices = source.layout, source.notices
    skip = skips_other_codes(source, other_codes)
    writer = None
    if _counted_first(fmt, skip):
        if source.counting is not None:  # begun ahead: awaited where the head is written, not here
            writer = TextWriter(out, _form(fmt), tally, lines=source.counting.result)
        else:
            first = count_first(source)
            writer = TextWriter(out, _form(fmt), tally, lines=first) if first is not None else None
    # the batches begin() started, taken up once and as they are (a file of records cannot be read
    # twice); a later check of the same source reads it anew
    batches, source.reading = source.reading, None
    if batches is not None and source.reading_lines and skip:  # read into lines: too far to skip lines
        batches.close()  # (only a file that can be read again is read into lines ahead)
        batches = None
    if batches is None:
        batches = read_batches(source, batch_size)
    return check_batches(rules, batches, out, fmt, progress, tally=tally, skip_other_codes=skip, writer=writer)


def begin(source: Source, fmt: str, other_codes: str = "auto", batch_size: int = BATCH_SIZE) -> None:
    """Begin the work on a file that needs no graph in threads, so that it goes on while the graph is
    loaded: counting its lines (for JSON's head) and reading its first batches (of ``batch_size``
    lines); the next :func:`check_file` on ``source`` takes them up."""
    from .normalise import read_lines

    skip = skips_other_codes(source, other_codes)
    if _counted_first(fmt, skip):
        count_ahead(source)
    batches = read_batches(source, batch_size)
    # each batch read into lines as well, but where lines for other codes are skipped (which needs the
    # graph's codes: the check does it), and for a file of records, read once (so that the check can
    # still skip them if it is asked to)
    lines = not skip and source.kind != "records"
    source.reading, source.reading_lines = ReadAhead(read_lines(batches) if lines else batches), lines


def _counted_first(fmt: str, skip: bool) -> bool:
    """Whether the file's lines are counted before its findings are written: JSON's head says how many
    there are (counted first rather than the findings spooled); a payer-wide export's head is written
    after its findings, from the tally."""
    return fmt == "json" and not skip


def check_rows(
    rules: ClaimRules, rows: Iterable[Mapping[str, Any]], out: TextIO | BinaryIO, fmt: str, batch_size: int = BATCH_SIZE
) -> Tally:
    """Check rows given in Python (dicts, numbered from 1) and write their findings to ``out``."""
    return check_batches(rules, record_batches(rows_records(rows), batch_size), out, fmt)


def findings_of(rules: ClaimRules, records: Iterable[Record], batch_size: int = BATCH_SIZE):
    """The findings of records (a polars frame of the finding fields, in line order)."""
    import polars as pl

    frames: list[pl.DataFrame] = []

    class Collect:
        write = frames.append

        def close(self, lines: int | None) -> None:
            pass

    check_batches(rules, record_batches(records, batch_size), None, "arrow", writer=Collect())
    schema = dict.fromkeys(FINDING_FIELDS, pl.String) | {"line": pl.Int64}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def _form(fmt: str):
    from .writing import TABLE_FORMS, Form

    return None if fmt in TABLE_FORMS else Form(fmt)


def check_batches(
    rules: ClaimRules,
    batches: Iterable[RawBatch],
    out,
    fmt: str,
    progress=None,
    *,
    tally: Tally | None = None,
    skip_other_codes: bool = False,
    writer=None,
) -> Tally:
    """The pipeline: batches read ahead in a thread (polars works outside the interpreter lock), each
    read, grouped, checked and written in turn; the findings counted in ``tally``. ``writer`` (with
    ``write(frame)`` and ``close(lines)``) takes the tables of findings instead of ``out``."""
    from .evaluate import Evaluator
    from .grouping import Grouper
    from .normalise import UNREADABLE, Lines, Reader, read_lines
    from .writing import TableWriter, TextWriter

    form, tally = _form(fmt), tally if tally is not None else Tally()
    if writer is None:
        writer = TableWriter(out, fmt) if form is None else TextWriter(out, form, tally)
    reader, evaluator, grouper = Reader(), Evaluator(rules, form), Grouper()

    def check(lines: Lines, final: bool) -> Lines:
        """Check and write the complete claims of read lines; the rest (the last claim unless ``final``,
        which may go on in the next batch)."""
        frame = lines.frame
        groups = grouper.assign(frame["claim_id"], (frame["kind"] == UNREADABLE) & (frame["claim_id"] == ""), final)
        found, python = evaluator.batch(lines, groups, tally)
        if form is None:
            writer.write(_with_rows(found, python))
        else:  # the findings written out (a lazy frame until then) in the writing thread
            writer.later(lambda: _write_text(writer, found, python))
        if progress is not None:
            progress.update(groups.complete)
        return _rest(lines, groups.complete)

    try:
        held = None  # the lines of the last claim of the batch before, which may go on
        # batches are read into lines in the reading thread, but where lines for other codes are skipped
        ahead = batches if isinstance(batches, ReadAhead) else ReadAhead(
            batches if skip_other_codes else read_lines(batches)
        )
        for item in ahead:  # each batch checked as soon as it is read: its last claim held back
            if isinstance(item, Lines):
                lines = item
            else:
                lines = reader.read(_without_other_codes(item, rules, tally) if skip_other_codes else item)
            if held is not None:
                lines.frame = held.frame.vstack(lines.frame)
                lines.items.update(held.items)
            held = check(lines, final=False)
        if held is not None:
            check(held, final=True)
    except BaseException:
        if hasattr(writer, "abandon"):  # a writer with a thread of its own
            writer.abandon()
        if "ahead" in locals():
            ahead.close()
        raise
    writer.close(tally.lines + tally.skipped_other_codes if tally.layout == "cptkg" else None)
    return tally


def _without_other_codes(raw: RawBatch, rules: ClaimRules, tally: Tally) -> RawBatch:
    """The batch without its lines for codes the graph does not hold (counted in the tally), as the row
    engine skips them in a payer-wide export (each distinct code judged by the row engine's test)."""
    import polars as pl

    from ..engine import _other_code

    codes = rules.tables.codes
    other = {c: _other_code({"cpt_code": c}, codes) for c in raw.frame["cpt_code"].unique().to_list()}
    skipped = pl.col("cpt_code").replace_strict(other, default=True, return_dtype=pl.Boolean) & ~pl.col(PYTHON)
    python = raw.frame.filter(pl.col(PYTHON))[ROW].to_list()
    kept_python = set()
    for row in python:
        record = raw.record(row)[1]
        if isinstance(record, Exception) or not _other_code(record, codes):  # an error is never skipped
            kept_python.add(row)
    keep = ~skipped & (~pl.col(PYTHON) | pl.col(ROW).is_in(pl.Series(sorted(kept_python), dtype=pl.UInt32).implode()))
    frame = raw.frame.filter(keep)
    tally.skipped_other_codes += raw.frame.height - frame.height
    return RawBatch(frame, raw.record)


def _write_text(writer, found, python: list[tuple]) -> None:
    """The written findings of a batch in line order: the runs of keyed claims' findings (``found``, a
    lazy frame of ``ord`` and ``out``) as columns, with those of the claims checked one by one (few)
    between them. The keyed findings are made a piece at a time, each piece by polars (in its own
    threads) while the piece before is written."""
    import polars as pl

    from .writing import ColumnBytes

    rows = found.select(pl.len()).collect().item()
    step = max(-(-rows // WRITE_PIECES), 1)
    waiting = list(python)  # in line order
    making = found.slice(0, step).collect(background=True) if rows else None
    for start in range(0, rows, step):
        piece = making.fetch_blocking()
        if start + step < rows:
            making = found.slice(start + step, step).collect(background=True)
        last = piece["ord"][-1]
        inside, waiting = [r for r in waiting if r[0] < last], [r for r in waiting if r[0] > last]
        cuts = piece["ord"].search_sorted(pl.Series([r[0] for r in inside], dtype=pl.Int64)).to_list()
        written, begin = ColumnBytes(piece["out"]), 0
        for cut, row in zip(cuts, inside):
            writer.write_bytes(written.span(begin, cut))
            writer.write_texts([row[-1]])
            begin = cut
        writer.write_bytes(written.span(begin, piece.height))
    writer.write_texts([row[-1] for row in waiting])


def _with_rows(found, python: list[tuple], clean: bool = False):
    """The findings of a batch with those of the claims checked one by one merged in, in line order
    (``clean``: text that is not UTF-8 written with replacement characters, as a Parquet or Arrow string
    must be UTF-8)."""
    import polars as pl

    if python:
        if clean:
            python = [
                tuple(v.encode("utf-8", "replace").decode() if isinstance(v, str) else v for v in r) for r in python
            ]
        rows = pl.DataFrame(python, schema=found.schema, orient="row")
        found = pl.concat([found, rows]).sort("ord", maintain_order=True)
    return found.drop("ord")


def _rest(lines, complete: int):
    """The rows after the complete ones (the last claim, held back), with their items."""
    from .normalise import Lines

    rest = lines.frame.slice(complete)
    numbers = set(rest["line"].to_list()) if lines.items else set()
    return Lines(rest, {n: item for n, item in lines.items.items() if n in numbers})

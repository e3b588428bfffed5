"""Findings written batch by batch in the forms of :func:`cptkg.claims.findings.write_findings` (JSON,
CSV, text: byte for byte the same) and as tables (Parquet, Arrow IPC).

A finding is written as a *prefix* (its claim id and line number, built by expressions for a whole
batch) and a *tail* (the rest, formatted once per distinct finding by the row engine's own code:
``Finding.json``, ``CsvWriter``, :meth:`~cptkg.claims.findings.Finding.text`). Each tail is cut from
what that code writes for a finding with a sentinel claim id and line number, so a change of the
row engine's forms changes these too, or fails loudly here.
"""

from __future__ import annotations

import codecs
import io
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TextIO

from ...core.errors import InputError
from ...core.text import NUMBER, CsvWriter, visible
from ..findings import FINDING_FIELDS, Finding, Tally, write_findings

if TYPE_CHECKING:
    import polars as pl

#: A claim id and a line number no claim line has, stand-ins while a claim's findings are worked out once.
SENTINEL_CLAIM = "cptkg-sentinel-claim-5e71"
SENTINEL_LINE = 987_654_321_000
TEXT_FORMS = ("json", "csv", "text")
#: The name of the thread that writes a batch's findings while the next batch is checked.
WRITING_THREAD = "cptkg-claims-writing"
TABLE_FORMS = ("parquet", "arrow")


class Form:
    """How one finding is written in one of :data:`TEXT_FORMS`."""

    def __init__(self, name: str) -> None:
        if name not in TEXT_FORMS:
            raise InputError(f"unknown findings format {name!r}; expected {', '.join(TEXT_FORMS + TABLE_FORMS)}")
        self.name = name
        self._lead = {
            "json": f'{{"claim_id": "{SENTINEL_CLAIM}", "line": {SENTINEL_LINE}, ',
            "csv": f"{SENTINEL_CLAIM},{SENTINEL_LINE},",
            "text": f"line {SENTINEL_LINE}, claim {SENTINEL_CLAIM}: ",
        }[name]
        if not self.whole(Finding(SENTINEL_CLAIM, SENTINEL_LINE, "ok", "r", "m", "s")).startswith(self._lead):
            raise AssertionError(f"the {name} form of a finding no longer starts with its claim id and line")
        #: What the row engine writes between two findings.
        self.separator = self.framing(Tally(), 0)[1]

    def whole(self, finding: Finding) -> str:
        """One finding as the row engine writes it."""
        if self.name == "json":
            return finding.json()
        if self.name == "csv":
            buffer = io.StringIO()
            CsvWriter(buffer).writerow(finding)
            return buffer.getvalue()
        return visible(finding.text()) + "\n"

    def framing(self, tally: Tally, lines: int | None) -> tuple[str, str, str]:
        """What :func:`~cptkg.claims.findings.write_findings` writes before, between and after findings
        (cut from what it writes for one and for two sentinel findings)."""
        one, two = (Finding(SENTINEL_CLAIM, SENTINEL_LINE + n, "ok", "r", f"m{n}", "s") for n in (1, 2))
        written = [io.StringIO(), io.StringIO()]
        for buffer, findings in zip(written, ([one], [one, two])):
            write_findings(findings, buffer, self.name, lines=lines, tally=tally)
        first, second = self.whole(one), self.whole(two)
        head, _, rest = written[1].getvalue().partition(first)
        between, _, foot = rest.partition(second)
        if written[0].getvalue() != head + first + foot:
            raise AssertionError(f"the {self.name} form of findings is no longer a head, findings and a foot")
        return head, between, foot

    def tail(self, severity: str, rule: str, message: str, source: str) -> str:
        """What follows the claim id and line number of a finding."""
        return self.whole(Finding(SENTINEL_CLAIM, SENTINEL_LINE, severity, rule, message, source))[len(self._lead) :]

    def prefix(self, pl) -> pl.Expr:
        """The claim id and line number of each finding (columns ``claim_id``, ``line``; plain claim ids)."""
        claim, line = pl.col("claim_id"), pl.col("line").cast(pl.String)
        if self.name == "json":
            return pl.concat_str(
                [pl.lit('{"claim_id": "'), self.escaped(pl, claim), pl.lit('", "line": '), line, pl.lit(", ")]
            )
        if self.name == "csv":
            # as csv_cell writes it: a claim id a spreadsheet would run as a formula gets an apostrophe
            formula = claim.str.contains(r"^[=+\-@].") & ~claim.str.contains(f"^(?:{NUMBER.pattern})$")
            claim = pl.when(formula).then(pl.concat_str([pl.lit("'"), claim])).otherwise(claim)
            quoted = pl.concat_str([pl.lit('"'), claim.str.replace_all('"', '""', literal=True), pl.lit('"')])
            return pl.concat_str(
                [pl.when(claim.str.contains('[,"]')).then(quoted).otherwise(claim), pl.lit(","), line, pl.lit(",")]
            )
        return pl.concat_str([pl.lit("line "), line, pl.lit(", claim "), claim, pl.lit(": ")])

    def escaped(self, pl, claim: pl.Expr) -> pl.Expr:
        """A plain claim id as it is written inside a JSON string, a quoted CSV field, or text."""
        if self.name == "json":
            return claim.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
        if self.name == "csv":
            return claim.str.replace_all('"', '""', literal=True)
        return claim


class TextWriter:
    """Writes batches of findings in a :class:`Form` to a text stream: the head the row engine writes,
    the findings, and its foot. Each written finding begins with the form's separator (the very first
    one without it); a batch is written from the bytes of its Arrow string column as they are,
    without a Python string per finding. JSON's head holds the number of lines: ``lines`` gives it
    when it was counted before the findings, or is a function that gives it (a count still under
    way, asked for when the head is written: with the first findings, in the writing thread); when it
    is unknown (None, or 0: nothing to write before the findings) the findings are spooled to a
    temporary file until the end."""

    def __init__(
        self, out: TextIO, form: Form, tally: Tally, lines: int | Callable[[], int | None] | None = None
    ) -> None:
        self.out = out
        self.form = form
        self.tally = tally  # the one the findings are counted in (its layout and notices are known now)
        self.counted = lines if callable(lines) else lambda: lines
        self.lines: int | None = None  # JSON's number of lines, once the head is written (if counted first)
        self.spool: BinaryIO | None = None
        self.head: str | None = None  # written: not yet
        self.skip = len(form.separator.encode())
        self.first = True
        binary = getattr(out, "buffer", None)
        utf8 = codecs.lookup(getattr(out, "encoding", None) or "utf-8").name == "utf-8"
        self.binary = binary if binary is not None and utf8 else None
        # bytes go to the stream as the stream would encode them (a text stream without bytes, such as
        # StringIO, holds any text: surrogates pass through)
        self.errors = (getattr(out, "errors", None) or "strict") if self.binary is not None else "surrogatepass"
        if not callable(lines):
            self._begin()
        # a batch's findings are written out, and to a file, by a thread of its own while the next is checked
        self.threaded = self.head is None or self.spool is not None or self.binary is not None
        self.behind: Behind | None = None  # started by the first later(): a writer never given work has none

    def _begin(self) -> None:
        """The head, written (or the spool begun) once the number of lines is known."""
        lines = self.counted()
        self.lines = lines
        if self.form.name == "json" and not lines:
            self.spool = tempfile.TemporaryFile()  # noqa: SIM115
        self.head = "" if self.spool is not None else self.form.framing(self.tally, lines)[0]
        self.out.write(self.head)
        if self.binary is not None:
            self.out.flush()

    def write_bytes(self, pieces: list[memoryview]) -> None:
        """Written findings as UTF-8 bytes, in pieces (see :class:`ColumnBytes`)."""
        for piece in pieces:
            if len(piece):
                self._write(piece)

    def write_texts(self, texts: list[str]) -> None:
        """A batch's written findings, some of which polars could not hold (kept as Python text)."""
        if texts:
            self._write("".join(texts).encode("utf-8", self.errors))

    def later(self, work: Callable[[], None]) -> None:
        """Run ``work`` (which writes with :meth:`write_bytes` and :meth:`write_texts`) after the work
        given before, in the writing thread when there is one."""
        if self.threaded and self.behind is None:
            self.behind = Behind()
        if self.behind is not None:
            self.behind.put(work)
        else:
            work()

    def abandon(self) -> None:
        """Stop writing (the findings will not be complete): the thread that writes ends."""
        if self.behind is not None:
            self.behind.stop()

    def _write(self, data) -> None:
        if self.head is None:
            self._begin()
        if self.first:
            data = data[self.skip :]  # no separator before the first finding
        self.first = False
        if self.spool is not None:
            self.spool.write(data)
        elif self.binary is not None:
            self.binary.write(data)
        else:
            self.out.write(bytes(data).decode("utf-8", self.errors))

    def close(self, lines: int | None) -> None:
        """The foot (and JSON's head and findings), once the tally is complete; ``lines`` is what JSON's
        head says (None: an export's, counted at the end)."""
        if self.behind is not None:
            self.behind.close()
        if self.head is None:
            self._begin()
        if self.binary is not None:
            self.binary.flush()
        if self.lines is not None:  # counted first (0 where count_records says 0, as the row engine writes)
            if self.lines and lines != self.lines:
                raise AssertionError(f"{lines} lines checked, {self.lines} counted before")
            lines = self.lines
        if self.first:  # no finding at all
            empty = io.StringIO()
            write_findings([], empty, self.form.name, lines=lines, tally=self.tally)
            if not empty.getvalue().startswith(self.head):
                raise AssertionError("findings were expected after the head written first")
            self.out.write(empty.getvalue()[len(self.head) :])
            return
        head, _, foot = self.form.framing(self.tally, lines)
        if self.spool is not None:
            self.out.write(head)
            self.out.flush()
            self.spool.seek(0)
            _copy(self.spool, self.out, self.binary, self.errors)
            self.spool.close()
        elif head != self.head:
            raise AssertionError("the head of the findings changed while they were written")
        self.out.write(foot)


class Behind:
    """Runs writes, in order, in a thread of its own (writing a file releases the interpreter lock), at
    most one waiting (memory stays bounded by two batches); an error is raised at the next put or at close."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=WRITING_THREAD, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (work := self.queue.get()) is not None:
            if self.error is None:
                try:
                    work()
                except BaseException as error:  # noqa: BLE001 - raised in the caller's thread
                    self.error = error

    def put(self, work) -> None:
        """Write later (after what was put before)."""
        self._raise()
        self.queue.put(work)

    def close(self) -> None:
        """Wait for every write; raise the first error."""
        self.stop()
        self._raise()

    def stop(self) -> None:
        """End the thread after what was put before."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class ColumnBytes:
    """The UTF-8 bytes of a string column's values, taken a run of rows at a time without a Python
    string per value. Where the column's Arrow string views point into their data buffers value after
    value, each value longer than a view holds and nothing between them (as a column built one value
    after the other is), those buffers are written as they are; any other column is first copied into
    one buffer of values and offsets."""

    def __init__(self, column: pl.Series) -> None:
        import numpy as np
        import polars as pl

        if column.n_chunks() > 1:
            column = column.rechunk()
        self.views: tuple | None = None
        array = column.to_arrow(compat_level=pl.CompatLevel.newest())
        array = array.combine_chunks() if hasattr(array, "combine_chunks") else array
        if str(array.type) == "string_view" and array.null_count == 0 and len(array):
            buffers = array.buffers()
            views = np.frombuffer(buffers[1], dtype=np.int32).reshape(-1, 4)[array.offset : array.offset + len(array)]
            data = [memoryview(buffer) if buffer is not None else memoryview(b"") for buffer in buffers[2:]]
            lengths, index, start = views[:, 0].astype(np.int64), views[:, 2], views[:, 3].astype(np.int64)
            end = start + lengths
            if lengths.min() > 12 and _in_order(index, start, end, np.array([len(d) for d in data], dtype=np.int64)):
                self.views = (index, start, end, data)
                return
        array = column.to_arrow()  # a large string array: values one after the other, and offsets
        array = array.combine_chunks() if hasattr(array, "combine_chunks") else array
        offsets, data = array.buffers()[1], array.buffers()[2]
        ends = np.frombuffer(offsets, dtype=np.int64 if "large" in str(array.type) else np.int32)
        self.offsets = ends[array.offset : array.offset + len(array) + 1]
        self.data = memoryview(data) if data is not None else memoryview(b"")

    def span(self, first: int, stop: int) -> list[memoryview]:
        """The bytes of rows ``first`` to ``stop`` (not included), in pieces."""
        if first >= stop:
            return []
        if self.views is None:
            return [self.data[int(self.offsets[first]) : int(self.offsets[stop])]]
        index, start, end, data = self.views
        begin, last = int(index[first]), int(index[stop - 1])
        if begin == last:
            return [data[begin][int(start[first]) : int(end[stop - 1])]]
        return [data[begin][int(start[first]) :], *data[begin + 1 : last], data[last][: int(end[stop - 1])]]


def _in_order(index, start, end, sizes) -> bool:
    """Whether views (buffer ``index``, ``start`` and ``end`` in it) follow one another in their buffers:
    each beginning where the one before ends, or at the start of the next buffer once that one is full."""
    import numpy as np

    if len(sizes) == 0 or index.min() < 0 or start.min() < 0 or index.max() >= len(sizes) or (end > sizes[index]).any():
        return False
    same = (index[1:] == index[:-1]) & (start[1:] == end[:-1])
    following = (index[1:] == index[:-1] + 1) & (start[1:] == 0) & (end[:-1] == sizes[index[:-1]])
    return bool(np.all(same | following))


def _copy(spool: BinaryIO, out: TextIO, binary: BinaryIO | None, errors: str) -> None:
    if binary is not None:
        shutil.copyfileobj(spool, binary)
        binary.flush()
        return
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    while chunk := spool.read(1 << 20):
        out.write(decoder.decode(chunk))
    out.write(decoder.decode(b"", final=True))


class TableWriter:
    """Writes batches of findings (the columns of :data:`FINDING_FIELDS`) as Parquet or Arrow IPC."""

    def __init__(self, out: BinaryIO, name: str) -> None:
        import pyarrow as pa

        self.schema = pa.schema([("claim_id", pa.string()), ("line", pa.int64()), ("severity", pa.string()),
                                 ("rule", pa.string()), ("message", pa.string()), ("source", pa.string())])  # fmt: skip
        if name == "parquet":
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(out, self.schema)
        else:
            self.writer = pa.ipc.new_file(out, self.schema)

    def write(self, frame: pl.DataFrame) -> None:
        """A batch's findings (a frame with the columns of :data:`FINDING_FIELDS`)."""
        if frame.height:
            self.writer.write_table(frame.select(FINDING_FIELDS).to_arrow().cast(self.schema))

    def close(self, lines: int | None) -> None:
        """The end of the table (its footer)."""
        self.writer.close()

"""Claim files read as batches of columns, each row with the line number the row engine gives it.

* CSV is read in blocks of bytes that end at a line feed. A *plain* block (no blank line, no lone
  carriage return, no NUL, every line with the header's number of fields, unquoted or quoted as CSV
  writers quote, without a line break inside quotes) is parsed by polars on every core; any other block is read by the row engine's own reader
  (:func:`cptkg.claims.records.csv_rows`) over the file's lines from the block's first byte, on past
  the block's end while a quoted field goes on (:class:`_Region`), so that blank lines, quoted line
  breaks, quotes inside fields, lone carriage returns, short and long rows and bytes that are not
  UTF-8 are numbered and reported exactly as ``--engine row`` does; the next block begins where that
  record ends. The line count JSON's head gives walks the same blocks.
* JSON Lines, and rows given in Python, are read by the row engine's readers and gathered in batches.
* Parquet and Arrow IPC files are read by record batch; their rows are numbered from 1, as rows given
  in Python are.

A batch (:class:`RawBatch`) holds the values as text where the row engine would read them as text
(strings and whole numbers), and keeps every other row's record as read (a float, a list, a line
that is not valid CSV) for the row engine's code to read.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.errors import InputError
from ...core.inputs import MAX_LINE, bounded_lines, is_regular
from ..layouts import sniff_delimiter
from ..lines import COLUMNS, OPTIONAL_COLUMNS
from ..records import Record, count_records, csv_rows, file_format, header_names, open_claims

if TYPE_CHECKING:
    import polars as pl

#: The name of the thread that reads the next batch while a batch is checked (:class:`ReadAhead`).
READING_THREAD = "cptkg-claims-reading"
#: The name of the thread :func:`count_ahead` counts the lines in.
COUNTING_THREAD = "cptkg-claims-counting"
#: Every column a claim line may have, in order.
KNOWN = (*COLUMNS, *OPTIONAL_COLUMNS)
#: Column names of a batch besides the claim columns: the line number, whether the row must be read
#: by the row engine's code from its kept record, and the row's place in the batch as read.
LINE, PYTHON, ROW = "__line", "__python", "__row"
#: File formats besides CSV and JSON Lines, by extension.
TABLE_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".feather": "arrow", ".arrows": "arrow",
                  ".ipc": "arrow"}  # fmt: skip


@dataclass
class RawBatch:
    """Rows as read: ``frame`` has :data:`LINE`, :data:`PYTHON`, :data:`ROW` and the claim columns (text,
    null where the row lacks the column; ``dex_z_code`` is null only where the row has no such column);
    ``record(frame[ROW][i])`` is row ``i`` as the row engine reads it (for the rows it must read itself)."""

    frame: pl.DataFrame
    record: Callable[[int], Record]


@dataclass
class Source:
    """A claim file, checked as a whole, and how its batches are read: ``csv`` (cptkg's columns, in
    blocks), ``records`` (the row engine's records: JSON Lines, exports, a column mapping), ``parquet``
    or ``arrow``; with the file's layout, whether it is payer-wide, and its notices
    (:class:`cptkg.claims.records.ClaimSource`)."""

    path: Path
    kind: str
    layout: str = "cptkg"
    payer_wide: bool = False
    notices: list[str] = field(default_factory=list)
    records: Iterator[Record] | None = None
    delimiter: str = ","
    names: list[str] = field(default_factory=list)
    counting: Any = None  # the count begun by count_ahead (a Future)
    reading: ReadAhead | None = None  # the batches begun by columnar.begin
    reading_lines: bool = False  # whether they are read into lines too (not where lines for other codes are skipped)


def input_format(path: Path) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``arrow``, from the extension (then the first character)."""
    return TABLE_SUFFIXES.get(path.suffix.lower()) or file_format(path)


def open_source(path: str | Path, columns: Any = None) -> Source:
    """A claim file ready to be read in batches; a file that cannot be used at all raises
    :class:`InputError` here, with the row engine's message."""
    path = Path(path)
    kind = input_format(path) if path.is_file() else "csv"
    if kind in ("parquet", "arrow"):
        return Source(path, kind, names=_table_names(path, kind))
    claims = open_claims(path, columns)  # the row engine's checks of the file and its header, first
    source = Source(path, "records", claims.layout, claims.payer_wide, claims.notices, claims.records)
    if claims.layout == "cptkg" and kind == "csv" and is_regular(path):  # (a pipe is read once: its records)
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            source.delimiter = sniff_delimiter(handle.readline())
        names, header_lines = _csv_header(path, source.delimiter)
        if header_lines == 1:  # else (a header over several lines) the row engine's records
            claims.records.close()  # type: ignore[attr-defined]
            source.kind, source.records, source.names = "csv", None, names
    return source


def read_batches(source: Source, batch_size: int) -> Iterator[RawBatch]:
    """The batches of a claim file, about ``batch_size`` lines each."""
    if source.kind in ("parquet", "arrow"):
        return _numbered(_arrow_batches(source.path, source.kind, batch_size), source.names)
    if source.kind == "records":
        return record_batches(source.records or iter(()), batch_size)
    return _csv_batches(source, batch_size)


def count_first(source: Source) -> int | None:
    """The number of lines JSON's head gives for a file of cptkg's columns, as
    :func:`cptkg.claims.records.count_records` counts them (None when it cannot be told before the
    lines are read); the count :func:`count_ahead` began, when it did. A CSV file is counted block by
    block: a block of ASCII text without quotes by its line ends and blank lines, any other by
    ``csv.reader``."""
    return source.counting.result() if source.counting is not None else _count(source)


def _count(source: Source) -> int | None:
    if source.kind in ("parquet", "arrow"):
        return count_lines(source.path)
    if source.layout != "cptkg":
        return None
    if source.kind == "records":
        return count_records(source.path)
    spaces = "".join(f"\\x{c:02x}" for c in b" \t\x0b\x0c\x1c\x1d\x1e\x1f" if chr(c) != source.delimiter)
    blank = f"(?m)^[{spaces}]*\\r?\\n"  # a line of spaces only, or none
    total = 0
    with source.path.open("rb") as handle:
        handle.seek(_data_start(handle))
        for chunk, region in _blocks(handle, source, 1 << 24, _countable(len(source.names), source.delimiter)):
            if region is None:
                total += chunk.count(b"\n") - _matches(chunk, blank)
                continue
            try:
                total += sum(1 for row in region if row and not (len(row) == 1 and not row[0].strip()))
            except csv.Error:
                return 0  # as count_records says of a file csv.reader cannot read through
    return total


def count_ahead(source: Source) -> None:
    """Begin :func:`count_first` in a thread of its own (:data:`COUNTING_THREAD`): it mostly waits for
    the disk and for polars, outside the interpreter lock, so it runs while the graph is loaded.
    :func:`count_first` then gives its count (or raises its error)."""
    from concurrent.futures import Future

    counting: Future = Future()

    def count() -> None:
        try:
            counting.set_result(_count(source))
        except BaseException as error:  # noqa: BLE001 - raised where the count is asked for
            counting.set_exception(error)

    threading.Thread(target=count, name=COUNTING_THREAD, daemon=True).start()
    source.counting = counting


def _matches(text: bytes, pattern: str) -> int:
    """How many times a regular expression matches ASCII bytes, counted by polars (which leaves the
    interpreter lock, unlike :mod:`re`, and is faster)."""
    import polars as pl

    column = pl.Series([text], dtype=pl.Binary)
    return pl.LazyFrame({"text": column}).select(pl.col("text").cast(pl.String).str.count_matches(pattern)).collect().item()


class ReadAhead:
    """Batches read in a thread of its own (:data:`READING_THREAD`, begun when this is made) one ahead
    of the batch being checked: polars parses outside the interpreter lock. Iterating gives each batch
    as soon as it is read (not waiting for the next, to tell whether it is the last); :meth:`close`
    (also when the iteration stops early, on an error) ends the thread, and the file it reads is closed."""

    def __init__(self, batches: Iterable[RawBatch]) -> None:
        self.ready: queue.Queue = queue.Queue(maxsize=1)
        self.stopped = threading.Event()
        self.done = object()
        self.thread = threading.Thread(target=self._read, args=(batches,), name=READING_THREAD, daemon=True)
        self.thread.start()

    def _offer(self, item: object) -> bool:
        while not self.stopped.is_set():
            try:
                self.ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, batches: Iterable[RawBatch]) -> None:
        try:
            for batch in batches:
                if not self._offer(batch):
                    break
            else:
                self._offer(self.done)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            self._offer(error)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[RawBatch]:
        if self.stopped.is_set():
            raise RuntimeError("these batches were taken already")  # (waiting for more would never end)
        try:
            while (current := self.ready.get()) is not self.done:
                if isinstance(current, BaseException):
                    raise current
                yield current
        finally:
            self.close()

    def close(self) -> None:
        """End the reading (what was not taken is dropped)."""
        self.stopped.set()
        self.thread.join()


def count_lines(path: str | Path, columns: Any = None) -> int | None:
    """How many lines a file's batches hold, for a progress bar (None for an Arrow file)."""
    path = Path(path)
    kind = input_format(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if kind == "arrow":
        return sum(batch.num_rows for batch in _arrow_batches(path, kind, 1 << 20))
    return count_records(path, columns)


# ---------------------------------------------------------------------------------------- records


def record_batches(records: Iterable[Record], batch_size: int) -> Iterator[RawBatch]:
    """Batches of records read by the row engine's readers (JSON Lines, exports, rows given in Python)."""
    records = iter(records)
    while chunk := list(islice(records, batch_size)):
        yield records_batch(chunk)


def records_batch(chunk: list[Record]) -> RawBatch:
    """One batch of records: text and whole numbers become columns, any other row is kept for Python."""
    import polars as pl

    columns: dict[str, list[str | None]] = {name: [] for name in KNOWN}
    lines, python = [], []
    for number, record in chunk:
        lines.append(number)
        values = _as_text(record) if isinstance(record, Mapping) else None
        python.append(values is None)
        for name in KNOWN:
            columns[name].append(values.get(name) if values else None)
    frame = pl.DataFrame({LINE: lines, PYTHON: python, **columns}, schema=_schema(pl))
    return RawBatch(frame.with_row_index(ROW), chunk.__getitem__)


def _as_text(record: Mapping[str, Any]) -> dict[str, str | None] | None:
    """The claim columns of a record as text, or None when one is neither text nor a whole number."""
    values: dict[str, str | None] = {}
    for name in KNOWN:
        value = record.get(name)
        if value is None:
            values[name] = "" if name == "dex_z_code" and name in record else None
        elif isinstance(value, str):
            if not value.isascii() and not _utf8(value):
                return None  # bytes that were not UTF-8 (kept as surrogates): the row engine reports them
            values[name] = value
        elif isinstance(value, int) and not isinstance(value, bool):
            values[name] = str(value)  # the row engine reads a whole number through str() too
        else:
            return None
    return values


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _schema(pl) -> dict[str, Any]:
    return {LINE: pl.Int64, PYTHON: pl.Boolean, **{name: pl.String for name in KNOWN}}  # ROW added after


# ---------------------------------------------------------------------------------------- CSV


def _csv_batches(source: Source, batch_size: int) -> Iterator[RawBatch]:
    with source.path.open("rb") as handle:
        handle.seek(_data_start(handle))
        sample = handle.read(1 << 16)
        handle.seek(-len(sample), 1)
        block = max(batch_size, 1) * max(len(sample) // max(sample.count(b"\n"), 1), 16)  # bytes of a batch's lines

        def plain(chunk: bytes, line: int) -> RawBatch | None:
            return _plain_block(chunk, source.names, source.delimiter, line)

        for batch, region in _blocks(handle, source, block, plain):
            yield batch if region is None else records_batch(list(csv_rows(region, source.names, region.offset)))


def _data_start(handle) -> int:
    """The byte where a CSV file's lines begin: after its header line, which ends (as the row engine
    reads it) at a line feed, a carriage return, or both."""
    head = b""
    while len(head) < MAX_LINE and (more := handle.read(1 << 16)):
        head += more
        ends = [i for i in (head.find(b"\r"), head.find(b"\n")) if 0 <= i < len(head) - 1]  # (\r then \n?)
        if ends:
            end = min(ends) + 1
            return end + 1 if head[end - 1 : end + 1] == b"\r\n" else end
    return len(head)  # the header alone, without a line end


def _blocks(handle, source: Source, size: int, whole: Callable[[bytes, int], Any]) -> Iterator[tuple[Any, _Region | None]]:
    """The file from the handle's place in blocks of about ``size`` bytes that end at a line end:
    ``(whole(block, line), None)`` where that is not None (the block read at once; ``line``, its first
    line's number), else ``(None, rows)``: its rows as the row engine's reader gives them
    (:class:`_Region`: the block's lines and, when a quoted field goes on past its end, the lines after
    it). Lines are numbered from 2 (after the header)."""
    line = 2
    while True:
        start = handle.tell()
        chunk = handle.read(size)
        if not chunk:
            return
        chunk += handle.readline(MAX_LINE)
        ended = chunk.endswith(b"\n")
        read = whole(chunk if ended else chunk + b"\n", line) if ended or not handle.peek(1) else None
        if read is not None:
            yield read, None
            line += chunk.count(b"\n") + (not ended)  # (a block read whole has no lone carriage return)
            continue
        region = _Region(handle, start, len(chunk), source, line)
        try:
            yield None, region
            for _ in region:  # what the consumer left of the region (it stopped early) is passed over
                pass
        finally:
            region.close()
        line += region.line_num


class _Region:
    """The rows of a block that is not plain, as the row engine reads them: the file read as text from
    the block's first byte, its lines (:func:`~cptkg.core.inputs.bounded_lines`) through one
    ``csv.reader``. The region ends at the block's end, or, where a record goes on there (a quoted
    line break, told by the reader asking for a line within the row it is reading), at that record's
    end; :meth:`close` leaves the file at the first byte after it. Iterating gives the reader's rows;
    ``line_num`` and ``offset`` number them as :func:`~cptkg.claims.records.csv_rows` does."""

    def __init__(self, handle, start: int, size: int, source: Source, line: int) -> None:
        handle.seek(start)
        self.handle, self.start, self.size, self.offset = handle, start, size, line - 1
        self.text = io.TextIOWrapper(handle, encoding="utf-8", errors="surrogateescape", newline="")
        self.lines = bounded_lines(self.text, source.path, first=line)
        self.used = 0  # bytes of the lines given to the reader
        self.rows = 0  # rows asked of the reader
        self.ending_row = -1  # the row being read when the block's last line was given
        self.reader = csv.reader(self._lines(), delimiter=source.delimiter)

    def _lines(self) -> Iterator[str]:
        while self.used < self.size or self.rows == self.ending_row:
            text = next(self.lines, None)
            if text is None:
                return
            self.used += len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))
            if self.used >= self.size and self.ending_row < 0:
                self.ending_row = self.rows
            yield text

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        self.rows += 1
        return next(self.reader)

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def close(self) -> None:
        self.text.detach()  # the file stays open: it is read on from here
        self.handle.seek(self.start + self.used)


def _countable(width: int, delimiter: str) -> Callable[[bytes, int], bytes | None]:
    """The test of :func:`_blocks` for counting: a block whose rows are counted by its line ends and
    blank lines (ASCII text without quotes, NUL or a lone carriage return, or quoted plainly), not read."""

    def countable(chunk: bytes, line: int) -> bytes | None:
        if b"\x00" in chunk or (b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")):
            return None  # (each carriage return ends a line)
        if b'"' in chunk:
            return chunk if _quoted_plainly(chunk, width, delimiter) else None
        return chunk if chunk.isascii() else None

    return countable


def _quoted_plainly(chunk: bytes, width: int, delimiter: str) -> bool:
    """Whether each line of a block (which ends with a line feed) is ``width`` fields, each unquoted
    without a quote or quoted whole, with its quotes doubled inside and no line break: quoting that
    ``csv.reader`` and polars read alike (a CSV writer's, ``QUOTE_ALL`` or ``QUOTE_MINIMAL``). Tested by
    polars outside the interpreter lock; a block that is not UTF-8 is not."""
    import polars as pl

    if width < 2:  # (a line of one empty quoted field would be a blank line to csv.reader)
        return False
    cut = f"\\x{{{ord(delimiter):x}}}"
    field = f'(?:[^"{cut}\\r\\n]*|"(?:[^"\\r\\n]|"")*")'
    line = f"^{field}(?:{cut}{field}){{{width - 1}}}\\r?$"
    try:
        return (
            pl.LazyFrame({"block": pl.Series([chunk], dtype=pl.Binary)})
            .select(pl.col("block").cast(pl.String).str.split("\n").list.slice(0, chunk.count(b"\n")).explode())
            .select(pl.col("block").str.contains(line).all())
            .collect()
            .item()
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):  # not UTF-8
        return False


def _csv_header(path: Path, delimiter: str) -> tuple[list[str], int]:
    """The header's column names (unknown and blank ones renamed apart) and how many lines it spans."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        names = header_names(next(reader), path)
        return [n if n in KNOWN else f"__other{i}" for i, n in enumerate(names)], reader.line_num


def _plain_block(chunk: bytes, names: list[str], delimiter: str, line: int) -> RawBatch | None:
    """The block parsed by polars, or None when it is not plain (see the module docstring)."""
    import polars as pl

    rows = chunk.count(b"\n")
    # every line has the header's number of fields: without quotes, as many delimiters in all as that
    # makes, and none with more (polars refuses a line with more fields than the header); with quotes,
    # each line's fields as a writer quotes them (_quoted_plainly). So no line is blank either, which
    # is searched for only when a line holds one field
    if b"\x00" in chunk or (b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")):
        return None
    if b'"' in chunk:
        if not _quoted_plainly(chunk, len(names), delimiter):
            return None
    elif chunk.count(delimiter.encode()) != rows * (len(names) - 1) or (
        len(names) < 2 and (b"\n\n" in chunk or b"\n\r\n" in chunk or chunk.startswith((b"\n", b"\r\n")))
    ):
        return None
    try:
        frame = pl.read_csv(chunk, has_header=False, new_columns=names, schema={n: pl.String for n in names},
                            separator=delimiter, empty_string_is_null=False, encoding="utf8")  # fmt: skip
    except (
        pl.exceptions.PolarsError,
        pl.exceptions.PanicException,
    ):  # not UTF-8, or read otherwise: the row engine's reader decides
        return None
    if frame.height != rows:
        return None
    present = [n for n in names if n in KNOWN]
    frame = frame.select(
        pl.int_range(line, line + rows, dtype=pl.Int64).alias(LINE),
        pl.lit(False).alias(PYTHON),
        pl.int_range(0, rows, dtype=pl.UInt32).alias(ROW),
        *(pl.col(n) if n in present else pl.lit(None, pl.String).alias(n) for n in KNOWN),
    )

    def record(i: int) -> Record:
        return line + i, {n: frame[n][i] for n in present}

    return RawBatch(frame, record)


# ---------------------------------------------------------------------------------------- tables


def _table_names(path: Path, kind: str) -> list[str]:
    """The column names of a Parquet or Arrow file, checked as a CSV header is."""
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            header = pq.read_schema(path).names
        else:
            with pa.memory_map(str(path)) as mapped:
                try:
                    header = pa.ipc.open_file(mapped).schema.names
                except pa.ArrowInvalid:
                    header = pa.ipc.open_stream(mapped).schema.names
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read the {kind} file: {error}", path=path) from None
    return [n if n in KNOWN else f"__other{i}" for i, n in enumerate(header_names(list(header), path))]


def _numbered(batches: Iterable[Any], names: list[str]) -> Iterator[RawBatch]:
    start = 1
    for arrow in batches:
        if arrow.num_rows:
            yield table_batch(arrow, names, start)
            start += arrow.num_rows


def _arrow_batches(path: Path, kind: str, batch_size: int):
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size)
            return
        try:
            reader = pa.ipc.open_file(path)
            for index in range(reader.num_record_batches):
                yield reader.get_batch(index)
        except pa.ArrowInvalid:
            yield from pa.ipc.open_stream(path)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read the {kind} file: {error}", path=path) from None


def table_batch(arrow, names: list[str], start: int) -> RawBatch:
    """One Arrow record batch as a batch, its rows numbered from ``start``. Text, whole-number and date
    columns become text; a row with a value of another type (a float, a list) is kept for Python."""
    import polars as pl

    frame = pl.from_arrow(arrow.rename_columns(names))
    typed, checks = [], []
    for name in KNOWN:
        if name not in names or name not in frame.columns:
            typed.append(pl.lit(None, pl.String).alias(name))
            continue
        dtype = frame.schema[name]
        column = pl.col(name)
        if dtype.is_integer() or dtype == pl.String or dtype == pl.Date or dtype == pl.Categorical:
            value = column.cast(pl.String, strict=False)
        else:  # a float, a list, a time, a decimal: the row engine's code reads the row (where not null)
            checks.append(column.is_not_null())
            value = pl.lit(None, pl.String)
        typed.append((value.fill_null("") if name == "dex_z_code" else value).alias(name))
    python = pl.any_horizontal(checks) if checks else pl.lit(False)
    height = arrow.num_rows
    out = frame.select(
        pl.int_range(start, start + height, dtype=pl.Int64).alias(LINE),
        python.alias(PYTHON),
        pl.int_range(0, height, dtype=pl.UInt32).alias(ROW),
        *typed,
    )
    original = frame.select([n for n in names if n in KNOWN])

    def record(i: int) -> Record:
        return start + i, original.row(i, named=True)

    return RawBatch(out, record)

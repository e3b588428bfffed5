"""Claim files (CSV with a header, or JSON Lines) and rows given in Python, as numbered records."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from ..core.errors import InputError
from ..core.inputs import bounded_lines, is_regular
from .lines import COLUMNS, OPTIONAL_COLUMNS

#: A record: ``(line number, the row keyed by lower-case column name)``, or ``(line, the error)`` when unreadable.
Record = tuple[int, "Mapping[str, Any] | InputError"]


def file_format(path: Path) -> str:
    """``csv`` or ``jsonl``, from the extension or, failing that, from the first character."""
    try:
        with path.open("rb") as handle:
            return _format_of(path, handle)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None


def _format_of(path: Path, handle: io.BufferedReader) -> str:
    """The format by extension, else by the first bytes (peeked: a pipe is read only once)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    start = handle.peek(4096)[:4096].lstrip()
    return "jsonl" if start.startswith((b"{", b"\xef\xbb\xbf{")) else "csv"


def _open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as error:
        from ..core.rdfio import unreadable

        raise unreadable(path, error, "a claim file") from None


def _text(binary: BinaryIO) -> TextIO:
    # surrogateescape: a line with bytes that are not UTF-8 is reported, the rest is still read
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _open(path: Path) -> TextIO:
    return _text(_open_binary(path))


def read_records(path: str | Path) -> Iterator[Record]:
    """The records of a CSV or JSON Lines file: ``(line number, record)``, or ``(line, error)`` for a
    line that cannot be read. A file that cannot be used at all (missing, no header, a required
    column absent from the header) raises :class:`InputError` before the first record; so does a
    line longer than :data:`~cptkg.core.inputs.MAX_LINE` or holding a NUL (an endless input, or not
    text) where it is met. The file is opened once: a pipe (``/dev/stdin``) is read as a file is.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a claim file", path=path)
    binary = _open_binary(path)
    reader = _csv_records if _format_of(path, binary) == "csv" else _jsonl_records
    records = reader(path, _text(binary))
    first = next(records, None)  # raise a file-level error now, not at the first iteration
    return _chain(first, records)


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest


def _csv_records(path: Path, handle: TextIO) -> Iterator[Record]:
    with handle:
        reader = csv.reader(bounded_lines(handle, path))
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the header: {error}", path=path, line=1) from None
        if not header or not any(cell.strip() for cell in header):
            raise InputError("the file is empty: expected a header line with " + ", ".join(COLUMNS), path=path)
        names = [cell.strip().lower() for cell in header]
        duplicates = sorted(name for name, times in Counter(names).items() if name and times > 1)
        if duplicates:
            raise InputError(f"the header names {', '.join(duplicates)} more than once", path=path, line=1)
        absent = [name for name in COLUMNS if name not in names]
        if absent:
            raise InputError(
                f"the header lacks the column{'s' if len(absent) > 1 else ''} {', '.join(absent)} "
                f"(expected {', '.join(COLUMNS)}; optional {', '.join(OPTIONAL_COLUMNS)})",
                path=path,
                line=1,
            )
        width = len(names)
        last = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield last + 1, InputError(f"not valid CSV: {error}", line=last + 1)
                last = reader.line_num
                continue
            start, last = last + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) < width:
                yield start, dict(zip(names, row))  # ClaimLine.parse names the missing columns
            elif len(row) > width:
                yield (
                    start,
                    InputError(f"the line has {len(row)} fields, the header {width} (an unquoted comma?)", line=start),
                )
            else:
                yield start, dict(zip(names, row))


def _jsonl_records(path: Path, handle: TextIO) -> Iterator[Record]:
    with handle:
        for number, text in enumerate(bounded_lines(handle, path), start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                yield number, InputError(f"not valid JSON: {error}", line=number)
                continue
            except RecursionError:
                yield number, InputError("not valid JSON here: it is nested too deeply", line=number)
                continue
            if not isinstance(record, dict):
                yield number, InputError(f"expected a JSON object, not {type(record).__name__}", line=number)
                continue
            yield number, {str(key).strip().lower(): value for key, value in record.items()}


def count_records(path: str | Path) -> int | None:
    """How many lines :func:`read_records` yields for a file (for progress and the JSON ``lines``);
    None for a stream (a pipe), which can be read only once."""
    path = Path(path)
    if not is_regular(path):
        return None
    with _open(path) as handle:
        lines = bounded_lines(handle, path)
        if file_format(path) == "jsonl":
            return sum(1 for text in lines if text.strip())
        rows = csv.reader(lines)
        next(rows, None)
        try:
            return sum(1 for row in rows if row and not (len(row) == 1 and not row[0].strip()))
        except csv.Error:
            return 0  # the checking pass reports the bad line


def rows_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[Record]:
    """Records of rows given in Python (dicts, or a pandas DataFrame), numbered from 1."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a DataFrame
        rows = rows.to_dict("records")  # type: ignore[union-attr]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            yield number, InputError(f"expected a mapping of column to value, not {type(row).__name__}", line=number)
        else:
            yield number, {str(key).strip().lower(): value for key, value in row.items()}


def records_of(path_or_rows: str | Path | Iterable[Mapping[str, Any]]) -> Iterator[Record]:
    """The records of a file path, or of rows given in Python."""
    if isinstance(path_or_rows, (str, Path)):
        return read_records(path_or_rows)
    return rows_records(path_or_rows)

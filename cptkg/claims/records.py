"""Claim files and rows given in Python, as numbered records.

A file is a cptkg claim file (CSV with a header, or JSON Lines), a file whose columns a column
mapping names (``--columns``), or an export recognised by its header or envelope: CMS CCW/RIF and
DE-SynPUF carrier claims (:mod:`~cptkg.claims.layouts`) and X12 837P (:mod:`~cptkg.claims.x12`).
:func:`open_claims` says which, with the layout's notices; :func:`read_records` gives the records.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import InputError
from ..core.inputs import bounded_lines, is_regular
from .lines import COLUMNS, OPTIONAL_COLUMNS

#: A record: ``(line number, the row keyed by lower-case column name)``, or ``(line, the error)`` when unreadable.
Record = tuple[int, "Mapping[str, Any] | InputError"]


def file_format(path: Path) -> str:
    """``csv`` or ``jsonl``, from the extension or, failing that, from the first character."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    try:
        with path.open("rb") as handle:
            start = handle.read(4096).lstrip()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None
    return "jsonl" if start.startswith(b"{") else "csv"


def _open(path: Path) -> TextIO:
    try:
        # surrogateescape: a line with bytes that are not UTF-8 is reported, the rest is still read
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as error:
        from ..core.rdfio import unreadable

        raise unreadable(path, error, "a claim file") from None


@dataclass
class ClaimSource:
    """The records of one claim file and what kind of file it is.

    ``layout`` is ``cptkg`` (the package's own columns), ``columns`` (a column mapping),
    ``cms-rif-carrier``, ``de-synpuf-carrier`` or ``x12-837p``; ``payer_wide`` is True for exports
    that hold every code a payer paid (their lines for other codes are skipped, not errors);
    ``notices`` say what the layout cannot give (ICD-9 diagnoses, no units).
    """

    records: Iterator[Record]
    layout: str = "cptkg"
    payer_wide: bool = False
    notices: list[str] = field(default_factory=list)


def skips_other_codes(source: ClaimSource | Any, other_codes: str) -> bool:
    """Whether a file's lines for codes the graph does not hold are counted, not checked:
    ``other_codes`` is ``skip``, ``check`` or ``auto`` (skip in a payer-wide export, ``source``
    saying which it is)."""
    return other_codes == "skip" or (other_codes == "auto" and source.payer_wide)


def open_claims(path: str | Path, columns: str | Path | Mapping[str, Any] | None = None) -> ClaimSource:
    """The records of a claim file of any kind this module reads, with its layout.

    A file that cannot be used at all (missing, binary, no header, a required column absent, an
    X12 interchange that contradicts its own delimiters) raises :class:`InputError` before the first
    record; so does a line longer than :data:`~cptkg.core.inputs.MAX_LINE` or holding a NUL (an
    endless input, or not text) where it is met. A line that cannot be read is a ``(line, error)``
    record. A pipe (``/dev/stdin``) is read as a file is (:func:`_from_stream`).
    """
    from .layouts import Layout, parse_columns, recognise, sniff_delimiter

    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a claim file", path=path)
    if path.exists() and not is_regular(path):
        return _from_stream(path, columns)
    start = _start(path)
    if b"\x00" in start:
        raise InputError("holds binary data (a NUL byte), not claim text", path=path)
    if start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):
        from .x12 import read_837

        interchange = read_837(path)
        records: Iterator[Record] = iter(interchange.records)
        return ClaimSource(records, "x12-837p", True, [f"X12 837P {interchange.version}", *interchange.notices])
    mapping = parse_columns(columns) if isinstance(columns, (str, Path)) else columns
    if file_format(path) == "jsonl":
        return ClaimSource(_started(_renamed(_jsonl_records(path), mapping) if mapping else _jsonl_records(path)),
                           "columns" if mapping else "cptkg", bool(mapping))
    with _open(path) as handle:
        first = next(bounded_lines(handle, path), "")
    delimiter = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    if mapping:
        layout: Layout | None = Layout("columns", {k: tuple(v) for k, v in mapping.items()}, delimiter)
    else:
        layout = recognise(header, delimiter)
    if layout is None:
        return ClaimSource(_started(_csv_records(path, delimiter)))
    return ClaimSource(_started(_layout_records(path, layout)), layout.name, layout.payer_wide, list(layout.notices))


def read_records(path: str | Path, columns: str | Path | Mapping[str, Any] | None = None) -> Iterator[Record]:
    """The records of a claim file (:func:`open_claims`): ``(line number, record)``, or ``(line, error)``."""
    return open_claims(path, columns).records


def _start(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError as error:
        from ..core.rdfio import unreadable

        raise unreadable(path, error, "a claim file") from None


def _from_stream(path: Path, columns: str | Path | Mapping[str, Any] | None) -> ClaimSource:
    """The claim source of a pipe or a device, read once into a temporary file
    (:class:`~cptkg.core.inputs.Spool`) and read from there as a file is, every error naming the pipe."""
    from ..core.inputs import Spool

    spool = Spool(path, "claim text")
    try:
        source = spool.call(lambda: open_claims(spool.name, columns))
    except BaseException:
        spool.close()
        raise
    source.records = spool.closing(source.records)
    return source


def _started(records: Iterator[Record]) -> Iterator[Record]:
    first = next(records, None)  # raise a file-level error now, not at the first iteration
    return _chain(first, records)


def _layout_records(path: Path, layout: Any) -> Iterator[Record]:
    from .layouts import layout_records

    with _open(path) as handle:
        try:
            yield from layout_records(path, bounded_lines(handle, path), layout)
        except csv.Error as error:
            raise InputError(f"cannot read the header: {error}", path=path, line=1) from None


def _renamed(records: Iterator[Record], mapping: Mapping[str, Any]) -> Iterator[Record]:
    """JSON Lines records with a column mapping applied (one source key per cptkg column)."""
    for number, record in records:
        if isinstance(record, InputError):
            yield number, record
            continue
        renamed = {name: ";".join(str(record.get(str(c).lower(), "") or "") for c in sources).strip(";")
                   for name, sources in mapping.items()}
        yield number, {**{name: "" for name in COLUMNS}, "units": "1", **renamed}


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest


def _csv_records(path: Path, delimiter: str = ",") -> Iterator[Record]:
    with _open(path) as handle:
        reader = csv.reader(bounded_lines(handle, path), delimiter=delimiter)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the header: {error}", path=path, line=1) from None
        if not header or not any(cell.strip() for cell in header):
            raise InputError("the file is empty: expected a header line with " + ", ".join(COLUMNS), path=path)
        yield from csv_rows(reader, header_names(header, path))


def header_names(header: list[str], path: Path) -> list[str]:
    """The column names of a header (lower case, trimmed); an :class:`InputError` when a name is given
    twice or a column of :data:`COLUMNS` is absent."""
    names = [cell.strip().lower() for cell in header]
    duplicates = sorted(name for name, times in Counter(names).items() if name and times > 1)  # linear: headers may be wide
    if duplicates:
        raise InputError(f"the header names {', '.join(duplicates)} more than once", path=path, line=1)
    absent = [name for name in COLUMNS if name not in names]
    if absent:
        raise InputError(
            f"the header lacks the column{'s' if len(absent) > 1 else ''} {', '.join(absent)} "
            f"(expected {', '.join(COLUMNS)}; optional {', '.join(OPTIONAL_COLUMNS)}; "
            "or name the file's columns with --columns)",
            path=path,
            line=1,
        )
    return names


def csv_rows(reader: Iterator[list[str]], names: list[str], offset: int = 0) -> Iterator[Record]:
    """The records of the rows a ``csv.reader`` gives after the header, numbered by physical line
    (``offset`` lines before the reader's first); blank lines are skipped."""
    width = len(names)
    last = reader.line_num  # type: ignore[attr-defined]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield offset + last + 1, InputError(f"not valid CSV: {error}", line=offset + last + 1)
            last = reader.line_num  # type: ignore[attr-defined]
            continue
        start, last = offset + last + 1, reader.line_num  # type: ignore[attr-defined]
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) > width:
            yield (
                start,
                InputError(f"the line has {len(row)} fields, the header {width} (an unquoted comma?)", line=start),
            )
        else:
            yield start, dict(zip(names, row))  # a short row: ClaimLine.parse names the missing columns


def _jsonl_records(path: Path) -> Iterator[Record]:
    with _open(path) as handle:
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


def count_records(path: str | Path, columns: str | Path | Mapping[str, Any] | None = None) -> int | None:
    """How many records :func:`read_records` yields for a file (for progress and the JSON ``lines``);
    None for a pipe, which can be read only once (the JSON then gives ``lines`` after the findings)."""
    path = Path(path)
    if not is_regular(path):
        return None
    source = open_claims(path, columns)
    if source.layout != "cptkg":
        return sum(1 for _ in source.records)
    with _open(path) as handle:
        lines = bounded_lines(handle, path)
        if file_format(path) == "jsonl":
            return sum(1 for text in lines if text.strip())
        from .layouts import sniff_delimiter

        first = next(lines, "")  # counted with the delimiter the records are read with (a tab, a bar)
        rows = csv.reader(itertools.chain([first], lines), delimiter=sniff_delimiter(first))
        next(rows, None)  # the header (over several lines, if quoted so)
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

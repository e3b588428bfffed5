"""Claim lines read as :meth:`cptkg.claims.lines.ClaimLine.parse` reads them, each distinct value once.

``ClaimLine.parse`` reads each column of a line on its own (trimmed, upper cased, split, units and
dates checked), so a column's distinct values, which are few however many rows there are, are each
read once by ``ClaimLine.parse`` itself (the row engine's code, on a stand-in line that differs only
in that column) and mapped to every row that has them; the claim id is trimmed by an expression.
The values of a line make its *key*, the text of every value the rules read. A row with a value
that ``ClaimLine.parse`` refuses or that is not plain text, a missing column, or a claim id that is
not printable ASCII text is read on its own by the row engine's code (so its error, and which of
two errors comes first, are the row engine's): it gives a :class:`~cptkg.claims.lines.ClaimLine`
(keyed like the others when its values are plain text) or the unreadable-line finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...core.errors import InputError
from ..engine import _read
from ..findings import Finding
from ..lines import ClaimLine
from .reading import LINE, PYTHON, ROW, RawBatch

if TYPE_CHECKING:
    import polars as pl

#: Separates the values in a key (plain values never hold it).
SEP = "\x1f"
#: The ``dex_z_code`` of a line whose record has no such column.
ABSENT = "\x1d"
#: The kinds of row: keyed (checked by its key), a line checked on its own, a line that cannot be read.
KEYED, INSTANCE, UNREADABLE = 0, 1, 2
#: The raw columns read together (all but the claim id and the date), in order.
RAW = ("cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units", "variant", "contractor", "dex_z_code")
#: The values of a key, in order.
KEY_FIELDS = (
    "code",
    "modifiers",
    "diagnoses",
    "payer",
    "place",
    "units",
    "units_written",
    "variant",
    "contractor",
    "dex",
)
_PRINTABLE = re.compile(r"[ -~]*")
_MEMORY = 100_000  # distinct combinations and dates remembered; beyond that the memory starts again
_STAND_IN = {"claim_id": "X", "cpt_code": "X", "modifiers": "", "icd10cm": "", "payer": "", "place_of_service": "",
             "units": "1"}  # fmt: skip


@dataclass
class Lines:
    """Read lines: ``frame`` has ``line``, ``claim_id``, ``kind``, ``key`` (keyed rows) and ``date``;
    ``items`` holds, by line number, the lines read one at a time that are not keyed."""

    frame: pl.DataFrame
    items: dict[int, ClaimLine | Finding] = field(default_factory=dict)


class Reader:
    """Reads batches of rows into :class:`Lines`, remembering the values it has read."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str | None, str | None]] = {name: {} for name in (*RAW, "date_of_service")}

    def read(self, raw: RawBatch) -> Lines:
        """The lines of a batch: keyed where their values are plain, read one by one where not."""
        import polars as pl

        frame = raw.frame
        names = (*RAW, "date_of_service")
        distinct = frame.select(pl.col(name).unique().implode() for name in names).row(0)  # at once, in parallel
        values = [self._column(name, present).alias(name) for name, present in zip(names, distinct)]
        keyed = (
            ~pl.col(PYTHON)
            & pl.col("claim_id").str.contains(r"^[ -~]+$").fill_null(False)
            & pl.col("date_of_service").is_not_null()
            & pl.col("key").is_not_null()
        )
        frame = (
            frame.lazy()
            .select(
                pl.col(LINE).alias("line"),
                pl.col(PYTHON),
                pl.col("claim_id").str.strip_chars(" ").alias("claim_id"),
                pl.concat_str(values[:-1], separator=SEP).alias("key"),
                values[-1],
            )  # each column read once; then put together
            .select(
                "line",
                "claim_id",
                pl.when(keyed).then(pl.lit(KEYED)).otherwise(pl.lit(INSTANCE)).cast(pl.Int8).alias("kind"),
                pl.when(keyed).then(pl.col("key")).alias("key"),
                pl.col("date_of_service").str.to_date("%Y-%m-%d", strict=False).alias("date"),
            )
            .collect()
        )
        items: dict[int, ClaimLine | Finding] = {}
        if not frame["kind"].eq(KEYED).all():
            odd = frame.select(pl.arg_where(pl.col("kind") != KEYED)).to_series()
            frame = _read_one_by_one(frame, raw, odd.to_list(), items)
        return Lines(frame, items)

    def _column(self, name: str, present: list[str | None]) -> pl.Expr:
        """The column's values as the key writes them (null where a row must be read on its own), from
        the distinct values ``present`` in the batch."""
        import polars as pl

        known = self.values[name]
        if len(known) > _MEMORY:
            known.clear()
        for value in present:
            if value not in known:
                known[value] = _value(name, value)
        mapping = {value: known[value] for value in present if value is not None}
        column = pl.col(name)
        if all(written == value for value, written in mapping.items()):  # the usual case: written as read
            mapped = column
        else:
            mapped = column.replace_strict(mapping, default=None, return_dtype=pl.String)
        if None not in present:
            return mapped
        return pl.when(column.is_null()).then(pl.lit(known[None], pl.String)).otherwise(mapped)


def read_lines(batches: Iterable[RawBatch]) -> Iterator[Lines]:
    """Batches read into :class:`Lines` one after the other by one :class:`Reader` (in the reading
    thread, so that this work is done while the batch before is checked); closing this closes
    ``batches``."""
    reader = Reader()
    try:
        for raw in batches:
            yield reader.read(raw)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


#: Where each column's value is in a key (units gives two values: the units, and how they were written).
_PLACE = {"cpt_code": 0, "modifiers": 1, "icd10cm": 2, "payer": 3, "place_of_service": 4, "units": 5, "variant": 7,
          "contractor": 8, "dex_z_code": 9}  # fmt: skip


def _value(name: str, value: str | None) -> str | None:
    """One column's value as the key writes it, read by ``ClaimLine.parse`` on a stand-in line; None
    when it refuses the value or the value is not plain text (or a required column is missing)."""
    if value is None and name in _STAND_IN:
        return None
    record = {**_STAND_IN, name: value}
    if value is None:
        del record[name]
    try:
        line = ClaimLine.parse(0, record)
    except InputError:
        return None
    if not _plain_line(line):
        return None
    values = _line_values(line)
    if name == "date_of_service":
        return line.date_of_service.isoformat() if line.date_of_service else ""
    if name == "units":
        return f"{values[5]}{SEP}{values[6]}"
    return str(values[_PLACE[name]])


def _read_one_by_one(frame: pl.DataFrame, raw: RawBatch, rows: list[int], items: dict) -> pl.DataFrame:
    """The rows that are not keyed, read by the row engine's code; a line it reads into plain values is
    keyed like the others."""
    import polars as pl

    updates: dict[str, list] = {"claim_id": [], "kind": [], "key": [], "date": []}
    for read_as in raw.frame[ROW].gather(rows).to_list():
        number, record = raw.record(read_as)
        item, claim_id = _read(number, record)
        keyed = isinstance(item, ClaimLine) and _plain_line(item)
        if not keyed:
            items[number] = item
        values = _line_values(item) if keyed else None  # type: ignore[arg-type]
        updates["claim_id"].append(_groupable(claim_id))
        updates["kind"].append(KEYED if keyed else INSTANCE if isinstance(item, ClaimLine) else UNREADABLE)
        updates["key"].append(SEP.join(map(str, values[:-1])) if values else None)
        updates["date"].append(values[-1] if values else None)
    indices = pl.Series(rows, dtype=pl.UInt32)
    columns = []
    for name, values in updates.items():
        series = frame[name].clone()
        series.scatter(indices, pl.Series(values, dtype=series.dtype, strict=False))
        columns.append(series)
    return frame.with_columns(columns)


def _groupable(claim_id: str) -> str:
    """The claim id of an unreadable line as text polars can hold (bytes that were not UTF-8 written
    in hexadecimal): it only tells claims apart; the finding keeps the id as read."""
    try:
        claim_id.encode("utf-8")
    except UnicodeEncodeError:
        return "\x00" + claim_id.encode("utf-8", "surrogateescape").hex()
    return claim_id


def _line_values(line: ClaimLine) -> tuple:
    """The values of :data:`KEY_FIELDS`, then the date."""
    return (
        line.code,
        ";".join(line.modifiers),
        ";".join(line.diagnoses),
        line.payer,
        line.place_of_service,
        line.units,
        line.units_written,
        line.variant,
        line.contractor,
        ABSENT if line.dex_z_code is None else line.dex_z_code,
        line.date_of_service,
    )


def _plain_line(line: ClaimLine) -> bool:
    """Whether a line's values are plain text (then a key holds them exactly)."""
    texts = (line.claim_id, line.code, line.payer, line.place_of_service, line.variant, line.contractor,
             line.dex_z_code or "", line.units_written)  # fmt: skip
    codes = (*line.modifiers, *line.diagnoses)
    return (
        all(_PRINTABLE.fullmatch(text) for text in texts + codes)
        and all(code and ";" not in code for code in codes)
        and line.units < 2**62
    )


def line_of(values: list[str], number: int, claim_id: str, day) -> ClaimLine:
    """The :class:`ClaimLine` a key's values stand for, with a line number, claim id and date."""
    code, modifiers, diagnoses, payer, place, units, written, variant, contractor, dex = values
    return ClaimLine(
        line=number,
        claim_id=claim_id,
        code=code,
        modifiers=tuple(modifiers.split(";")) if modifiers else (),
        diagnoses=tuple(diagnoses.split(";")) if diagnoses else (),
        payer=payer,
        place_of_service=place,
        units=int(units),
        variant=variant,
        date_of_service=day,
        contractor=contractor,
        dex_z_code=None if dex == ABSENT else dex,
        units_written=written,
    )

"""Claim lines read column by column, exactly as :meth:`cptkg.claims.lines.ClaimLine.parse` reads them.

A row is read by vectorised expressions when its values are printable ASCII text and plainly valid
(a claim id and a code, units of ASCII digits, an ISO date or none): its values are trimmed, upper
cased, split and joined as the row engine does, and written into one *key*, the text of every value
the rules read. Any other row (a fraction, a US date, a tab, a non-ASCII letter, a missing column, a
line the reader could not read) is read by the row engine's own code, one row at a time: it gives a
:class:`~cptkg.claims.lines.ClaimLine` (keyed like the others when its values are plain text) or the
unreadable-line finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..engine import _read
from ..findings import Finding
from ..lines import ClaimLine
from .reading import KNOWN, LINE, PYTHON, RawBatch

if TYPE_CHECKING:
    import polars as pl

#: Separates the values in a line's key (plain values never hold it).
SEP = "\x1f"
#: The ``dex_z_code`` of a line whose record has no such column.
ABSENT = "\x1d"
#: The kinds of row: keyed (checked by its key), a line checked on its own, a line that cannot be read.
KEYED, INSTANCE, UNREADABLE = 0, 1, 2
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


@dataclass
class Lines:
    """Normalised lines: ``frame`` has ``line``, ``claim_id``, ``kind``, ``key`` (keyed rows) and ``date``;
    ``items`` holds, by line number, the lines read one at a time that are not keyed."""

    frame: pl.DataFrame
    items: dict[int, ClaimLine | Finding] = field(default_factory=dict)


def normalise(raw: RawBatch) -> Lines:
    """The lines of a batch (see the module docstring)."""
    import polars as pl

    frame = raw.frame.with_columns(_plain_row(pl, raw.printable).alias("plain")).with_columns(_values(pl))
    frame = frame.with_columns(pl.when(pl.col("plain")).then(KEYED).otherwise(INSTANCE).cast(pl.Int8).alias("kind"))
    items: dict[int, ClaimLine | Finding] = {}
    odd = frame.select(pl.arg_where(~pl.col("plain"))).to_series()
    if len(odd):
        frame = _read_one_by_one(frame, raw, odd.to_list(), items)
    key = pl.concat_str([pl.col(name).cast(pl.String) for name in KEY_FIELDS], separator=SEP)
    frame = frame.select(
        pl.col(LINE).alias("line"),
        pl.col("claim_id"),
        pl.col("kind"),
        pl.when(pl.col("kind") == KEYED).then(key).alias("key"),
        pl.col("date"),
    )
    return Lines(frame, items)


def _plain_row(pl, printable: bool) -> pl.Expr:
    """Whether a row can be read by expressions: printable ASCII, every column there, plainly valid."""
    every = pl.concat_str([pl.col(name) for name in KNOWN], separator=" ", ignore_nulls=True)
    text = [] if printable else [every.str.contains(r"^[ -~]*$")]
    required = [pl.col(name).is_not_null() for name in KNOWN[:7]]
    units = pl.col("units").str.strip_chars(" ")
    day = pl.col("date_of_service").str.strip_chars(" ")
    good_day = (
        pl.col("date_of_service").is_null()
        | (day == "")
        | (day.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & ~day.str.starts_with("0000")
           & day.str.to_date("%Y-%m-%d", strict=False).is_not_null())
    )  # fmt: skip
    return (
        ~pl.col(PYTHON)
        & pl.all_horizontal(text + required)
        & (pl.col("claim_id").str.strip_chars(" ") != "")
        & (pl.col("cpt_code").str.strip_chars(" ") != "")
        & units.str.contains(r"^\+?[0-9]{1,18}$")
        & (units.str.strip_chars_start("+").cast(pl.Int64, strict=False) >= 1)
        & good_day
    ).fill_null(False)


def _values(pl) -> list[pl.Expr]:
    """The values as the row engine normalises them (meaningful on plain rows)."""

    def trimmed(name: str) -> pl.Expr:
        return pl.col(name).str.strip_chars(" ")

    def codes(name: str) -> pl.Expr:  # split on ";", each trimmed and upper case, empty ones dropped
        spaced = pl.col(name).str.to_uppercase().str.replace_all(r" *; *", ";")
        return spaced.str.replace_all(r";;+", ";").str.strip_chars(" ;")

    def spaced(name: str) -> pl.Expr:  # runs of spaces as one, as payer and contractor names are matched
        return trimmed(name).str.replace_all(r"  +", " ").fill_null("")

    day = trimmed("date_of_service")
    return [
        trimmed("claim_id").alias("claim_id"),
        trimmed("cpt_code").str.to_uppercase().alias("code"),
        codes("modifiers").alias("modifiers"),
        codes("icd10cm").alias("diagnoses"),
        spaced("payer").alias("payer"),
        trimmed("place_of_service").alias("place"),
        trimmed("units").str.strip_chars_start("+").cast(pl.Int64, strict=False).alias("units"),
        pl.lit("").alias("units_written"),
        trimmed("variant").fill_null("").alias("variant"),
        spaced("contractor").alias("contractor"),
        pl.when(pl.col("dex_z_code").is_null()).then(pl.lit(ABSENT)).otherwise(trimmed("dex_z_code")).alias("dex"),
        pl.when(day != "").then(day.str.to_date("%Y-%m-%d", strict=False)).alias("date"),
    ]


def _read_one_by_one(frame: pl.DataFrame, raw: RawBatch, rows: list[int], items: dict) -> pl.DataFrame:
    """The rows that are not plain, read by the row engine's code; a line it reads into plain values is
    keyed like the others."""
    import polars as pl

    updates: dict[str, list] = {name: [] for name in ("claim_id", "kind", *KEY_FIELDS, "date")}
    for row in rows:
        number, record = raw.record(row)
        item, claim_id = _read(number, record)
        keyed = isinstance(item, ClaimLine) and _plain_line(item)
        if not keyed:
            items[number] = item
        values = _line_values(item) if keyed else dict.fromkeys(KEY_FIELDS)  # type: ignore[arg-type]
        kind = KEYED if keyed else INSTANCE if isinstance(item, ClaimLine) else UNREADABLE
        values.update(claim_id=_groupable(claim_id), kind=kind)
        values.setdefault("date", None)
        for name, column in updates.items():
            column.append(values[name])
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


def _line_values(line: ClaimLine) -> dict:
    return {
        "code": line.code,
        "modifiers": ";".join(line.modifiers),
        "diagnoses": ";".join(line.diagnoses),
        "payer": line.payer,
        "place": line.place_of_service,
        "units": line.units,
        "units_written": line.units_written,
        "variant": line.variant,
        "contractor": line.contractor,
        "dex": ABSENT if line.dex_z_code is None else line.dex_z_code,
        "date": line.date_of_service,
    }


def _plain_line(line: ClaimLine) -> bool:
    """Whether a line read by the row engine's code has plain values (then a key holds it exactly)."""
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

"""One VCF record read into what a lab needs: its alleles one by one, its filters, quality and samples.

A record that cannot be read is a :class:`Skipped` value with its line and the reason, never an
exception: the run goes on. ALT alleles that are not variants (``*``, ``<NON_REF>``, ``<*>``,
``.``) are placeholders, counted but not classified; symbolic alleles (``<DEL>``) and breakends
(``]15:80623247]C``) are skipped with their reason, as cptkg cannot place them on codons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BASES = re.compile(r"[ACGTN]+")
_BREAKEND = re.compile(r"([ACGTN]*)[\[\]][^\[\]]+[\[\]]([ACGTN]*)|\.[ACGTN]+|[ACGTN]+\.")
_SYMBOLIC = re.compile(r"<[^<>]+>")
PLACEHOLDERS = {"*", "<NON_REF>", "<*>", "."}


@dataclass(frozen=True)
class Skipped:
    """A record (or one allele of it) left out, with why. ``kind``: malformed or unsupported."""

    line: int | None
    where: str
    reason: str
    kind: str = "malformed"


@dataclass(frozen=True)
class SampleCall:
    """One sample's call of one ALT allele: GT as written, whether the sample carries the allele, AD, AF, DP.

    ``carried`` is None when the record has no GT; ``af_from`` says whether AF was read (``AF``)
    or computed from the allele depths (``AD``).
    """

    name: str
    gt: str | None
    carried: bool | None
    ad: tuple[int | None, ...] | None = None
    af: float | None = None
    af_from: str | None = None
    dp: int | None = None

    def to_dict(self) -> dict:
        """The JSON form of the call."""
        return {"name": self.name, "gt": self.gt, "carried": self.carried, "ad": list(self.ad) if self.ad else None,
                "af": self.af, "af_from": self.af_from, "dp": self.dp}  # fmt: skip

    def to_text(self) -> str:
        """``TUMOR 0/1 AD 107,10 AF 0.0855 (from AD) DP 117``."""
        parts = [f"{self.name} {self.gt or '.'}"]
        if self.ad:
            parts.append("AD " + ",".join("." if d is None else str(d) for d in self.ad))
        if self.af is not None:
            parts.append(f"AF {self.af:.3g}" + (" (from AD)" if self.af_from == "AD" else ""))
        if self.dp is not None:
            parts.append(f"DP {self.dp}")
        if self.carried is False:
            parts.append("(not carried)")
        return " ".join(parts)


@dataclass(frozen=True)
class Record:
    """The fields of a record that was read; ``alts`` as written, upper case."""

    line: int | None
    chrom: str
    pos: int
    id: str
    ref: str
    alts: tuple[str, ...]
    qual: float | None
    filters: tuple[str, ...] | None  # None: '.', no filter applied
    format: tuple[str, ...]
    samples: tuple[tuple[str, str], ...]  # (name, sample column)

    @property
    def passed(self) -> bool | None:
        """True for FILTER PASS, False for a failed filter, None when no filter was applied (``.``)."""
        return None if self.filters is None else self.filters == ("PASS",)

    def overlaps(self, low: int, high: int) -> bool:
        """Whether the record's REF reaches into positions ``low``-``high``."""
        return self.pos <= high and self.pos + len(self.ref) - 1 >= low


def read_record(line: int | None, text: str, sample_names: list[str], wanted: set[str] | None) -> Record | Skipped:
    """The record of one line, or why it cannot be read (line, reason)."""
    columns = text.split("\t")
    where = "\t".join(columns[:5])[:80]
    if len(columns) < 5:
        return Skipped(line, where, f"a VCF record needs at least 5 tab-separated columns, this has {len(columns)}")
    chrom, pos_text, ident, ref, alt_text = columns[:5]
    if not (pos_text.isascii() and pos_text.isdigit()) or int(pos_text) < 1:
        return Skipped(line, where, f"POS {pos_text!r} is not a position (ASCII digits)")
    ref = ref.upper()
    if not _BASES.fullmatch(ref):
        return Skipped(line, where, f"REF {ref!r} is not a sequence of bases (A, C, G, T, N)")
    alts = tuple(alt_text.upper().split(",")) if alt_text else (".",)
    for alt in alts:
        if not (_BASES.fullmatch(alt) or alt in PLACEHOLDERS or _SYMBOLIC.fullmatch(alt) or _BREAKEND.fullmatch(alt)):
            return Skipped(line, where, f"ALT {alt!r} is not bases, a symbolic allele (<DEL>), a breakend or * / .")
        if alt == ref:
            return Skipped(line, where, f"REF and ALT are the same ({ref})")
    qual_text = columns[5] if len(columns) > 5 else "."
    try:
        qual = None if qual_text == "." else float(qual_text)
    except ValueError:
        return Skipped(line, where, f"QUAL {qual_text!r} is not a number")
    filter_text = columns[6] if len(columns) > 6 else "."
    filters = None if filter_text in (".", "") else tuple(filter_text.split(";"))
    fmt = tuple(columns[8].split(":")) if len(columns) > 8 else ()
    values = columns[9:]
    names = sample_names if len(sample_names) == len(values) else [f"sample {i + 1}" for i in range(len(values))]
    samples = tuple((n, v) for n, v in zip(names, values, strict=True) if wanted is None or n in wanted)
    return Record(line, chrom, int(pos_text), ident, ref, alts, qual, filters, fmt, samples)


def allele_kind(alt: str) -> str:
    """bases, placeholder, symbolic or breakend."""
    if alt in PLACEHOLDERS:
        return "placeholder"
    if _BASES.fullmatch(alt):
        return "bases"
    return "symbolic" if _SYMBOLIC.fullmatch(alt) else "breakend"


def sample_calls(record: Record, index: int) -> tuple[SampleCall, ...]:
    """Each sample's call of ALT allele ``index`` (1-based) of the record."""
    calls = []
    for name, column in record.samples:
        fields = dict(zip(record.format, column.split(":"), strict=False))
        gt = fields.get("GT")
        carried = _carries(gt, index) if gt is not None else None
        ad = _integers(fields.get("AD"))
        dp_values = _integers(fields.get("DP"))
        dp = dp_values[0] if dp_values else None
        af, af_from = _allele_fraction(fields.get("AF"), ad, index)
        calls.append(SampleCall(name, gt, carried, ad, af, af_from, dp))
    return tuple(calls)


def _carries(gt: str, index: int) -> bool | None:
    alleles = re.split(r"[/|]", gt)
    if not all(a == "." or a.isdigit() for a in alleles):
        return None
    return str(index) in alleles


def _integers(text: str | None) -> tuple[int | None, ...] | None:
    if text is None or text == ".":
        return None
    values = []
    for part in text.split(","):
        if part == ".":
            values.append(None)
        elif part.isascii() and part.isdigit():
            values.append(int(part))
        else:
            return None
    return tuple(values)


def _allele_fraction(af_text: str | None, ad: tuple[int | None, ...] | None, index: int) -> tuple[float | None, str | None]:
    if af_text and af_text != ".":
        parts = af_text.split(",")
        if index - 1 < len(parts):
            try:
                return float(parts[index - 1]), "AF"
            except ValueError:
                pass
    if ad and index < len(ad) and None not in ad and sum(ad) > 0:  # type: ignore[arg-type]
        return ad[index] / sum(ad), "AD"  # type: ignore[arg-type, operator]
    return None, None

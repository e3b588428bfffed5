"""Placing a change on the transcript and on both assemblies, normalised, before its scope is decided.

A change comes in on the genome (VCF, ``g.``, SPDI: plus-strand bases at interbase positions) or on
the transcript (``c.``). Either way it becomes a :class:`Located` value: the replaced c. positions
and the coding-strand bases, and the plus-strand allele on each assembly the gene maps to. On the
way the bases are trimmed to the change itself, and an insertion or deletion is moved to its 3'
position on the transcript as far as the graph knows the bases (HGVS's rule), so that the same
change written two ways is decided once. Reference bases the graph knows are checked: a wrong one
is an :class:`~cptkg.InputError`; one it does not know is taken as given and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import InputError
from .model import CodingChange, CPos
from .sequence import reverse_complement
from .tables import GeneModel, ScopeTables

BUILDS = ("GRCh38", "GRCh37")


@dataclass(frozen=True)
class Allele:
    """Plus-strand bases at interbase ``start``-``end`` of one assembly's chromosome; ``ref`` None if unknown."""

    assembly: str
    chromosome: str
    start: int
    end: int
    ref: str | None
    alt: str


@dataclass(frozen=True)
class Located:
    """A change on one gene's transcript: c. span, coding-strand bases, and its allele on each assembly.

    For an insertion, ``first`` and ``last`` are the bases on either side. ``start``/``end`` are the
    interbase c. positions when the whole change is in coding DNA (None otherwise).
    """

    gene: GeneModel
    first: CPos
    last: CPos
    ref: str | None
    alt: str
    start: int | None = None
    end: int | None = None
    alleles: dict[str, Allele] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """sub, del, ins, dup or delins (the HGVS edit of the normalised change)."""
        if self.ref == "":
            return "dup" if self._duplicates() else "ins"
        if not self.alt:
            return "del"
        if self.ref is not None and len(self.ref) == len(self.alt) == 1:
            return "sub"
        return "delins"

    def _duplicates(self) -> bool:
        if self.start is None or self.start < len(self.alt):
            return False
        return self.gene.coding_bases(self.start - len(self.alt) + 1, self.start) == self.alt

    @property
    def coding_positions(self) -> list[int]:
        """The coding bases the change replaces (both sides of an insertion)."""
        if self.start is not None:
            return list(range(self.start + 1, self.end + 1)) if self.end > self.start else [self.start, self.start + 1]
        if self.first.utr3 or self.last.utr3 or self.first.base < 1:
            return [p.base for p in (self.first, self.last) if p.coding]
        low = self.first.base + (1 if self.first.offset > 0 else 0)  # an intronic end counts from an exon edge
        high = self.last.base - (1 if self.last.offset < 0 else 0)
        return list(range(low, high + 1))


def trim(start: int, end: int, ref: str, alt: str) -> tuple[int, int, str, str]:
    """The change without the bases its two sides share: common prefix first, then common suffix.

    >>> trim(10, 13, "ACC", "A")
    (11, 13, 'CC', '')
    """
    while ref and alt and ref[0] == alt[0]:
        ref, alt, start = ref[1:], alt[1:], start + 1
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt, end = ref[:-1], alt[:-1], end - 1
    return start, end, ref, alt


def roll(moving: str, position: int, step: int, base_at) -> tuple[int, bool]:
    """How far inserted or deleted bases move one way while the reference allows; False when an unknown
    base stopped it (they might move further)."""
    distance = 0
    while True:
        index = -(distance + 1) % len(moving) if step < 0 else distance % len(moving)
        base = base_at(position + step * distance)
        if base is None:
            return distance, False
        if base != moving[index]:
            return distance, True
        distance += 1


# ---------------------------------------------------------------- from the genome


def from_genome(tables: ScopeTables, gene: GeneModel, allele: Allele, text: str) -> Located:
    """A plus-strand allele on ``allele.assembly`` placed on the gene's transcript (bases checked)."""
    assembly, chrom = allele.assembly, allele.chromosome
    ref = allele.ref
    if ref is None:
        ref = _known(gene, assembly, chrom, allele.start, allele.end)
    if allele.alt in ("<dup>", "<inv>"):  # g.N_Mdup / g.N_Minv without their bases
        if ref is None:
            raise InputError(f"{text}: the bases of {chrom}:{allele.start + 1}-{allele.end} are not written nor known "
                             "to the graph")  # fmt: skip
        if allele.alt == "<dup>":
            allele, ref = Allele(assembly, chrom, allele.end, allele.end, "", ref), ""
        else:
            allele = Allele(assembly, chrom, allele.start, allele.end, ref, reverse_complement(ref))
    notes = []
    if ref is not None:
        _check_plus(gene, allele, ref, text)
        unknown = [p for p in range(allele.start + 1, allele.end + 1) if gene.plus_base(assembly, chrom, p) is None]
        if unknown and allele.ref is not None:
            notes.append(f"the {assembly} reference at {chrom}:{unknown[0]}" + (f"-{unknown[-1]}" if len(unknown) > 1 else "")
                         + " is not known to the graph: the REF given was taken as written, not checked")  # fmt: skip
        start, end, ref, alt = trim(allele.start, allele.end, ref, allele.alt)
        if ref == alt:
            raise InputError(f"{text}: REF and ALT are the same ({ref or allele.alt})")
    else:
        start, end, alt = allele.start, allele.end, allele.alt
        notes.append(f"the {assembly} reference bases of {chrom}:{start + 1}-{end} are not given nor known to the graph")
    edges = _edges(start, end)
    first, last = (gene.position_at(assembly, chrom, p) for p in edges)
    if gene.strand == "-":
        first, last = last, first
    if first is None or last is None:
        raise _Outside(gene, assembly, chrom, start, end, ref, alt)
    coding_ref = _coding(gene, ref) if ref is not None else None
    located = _located(gene, first, last, coding_ref, _coding(gene, alt), tuple(notes))
    return _shifted(tables, located, text)


class _Outside(Exception):
    """The change lies in the gene's span but outside the coding exons and the introns between them."""

    def __init__(self, gene, assembly, chrom, start, end, ref, alt) -> None:
        super().__init__(f"{assembly} {chrom}:{start + 1}")
        self.gene, self.assembly, self.chromosome = gene, assembly, chrom
        self.start, self.end, self.ref, self.alt = start, end, ref, alt


def _edges(start: int, end: int) -> tuple[int, int]:
    """The 1-based positions of the first and last replaced base (of the bases either side, for an insertion)."""
    return (start, start + 1) if start == end else (start + 1, end)


def _coding(gene: GeneModel, bases: str) -> str:
    return reverse_complement(bases) if gene.strand == "-" else bases


def _known(gene: GeneModel, assembly: str, chrom: str, start: int, end: int) -> str | None:
    found = [gene.plus_base(assembly, chrom, p) for p in range(start + 1, end + 1)]
    return None if None in found else "".join(found)  # type: ignore[arg-type]


def _check_plus(gene: GeneModel, allele: Allele, ref: str, text: str) -> None:
    for i, given in enumerate(ref):
        position = allele.start + 1 + i
        expected = gene.plus_base(allele.assembly, allele.chromosome, position)
        if expected is not None and given != expected:
            raise InputError(
                f"{text}: the {allele.assembly} reference at {allele.chromosome}:{position} is {expected}, not {given}"
            )


# ---------------------------------------------------------------- from the transcript


def from_transcript(tables: ScopeTables, gene: GeneModel, change: CodingChange) -> Located:
    """A c. change placed on the assemblies (reference bases checked where the graph knows them)."""
    text, first, last = change.text, change.start, change.end
    if (last.utr3, last.base, last.offset) < (first.utr3, first.base, first.offset):
        raise InputError(f"{text!r}: the range c.{first}_{last} runs backwards")
    notes: list[str] = []
    coding = first.coding and last.coding
    length = last.base - first.base + 1 if coding else None
    given = change.ref
    if given and length is not None and change.kind in ("sub", "delins", "del", "dup", "inv") and len(given) != length:
        raise InputError(f"{text}: c.{first}_{last} spans {length} bases but the bases written are {given}")
    if change.length is not None and length is not None and change.length != length:
        raise InputError(f"{text}: c.{first}_{last} spans {length} bases, not {change.length}")
    known = gene.coding_bases(first.base, last.base) if coding else None
    if given and known is not None and change.kind != "ins" and given != known:
        where = f"c.{first}" if first == last else f"c.{first}_{last}"
        raise InputError(f"{text}: the reference at {where} of {gene.transcript} is {known}, not {given}")
    ref, alt = _coding_edit(change, known if known is not None else given, text)
    if change.kind in ("ins", "dup"):
        if change.kind == "ins" and (not coding or last.base != first.base + 1):
            raise InputError(f"{text}: an insertion goes between two neighbouring bases (c.{first.base}_{first.base + 1}ins)")
        if not coding:
            raise InputError(f"{text}: cptkg places duplications of coding bases only")
        at = first.base if change.kind == "ins" else last.base
        located = Located(gene, CPos(at), CPos(at + 1), "", alt, at, at)
    else:
        if known is None and coding:
            notes.append(_unknown_bases(gene, first.base, last.base))
        if ref is not None and ref == alt:
            raise InputError(f"{text}: the new base{'s are' if len(alt) > 1 else ' is'} the reference ({ref})")
        located = _located(gene, first, last, ref, alt, tuple(notes))
    return _shifted(tables, located, text)


def _coding_edit(change: CodingChange, ref: str | None, text: str) -> tuple[str | None, str]:
    """(replaced bases, new bases) of a c. edit on the coding strand."""
    kind = change.kind
    if kind in ("sub", "delins"):
        return ref, change.alt or ""
    if kind == "del":
        return ref, ""
    if kind == "ins":
        return "", change.alt or ""
    if kind == "dup":
        if ref is None:
            raise InputError(f"{text}: the duplicated bases are not written nor known to the graph")
        return "", ref  # placed after the duplicated bases by _located
    if kind == "inv":
        if ref is None:
            raise InputError(f"{text}: the inverted bases are not written nor known to the graph")
        return ref, reverse_complement(ref)
    raise InputError(f"{text}: c.{change.change} names no change (the new bases are the reference)")


def _unknown_bases(gene: GeneModel, first: int, last: int) -> str:
    missing = [c for c in range(first, last + 1) if c not in gene.bases]
    where = f"c.{missing[0]}" if len(missing) == 1 else f"c.{missing[0]} to c.{missing[-1]}"
    return (f"the reference base{'s' if len(missing) > 1 else ''} at {where} {'are' if len(missing) > 1 else 'is'} "
            f"not known to the graph (it knows {gene.known_stretches()}): taken as written, not checked")  # fmt: skip


def _located(gene: GeneModel, first: CPos, last: CPos, ref: str | None, alt: str, notes: tuple[str, ...]) -> Located:
    if first.coding and last.coding:
        start, end = first.base - 1, last.base
        if ref == "":
            start = end = first.base  # an insertion: first and last are the bases either side
        return Located(gene, first, last, ref, alt, start, end, notes=notes)
    return Located(gene, first, last, ref, alt, notes=notes)


def _shifted(tables: ScopeTables, located: Located, text: str) -> Located:
    """The change moved to its 3' position on the coding strand (HGVS), then placed on both assemblies."""
    gene, notes = located.gene, list(located.notes)
    if located.start is not None and located.ref is None and not located.alt:
        notes.append("the 3' position of this insertion or deletion could not be checked: the graph does not know "
                     "the deleted bases")  # fmt: skip
    if located.start is not None and located.ref is not None and bool(located.ref) != bool(located.alt):
        moving = located.ref or located.alt
        distance, complete = roll(moving, located.end + 1, +1, lambda c: gene.bases.get(c))
        if not complete:
            notes.append(f"the 3' position of this insertion or deletion could not be checked past c.{located.end + distance}: "
                         "the graph does not know the bases there")  # fmt: skip
        if distance:
            rotated = moving[distance % len(moving):] + moving[: distance % len(moving)]
            start, end = located.start + distance, located.end + distance
            ref, alt = (rotated, "") if located.ref else ("", rotated)
            first, last = (CPos(start), CPos(start + 1)) if start == end else (CPos(start + 1), CPos(end))
            located = Located(gene, first, last, ref, alt, start, end)
    alleles = {b: a for b in BUILDS if (a := _allele_on(tables, located, b)) is not None}
    return Located(gene, located.first, located.last, located.ref, located.alt, located.start, located.end, alleles,
                   tuple(notes))  # fmt: skip


def _allele_on(tables: ScopeTables, located: Located, assembly: str) -> Allele | None:
    gene = located.gene
    if located.start is not None and located.start == located.end:  # insertion between two coding bases
        sides = [gene.genomic(assembly, CPos(located.start)), gene.genomic(assembly, CPos(located.start + 1))]
        if None in sides or abs(sides[0] - sides[1]) != 1:
            return None
        at = min(sides)
        chrom = _chromosome_of(gene, assembly)
        return Allele(assembly, chrom, at, at, "", _coding(gene, located.alt))
    ends = [gene.genomic(assembly, located.first), gene.genomic(assembly, located.last)]
    if None in ends:
        return None
    low, high = min(ends), max(ends)
    ref = _coding(gene, located.ref) if located.ref is not None else None
    if ref is not None and len(ref) != high - low + 1:
        return None  # the span crosses an intron: no single plus-strand allele
    return Allele(assembly, _chromosome_of(gene, assembly), low - 1, high, ref, _coding(gene, located.alt))


def _chromosome_of(gene: GeneModel, assembly: str) -> str:
    return gene.spans[assembly].chromosome if assembly in gene.spans else next(
        e.regions[assembly].chromosome for e in gene.exons if assembly in e.regions
    )

"""What a variant expression says, read without the graph: a parsed-variant value.

:func:`parse` reads the forms a lab writes (HGVS on a transcript or protein, gene plus protein
change, genomic coordinates) into one of three frozen values. Deciding whether a code covers the
variant (:mod:`cptkg.variants.classify`) is a separate step, so the same value serves the variant
command, the claim checks and the VCF reader.

>>> parse("NRAS G12D")
ProteinChange(text='NRAS G12D', accession=None, version=None, gene='NRAS', ref='G', codon=12, alt='D')
>>> parse("NM_002524.5:c.35G>A")
CodingChange(text='NM_002524.5:c.35G>A', accession='NM_002524', version='5', gene=None, change='35G>A')
>>> parse("chr1:114713908:T>C")
GenomicChange(text='chr1:114713908:T>C', chromosome='1', position=114713908, ref='T', alt='C', accession=None)
>>> parse("cancer")
Traceback (most recent call last):
...
cptkg.core.errors.InputError: cannot read 'cancer': expected HGVS (NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp), gene and protein change (NRAS G12D, NRAS Q61) or genomic coordinates (1-114713908-T-C)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import InputError

_RESIDUE = r"(?:[A-Z][a-z]{2}|[A-Z])"
_ACCESSION = r"(?P<accession>(?:[A-Z]{2}_\d+|ENS[TP]\d+))(?:\.(?P<version>\d+))?"
_POSITION = r"[-*]?\d+(?:[-+]\d+)?"
_CODING = re.compile(
    rf"^(?:{_ACCESSION}|(?P<gene>[A-Za-z][A-Za-z0-9-]*))(?:\([A-Za-z0-9-]+\))?[:\s]\s*c\.(?P<change>.+)$"
)
SUBSTITUTION = re.compile(rf"^(?P<start>{_POSITION})(?P<ref>[ACGT])>(?P<alt>[ACGT])$")
DELINS = re.compile(rf"^(?P<start>{_POSITION})(?:_(?P<end>{_POSITION}))?del(?P<ref>[ACGT]*)ins(?P<alt>[ACGT]+)$")
OTHER_CHANGE = re.compile(rf"^(?P<start>{_POSITION})(?:_(?P<end>{_POSITION}))?(?P<kind>del|dup|ins|inv)[ACGT0-9]*$")
_PROTEIN = re.compile(
    rf"^(?:{_ACCESSION}|(?P<gene>[A-Za-z][A-Za-z0-9-]*))?[:\s]?\s*(?:p\.)?\(?(?P<ref>{_RESIDUE})(?P<codon>\d+)"
    rf"(?P<alt>{_RESIDUE}|\*|=)?\)?$"
)
_GENOMIC = re.compile(
    r"^(?:chr)?(?P<chrom>[0-9]{1,2}|X|Y|MT?)[-:\s](?P<pos>\d+)[-:\s](?P<ref>[ACGTN]+)[-:>/](?P<alt>[ACGTN]+)$",
    re.IGNORECASE,
)
_GENOMIC_HGVS = re.compile(
    r"^(?:(?P<accession>NC_\d+\.\d+)|(?:chr)?(?P<chrom>[0-9]{1,2}|X|Y|MT?)):g\.(?P<pos>\d+)(?P<ref>[ACGT])>(?P<alt>[ACGT])$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GenomicChange:
    """Bases changed at a chromosome position (plus strand); ``accession`` when a RefSeq chromosome names it."""

    text: str
    chromosome: str
    position: int
    ref: str
    alt: str
    accession: str | None = None


@dataclass(frozen=True)
class CodingChange:
    """A change written on a transcript (``c.``): the reference named by accession or gene, the change as written."""

    text: str
    accession: str | None
    version: str | None
    gene: str | None
    change: str


@dataclass(frozen=True)
class ProteinChange:
    """A residue change at a codon (``alt`` None: any change there; ``=``: synonymous)."""

    text: str
    accession: str | None
    version: str | None
    gene: str | None
    ref: str
    codon: int
    alt: str | None


ParsedVariant = GenomicChange | CodingChange | ProteinChange


def parse(expression: str) -> ParsedVariant:
    """The parsed value of a variant expression, or an :class:`~cptkg.InputError` that says what is expected."""
    text = " ".join(str(expression).split())
    if not text:
        raise InputError("empty variant expression")
    if match := _GENOMIC.match(text):
        return GenomicChange(text, match["chrom"], int(match["pos"]), match["ref"].upper(), match["alt"].upper())
    if match := _GENOMIC_HGVS.match(text):
        return GenomicChange(
            text, match["chrom"] or "", int(match["pos"]), match["ref"].upper(), match["alt"].upper(), match["accession"]
        )
    if match := _CODING.match(text):
        return CodingChange(text, match["accession"], match["version"], _gene(match), match["change"])
    if match := _PROTEIN.match(text):
        if not (match["accession"] or match["gene"] or text.lower().startswith("p.")):
            raise InputError(f"cannot read {text!r}: name the gene or the protein, such as NRAS G12D")
        return ProteinChange(
            text, match["accession"], match["version"], _gene(match), match["ref"], int(match["codon"]), match["alt"]
        )
    raise InputError(
        f"cannot read {text!r}: expected HGVS (NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp), "
        "gene and protein change (NRAS G12D, NRAS Q61) or genomic coordinates (1-114713908-T-C)"
    )


def _gene(match: re.Match) -> str | None:
    return match["gene"].upper() if match["gene"] else None


def cds_number(text: str) -> tuple[int, int]:
    """A c. position as (number, intron offset); UTR positions (c.-5, c.*5) raise ValueError.

    >>> cds_number("35"), cds_number("111+2")
    ((35, 0), (111, 2))
    """
    match = re.fullmatch(r"(\d+)([-+]\d+)?", text)
    if not match:
        raise ValueError(text)
    return int(match[1]), int(match[2] or 0)

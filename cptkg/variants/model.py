"""What a variant expression says, read without the graph: a parsed-variant value.

:func:`cptkg.variants.reading.parse` reads the forms labs, databases and pipelines write into one
of four frozen values; deciding whether a code covers the variant (:mod:`cptkg.variants.classify`)
is a separate step, so the same value serves the variant command, the claim checks and the VCF reader.

=====================================================  =================================================
form                                                   value
=====================================================  =================================================
``NM_002524.5:c.35G>A``, ``NRAS c.35G>A``, ClinVar     :class:`CodingChange` (HGVS c.; a title's or
titles ``NM_002524.5(NRAS):c.35G>A (p.Gly12Asp)``       report's protein part is kept to be checked)
``NP_002515.1:p.Gly12Asp``, ``NRAS G12D``,             :class:`ProteinChange` (``Q61``/``Q61X``: any
``NRAS p.(Gly12Asp)``, ``NRAS G12D (c.35G>A)``,        change at codon 61)
``nras g12d``, ``NRAS Q61X``
``1-114713908-T-C``, ``chr1:114713908:T>C``,           :class:`GenomicChange` (interbase start and end,
``NC_000001.10:g.115258747C>T``, SPDI                  plus-strand bases)
``NC_000001.11:114716125:C:T``
``rs121913237``                                        :class:`RsChange`
=====================================================  =================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CPos:
    """A c. position: ``base`` with an intron ``offset``; ``utr3`` for ``c.*N`` (``base`` counts from the stop).

    >>> str(CPos(111, 2)), str(CPos(-5)), str(CPos(5, utr3=True))
    ('111+2', '-5', '*5')
    """

    base: int
    offset: int = 0
    utr3: bool = False

    def __str__(self) -> str:
        text = f"*{self.base}" if self.utr3 else str(self.base)
        return text + (f"{self.offset:+d}" if self.offset else "")

    @property
    def coding(self) -> bool:
        """A base of the coding sequence itself (not intronic, not untranslated)."""
        return not self.offset and not self.utr3 and self.base >= 1


@dataclass(frozen=True)
class GenomicChange:
    """Bases replaced on a chromosome's plus strand: interbase ``start``-``end``, ``ref`` (None: not given)."""

    text: str
    chromosome: str
    start: int
    end: int
    ref: str | None
    alt: str
    accession: str | None = None

    @property
    def position(self) -> int:
        """The first replaced base, 1-based (as VCF's POS)."""
        return self.start + 1


@dataclass(frozen=True)
class CodingChange:
    """A change written on a transcript (``c.``).

    ``kind`` is the HGVS edit (sub, delins, del, ins, dup, inv, ident, copy); ``ref`` is None when
    not written, ``length`` the deleted length when written as a number; ``companion`` is a
    protein change written beside it (a ClinVar title's ``(p.Gly12Asp)``), to be checked.
    """

    text: str
    accession: str | None
    version: str | None
    gene: str | None
    change: str
    start: CPos
    end: CPos
    kind: str
    ref: str | None = None
    alt: str | None = None
    length: int | None = None
    companion: str | None = None


@dataclass(frozen=True)
class ProteinChange:
    """A change at a residue (``kind`` sub, any, syn, del, dup, ins, delins, fs, ext).

    ``alt`` is None for ``any`` (``NRAS Q61``, ``Q61X``, ``Gln61?``); residues are one-letter codes,
    ``*`` for a stop; ``written_alt`` keeps what the text wrote, for the answer to say how it read it.
    """

    text: str
    accession: str | None
    version: str | None
    gene: str | None
    kind: str
    ref: str
    codon: int
    alt: str | None
    end_ref: str | None = None
    end_codon: int | None = None
    written_alt: str | None = None
    companion: str | None = None


@dataclass(frozen=True)
class RsChange:
    """A dbSNP reference SNP: the site, with every allele the graph knows there."""

    text: str
    rs: str


ParsedVariant = GenomicChange | CodingChange | ProteinChange | RsChange

def cds_number(text: str) -> CPos:
    """A c. position as written (``35``, ``111+2``, ``-5``, ``*5``).

    >>> cds_number("111+2"), cds_number("*5")
    (CPos(base=111, offset=2, utr3=False), CPos(base=5, offset=0, utr3=True))
    """
    match = re.fullmatch(r"(\*)?([-+]?\d+)([-+]\d+)?", text)
    if not match:
        raise ValueError(text)
    return CPos(int(match[2]), int(match[3] or 0), bool(match[1]))

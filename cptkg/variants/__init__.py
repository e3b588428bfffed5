"""Variant scope: is a variant one that a billing code covers, and what is it called?

A variant comes in as HGVS on the reference transcript (``NM_002524.5:c.35G>A``, also ``.4`` and
the Ensembl transcript), HGVS on the reference protein (``NP_002515.1:p.Gly12Asp`` or ``p.G12D``),
gene-plus-protein shorthand (``NRAS G12D``, ``NRAS p.Q61R``, ``NRAS Q61`` for any change at codon
61) or genomic coordinates on GRCh38 or GRCh37 (``1-114713908-T-C``, ``chr1:114713908:T>C``,
``NC_000001.11:g.114713908T>C``). The answer (:class:`VariantResult`) says whether a code covers
it, with its names on the transcript, the protein and both assemblies, and its identifiers.

Everything the answer needs comes from the graph: the named queries ``codon-positions``,
``hotspots``, ``variant-gaps``, ``genomic-regions``, ``assembly-offsets`` and
``reference-sequences`` are run once per graph and compiled into lookup tables
(:class:`ScopeTables`), so that classifying a record costs a few dictionary look-ups. The protein
change is computed from the reference codon and the new bases with the standard genetic code, so
any substitution at a covered codon is named, hotspot or not.

Out of scope is an answer (``in_scope`` false with the reason); malformed input, or a reference
base that is not the one at that position, raises :class:`~cptkg.core.errors.InputError`.

>>> import cptkg
>>> kg = cptkg.load()
>>> result = kg.variant("1-114713908-T-C")
>>> result.in_scope, result.code, result.hgvs_c, result.hgvs_p, result.hotspot
(True, '81311', 'NM_002524.5:c.182A>G', 'NP_002515.1:p.Gln61Arg', 'Q61R')
>>> result.grch37
'1-115256529-T-C'
>>> kg.variant("NRAS G12D").hgvs_c
'NM_002524.5:c.35G>A'
>>> kg.variant("NM_002524.5:c.33A>G").reason
'c.33 is in codon 11 (exon 2); 81311 covers codons 12, 13 and 61 of NRAS'
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ParameterError
from .classify import BUILDS, Classifier
from .model import CodingChange, GenomicChange, ParsedVariant, ProteinChange, parse
from .result import VariantResult
from .sequence import one_letter, reverse_complement, three_letter, translate
from .tables import ScopeTables, tables
from .vcf import classify_vcf as _classify_vcf

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

__all__ = [
    "BUILDS",
    "Classifier",
    "CodingChange",
    "GenomicChange",
    "ParsedVariant",
    "ProteinChange",
    "ScopeTables",
    "VariantResult",
    "classifier",
    "classify",
    "classify_vcf",
    "one_letter",
    "parse",
    "reverse_complement",
    "tables",
    "three_letter",
    "translate",
]


def classifier(kg: CoreGraph) -> Classifier:
    """A classifier over the graph's lookup tables (compiled once per graph)."""
    return Classifier(tables(kg))


def classify(kg: CoreGraph, expression: str, build: str = "GRCh38") -> VariantResult:
    """Whether a variant is in the scope of a code of the graph, and its names (see the module docstring)."""
    return classifier(kg).classify(expression, build=build)


def classify_vcf(
    kg: CoreGraph, path: str | Path, build: str = "GRCh38", progress: bool | None = False
) -> Iterator[VariantResult]:
    """Stream one :class:`VariantResult` per ALT allele of each record of a VCF file (plain or gzipped)."""
    if build not in BUILDS:
        raise ParameterError(f"unknown build {build!r}; expected one of {', '.join(BUILDS)}")
    return _classify_vcf(classifier(kg), path, build=build, progress=progress)

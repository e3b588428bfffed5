"""Variant scope: is a variant one that a billing code covers, and what is it called?

A variant comes in as HGVS on the reference transcript (``NM_002524.5:c.35G>A``, also ``.4`` and
the Ensembl transcript, ClinVar titles ``NM_002524.5(NRAS):c.35G>A (p.Gly12Asp)``), HGVS on the
reference protein (``NP_002515.1:p.Gly12Asp``), gene-plus-protein forms (``NRAS G12D``,
``NRAS p.(Gly12Asp)``, ``NRAS G12D (c.35G>A)``, ``nras g12d``, ``NRAS Q61`` or ``NRAS Q61X`` for
any change at codon 61), genomic coordinates on GRCh38 or GRCh37 (``1-114713908-T-C``,
``NC_000001.10:g.115258747C>T``, SPDI ``NC_000001.11:114716125:C:T``) or a dbSNP rs number. The
answer (:class:`VariantResult`) says whether a code covers it and why, with its names on the
transcript, the protein and both assemblies, its identifiers and GA4GH VRS identifiers, and what
the graph could not compute. A VCF file gives one answer per ALT allele (:func:`classify_vcf`).

Everything the answer needs comes from the graph (the named queries of ``queries/variants/``,
compiled once per graph into :class:`ScopeTables`). Out of scope is an answer (``in_scope`` false
with the reason); malformed input, or a reference base that is not the one at that position,
raises :class:`~cptkg.core.errors.InputError`.

>>> import cptkg
>>> kg = cptkg.load()
>>> result = kg.variant("1-114713908-T-C")
>>> result.in_scope, result.code, result.hgvs_c, result.hgvs_p, result.hotspot
(True, '81311', 'NM_002524.5:c.182A>G', 'NP_002515.1:p.Gln61Arg', 'Q61R')
>>> result.grch37, result.names["spdi"]["GRCh38"]
('1-115256529-T-C', 'NC_000001.11:114713907:T:C')
>>> kg.variant("NRAS G12D").hgvs_c
'NM_002524.5:c.35G>A'
>>> answer = kg.variant("NRAS A59T")
>>> answer.in_scope, answer.hotspot, answer.hgvs_c
(True, None, 'NM_002524.5:c.175G>A')
>>> kg.variant("NRAS A146T").reason
'c.436G>A changes codon 146 (GCC>ACC, Ala>Thr) in exon 4; 81311 analyses exons 2 and 3 (c.1-290) of NRAS'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .classify import BUILDS, Classifier
from .model import CodingChange, CPos, GenomicChange, ParsedVariant, ProteinChange, RsChange
from .reading import parse
from .result import VariantResult
from .sequence import one_letter, reverse_complement, three_letter, translate
from .tables import ScopeTables, tables

if TYPE_CHECKING:
    from ..core.graph import CoreGraph
    from .vcf import VcfCall, VcfRun

__all__ = [
    "BUILDS",
    "CPos",
    "Classifier",
    "CodingChange",
    "GenomicChange",
    "ParsedVariant",
    "ProteinChange",
    "RsChange",
    "ScopeTables",
    "VariantResult",
    "VcfCall",
    "VcfRun",
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


def __getattr__(name: str):
    """The VCF classes, imported on first use (the command line starts without the VCF readers)."""
    if name in ("VcfCall", "VcfRun"):
        from . import vcf

        return getattr(vcf, name)
    raise AttributeError(name)


def classify_vcf(kg: CoreGraph, path: str | Path, build: str | None = None, **options) -> VcfRun:
    """The calls of a VCF file, one per ALT allele of each record that concerns an analysed gene.

    ``build`` overrides the header's (None: the header's, else GRCh38 assumed and said);
    ``samples``, ``pass_only``, ``all_records`` and ``reader`` as :func:`cptkg.variants.vcf.classify_vcf`.
    """
    from .vcf import classify_vcf as classify_vcf_with

    return classify_vcf_with(classifier(kg), path, build, **options)

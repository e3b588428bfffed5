"""What the graph knows about the genes its codes analyse, compiled once into lookup tables.

Everything comes from the named queries of ``queries/variants/`` (``codon-positions``,
``reference-sequences``, ``genomic-regions``, ``hotspots``, ``variant-gaps``, ``assembly-offsets``).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.graph import CoreGraph


@dataclass(frozen=True)
class Codon:
    number: int
    exon: int
    reference_codon: str  # coding strand
    code: str


@dataclass(frozen=True)
class Region:
    """A stretch of one assembly: the transcript's span, or an exon's coding part (with its c. range)."""

    assembly: str
    chromosome: str
    low: int
    high: int
    strand: str
    exon: int | None = None
    cds_start: int | None = None
    cds_end: int | None = None

    def __contains__(self, position: int) -> bool:
        return self.low <= position <= self.high

    def cds_of(self, position: int) -> int:
        """The c. position of a genomic position inside this coding region."""
        assert self.cds_start is not None
        return self.cds_start + (self.high - position if self.strand == "-" else position - self.low)

    def genomic_of(self, cds: int) -> int:
        """The genomic position of a coding position inside the region (counted down on the minus strand)."""
        assert self.cds_start is not None
        return self.high - (cds - self.cds_start) if self.strand == "-" else self.low + (cds - self.cds_start)


@dataclass(frozen=True)
class Hotspot:
    name: str
    hgvs_p: str
    identifiers: dict[str, str]


@dataclass
class GeneModel:
    """What the graph knows about one gene a code analyses, compiled for look-ups."""

    symbol: str
    codes: list[str] = field(default_factory=list)
    transcript: str | None = None  # the RefSeq accession HGVS names are written on
    transcripts: set[str] = field(default_factory=set)  # every accepted accession, with version
    protein: str | None = None
    proteins: set[str] = field(default_factory=set)
    protein_sequence: str | None = None
    strand: str = "+"
    codons: dict[int, Codon] = field(default_factory=dict)
    #: c. position -> coding-strand reference base, for the bases of covered codons
    coding_bases: dict[int, str] = field(default_factory=dict)
    #: assembly -> c. position -> (chromosome, position, plus-strand base)
    positions: dict[str, dict[int, tuple[str, int, str]]] = field(default_factory=dict)
    spans: dict[str, Region] = field(default_factory=dict)
    exons: dict[str, list[Region]] = field(default_factory=dict)
    #: (c. position, coding-strand ref, coding-strand alt) -> hotspot
    hotspots: dict[tuple[int, str, str], Hotspot] = field(default_factory=dict)
    #: HGVS c. expression -> data gap labels
    gaps: dict[str, list[str]] = field(default_factory=dict)

    def covered_codons_text(self) -> str:
        """The codes and the codons of the gene they cover, as a phrase ("81311 covers codons 12, 13 and 61 of NRAS")."""
        numbers = sorted(self.codons)
        listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        return f"{' and '.join(self.codes)} covers codon{'s' if len(numbers) > 1 else ''} {listed} of {self.symbol}"

    def exon_of_cds(self, cds: int) -> int | None:
        """The number of the exon that holds a coding position, or None when no exon of the graph does."""
        for regions in self.exons.values():
            for region in regions:
                if region.cds_start is not None and region.cds_start <= cds <= region.cds_end:
                    return region.exon
        return None


class ScopeTables:
    """Lookup tables compiled once from a graph by the named queries (see the module docstring)."""

    def __init__(self, kg: CoreGraph) -> None:
        self.genes: dict[str, GeneModel] = {}
        #: upper-case transcript or protein accession (without version) -> gene
        self.accessions: dict[str, GeneModel] = {}
        #: (assembly, chromosome, position) -> (gene, c. position) for the bases of covered codons
        self.sites: dict[tuple[str, str, int], tuple[GeneModel, int]] = {}
        #: (source assembly, target assembly) -> (offset, chromosome, low, high on the target)
        self.offsets: dict[tuple[str, str], tuple[int, str, int, int]] = {}
        #: RefSeq chromosome accession -> (assembly, chromosome)
        self.sequences: dict[str, tuple[str, str]] = {}
        self._compile(kg)

    def gene(self, symbol: str) -> GeneModel:
        """The model of a gene, made empty on first mention."""
        return self.genes.setdefault(symbol, GeneModel(symbol))

    def _compile(self, kg: CoreGraph) -> None:
        for row in kg.query("codon-positions").records():
            gene = self.gene(row["gene_symbol"])
            if row["code"] not in gene.codes:
                gene.codes.append(row["code"])
            gene.transcript = row["transcript_refseq"]
            gene.protein = row["protein_refseq"]
            gene.strand = row["strand"]
            gene.codons[row["codon_number"]] = Codon(
                row["codon_number"], row["exon_number"], row["reference_codon"], row["code"]
            )
            gene.coding_bases[row["cds_position"]] = row["coding_base"]
            site = (row["chromosome"], row["position"], row["plus_strand_base"])
            gene.positions.setdefault(row["assembly"], {})[row["cds_position"]] = site
            self.sites[(row["assembly"], row["chromosome"], row["position"])] = (gene, row["cds_position"])
        for row in kg.query("reference-sequences").records():
            gene = self.gene(row["gene_symbol"])
            gene.transcripts.add(row["transcript_accession"])
            gene.proteins.update(p for p in (row["protein_refseq"], row["protein_ensembl"]) if p)
            gene.protein_sequence = row["protein_sequence"] or gene.protein_sequence
            if row["sequence_accession"]:
                self.sequences[row["sequence_accession"].upper()] = (row["assembly"], row["chromosome"])
        for gene in self.genes.values():
            for accession in gene.transcripts | gene.proteins:
                self.accessions[accession.split(".")[0].upper()] = gene
        for row in kg.query("genomic-regions").records():
            gene = self.gene(row["gene_symbol"])
            low, high = sorted((row["begin"], row["end"]))
            region = Region(row["assembly"], row["chromosome"], low, high, row["strand"],
                            row["exon_number"], row["cds_start"], row["cds_end"])  # fmt: skip
            if row["exon_number"] is None:
                gene.spans[row["assembly"]] = region
            else:
                gene.exons.setdefault(row["assembly"], []).append(region)
        for regions in (r for gene in self.genes.values() for r in gene.exons.values()):
            regions.sort(key=lambda region: region.cds_start)
        for row in kg.query("hotspots").records():
            gene = self.gene(row["gene_symbol"])
            change = re.fullmatch(r".*:c\.(\d+)([ACGT])>([ACGT])", row["hgvs_c"])
            if change is None:  # only single-base hotspots are looked up by their change
                continue
            key = (int(change[1]), change[2], change[3])
            if key not in gene.hotspots:
                identifiers = {
                    "dbSNP": _local(row["dbsnp"]), "ClinVar": _local(row["clinvar"]), "ClinGen": row["clingen"],
                    "COSMIC": row["cosmic"], "COSMIC genomic": row["cosmic_genomic"],
                }  # fmt: skip
                gene.hotspots[key] = Hotspot(
                    row["hotspot"], row["hgvs_p"], {k: v for k, v in identifiers.items() if v is not None}
                )
        for row in kg.query("variant-gaps").records():
            for gene in self.genes.values():
                if row["hgvs_c"].split(":")[0] in gene.transcripts:
                    labels = gene.gaps.setdefault(_on_transcript(row["hgvs_c"], gene), [])
                    if row["label"] not in labels:
                        labels.append(row["label"])
        for row in kg.query("assembly-offsets").records():
            low, high = sorted((row["valid_begin"], row["valid_end"]))
            self.offsets[(row["source_assembly"], row["target_assembly"])] = (
                row["offset_value"],
                row["chromosome"],
                low,
                high,
            )

    def lift(self, chromosome: str, position: int, source: str, target: str) -> int | None:
        """The position on another assembly, where an offset of the graph holds; None elsewhere."""
        if source == target:
            return position
        if (source, target) in self.offsets:
            offset, chrom, low, high = self.offsets[(source, target)]
            moved = position + offset
            return moved if chrom == chromosome and low <= moved <= high else None
        if (target, source) in self.offsets:
            offset, chrom, low, high = self.offsets[(target, source)]
            return position - offset if chrom == chromosome and low <= position <= high else None
        return None


def _local(curie: str | None) -> str | None:
    return curie.split(":", 1)[1] if curie else None


def _on_transcript(hgvs: str, gene: GeneModel) -> str:
    """The HGVS expression written on the gene's reference transcript accession."""
    return f"{gene.transcript}:{hgvs.split(':', 1)[1]}"


_TABLES: weakref.WeakKeyDictionary[Any, ScopeTables] = weakref.WeakKeyDictionary()


def tables(kg: CoreGraph) -> ScopeTables:
    """The lookup tables of a graph, compiled on first use and kept as long as the graph lives."""
    if kg not in _TABLES:
        _TABLES[kg] = ScopeTables(kg)
    return _TABLES[kg]

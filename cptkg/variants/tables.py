"""What the graph knows about the genes its codes analyse, compiled once into lookup tables.

Everything comes from the named queries of ``queries/variants/``: ``exon-coding-regions`` (where
each exon's coding part lies, and which codes cover it, whole or by listed codons),
``codon-positions``, ``coding-sequence`` (the bases the graph knows), ``reference-sequences``,
``genomic-regions`` (the transcript's span), ``chromosome-sequences`` (names, lengths and refget
accessions of chromosomes), ``hotspots``, ``variant-gaps`` and ``assembly-offsets``.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import CPos
from .sequence import reverse_complement

if TYPE_CHECKING:
    from ..core.graph import CoreGraph


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
class Exon:
    number: int
    cds_start: int
    cds_end: int
    regions: Mapping[str, Region]

    def __contains__(self, cds: int) -> bool:
        return self.cds_start <= cds <= self.cds_end


@dataclass(frozen=True)
class Scope:
    """What one code analyses in one gene: the coding bases of whole exons, or listed codons only."""

    code: str
    whole_exons: bool
    exons: frozenset[int]
    codons: frozenset[int]


@dataclass(frozen=True)
class Hotspot:
    name: str
    hgvs_c: str
    hgvs_p: str
    identifiers: Mapping[str, str]


@dataclass(frozen=True)
class Chromosome:
    assembly: str
    name: str
    refseq: str | None
    genbank: str | None
    length: int | None
    refget: str | None


@dataclass
class GeneModel:
    """What the graph knows about one gene a code analyses, compiled for look-ups."""

    symbol: str
    transcript: str | None = None  # the RefSeq accession HGVS names are written on
    transcripts: set[str] = field(default_factory=set)  # every accepted accession, with version
    protein: str | None = None
    proteins: set[str] = field(default_factory=set)
    protein_sequence: str | None = None
    strand: str = "+"
    transcript_refget: str | None = None
    cds_offset: int | None = None
    exons: list[Exon] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    #: c. position -> coding-strand reference base, for every base the graph knows
    bases: dict[int, str] = field(default_factory=dict)
    spans: dict[str, Region] = field(default_factory=dict)
    #: (c. position, coding-strand ref, coding-strand alt) -> hotspot
    hotspots: dict[tuple[int, str, str], Hotspot] = field(default_factory=dict)
    #: dbSNP rs -> the single-base hotspot keys at its site
    rs: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    #: HGVS c. expression -> data gap labels
    gaps: dict[str, list[str]] = field(default_factory=dict)
    #: another transcript version with the same c. numbering -> the records that say so
    same_numbering: dict[str, list[str]] = field(default_factory=dict)

    # ---------------------------------------------------------------- scope

    def codes_for(self, cds: int) -> list[str]:
        """The codes whose scope holds the coding base c.``cds``."""
        exon = self.exon_at(cds)
        codon = (cds - 1) // 3 + 1
        return [s.code for s in self.scopes
                if (s.whole_exons and exon is not None and exon.number in s.exons) or codon in s.codons]  # fmt: skip

    def scope_text(self) -> str:
        """What the codes analyse in this gene, in words: ``81311 analyses exons 2 and 3 (c.1-290)``."""
        parts = []
        for scope in self.scopes:
            if scope.whole_exons and scope.exons:
                exons = [e for e in self.exons if e.number in scope.exons]
                ranges = _join([f"c.{e.cds_start}-{e.cds_end}" for e in _merged(exons)])
                what = f"exon{'s' if len(exons) > 1 else ''} {_join([str(e.number) for e in exons])} ({ranges})"
            else:
                numbers = sorted(scope.codons)
                what = f"codon{'s' if len(numbers) > 1 else ''} {_join([str(n) for n in numbers])}"
            parts.append(f"{scope.code} analyses {what} of {self.symbol}")
        return "; ".join(parts) or f"no code analyses {self.symbol}"

    def hotspot_codons(self) -> list[int]:
        """The codons the graph's hotspot variants are at."""
        return sorted({(cds - 1) // 3 + 1 for cds, _, _ in self.hotspots})

    # ---------------------------------------------------------------- coordinates

    def exon_at(self, cds: int) -> Exon | None:
        """The exon whose coding part holds c.``cds``, or None."""
        return next((exon for exon in self.exons if cds in exon), None)

    def genomic(self, assembly: str, position: CPos) -> int | None:
        """The genomic position of a c. position (coding, or intronic next to a coding exon edge)."""
        if position.utr3 or position.base < 1:
            return None
        exon = self.exon_at(position.base)
        region = exon.regions.get(assembly) if exon else None
        if region is None:
            return None
        if position.offset and position.base not in (exon.cds_start, exon.cds_end):
            return None  # an offset counts from an exon's edge
        at = region.genomic_of(position.base)
        return at + (-position.offset if region.strand == "-" else position.offset)

    def position_at(self, assembly: str, chromosome: str, position: int) -> CPos | None:
        """The c. position of a genomic position: in a coding exon part, or in the intron between two."""
        regions = [e.regions[assembly] for e in self.exons if assembly in e.regions]
        for region in regions:
            if region.chromosome == chromosome and position in region:
                return CPos(region.cds_of(position))
        for before, after in itertools.pairwise(regions):
            if before.cds_end + 1 != after.cds_start or before.chromosome != chromosome:
                continue
            edge_before, edge_after = before.genomic_of(before.cds_end), after.genomic_of(after.cds_start)
            if min(edge_before, edge_after) < position < max(edge_before, edge_after):
                from_before, from_after = abs(position - edge_before), abs(edge_after - position)
                if from_before <= from_after:
                    return CPos(before.cds_end, from_before)
                return CPos(after.cds_start, -from_after)
        return None

    def plus_base(self, assembly: str, chromosome: str, position: int) -> str | None:
        """The plus-strand reference base at a genomic position, where the graph knows it."""
        at = self.position_at(assembly, chromosome, position)
        if at is None or not at.coding or at.base not in self.bases:
            return None
        base = self.bases[at.base]
        return reverse_complement(base) if self.strand == "-" else base

    def coding_bases(self, first: int, last: int) -> str | None:
        """The coding-strand bases c.``first`` to c.``last``, or None if the graph lacks any of them."""
        found = [self.bases.get(c) for c in range(first, last + 1)]
        return None if None in found else "".join(found)

    def known_stretches(self) -> str:
        """The c. ranges whose bases the graph knows, in words: ``c.4-65, c.151-212``."""
        runs, start, previous = [], None, None
        for cds in sorted(self.bases):
            if previous is None or cds != previous + 1:
                if start is not None:
                    runs.append((start, previous))
                start = cds
            previous = cds
        if start is not None:
            runs.append((start, previous))
        return _join([f"c.{a}-{b}" if a != b else f"c.{a}" for a, b in runs])


def _merged(exons: list[Exon]) -> list[Exon]:
    """Exons whose coding ranges meet, merged into one range each."""
    merged: list[Exon] = []
    for exon in exons:
        if merged and merged[-1].cds_end + 1 == exon.cds_start:
            merged[-1] = Exon(merged[-1].number, merged[-1].cds_start, exon.cds_end, {})
        else:
            merged.append(exon)
    return merged


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


class ScopeTables:
    """Lookup tables compiled once from a graph by the named queries (see the module docstring)."""

    def __init__(self, kg: CoreGraph) -> None:
        self.genes: dict[str, GeneModel] = {}
        #: upper-case transcript or protein accession (without version) -> gene
        self.accessions: dict[str, GeneModel] = {}
        #: upper-case chromosome accession (RefSeq or GenBank) -> (assembly, chromosome)
        self.sequences: dict[str, tuple[str, str]] = {}
        #: assembly -> chromosome name -> chromosome
        self.chromosomes: dict[str, dict[str, Chromosome]] = {}
        #: upper-case contig name a VCF may use -> (chromosome, assembly it implies or None)
        self.contigs: dict[str, tuple[str, str | None]] = {}
        #: lower-case assembly name -> assembly (hg19 -> GRCh37)
        self.aliases: dict[str, str] = {}
        #: (chromosome, length) -> assembly
        self.lengths: dict[tuple[str, int], str] = {}
        #: (source assembly, target assembly) -> (offset, chromosome, low, high on the target)
        self.offsets: dict[tuple[str, str], tuple[int, str, int, int]] = {}
        self._compile(kg)

    def gene(self, symbol: str) -> GeneModel:
        """The model of a gene, made empty on first mention."""
        return self.genes.setdefault(symbol, GeneModel(symbol))

    def _compile(self, kg: CoreGraph) -> None:
        self._exons(kg.query("exon-coding-regions").records())
        self._codons(kg.query("codon-positions").records())
        for row in kg.query("coding-sequence").records():
            self.gene(row["gene_symbol"]).bases.update(
                {row["cds_start"] + i: base for i, base in enumerate(row["sequence"])}
            )
        self._references(kg.query("reference-sequences").records())
        for row in kg.query("genomic-regions").records():
            if row["exon_number"] is None:
                low, high = sorted((row["begin"], row["end"]))
                region = Region(row["assembly"], row["chromosome"], low, high, row["strand"])
                self.gene(row["gene_symbol"]).spans[row["assembly"]] = region
        self._chromosomes(kg.query("chromosome-sequences").records())
        self._hotspots(kg.query("hotspots").records())
        self._gaps(kg.query("variant-gaps").records())
        for row in kg.query("same-numbering").records():
            self.gene(row["gene_symbol"]).same_numbering.setdefault(row["accession"], []).append(row["source"])
        for row in kg.query("assembly-offsets").records():
            low, high = sorted((row["valid_begin"], row["valid_end"]))
            key = (row["source_assembly"], row["target_assembly"])
            self.offsets[key] = (row["offset_value"], row["chromosome"], low, high)

    def _exons(self, rows: list[dict[str, Any]]) -> None:
        regions: dict[tuple[str, int], dict[str, Region]] = {}
        ranges: dict[tuple[str, int], tuple[int, int]] = {}
        scopes: dict[tuple[str, str], tuple[bool, set[int]]] = {}
        for row in rows:
            symbol, number = row["gene_symbol"], row["exon_number"]
            gene = self.gene(symbol)
            gene.transcript, gene.strand = row["transcript_refseq"], row["strand"]
            low, high = sorted((row["begin"], row["end"]))
            regions.setdefault((symbol, number), {})[row["assembly"]] = Region(
                row["assembly"], row["chromosome"], low, high, row["strand"], number, row["cds_start"], row["cds_end"]
            )
            ranges[(symbol, number)] = (row["cds_start"], row["cds_end"])
            if row["covering_code"]:
                whole, exons = scopes.setdefault((symbol, row["covering_code"]), (bool(row["whole_exons"]), set()))
                exons.add(number)
        for (symbol, number), (start, end) in sorted(ranges.items(), key=lambda item: (item[0][0], item[1][0])):
            self.gene(symbol).exons.append(Exon(number, start, end, regions[(symbol, number)]))
        for (symbol, code), (whole, exons) in scopes.items():
            self.gene(symbol).scopes.append(Scope(code, whole, frozenset(exons), frozenset()))

    def _codons(self, rows: list[dict[str, Any]]) -> None:
        """The listed codons of each code (its scope when it does not analyse whole exons), and their bases."""
        listed: dict[tuple[str, str], set[int]] = {}
        for row in rows:
            gene = self.gene(row["gene_symbol"])
            gene.transcript, gene.protein = row["transcript_refseq"], row["protein_refseq"]
            gene.bases[row["cds_position"]] = row["coding_base"]
            listed.setdefault((row["gene_symbol"], row["code"]), set()).add(row["codon_number"])
        for (symbol, code), codons in listed.items():
            gene = self.gene(symbol)
            existing = next((s for s in gene.scopes if s.code == code), None)
            if existing is not None:
                gene.scopes.remove(existing)
            whole = existing.whole_exons if existing else False
            exons = existing.exons if existing else frozenset()
            gene.scopes.append(Scope(code, whole, exons, frozenset(codons)))
        for gene in self.genes.values():
            gene.scopes.sort(key=lambda scope: scope.code)

    def _references(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.gene(row["gene_symbol"])
            gene.transcripts.add(row["transcript_accession"])
            gene.proteins.update(p for p in (row["protein_refseq"], row["protein_ensembl"]) if p)
            gene.protein = gene.protein or row["protein_refseq"]
            gene.protein_sequence = row["protein_sequence"] or gene.protein_sequence
            gene.transcript_refget = row["transcript_refget"] or gene.transcript_refget
            if row["cds_interbase_offset"] is not None:
                gene.cds_offset = row["cds_interbase_offset"]
        for gene in self.genes.values():
            for accession in gene.transcripts | gene.proteins:
                self.accessions[accession.split(".")[0].upper()] = gene

    def _chromosomes(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            assembly, name = row["assembly"], row["chromosome"]
            chromosome = Chromosome(assembly, name, row["refseq_accession"], row["genbank_accession"], row["length"],
                                    row["refget_accession"])  # fmt: skip
            self.chromosomes.setdefault(assembly, {})[name] = chromosome
            self.contigs.setdefault(name.upper(), (name, None))
            self.contigs.setdefault(f"CHR{name.upper()}", (name, None))
            for accession in (chromosome.refseq, chromosome.genbank):
                if accession:
                    self.sequences[accession.upper()] = (assembly, name)
                    self.contigs[accession.upper()] = (name, assembly)
            if chromosome.length:
                self.lengths[(name, chromosome.length)] = assembly
            if row["alias"]:
                self.aliases[row["alias"].lower()] = assembly

    def _hotspots(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.gene(row["gene_symbol"])
            change = re.fullmatch(r".*:c\.(\d+)([ACGT])>([ACGT])", row["hgvs_c"])
            if change is None:  # only single-base hotspots are looked up by their change
                continue
            key = (int(change[1]), change[2], change[3])
            if key in gene.hotspots:
                continue
            identifiers = {
                "dbSNP": _local(row["dbsnp"]), "ClinVar": _local(row["clinvar"]), "ClinGen": row["clingen"],
                "COSMIC": row["cosmic"], "COSMIC genomic": row["cosmic_genomic"],
            }  # fmt: skip
            gene.hotspots[key] = Hotspot(row["hotspot"], row["hgvs_c"], row["hgvs_p"],
                                         {k: v for k, v in identifiers.items() if v is not None})  # fmt: skip
            if identifiers["dbSNP"]:
                gene.rs.setdefault(identifiers["dbSNP"].lower(), []).append(key)

    def _gaps(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for gene in self.genes.values():
                if row["hgvs_c"].split(":")[0] in gene.transcripts:
                    labels = gene.gaps.setdefault(f"{gene.transcript}:{row['hgvs_c'].split(':', 1)[1]}", [])
                    if row["label"] not in labels:
                        labels.append(row["label"])

    # ---------------------------------------------------------------- look-ups

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

    def gene_at(self, assembly: str, chromosome: str, low: int, high: int) -> GeneModel | None:
        """The gene whose transcript span overlaps the positions ``low``-``high`` (1-based) on an assembly."""
        for gene in self.genes.values():
            span = gene.spans.get(assembly)
            if span is not None and span.chromosome == chromosome and low <= span.high and high >= span.low:
                return gene
        return None

    def assembly_of_alias(self, text: str) -> set[str]:
        """The assemblies a header value names (``GRCh37.p13``, ``hg19``, ``.../b37/b37.fasta``): a patch
        suffix (``.p13``) belongs to its assembly; names count between non-alphanumeric characters."""
        lowered = text.lower()
        found = set()
        for alias, assembly in self.aliases.items():
            if re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?:\.p\d+)?(?![a-z0-9])", lowered):
                found.add(assembly)
        return found


def _local(curie: str | None) -> str | None:
    return curie.split(":", 1)[1] if curie else None


_TABLES: weakref.WeakKeyDictionary[Any, ScopeTables] = weakref.WeakKeyDictionary()


def tables(kg: CoreGraph) -> ScopeTables:
    """The lookup tables of a graph, compiled on first use and kept as long as the graph lives."""
    if kg not in _TABLES:
        _TABLES[kg] = ScopeTables(kg)
    return _TABLES[kg]

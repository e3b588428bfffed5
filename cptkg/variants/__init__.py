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

import gzip
import itertools
import json
import re
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, ParameterError

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

#: The genome assemblies coordinates may be given on.
BUILDS = ("GRCh38", "GRCh37")

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def reverse_complement(bases: str) -> str:
    """The bases of the other strand, read 5' to 3'.

    >>> reverse_complement("GGT")
    'ACC'
    """
    return bases.translate(_COMPLEMENT)[::-1]


# ---------------------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class VariantResult:
    """Whether one variant is in the scope of a code, and its names. ``to_dict()`` is the JSON form."""

    input: str
    in_scope: bool
    code: str | None = None
    gene: str | None = None
    exon: int | None = None
    codon: int | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    grch38: str | None = None
    grch37: str | None = None
    hotspot: str | None = None
    identifiers: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The answer as a plain dictionary with the keys of the JSON form, in order."""
        answer = {f.name: getattr(self, f.name) for f in fields(self)}
        answer["identifiers"] = json.loads(json.dumps(self.identifiers))  # a deep, JSON-safe copy
        return answer

    def to_json(self, **dumps: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps)

    def to_text(self) -> str:
        """One line: the input, the verdict and the reason (which names the variant)."""
        verdict = f"in scope of {self.code}" if self.in_scope else "out of scope"
        return f"{self.input}\t{verdict}\t{self.reason}"

    def _repr_html_(self) -> str:
        from ..core.results import html_table

        rows = [
            [k, "" if v is None else json.dumps(v) if isinstance(v, dict) else str(v)]
            for k, v in self.to_dict().items()
        ]
        return html_table(["field", "value"], rows)


# ---------------------------------------------------------------------------------------- the genetic code


@cache
def _genetic_code() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Codon -> one-letter residue ('*' for stop), and the one- <-> three-letter residue codes."""
    from Bio.Data.CodonTable import standard_dna_table
    from Bio.Data.IUPACData import protein_letters_1to3

    table = dict(standard_dna_table.forward_table)
    table.update({codon: "*" for codon in standard_dna_table.stop_codons})
    one_to_three = {letter: name for letter, name in protein_letters_1to3.items() if letter.isupper()}
    one_to_three["*"] = "Ter"
    three_to_one = {name.upper(): letter for letter, name in one_to_three.items()}
    return table, one_to_three, three_to_one


def translate(codon: str) -> str:
    """The one-letter residue a codon encodes with the standard genetic code ('*' for stop).

    >>> translate("GGT"), translate("CAA"), translate("TAA")
    ('G', 'Q', '*')
    """
    return _genetic_code()[0][codon]


def three_letter(residue: str) -> str:
    """A one-letter residue in three-letter code ('Ter' for a stop).

    >>> three_letter("G"), three_letter("*")
    ('Gly', 'Ter')
    """
    return _genetic_code()[1][residue]


def one_letter(residue: str) -> str:
    """A residue in one- or three-letter code as one letter ('*' for a stop, '=' for no change).

    >>> one_letter("Gln"), one_letter("Q"), one_letter("Ter"), one_letter("*")
    ('Q', 'Q', '*', '*')
    """
    if residue in ("*", "="):
        return residue
    if len(residue) == 1 and residue.upper() in _genetic_code()[1]:
        return residue.upper()
    try:
        return _genetic_code()[2][residue.upper()]
    except KeyError:
        raise InputError(f"{residue!r} is not an amino-acid code") from None


# ---------------------------------------------------------------------------------------- what the graph knows


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
        numbers = sorted(self.codons)
        listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        return f"{' and '.join(self.codes)} covers codon{'s' if len(numbers) > 1 else ''} {listed} of {self.symbol}"

    def exon_of_cds(self, cds: int) -> int | None:
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


# ---------------------------------------------------------------------------------------- parsing

_RESIDUE = r"(?:[A-Z][a-z]{2}|[A-Z])"
_ACCESSION = r"(?P<accession>(?:[A-Z]{2}_\d+|ENS[TP]\d+))(?:\.(?P<version>\d+))?"
_POSITION = r"[-*]?\d+(?:[-+]\d+)?"
_CODING = re.compile(
    rf"^(?:{_ACCESSION}|(?P<gene>[A-Za-z][A-Za-z0-9-]*))(?:\([A-Za-z0-9-]+\))?[:\s]\s*c\.(?P<change>.+)$"
)
_SUBSTITUTION = re.compile(rf"^(?P<start>{_POSITION})(?P<ref>[ACGT])>(?P<alt>[ACGT])$")
_DELINS = re.compile(rf"^(?P<start>{_POSITION})(?:_(?P<end>{_POSITION}))?del(?P<ref>[ACGT]*)ins(?P<alt>[ACGT]+)$")
_OTHER_CHANGE = re.compile(rf"^(?P<start>{_POSITION})(?:_(?P<end>{_POSITION}))?(?P<kind>del|dup|ins|inv)[ACGT0-9]*$")
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


def _cds_number(text: str) -> tuple[int, int]:
    """A c. position as (number, intron offset); UTR positions (c.-5, c.*5) are rejected by the caller."""
    match = re.fullmatch(r"(\d+)([-+]\d+)?", text)
    if not match:
        raise ValueError(text)
    return int(match[1]), int(match[2] or 0)


# ---------------------------------------------------------------------------------------- classification


class Classifier:
    """Classifies variants against one graph's tables. :func:`classify` is the usual entry point."""

    def __init__(self, kg: CoreGraph) -> None:
        self.tables = tables(kg)

    # ------------------------------------------------------------------ entry point

    def classify(self, expression: str, build: str = "GRCh38") -> VariantResult:
        if build not in BUILDS:
            raise ParameterError(f"unknown build {build!r}; expected one of {', '.join(BUILDS)}")
        text = " ".join(str(expression).split())
        if not text:
            raise InputError("empty variant expression")
        if match := _GENOMIC.match(text):
            return self.genomic(
                text, build, match["chrom"], int(match["pos"]), match["ref"].upper(), match["alt"].upper()
            )
        if match := _GENOMIC_HGVS.match(text):
            chrom = match["chrom"]
            if match["accession"]:
                known = self.tables.sequences.get(match["accession"].upper())
                if known is None:
                    raise InputError(f"{match['accession']} is not a chromosome sequence the graph knows")
                build, chrom = known
            return self.genomic(text, build, chrom, int(match["pos"]), match["ref"].upper(), match["alt"].upper())
        if match := _CODING.match(text):
            return self.coding(text, match)
        if match := _PROTEIN.match(text):
            if not (match["accession"] or match["gene"] or text.lower().startswith("p.")):
                raise InputError(f"cannot read {text!r}: name the gene or the protein, such as NRAS G12D")
            return self.protein(text, match)
        raise InputError(
            f"cannot read {text!r}: expected HGVS (NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp), "
            "gene and protein change (NRAS G12D, NRAS Q61) or genomic coordinates (1-114713908-T-C)"
        )

    # ------------------------------------------------------------------ naming the reference

    def _gene_of_reference(self, text: str, match: re.Match, proteins: bool) -> GeneModel | str:
        """The gene model an accession or gene symbol names, or the out-of-scope reason."""
        if match["accession"]:
            accession = match["accession"].upper()
            gene = self.tables.accessions.get(accession)
            known = sorted(g.transcript for g in self.tables.genes.values() if g.transcript)
            if gene is None:
                return f"{match['accession']} is not a reference sequence of a gene the graph's codes analyse ({', '.join(known)})"
            full = f"{accession}.{match['version']}" if match["version"] else None
            accepted = gene.proteins if proteins else gene.transcripts
            if full and full not in accepted:
                versions = ", ".join(sorted(a for a in accepted if a.split(".")[0] == accession))
                raise InputError(f"{full} is not a version the graph knows (it knows {versions})")
            return gene
        symbol = (match["gene"] or "").upper()
        if not symbol:  # a bare p. expression: the one gene the graph knows, if only one
            if len(self.tables.genes) == 1:
                return next(iter(self.tables.genes.values()))
            raise InputError(f"cannot read {text!r}: name the protein or the gene")
        gene = self.tables.genes.get(symbol)
        if gene is None:
            analysed = ", ".join(sorted(self.tables.genes))
            return f"{symbol} is not a gene the graph's codes analyse ({analysed})"
        return gene

    def _out(self, text: str, reason: str, **known: Any) -> VariantResult:
        return VariantResult(text, False, reason=reason, **known)

    # ------------------------------------------------------------------ HGVS c.

    def coding(self, text: str, match: re.Match) -> VariantResult:
        gene = self._gene_of_reference(text, match, proteins=False)
        change = match["change"]
        if isinstance(gene, str):
            return self._out(text, gene, gene=(match["gene"] or None) and match["gene"].upper())
        if change.startswith(("-", "*")) or re.match(r"^\d+_[-*]", change):
            return self._out(text, f"c.{change.split('_')[0].rstrip('ACGT>')} is in an untranslated region of "
                             f"{gene.transcript}; {gene.covered_codons_text()}", gene=gene.symbol)  # fmt: skip
        if sub := _SUBSTITUTION.match(change):
            start, ref, alt = sub["start"], sub["ref"], sub["alt"]
            end = start
        elif sub := _DELINS.match(change):
            start, end, ref, alt = sub["start"], sub["end"] or sub["start"], sub["ref"], sub["alt"]
        elif sub := _OTHER_CHANGE.match(change):
            return self._not_substitution(text, gene, sub["start"], sub["end"] or sub["start"], sub["kind"])
        else:
            raise InputError(f"cannot read the change c.{change} of {text!r}: expected c.35G>A or c.34_35delinsTT")
        (first, first_offset), (last, last_offset) = _cds_number(start), _cds_number(end)
        if first_offset or last_offset:
            return self._intronic(text, gene, start if first_offset else end)
        if last < first:
            raise InputError(f"{text!r}: the range c.{start}_{end} runs backwards")
        length = last - first + 1
        if ref and len(ref) != length:
            raise InputError(f"{text!r}: c.{start}_{end} spans {length} bases but the deleted bases given are {ref}")
        if len(alt) != length:
            return self._not_substitution(text, gene, start, end, "delins")
        return self.substitution(text, gene, first, ref or None, alt)

    def _intronic(self, text: str, gene: GeneModel, position: str) -> VariantResult:
        return self._out(text, f"c.{position} is intronic; {gene.covered_codons_text()}", gene=gene.symbol)

    def _not_substitution(self, text: str, gene: GeneModel, start: str, end: str, kind: str) -> VariantResult:
        """An insertion, deletion, duplication or length-changing delins: in scope when it touches a covered codon."""
        try:
            (first, off1), (last, off2) = _cds_number(start), _cds_number(end)
        except ValueError:
            return self._out(
                text, f"{text} lies outside the coding sequence; {gene.covered_codons_text()}", gene=gene.symbol
            )
        codons = (
            sorted({(c - 1) // 3 + 1 for c in range(first, last + 1)} & set(gene.codons)) if not (off1 or off2) else []
        )
        names = {
            "del": "deletion",
            "dup": "duplication",
            "ins": "insertion",
            "inv": "inversion",
            "delins": "deletion-insertion",
        }
        if not codons:
            return self._out(text, f"a {names[kind]} at c.{start}{'_' + end if end != start else ''}, not at a covered codon; "
                             f"{gene.covered_codons_text()}", gene=gene.symbol, exon=gene.exon_of_cds(first))  # fmt: skip
        codon = gene.codons[codons[0]]
        return VariantResult(
            text, True, code=codon.code, gene=gene.symbol, exon=codon.exon, codon=codon.number,
            reason=f"a {names[kind]} touching codon {codon.number} (exon {codon.exon}), which {codon.code} covers; "
            "its effect on the protein is not computed (only substitutions are named)",
        )  # fmt: skip

    # ------------------------------------------------------------------ the core: a substitution on the coding strand

    def substitution(
        self, text: str, gene: GeneModel, first: int, ref: str | None, alt: str, *, build_given: str | None = None
    ) -> VariantResult:
        """A substitution of ``len(alt)`` bases from c.``first``, coding strand; ``ref`` checked when given."""
        cds_positions = range(first, first + len(alt))
        codon_numbers = sorted({(c - 1) // 3 + 1 for c in cds_positions})
        uncovered = [c for c in cds_positions if c not in gene.coding_bases]
        if uncovered:
            where = f"c.{first}" if len(alt) == 1 else f"c.{first}_{first + len(alt) - 1}"
            codon_text = " and ".join(str(n) for n in codon_numbers)
            exon = gene.exon_of_cds(first)
            in_exon = f" (exon {exon})" if exon else ""
            partly = " partly" if len(uncovered) < len(alt) else ""
            return self._out(
                text, f"{where} is{partly} in codon{'s' if len(codon_numbers) > 1 else ''} {codon_text}{in_exon}; "
                f"{gene.covered_codons_text()}", gene=gene.symbol, exon=exon,
                codon=codon_numbers[0] if len(codon_numbers) == 1 else None,
                hgvs_c=self._hgvs_c(gene, first, ref, alt) if ref else None,
                **self._genomic_names(gene, first, ref, alt),
            )  # fmt: skip
        expected = "".join(gene.coding_bases[c] for c in cds_positions)
        if ref is not None and ref != expected:
            where = f"c.{first}" if len(alt) == 1 else f"c.{first}_{first + len(alt) - 1}"
            raise InputError(f"{text}: the reference at {where} of {gene.transcript} is {expected}, not {ref}")
        if alt == expected:
            raise InputError(f"{text}: the new base{'s are' if len(alt) > 1 else ' is'} the reference ({expected})")
        hgvs_c = self._hgvs_c(gene, first, expected, alt)
        hgvs_p, changes = self._protein_change(gene, codon_numbers, first, alt)
        codon = gene.codons[codon_numbers[0]]
        hotspot = gene.hotspots.get((first, expected, alt)) if len(alt) == 1 else None
        identifiers: dict[str, Any] = dict(hotspot.identifiers) if hotspot else {}
        if gaps := gene.gaps.get(hgvs_c):
            identifiers["data_gaps"] = list(gaps)
        reason = f"{hgvs_c.split(':')[1]} changes {changes}, which {codon.code} covers"
        if hotspot:
            reason += f"; hotspot {gene.symbol} {hotspot.name}"
        return VariantResult(
            text, True, code=codon.code, gene=gene.symbol, exon=codon.exon,
            codon=codon.number if len(codon_numbers) == 1 else None, hgvs_c=hgvs_c, hgvs_p=hgvs_p,
            hotspot=hotspot.name if hotspot else None, identifiers=identifiers, reason=reason,
            **self._genomic_names(gene, first, expected, alt),
        )  # fmt: skip

    @staticmethod
    def _hgvs_c(gene: GeneModel, first: int, ref: str, alt: str) -> str:
        if len(alt) == 1:
            return f"{gene.transcript}:c.{first}{ref}>{alt}"
        return f"{gene.transcript}:c.{first}_{first + len(alt) - 1}delins{alt}"

    def _protein_change(self, gene: GeneModel, codon_numbers: list[int], first: int, alt: str) -> tuple[str, str]:
        """The HGVS protein expression and a plain description of the codon change(s)."""
        residues = []  # (number, reference residue, new residue, reference codon, new codon)
        for number in codon_numbers:
            reference = gene.codons[number].reference_codon
            start = 3 * number - 2
            bases = list(reference)
            for offset, base in enumerate(alt):
                if start <= first + offset <= start + 2:
                    bases[first + offset - start] = base
            new = "".join(bases)
            residues.append((number, translate(reference), translate(new), reference, new))
        described = ", ".join(
            f"codon {n} ({rc}>{nc}, {three_letter(r)}>{three_letter(a)}"
            f"{', synonymous' if r == a else ', a stop' if a == '*' else ''}) in exon {gene.codons[n].exon}"
            for n, r, a, rc, nc in residues
        )
        changed = [(n, r, a) for n, r, a, _, _ in residues if r != a]
        if not changed:
            n0, r0 = residues[0][0], residues[0][1]
            if len(residues) == 1:
                return f"{gene.protein}:p.{three_letter(r0)}{n0}=", described
            n1, r1 = residues[-1][0], residues[-1][1]
            return f"{gene.protein}:p.{three_letter(r0)}{n0}_{three_letter(r1)}{n1}=", described
        if len(changed) == 1 or changed[0][2] == "*":
            n, r, a = changed[0]
            return f"{gene.protein}:p.{three_letter(r)}{n}{three_letter(a)}", described
        (n0, r0, _), (n1, r1, _) = changed[0], changed[-1]
        inserted = "".join(three_letter(a) for _, _, a in changed)
        return f"{gene.protein}:p.{three_letter(r0)}{n0}_{three_letter(r1)}{n1}delins{inserted}", described

    def _genomic_names(self, gene: GeneModel, first: int, ref: str | None, alt: str) -> dict[str, str | None]:
        """The substitution in VCF style (chromosome-position-REF-ALT, plus strand) on each assembly."""
        names: dict[str, str | None] = {}
        for build in BUILDS:
            names[build.lower()] = None
            region = self._exon_region(gene, build, first)
            last_region = self._exon_region(gene, build, first + len(alt) - 1)
            if region is None or region != last_region or ref is None:
                continue
            ends = (region.genomic_of(first), region.genomic_of(first + len(alt) - 1))
            plus_ref, plus_alt = (
                (reverse_complement(ref), reverse_complement(alt)) if region.strand == "-" else (ref, alt)
            )
            names[build.lower()] = f"{region.chromosome}-{min(ends)}-{plus_ref}-{plus_alt}"
        return names

    @staticmethod
    def _exon_region(gene: GeneModel, build: str, cds: int) -> Region | None:
        for region in gene.exons.get(build, ()):
            if region.cds_start <= cds <= region.cds_end:
                return region
        return None

    # ------------------------------------------------------------------ protein

    def protein(self, text: str, match: re.Match) -> VariantResult:
        gene = self._gene_of_reference(text, match, proteins=bool(match["accession"]))
        if isinstance(gene, str):
            return self._out(text, gene, gene=(match["gene"] or None) and match["gene"].upper())
        number, ref = int(match["codon"]), one_letter(match["ref"])
        alt = one_letter(match["alt"]) if match["alt"] else None
        sequence = gene.protein_sequence
        if sequence is not None:
            if not 1 <= number <= len(sequence):
                raise InputError(f"{text}: {gene.protein} has residues 1 to {len(sequence)}, not {number}")
            if sequence[number - 1] != ref:
                expected = sequence[number - 1]
                raise InputError(
                    f"{text}: residue {number} of {gene.protein} is {three_letter(expected)} ({expected}), "
                    f"not {three_letter(ref)} ({ref})"
                )
        hgvs_p = None
        if alt is not None:
            hgvs_p = f"{gene.protein}:p.{three_letter(ref)}{number}{'=' if alt == '=' else three_letter(alt)}"
        codon = gene.codons.get(number)
        if codon is None:
            exon = gene.exon_of_cds(3 * number - 2)
            in_exon = f" (exon {exon})" if exon else ""
            return self._out(text, f"codon {number}{in_exon} is not covered; {gene.covered_codons_text()}",
                             gene=gene.symbol, exon=exon, codon=number, hgvs_p=hgvs_p)  # fmt: skip
        if codon.reference_codon and translate(codon.reference_codon) != ref:
            raise InputError(
                f"{text}: codon {number} ({codon.reference_codon}) encodes {translate(codon.reference_codon)}, not {ref}"
            )
        span = {b.lower(): self._codon_span(gene, b, number) for b in BUILDS}
        about = f"codon {number} ({three_letter(ref)}, {codon.reference_codon}) in exon {codon.exon}"
        if alt is None:
            return VariantResult(text, True, code=codon.code, gene=gene.symbol, exon=codon.exon, codon=number,
                                 reason=f"any change at {about}: {codon.code} covers it", **span)  # fmt: skip
        target = ref if alt == "=" else alt
        candidates = []
        for offset in range(3):
            for base in "ACGT":
                if base != codon.reference_codon[offset]:
                    new = codon.reference_codon[:offset] + base + codon.reference_codon[offset + 1 :]
                    if translate(new) == target:
                        candidates.append((3 * number - 2 + offset, base))
        if len(candidates) == 1:
            answer = self.substitution(text, gene, candidates[0][0], None, candidates[0][1])
            return VariantResult(**{**answer.to_dict(), "hgvs_p": hgvs_p})
        hotspots = {
            self._hgvs_c(gene, cds, gene.coding_bases[cds], base): gene.hotspots.get(
                (cds, gene.coding_bases[cds], base)
            )
            for cds, base in candidates
        }
        names = {h.name for h in hotspots.values() if h}
        identifiers: dict[str, Any] = {}
        if candidates:
            identifiers["candidates"] = {
                hgvs: {**(h.identifiers if h else {}), **({"data_gaps": gene.gaps[hgvs]} if hgvs in gene.gaps else {})}
                for hgvs, h in hotspots.items()
            }
            how = f"arises from {' or '.join(h.split(':')[1] for h in hotspots)}"
        else:
            how = f"needs more than one base changed in {codon.reference_codon}"
        return VariantResult(
            text, True, code=codon.code, gene=gene.symbol, exon=codon.exon, codon=number, hgvs_p=hgvs_p,
            hotspot=names.pop() if len(names) == 1 else None, identifiers=identifiers,
            reason=f"{hgvs_p.split(':')[1]} at {about}, which {codon.code} covers; it {how}", **span,
        )  # fmt: skip

    @staticmethod
    def _codon_span(gene: GeneModel, build: str, number: int) -> str | None:
        sites = gene.positions.get(build, {})
        found = [sites[c] for c in range(3 * number - 2, 3 * number + 1) if c in sites]
        if len(found) != 3:
            return None
        positions = sorted(p for _, p, _ in found)
        return f"{found[0][0]}:{positions[0]}-{positions[-1]}"

    # ------------------------------------------------------------------ genomic

    def genomic(self, text: str, build: str, chrom: str, pos: int, ref: str, alt: str) -> VariantResult:
        if chrom.upper() in self.tables.sequences:  # a RefSeq chromosome accession names its assembly
            build, chrom = self.tables.sequences[chrom.upper()]
        chrom = chrom.upper().removeprefix("CHR")
        chrom = "MT" if chrom == "M" else chrom
        if "N" in ref or "N" in alt:
            raise InputError(f"{text}: N is not a base cptkg can check or translate")
        # VCF pads indels, and some tools write a few shared bases around a substitution: trim them
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
            ref, alt, pos = ref[1:], alt[1:], pos + 1
        if ref == alt:
            raise InputError(f"{text}: REF and ALT are the same ({ref})")
        gene = self._gene_at(build, chrom, pos)
        if gene is None:
            return self._elsewhere(text, build, chrom, pos, ref, alt)
        span = range(pos, pos + len(ref))
        covered = [(p, self.tables.sites.get((build, chrom, p))) for p in span]
        for position, hit in covered:  # check every base the graph knows
            if hit is not None:
                expected = gene.positions[build][hit[1]][2]
                given = ref[position - pos]
                if given != expected:
                    raise InputError(f"{text}: the {build} reference at {chrom}:{position} is {expected}, not {given}")
        other = BUILDS[1] if build == BUILDS[0] else BUILDS[0]
        region = self._exon_region_at(gene, build, pos)
        if len(ref) != len(alt):
            return self._genomic_indel(text, gene, build, other, chrom, pos, ref, alt, region)
        if region is None or pos + len(ref) - 1 not in region:
            return self._genomic_noncoding(text, gene, build, other, chrom, pos, ref, alt)
        first = min(region.cds_of(pos), region.cds_of(pos + len(ref) - 1))
        coding_ref = reverse_complement(ref) if region.strand == "-" else ref
        coding_alt = reverse_complement(alt) if region.strand == "-" else alt
        answer = self.substitution(text, gene, first, coding_ref, coding_alt)
        if answer.in_scope:
            return answer
        names = self._vcf_names(build, other, chrom, pos, ref, alt)
        return VariantResult(**{**answer.to_dict(), **names})

    def _gene_at(self, build: str, chrom: str, pos: int) -> GeneModel | None:
        for gene in self.tables.genes.values():
            span = gene.spans.get(build)
            if span is not None and span.chromosome == chrom and pos in span:
                return gene
        return None

    @staticmethod
    def _exon_region_at(gene: GeneModel, build: str, pos: int) -> Region | None:
        for region in gene.exons.get(build, ()):
            if pos in region:
                return region
        return None

    def _vcf_names(self, build: str, other: str, chrom: str, pos: int, ref: str, alt: str) -> dict[str, str | None]:
        moved = self.tables.lift(chrom, pos, build, other)
        return {
            build.lower(): f"{chrom}-{pos}-{ref}-{alt}",
            other.lower(): f"{chrom}-{moved}-{ref}-{alt}" if moved is not None else None,
        }

    def _genomic_noncoding(self, text, gene, build, other, chrom, pos, ref, alt) -> VariantResult:
        """Inside the gene's transcript span but outside the coding parts of the covered exons."""
        names = self._vcf_names(build, other, chrom, pos, ref, alt)
        exons = gene.exons.get(build, [])
        for before, after in itertools.pairwise(exons):
            # consecutive coding parts with consecutive c. numbers: the gap between them is an intron
            if before.cds_end + 1 != after.cds_start:
                continue
            low, high = sorted((before.genomic_of(before.cds_end), after.genomic_of(after.cds_start)))
            if low < pos < high:
                from_before = abs(pos - before.genomic_of(before.cds_end))
                from_after = abs(after.genomic_of(after.cds_start) - pos)
                where = (
                    f"c.{before.cds_end}+{from_before}"
                    if from_before <= from_after
                    else f"c.{after.cds_start}-{from_after}"
                )
                return self._out(
                    text, f"intronic: {where}, between exon {before.exon} and exon {after.exon} of {gene.transcript}; "
                    f"{gene.covered_codons_text()}", gene=gene.symbol, **names,
                )  # fmt: skip
        covered = " and ".join(f"exon {r.exon}" for r in exons)
        return self._out(
            text, f"{build} {chrom}:{pos} is in {gene.symbol} but outside the coding parts of {covered}; "
            f"{gene.covered_codons_text()}", gene=gene.symbol, **names,
        )  # fmt: skip

    def _genomic_indel(self, text, gene, build, other, chrom, pos, ref, alt, region) -> VariantResult:
        names = self._vcf_names(build, other, chrom, pos, ref, alt)
        touched = [self.tables.sites.get((build, chrom, p)) for p in range(pos - 1, pos + max(len(ref), 1) + 1)]
        codons = sorted({(hit[1] - 1) // 3 + 1 for hit in touched if hit is not None and hit[0] is gene})
        kind = "insertion" if len(ref) < len(alt) else "deletion"
        if not codons or region is None:
            return self._out(text, f"an {kind} at {build} {chrom}:{pos}, not at a covered codon; "
                             f"{gene.covered_codons_text()}", gene=gene.symbol, **names)  # fmt: skip
        codon = gene.codons[codons[0]]
        return VariantResult(
            text, True, code=codon.code, gene=gene.symbol, exon=codon.exon, codon=codon.number,
            reason=f"an {kind} touching codon {codon.number} (exon {codon.exon}), which {codon.code} covers; "
            "its effect on the protein is not computed (only substitutions are named)", **names,
        )  # fmt: skip

    def _elsewhere(self, text: str, build: str, chrom: str, pos: int, ref: str, alt: str) -> VariantResult:
        """Not in a gene the codes analyse on this build: perhaps the other build's coordinates."""
        other = BUILDS[1] if build == BUILDS[0] else BUILDS[0]
        gene = self._gene_at(other, chrom, pos)
        if gene is not None:
            try:
                there = self.genomic(text, other, chrom, pos, ref, alt)
                named = there.hgvs_c or there.reason
                if there.hotspot:
                    named += f" ({gene.symbol} {there.hotspot})"
            except InputError:
                named = f"a position in {gene.symbol} (with another reference base)"
            return self._out(
                text, f"{chrom}:{pos} is not in {gene.symbol} on {build}; these look like {other} coordinates, "
                f"where it is {named}: give the build ({other})", gene=None,
            )  # fmt: skip
        where = ", ".join(
            f"{g.symbol} is at {g.spans[build].chromosome}:{g.spans[build].low}-{g.spans[build].high}"
            for g in self.tables.genes.values() if build in g.spans
        )  # fmt: skip
        return self._out(text, f"{build} {chrom}:{pos} is not in a gene the graph's codes analyse ({where} on {build})")

    # ------------------------------------------------------------------ VCF

    def classify_vcf(
        self, path: str | Path, build: str = "GRCh38", progress: bool | None = False
    ) -> Iterator[VariantResult]:
        """One result per ALT allele of each record of a VCF file (plain or gzipped), streamed.

        ``progress``: True shows a progress bar on standard error, None shows it only when standard
        error is a terminal, False never. Memory stays constant whatever the file's length.
        """
        path = Path(path)
        try:
            raw = path.open("rb")
        except OSError as error:
            raise InputError(f"cannot read the VCF file: {error.strerror or error}", path=path) from None
        with raw:
            compressed = raw.peek(2)[:2] == b"\x1f\x8b"
            stream = gzip.GzipFile(fileobj=raw) if compressed else raw
            bar = None
            if progress is not False:
                from tqdm import tqdm

                bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name,
                           file=sys.stderr, disable=None if progress is None else False, leave=False)  # fmt: skip
            try:
                yield from self._records(path, stream, raw, build, bar)
            except (OSError, EOFError, gzip.BadGzipFile) as error:
                raise InputError(f"cannot read the VCF file: {error}", path=path) from None
            finally:
                if bar is not None:
                    bar.close()

    def _records(self, path: Path, stream, raw, build: str, bar) -> Iterator[VariantResult]:
        fast = {}  # (chrom, pos, ref, alt) -> result: hotspot sites repeat in large files
        for number, line in enumerate(stream, start=1):
            if bar is not None and number % 8192 == 0:
                bar.update(raw.tell() - bar.n)
            if line.startswith(b"#") or not line.strip():
                continue
            columns = line.rstrip(b"\r\n").split(b"\t", 5)
            if len(columns) < 5:
                raise InputError("a VCF record needs at least 5 tab-separated columns", path=path, line=number)
            try:
                chrom, pos_text, ref = columns[0].decode(), columns[1].decode(), columns[3].decode().upper()
                alts = columns[4].decode().upper().split(",")
            except UnicodeDecodeError:
                raise InputError("the VCF record is not text", path=path, line=number) from None
            if not pos_text.isdigit():
                raise InputError(f"POS {pos_text!r} is not a position", path=path, line=number)
            for alt in alts:
                key = (chrom, pos_text, ref, alt)
                label = f"{chrom.removeprefix('chr')}-{pos_text}-{ref}-{alt}"
                if key in fast:
                    result = fast[key]
                elif alt in (".", "*") or alt.startswith("<") or not re.fullmatch(r"[ACGTN]+", ref):
                    what = "no alternate allele" if alt == "." else f"a symbolic allele ({alt})"
                    result = VariantResult(label, False, reason=f"{what}: nothing to classify")
                else:
                    try:
                        result = self.genomic(label, build, chrom, int(pos_text), ref, alt)
                    except InputError as error:
                        raise InputError(error.reason, path=path, line=number) from None
                if len(fast) < 4096:
                    fast[key] = result
                yield result
        if bar is not None:
            bar.update(raw.tell() - bar.n)


def classify(kg: CoreGraph, expression: str, build: str = "GRCh38") -> VariantResult:
    """Whether a variant is in the scope of a code of the graph, and its names (see the module docstring)."""
    return Classifier(kg).classify(expression, build=build)


def classify_vcf(
    kg: CoreGraph, path: str | Path, build: str = "GRCh38", progress: bool | None = False
) -> Iterator[VariantResult]:
    """Stream one :class:`VariantResult` per ALT allele of each record of a VCF file (plain or gzipped)."""
    if build not in BUILDS:
        raise ParameterError(f"unknown build {build!r}; expected one of {', '.join(BUILDS)}")
    return Classifier(kg).classify_vcf(path, build=build, progress=progress)

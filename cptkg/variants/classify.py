"""The decision: is a parsed variant in the scope of a code the graph describes, and what is it called?

A code's scope is data: the coding parts of the exons it covers when it analyses whole exons
(81311: exons 2 and 3, c.1-290 of NM_002524.5, so a change at codon 10, 18, 59 or 60 is in scope,
hotspot or not), else the codons it lists. The change is first placed and normalised
(:mod:`.locate`), then named (:mod:`.names`) and its protein change computed from the bases the graph
knows (:mod:`.consequence`); what the graph does not know is said in the answer's notes, never
invented. Out of scope is an answer (``in_scope`` false, with the reason); a reference base that
is not the one at that position raises :class:`~cptkg.InputError`.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import InputError, ParameterError
from . import names as naming
from .consequence import ProteinEffect, effect
from .locate import BUILDS, Allele, Located, _Outside, from_genome, from_transcript
from .model import CodingChange, GenomicChange, ParsedVariant, ProteinChange, RsChange
from .protein import protein_answer
from .reading import parse
from .result import VariantResult
from .tables import GeneModel, ScopeTables

__all__ = ["BUILDS", "Classifier"]

_KIND_WORDS = {"del": "a deletion", "ins": "an insertion", "dup": "a duplication", "delins": "a deletion-insertion"}


class Classifier:
    """Classifies variants against one graph's tables. :func:`cptkg.variants.classify` is the usual entry point."""

    def __init__(self, scope: ScopeTables) -> None:
        self.tables = scope

    # ---------------------------------------------------------------- entry points

    def classify(self, expression: str | ParsedVariant, build: str = "GRCh38") -> VariantResult:
        """Whether the variant (an expression, or its parsed value) is in the scope of a code, and its names."""
        if build not in BUILDS:
            raise ParameterError(f"unknown build {build!r}; expected one of {', '.join(BUILDS)}")
        variant = parse(expression) if isinstance(expression, str) else expression
        if isinstance(variant, GenomicChange):
            chrom = variant.chromosome
            if variant.accession:
                known = self.tables.sequences.get(variant.accession.upper())
                if known is None:
                    raise InputError(f"{variant.accession} is not a chromosome sequence the graph knows")
                build, chrom = known
            return self.allele(variant.text, build, chrom, variant.start, variant.end, variant.ref, variant.alt)
        if isinstance(variant, CodingChange):
            return self.coding(variant)
        if isinstance(variant, RsChange):
            return self.rs(variant)
        return protein_answer(self, variant)

    def genomic(self, text: str, build: str, chrom: str, pos: int, ref: str, alt: str) -> VariantResult:
        """A VCF-style record (1-based POS, REF, ALT on the plus strand) on ``build``."""
        return self.allele(text, build, chrom, pos - 1, pos - 1 + len(ref), ref, alt)

    def allele(self, text: str, build: str, chrom: str, start: int, end: int, ref: str | None, alt: str) -> VariantResult:
        """Plus-strand bases replacing interbase ``start``-``end`` of chromosome ``chrom`` on ``build``."""
        contig = self.tables.contigs.get(chrom.upper())
        chrom, implied = contig if contig else (chrom.upper().removeprefix("CHR"), None)
        build = implied or build
        chrom = "MT" if chrom == "M" else chrom
        for bases, field in ((ref, "REF"), (alt, "ALT")):
            if bases and "N" in bases:
                raise InputError(f"{text}: N in {field} is not a base cptkg can check or translate")
        if ref is not None and ref == alt:
            raise InputError(f"{text}: REF and ALT are the same ({ref})")
        gene = self.tables.gene_at(build, chrom, start + 1, max(end, start + 1))
        if gene is None:
            return self._elsewhere(text, build, chrom, start, end, ref, alt)
        try:
            located = from_genome(self.tables, gene, Allele(build, chrom, start, end, ref, alt), text)
        except _Outside as outside:
            return self._outside(text, outside)
        return self.answer(text, located, build=build)

    def coding(self, change: CodingChange) -> VariantResult:
        """Classify a change on a transcript (``c.``), such as ``NM_002524.5:c.35G>A``."""
        gene, read_as = self._gene_of_reference(change, proteins=False)
        if isinstance(gene, str):
            return VariantResult(change.text, False, gene=change.gene, reason=gene)
        notes = [read_as[1]] if read_as else []
        if change.start.utr3 or change.start.base < 1 and not change.start.offset:
            where = f"c.{change.start}"
            return VariantResult(change.text, False, gene=gene.symbol, read_as=read_as and read_as[0], notes=notes,
                                 reason=f"{where} is in an untranslated region of {gene.transcript}; "
                                 f"{gene.scope_text()}")  # fmt: skip
        located = from_transcript(self.tables, gene, change)
        return self.answer(change.text, located, read_as=read_as[0] if read_as else None, notes=notes,
                           companion=change.companion)  # fmt: skip

    def rs(self, change: RsChange) -> VariantResult:
        """A dbSNP site: every allele the graph knows there, and the scope of the site."""
        for gene in self.tables.genes.values():
            keys = gene.rs.get(change.rs.lower())
            if not keys:
                continue
            cds = keys[0][0]
            answers = {f"{gene.transcript}:c.{c}{r}>{a}": gene.hotspots[(c, r, a)] for c, r, a in keys}
            codes = gene.codes_for(cds)
            exon = gene.exon_at(cds)
            listed = ", ".join(f"{h.split(':')[1]} ({hotspot.name})" for h, hotspot in answers.items())
            scope = f"which {codes[0]} analyses" if codes else gene.scope_text()
            return VariantResult(
                change.text, bool(codes), code=codes[0] if codes else None, gene=gene.symbol,
                exon=exon.number if exon else None, codon=(cds - 1) // 3 + 1,
                identifiers={"dbSNP": change.rs, "candidates": {
                    h: {**x.identifiers, "VRS": dict(self.classify(h).vrs)} for h, x in answers.items()}},
                reason=f"{change.rs} is the site c.{cds} (codon {(cds - 1) // 3 + 1}, exon {exon.number if exon else '?'}), "
                f"{scope}; the graph knows {len(answers)} allele{'s' if len(answers) > 1 else ''} there: {listed}",
            )  # fmt: skip
        known = sorted({rs for gene in self.tables.genes.values() for rs in gene.rs})
        raise InputError(f"{change.rs} is not a dbSNP identifier the graph knows ({', '.join(known)}); give HGVS or "
                         "genomic coordinates")  # fmt: skip

    # ---------------------------------------------------------------- the answer for a located change

    def answer(self, text: str, located: Located, *, build: str | None = None, read_as: str | None = None,
               notes: list[str] | None = None, companion: str | None = None) -> VariantResult:  # fmt: skip
        """The answer for a placed change: its scope, names, protein change, identifiers and what was not known."""
        gene = located.gene
        positions = located.coding_positions
        codes = list(dict.fromkeys(code for c in positions for code in gene.codes_for(c)))
        exon = next((e for c in positions if (e := gene.exon_at(c)) is not None), None)
        codons = {(c - 1) // 3 + 1 for c in positions if c >= 1}
        hgvs_c = naming.hgvs_c(located)
        impact = self._effect(located)
        hgvs_p = f"{gene.protein}:{impact.hgvs}" if impact and impact.hgvs else None
        _check_companion(text, companion, hgvs_c, hgvs_p)
        hotspot = gene.hotspots.get((located.first.base, located.ref, located.alt)) if located.kind == "sub" else None
        found = naming.names(self.tables, located)
        identifiers: dict[str, Any] = dict(hotspot.identifiers) if hotspot else {}
        if gaps := gene.gaps.get(hgvs_c):
            identifiers["data_gaps"] = list(gaps)
        all_notes = [*(notes or []), *located.notes, *found.notes]
        if impact and impact.missing:
            all_notes.append(f"the protein change is not computed: {impact.missing}")
        other = {"hgvs_g": found.hgvs_g, "spdi": found.spdi}
        if located.first.coding and located.last.coding:
            other["clinvar_title"] = naming.clinvar_title(located, hgvs_p)
            other["report"] = naming.report_form(located, hgvs_p)
        reason = self._reason(located, hgvs_c, codes, exon, impact, hotspot)
        return VariantResult(
            text, bool(codes), code=codes[0] if codes else None, gene=gene.symbol, exon=exon.number if exon else None,
            codon=codons.pop() if len(codons) == 1 else None, hgvs_c=hgvs_c, hgvs_p=hgvs_p,
            grch38=found.vcf.get("GRCh38"), grch37=found.vcf.get("GRCh37"), hotspot=hotspot.name if hotspot else None,
            identifiers=identifiers, reason=reason, names=other, vrs=found.vrs, read_as=read_as, build=build,
            notes=tuple(all_notes),
        )  # fmt: skip

    @staticmethod
    def _effect(located: Located) -> ProteinEffect | None:
        if located.start is None or located.ref is None:
            return None
        gene = located.gene
        bases = dict(gene.bases)
        bases.update({located.start + 1 + i: base for i, base in enumerate(located.ref)})
        return effect(bases, located.start, located.end, located.alt, lambda c: _exon_number(gene, c))

    def _reason(self, located: Located, hgvs_c: str, codes, exon, impact: ProteinEffect | None, hotspot) -> str:
        gene, change = located.gene, hgvs_c.split(":", 1)[1]
        first, last = located.first, located.last
        if not (first.coding or last.coding):
            return self._noncoding_reason(gene, change, first, last)
        if impact is not None and located.kind in ("sub", "delins") and located.ref and \
                len(located.ref) == len(located.alt):  # fmt: skip
            what = f"{change} changes {impact.described}"
        else:
            where = _codon_words(gene, located.coding_positions)
            what = f"{change}, {_KIND_WORDS.get(located.kind, 'a change')} at {where}"
            if impact is not None and impact.hgvs and located.kind != "sub":
                what += f" ({impact.described}: {impact.hgvs})"
            elif impact is not None:
                what += f" ({impact.described})"
        if not codes:
            return f"{what}; {gene.scope_text()}"
        reason = f"{what}, which {codes[0]} analyses"
        if hotspot:
            return reason + f"; hotspot {gene.symbol} {hotspot.name}"
        hot = gene.hotspot_codons()
        if hot:
            listed = ", ".join(map(str, hot[:-1])) + f" and {hot[-1]}" if len(hot) > 1 else str(hot[0])
            reason += f"; not a hotspot the graph lists (its hotspots are at codon{'s' if len(hot) > 1 else ''} {listed})"
        return reason

    @staticmethod
    def _noncoding_reason(gene: GeneModel, change: str, first, last) -> str:
        position = first if first.offset else last
        exons = [e.number for e in gene.exons if position.base in (e.cds_start, e.cds_end)]
        exon = gene.exon_at(position.base)
        if position.offset and exon is not None:
            following = [e for e in gene.exons if e.cds_start == exon.cds_end + 1]
            preceding = [e for e in gene.exons if e.cds_end + 1 == exon.cds_start]
            pair = (exon, following[0]) if position.offset > 0 and following else (preceding[0], exon) if preceding \
                else (exon, exon)  # fmt: skip
            return (f"intronic: c.{position}, between exon {pair[0].number} and exon {pair[1].number} of "
                    f"{gene.transcript}; {gene.scope_text()}")  # fmt: skip
        del exons
        return f"{change} lies outside the coding sequence of {gene.transcript}; {gene.scope_text()}"

    # ---------------------------------------------------------------- naming the reference

    def _gene_of_reference(self, variant: CodingChange | ProteinChange, proteins: bool):
        """(gene model, (read-as accession, note) or None), or (out-of-scope reason, None)."""
        if variant.accession:
            accession = variant.accession.upper()
            gene = self.tables.accessions.get(accession)
            if gene is None:
                known = sorted(g.transcript for g in self.tables.genes.values() if g.transcript)
                return (f"{variant.accession} is not a reference sequence of a gene the graph's codes analyse " \
                       f"({', '.join(known)})"), None  # fmt: skip
            full = f"{accession}.{variant.version}" if variant.version else None
            accepted = gene.proteins if proteins else gene.transcripts
            if full and full not in accepted:
                versions = ", ".join(sorted(a for a in accepted if a.split(".")[0] == accession))
                raise InputError(f"{full} is not a version the graph knows (it knows {versions})")
            return gene, self._read_as(gene, full, proteins)
        symbol = variant.gene or ""
        if not symbol:  # a bare p. expression: the one gene the graph knows, if only one
            if len(self.tables.genes) == 1:
                return next(iter(self.tables.genes.values())), None
            raise InputError(f"cannot read {variant.text!r}: name the protein or the gene")
        gene = self.tables.genes.get(symbol)
        if gene is None:
            return f"{symbol} is not a gene the graph's codes analyse ({', '.join(sorted(self.tables.genes))})", None
        return gene, None

    @staticmethod
    def _read_as(gene: GeneModel, full: str | None, proteins: bool) -> tuple[str, str] | None:
        if full is None or proteins or full == gene.transcript:
            return None
        if full in gene.same_numbering:
            sources = ", ".join(s.split(":", 1)[-1] for s in gene.same_numbering[full])
            return gene.transcript, (f"{full} read as {gene.transcript}: the graph records the same c. numbering on "
                                     f"both (reference record {sources})")  # fmt: skip
        return gene.transcript, f"{full} read as {gene.transcript}, its RefSeq twin (MANE Select pair)"

    # ---------------------------------------------------------------- outside every gene's coding exons

    def _outside(self, text: str, outside: _Outside) -> VariantResult:
        gene, build = outside.gene, outside.assembly
        where = f"{outside.chromosome}:{outside.start + 1}"
        names = self._vcf_names(build, outside.chromosome, outside.start, outside.ref, outside.alt)
        covered = " and ".join(f"exon {e.number}" for e in gene.exons)
        return VariantResult(text, False, gene=gene.symbol, build=build, **names,
                             reason=f"{build} {where} is in {gene.symbol} but outside the coding parts of {covered} of "
                             f"{gene.transcript}; {gene.scope_text()}")  # fmt: skip

    def _vcf_names(self, build: str, chrom: str, start: int, ref: str | None, alt: str) -> dict[str, str | None]:
        if ref is None:
            return {}
        other = BUILDS[1] if build == BUILDS[0] else BUILDS[0]
        moved = self.tables.lift(chrom, start + 1, build, other)
        return {build.lower(): f"{chrom}-{start + 1}-{ref}-{alt}",
                other.lower(): f"{chrom}-{moved}-{ref}-{alt}" if moved is not None else None}  # fmt: skip

    def _elsewhere(self, text: str, build: str, chrom: str, start: int, end: int, ref, alt) -> VariantResult:
        """Not in a gene the codes analyse on this build: perhaps the other build's coordinates."""
        other = BUILDS[1] if build == BUILDS[0] else BUILDS[0]
        gene = self.tables.gene_at(other, chrom, start + 1, max(end, start + 1))
        if gene is not None:
            try:
                there = self.allele(text, other, chrom, start, end, ref, alt)
                named = there.hgvs_c or there.reason
                if there.hotspot:
                    named += f" ({gene.symbol} {there.hotspot})"
            except InputError:
                named = f"a position in {gene.symbol} (with another reference base)"
            return VariantResult(text, False, build=build,
                                 reason=f"{chrom}:{start + 1} is not in {gene.symbol} on {build}; these look like {other} "
                                 f"coordinates, where it is {named}: give the build ({other})")  # fmt: skip
        where = ", ".join(
            f"{g.symbol} is at {g.spans[build].chromosome}:{g.spans[build].low}-{g.spans[build].high}"
            for g in self.tables.genes.values() if build in g.spans
        )  # fmt: skip
        return VariantResult(text, False, build=build,
                             reason=f"{build} {chrom}:{start + 1} is not in a gene the graph's codes analyse "
                             f"({where} on {build})")  # fmt: skip


def _exon_number(gene: GeneModel, cds: int) -> int | None:
    exon = gene.exon_at(cds)
    return exon.number if exon else None


def _codon_words(gene: GeneModel, positions: list[int]) -> str:
    coding = [c for c in positions if c >= 1]
    codons = sorted({(c - 1) // 3 + 1 for c in coding})
    exons = sorted({n for c in coding if (n := _exon_number(gene, c)) is not None})
    what = f"codon {codons[0]}" if len(codons) == 1 else f"codons {codons[0]} to {codons[-1]}"
    return what + (f" (exon {' and '.join(map(str, exons))})" if exons else "")


def _check_companion(text: str, companion: str | None, hgvs_c: str, hgvs_p: str | None) -> None:
    """A title's or report's second name (``(p.Gly12Asp)``, ``(c.35G>A)``) must name the same change."""
    if not companion:
        return
    from .names import short_protein
    from .reading import protein_case

    written = companion.strip()
    if written.lower().startswith("c."):
        if written[2:].upper() != hgvs_c.split(":c.", 1)[1].upper():
            raise InputError(f"{text}: {written} is not the same change as {hgvs_c.split(':', 1)[1]}")
        return
    protein = protein_case(written.removeprefix("p.").removeprefix("P.")).strip("()")
    if hgvs_p is None:
        return
    computed = hgvs_p.split(":p.", 1)[1]
    if protein not in (computed, short_protein(hgvs_p)):
        raise InputError(f"{text}: p.{protein} is not the protein change of {hgvs_c.split(':', 1)[1]} (p.{computed})")

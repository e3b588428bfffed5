"""The decision: is a parsed variant in the scope of a code the graph describes, and what is it called?

The protein change is computed from the reference codon and the new bases with the standard
genetic code, so any substitution at a covered codon is named, hotspot or not. Out of scope is an
answer (``in_scope`` false, with the reason); a reference base that is not the one at that
position raises :class:`~cptkg.InputError`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import Any

from ..core.errors import InputError, ParameterError
from .model import (
    DELINS,
    OTHER_CHANGE,
    SUBSTITUTION,
    CodingChange,
    GenomicChange,
    ParsedVariant,
    ProteinChange,
    cds_number,
    parse,
)
from .result import VariantResult
from .sequence import one_letter, reverse_complement, three_letter, translate
from .tables import GeneModel, Region, ScopeTables

#: The genome assemblies coordinates may be given on.
BUILDS = ("GRCh38", "GRCh37")


class Classifier:
    """Classifies variants against one graph's tables. :func:`classify` is the usual entry point."""

    def __init__(self, scope: ScopeTables) -> None:
        self.tables = scope

    # ------------------------------------------------------------------ entry point

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
            return self.genomic(variant.text, build, chrom, variant.position, variant.ref, variant.alt)
        if isinstance(variant, CodingChange):
            return self.coding(variant)
        return self.protein(variant)

    # ------------------------------------------------------------------ naming the reference

    def _gene_of_reference(self, variant: CodingChange | ProteinChange, proteins: bool) -> GeneModel | str:
        """The gene model an accession or gene symbol names, or the out-of-scope reason."""
        text = variant.text
        if variant.accession:
            accession = variant.accession.upper()
            gene = self.tables.accessions.get(accession)
            known = sorted(g.transcript for g in self.tables.genes.values() if g.transcript)
            if gene is None:
                return f"{variant.accession} is not a reference sequence of a gene the graph's codes analyse ({', '.join(known)})"
            full = f"{accession}.{variant.version}" if variant.version else None
            accepted = gene.proteins if proteins else gene.transcripts
            if full and full not in accepted:
                versions = ", ".join(sorted(a for a in accepted if a.split(".")[0] == accession))
                raise InputError(f"{full} is not a version the graph knows (it knows {versions})")
            return gene
        symbol = variant.gene or ""
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

    def coding(self, variant: CodingChange) -> VariantResult:
        """Classify a change on a transcript (``c.``), such as ``NM_002524.5:c.35G>A``."""
        text, change = variant.text, variant.change
        gene = self._gene_of_reference(variant, proteins=False)
        if isinstance(gene, str):
            return self._out(text, gene, gene=variant.gene)
        if change.startswith(("-", "*")) or re.match(r"^\d+_[-*]", change):
            return self._out(text, f"c.{change.split('_')[0].rstrip('ACGT>')} is in an untranslated region of "
                             f"{gene.transcript}; {gene.covered_codons_text()}", gene=gene.symbol)  # fmt: skip
        if sub := SUBSTITUTION.match(change):
            start, ref, alt = sub["start"], sub["ref"], sub["alt"]
            end = start
        elif sub := DELINS.match(change):
            start, end, ref, alt = sub["start"], sub["end"] or sub["start"], sub["ref"], sub["alt"]
        elif sub := OTHER_CHANGE.match(change):
            return self._not_substitution(text, gene, sub["start"], sub["end"] or sub["start"], sub["kind"])
        else:
            raise InputError(f"cannot read the change c.{change} of {text!r}: expected c.35G>A or c.34_35delinsTT")
        (first, first_offset), (last, last_offset) = cds_number(start), cds_number(end)
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
            (first, off1), (last, off2) = cds_number(start), cds_number(end)
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

    def protein(self, variant: ProteinChange) -> VariantResult:
        """Classify a change of a protein (``p.``), such as ``NRAS p.G12D``."""
        text = variant.text
        gene = self._gene_of_reference(variant, proteins=bool(variant.accession))
        if isinstance(gene, str):
            return self._out(text, gene, gene=variant.gene)
        number, ref = variant.codon, one_letter(variant.ref)
        alt = one_letter(variant.alt) if variant.alt else None
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
            return replace(answer, hgvs_p=hgvs_p)
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
        """Classify a change at a genomic position of an assembly (VCF-style chromosome, position, REF, ALT)."""
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
        return replace(answer, **names)

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

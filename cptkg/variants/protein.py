"""Protein changes (``NRAS G12D``, ``NP_002515.1:p.Gly12Asp``, ``NRAS Q61``): scope by the codon's bases.

A protein change names residues, not bases: its scope is that of the codon's three bases, its
reference residue is checked against the protein sequence, and when the graph knows the reference
codon the DNA changes that give it are named (one: the answer is that substitution's; several:
each is listed). ``Q61`` and ``Q61X`` mean any change at codon 61 (``X`` as lab reports use it; in
HGVS a stop is ``Q61*`` or ``Gln61Ter``), and the answer says how it read them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..core.errors import InputError
from .model import CodingChange, CPos, ProteinChange
from .result import VariantResult
from .sequence import three_letter, translate
from .tables import GeneModel

Classifier = Any  # cptkg.variants.classify.Classifier, which calls this module (no import back)


def codon_reference(gene: GeneModel, number: int) -> str | None:
    """The reference codon (coding strand) of codon ``number``, where the graph knows its three bases."""
    return gene.coding_bases(3 * number - 2, 3 * number)

_KIND_WORDS = {"del": "a deletion", "dup": "a duplication", "ins": "an insertion", "delins": "a deletion-insertion",
               "fs": "a frameshift", "ext": "an extension"}  # fmt: skip


def protein_answer(classifier: Classifier, change: ProteinChange) -> VariantResult:
    """Classify a protein change (``NRAS G12D``, ``NRAS Q61X``), checking a written DNA change beside it."""
    answer = _protein_answer(classifier, change)
    if change.companion and change.companion.lower().startswith("c."):
        written = change.companion[2:].upper().replace("DEL", "del").replace("INS", "ins").replace("DUP", "dup")
        named = {answer.hgvs_c} | set(answer.identifiers.get("candidates", {}))
        if not any(name and name.split(":c.", 1)[1] == written for name in named):
            gives = " or ".join(sorted(n.split(":", 1)[1] for n in named if n)) or "no single-base change"
            raise InputError(f"{change.text}: c.{written} is not the DNA change of {answer.hgvs_p or change.text} "
                             f"(that is {gives})")  # fmt: skip
    return answer


def _protein_answer(classifier: Classifier, change: ProteinChange) -> VariantResult:
    gene, _ = classifier._gene_of_reference(change, proteins=bool(change.accession))
    if isinstance(gene, str):
        return VariantResult(change.text, False, gene=change.gene, reason=gene)
    _check_residues(gene, change)
    number = change.codon
    positions = range(3 * number - 2, 3 * (change.end_codon or number) + 1)
    codes = list(dict.fromkeys(code for c in positions for code in gene.codes_for(c)))
    exon = gene.exon_at(3 * number - 2)
    hgvs_p = _hgvs_p(gene, change)
    reference = codon_reference(gene, number)
    about = f"codon {number} ({three_letter(change.ref)}{', ' + reference if reference else ''})" + \
        (f" in exon {exon.number}" if exon else "")  # fmt: skip
    known: dict[str, Any] = dict(code=codes[0] if codes else None, gene=gene.symbol, exon=exon.number if exon else None,
                                 codon=number if change.end_codon in (None, number) else None, hgvs_p=hgvs_p,
                                 **_codon_spans(gene, number))  # fmt: skip
    if change.kind == "any":
        how = ""
        if change.written_alt:
            how = (f"; {change.ref}{number}{change.written_alt} read as any change at codon {number} (X as any residue, "
                   f"as lab reports write it; a stop is {change.ref}{number}* or {three_letter(change.ref)}{number}Ter)")  # fmt: skip
        return VariantResult(change.text, bool(codes), **known, reason=f"any change at {about}{_verdict(gene, codes)}{how}")
    if change.kind in ("sub", "syn") and change.end_codon is None:
        return _substitution(classifier, gene, change, codes, about, known, reference)
    what = _KIND_WORDS.get(change.kind, "a change")
    span = f"codons {number} to {change.end_codon}" if change.end_codon else f"codon {number}"
    return VariantResult(change.text, bool(codes), **known,
                         reason=f"{hgvs_p.split(':', 1)[1]}, {what} at {span}"
                         f"{' in exon ' + str(exon.number) if exon else ''}{_verdict(gene, codes)}; the DNA change is "
                         "not named (several give it)")  # fmt: skip


def _verdict(gene: GeneModel, codes: list[str]) -> str:
    return f", which {codes[0]} analyses" if codes else f"; {gene.scope_text()}"


def _check_residues(gene: GeneModel, change: ProteinChange) -> None:
    sequence = gene.protein_sequence
    pairs = [(change.codon, change.ref)] + ([(change.end_codon, change.end_ref)] if change.end_codon else [])
    for number, residue in pairs:
        if residue == "*":
            continue
        if sequence is not None:
            if not 1 <= number <= len(sequence):
                raise InputError(f"{change.text}: {gene.protein} has residues 1 to {len(sequence)}, not {number}")
            if sequence[number - 1] != residue:
                expected = sequence[number - 1]
                raise InputError(f"{change.text}: residue {number} of {gene.protein} is {three_letter(expected)} "
                                 f"({expected}), not {three_letter(residue)} ({residue})")  # fmt: skip
        reference = codon_reference(gene, number)
        if reference is not None and translate(reference) != residue:
            raise InputError(f"{change.text}: codon {number} ({reference}) encodes {translate(reference)}, not {residue}")


def _hgvs_p(gene: GeneModel, change: ProteinChange) -> str | None:
    if change.kind == "any":
        return None
    start = f"{three_letter(change.ref)}{change.codon}"
    span = start + (f"_{three_letter(change.end_ref)}{change.end_codon}" if change.end_codon else "")
    residues = "".join(three_letter(r) for r in (change.alt or ""))
    edits = {"sub": residues, "syn": "=", "del": "del", "dup": "dup", "ins": f"ins{residues}",
             "delins": f"delins{residues}", "fs": f"{residues}fs", "ext": f"{residues}ext"}  # fmt: skip
    return f"{gene.protein}:p.{span}{edits[change.kind]}"


def _codon_spans(gene: GeneModel, number: int) -> dict[str, str | None]:
    spans: dict[str, str | None] = {}
    for assembly in ("GRCh38", "GRCh37"):
        ends = [gene.genomic(assembly, CPos(c)) for c in (3 * number - 2, 3 * number)]
        chromosome = next((e.regions[assembly].chromosome for e in gene.exons if assembly in e.regions), None)
        spans[assembly.lower()] = None if None in ends or chromosome is None else \
            f"{chromosome}:{min(ends)}-{max(ends)}"  # fmt: skip
    return spans


def _substitution(classifier, gene: GeneModel, change: ProteinChange, codes, about, known, reference) -> VariantResult:
    number = change.codon
    target = change.ref if change.kind == "syn" else change.alt
    verdict = _verdict(gene, codes)
    hgvs_p = known["hgvs_p"]
    if reference is None:
        return VariantResult(change.text, bool(codes), **known, notes=(
            (f"codon {number}'s reference bases are not known to the graph (it knows {gene.known_stretches()}): the "
            "DNA changes that give this protein change are not named"),),
            reason=f"{hgvs_p.split(':', 1)[1]} at {about}{verdict}")  # fmt: skip
    candidates = []
    for offset in range(3):
        for base in "ACGT":
            if base != reference[offset]:
                new = reference[:offset] + base + reference[offset + 1 :]
                if translate(new) == target:
                    candidates.append((3 * number - 2 + offset, reference[offset], base))
    if len(candidates) == 1:
        cds, ref, alt = candidates[0]
        coding = CodingChange(change.text, None, None, gene.symbol, f"{cds}{ref}>{alt}", CPos(cds), CPos(cds), "sub",
                              ref, alt)  # fmt: skip
        return replace(classifier.coding(coding), hgvs_p=hgvs_p)
    found = {f"{gene.transcript}:c.{c}{r}>{a}": gene.hotspots.get((c, r, a)) for c, r, a in candidates}
    hotspots = {h.name for h in found.values() if h}
    identifiers: dict[str, Any] = {}
    if candidates:
        identifiers["candidates"] = {
            hgvs: {**(h.identifiers if h else {}), **({"data_gaps": gene.gaps[hgvs]} if hgvs in gene.gaps else {}),
                   "VRS": dict(classifier.classify(hgvs).vrs)}
            for hgvs, h in found.items()
        }  # fmt: skip
        how = f"arises from {' or '.join(h.split(':')[1] for h in found)}"
    else:
        how = f"needs more than one base changed in {reference}"
    return VariantResult(change.text, bool(codes), **{**known, "hgvs_p": hgvs_p},
                         hotspot=hotspots.pop() if len(hotspots) == 1 else None, identifiers=identifiers,
                         reason=f"{hgvs_p.split(':', 1)[1]} at {about}{verdict}; it {how}")  # fmt: skip

"""The names of a located change: HGVS on the transcript and on each assembly's chromosome, SPDI, VCF
style, the ClinVar title and lab report forms, and GA4GH VRS identifiers.

Each notation has its own placement rule for an insertion or deletion that could sit at several
positions in a repeat: HGVS puts it 3' on its reference (the transcript for ``c.``, the plus strand
for ``g.``), VCF left-aligns it on the plus strand, SPDI and VRS expand it over the whole stretch.
Each is applied as far as the graph knows the bases; where it does not, the name is left out and
:func:`names` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import vrs
from .locate import Allele, Located, roll
from .sequence import one_letter
from .tables import GeneModel, ScopeTables


@dataclass
class Names:
    hgvs_g: dict[str, str] = field(default_factory=dict)
    spdi: dict[str, str] = field(default_factory=dict)
    vcf: dict[str, str] = field(default_factory=dict)
    vrs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def hgvs_c(located: Located) -> str:
    """The HGVS c. expression on the gene's transcript (3' placement done by :mod:`.locate`)."""
    gene, first, last, kind = located.gene, located.first, located.last, located.kind
    span = str(first) if first == last else f"{first}_{last}"
    if kind == "sub":
        return f"{gene.transcript}:c.{first}{located.ref}>{located.alt}"
    if kind == "del":
        return f"{gene.transcript}:c.{span}del"
    if kind == "dup":
        size = len(located.alt)
        where = f"{located.start}" if size == 1 else f"{located.start - size + 1}_{located.start}"
        return f"{gene.transcript}:c.{where}dup"
    if kind == "ins":
        return f"{gene.transcript}:c.{first}_{last}ins{located.alt}"
    return f"{gene.transcript}:c.{span}delins{located.alt}"


def names(tables: ScopeTables, located: Located) -> Names:
    """Every genomic and identifier name of the change that the graph's bases allow."""
    gene, found = located.gene, Names()
    for assembly, allele in located.alleles.items():
        chromosome = tables.chromosomes.get(assembly, {}).get(allele.chromosome)
        known = _plus_bases(gene, allele)
        found.vcf[assembly] = _vcf_style(allele, known) or ""
        if chromosome is None or chromosome.refseq is None:
            continue
        if (g := _hgvs_g(chromosome.refseq, allele, known)) is not None:
            found.hgvs_g[assembly] = g
        normal = vrs.normalize(allele.start, allele.end, allele.alt, known) if allele.ref is not None else None
        if normal is None:
            found.notes.append(f"the {assembly} SPDI and VRS forms need the reference bases around "
                               f"{allele.chromosome}:{allele.start + 1}-{allele.end}, which the graph does not know")  # fmt: skip
            continue
        start, end, state, expanded = normal
        deleted = "".join(known(i) or "" for i in range(start, end))
        found.spdi[assembly] = f"{chromosome.refseq}:{start}:{deleted}:{expanded}"
        if chromosome.refget:
            found.vrs[assembly] = vrs.allele_id(chromosome.refget, start, end, state)
    found.vcf = {k: v for k, v in found.vcf.items() if v}
    if (transcript_id := _transcript_vrs(located)) is not None:
        found.vrs[gene.transcript] = transcript_id
    return found


def _plus_bases(gene: GeneModel, allele: Allele):
    """Plus-strand base of interbase i-(i+1): the allele's own REF where given, else what the graph knows."""

    def base_at(i: int) -> str | None:
        if allele.ref and allele.start <= i < allele.end:
            return allele.ref[i - allele.start]
        return gene.plus_base(allele.assembly, allele.chromosome, i + 1)

    return base_at


def _vcf_style(allele: Allele, base_at) -> str | None:
    """``1-114716126-C-T``; an insertion or deletion left-aligned and written with the base before it."""
    start, _end, ref, alt = allele.start, allele.end, allele.ref, allele.alt
    if ref is None:
        return None
    if ref and alt:
        return f"{allele.chromosome}-{start + 1}-{ref}-{alt}"
    moving = ref or alt
    distance, _ = roll(moving, start - 1, -1, base_at)
    shift = distance % len(moving)
    moving = moving[len(moving) - shift:] + moving[: len(moving) - shift] if shift else moving
    start -= distance
    anchor = base_at(start - 1)
    if anchor is None:
        return None
    ref, alt = (moving, "") if ref else ("", moving)
    return f"{allele.chromosome}-{start}-{anchor}{ref}-{anchor}{alt}"


def _hgvs_g(accession: str, allele: Allele, base_at) -> str | None:
    start, end, ref, alt = allele.start, allele.end, allele.ref, allele.alt
    if ref is not None and ref and alt and len(ref) == len(alt) == 1:
        return f"{accession}:g.{end}{ref}>{alt}"
    if ref is None or (ref and alt):
        span = f"{start + 1}" if end == start + 1 else f"{start + 1}_{end}"
        return f"{accession}:g.{span}{'del' if not alt else 'delins' + alt}"
    moving = ref or alt
    distance, _ = roll(moving, end, +1, base_at)  # 3' on the plus strand
    shift = distance % len(moving)
    moving = moving[shift:] + moving[:shift]
    start, end = start + distance, end + distance
    if ref:
        return f"{accession}:g.{start + 1}" + (f"_{end}" if end > start + 1 else "") + "del"
    before = "".join(base_at(i) or "?" for i in range(start - len(moving), start))
    if before == moving:
        return f"{accession}:g.{start - len(moving) + 1}" + (f"_{start}" if len(moving) > 1 else "") + "dup"
    return f"{accession}:g.{start}_{start + 1}ins{moving}"


def _transcript_vrs(located: Located) -> str | None:
    """The VRS allele on the transcript's own sequence (c.N at interbase N + offset), where the graph allows."""
    gene = located.gene
    if located.start is None or gene.transcript_refget is None or gene.cds_offset is None or located.ref is None:
        return None
    offset = gene.cds_offset

    def base_at(i: int) -> str | None:  # the base from interbase i to i + 1 of the transcript is c.(i - offset)
        c = i - offset
        if located.ref and located.start < c <= located.end:
            return located.ref[c - located.start - 1]
        return gene.bases.get(c)

    # located.start and .end count interbase on the coding DNA (c.N is N - 1 to N)
    normal = vrs.normalize(located.start + 1 + offset, located.end + 1 + offset, located.alt, base_at)
    if normal is None:
        return None
    start, end, state, _ = normal
    return vrs.allele_id(gene.transcript_refget, start, end, state)


def clinvar_title(located: Located, hgvs_p: str | None) -> str:
    """``NM_002524.5(NRAS):c.35G>A (p.Gly12Asp)``, as ClinVar titles its variants."""
    change = hgvs_c(located).split(":", 1)[1]
    protein = f" ({hgvs_p.split(':', 1)[1]})" if hgvs_p else ""
    return f"{located.gene.transcript}({located.gene.symbol}):{change}{protein}"


def report_form(located: Located, hgvs_p: str | None) -> str:
    """``NRAS G12D (c.35G>A)``: gene, one-letter protein change where there is one, and the c. change."""
    change = hgvs_c(located).split(":", 1)[1]
    short = short_protein(hgvs_p) if hgvs_p else None
    return f"{located.gene.symbol} {short} ({change})" if short else f"{located.gene.symbol} {change}"


def short_protein(hgvs_p: str) -> str | None:
    """``NP_002515.1:p.Gly12Asp`` -> ``G12D``; None for changes without a one-letter short form."""
    import re

    match = re.fullmatch(r"(?:.*:)?p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|=)\)?", hgvs_p)
    if match is None:
        return None
    alt = "=" if match[3] == "=" else one_letter(match[3])
    return f"{one_letter(match[1])}{match[2]}{alt}"

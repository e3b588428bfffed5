"""What a change on the coding strand does to the protein, when the graph knows the bases it needs.

A change is given on the coding DNA as interbase positions (``start``-``end`` replaced by ``alt``)
with the coding-strand bases the graph knows (c. position -> base). The protein change is
computed with the standard genetic code from the reference codons the change touches; it is
None, with the reason, when a needed base is not known to the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sequence import three_letter, translate


@dataclass(frozen=True)
class ProteinEffect:
    """``hgvs`` the HGVS protein change (without accession), ``described`` a plain account of the codons."""

    hgvs: str | None
    described: str
    missing: str | None = None  # what could not be computed, and why


def effect(bases: dict[int, str], start: int, end: int, alt: str, exon_of) -> ProteinEffect:
    """The protein change of replacing c.``start+1``..c.``end`` (interbase) by ``alt`` on the coding strand."""
    deleted = end - start
    if (len(alt) - deleted) % 3 == 0:
        return _in_frame(bases, start, end, alt, exon_of)
    first_codon = start // 3 + 1
    reference = _known_run(bases, 3 * first_codon - 2)
    offset = start - (3 * first_codon - 3)
    changed = reference[:offset] + alt + reference[offset + deleted :] if len(reference) >= offset + deleted else ""
    for i in range(0, min(len(reference), len(changed)) - 2, 3):
        ref_residue, new_residue = translate(reference[i : i + 3]), translate(changed[i : i + 3])
        if ref_residue != new_residue:
            n = first_codon + i // 3
            return ProteinEffect(f"p.{three_letter(ref_residue)}{n}fs",
                                 f"a frameshift from codon {n} in exon {exon_of(3 * n - 2)}")  # fmt: skip
    return ProteinEffect(None, f"a frameshift from codon {first_codon}",
                         f"the reference bases from c.{3 * first_codon - 2} on are not known to the graph far "
                         "enough to name the first changed residue")  # fmt: skip


def _known_run(bases: dict[int, str], first: int) -> str:
    """The known coding bases from c.``first`` up to the first one the graph does not know."""
    run = []
    while first + len(run) in bases:
        run.append(bases[first + len(run)])
    return "".join(run)


def _codons(bases: dict[int, str], first: int, last: int) -> str | None:
    found = [bases.get(c) for c in range(3 * first - 2, 3 * last + 1)]
    return None if None in found else "".join(found)  # type: ignore[arg-type]


def _in_frame(bases: dict[int, str], start: int, end: int, alt: str, exon_of) -> ProteinEffect:
    if end > start:
        first, last = start // 3 + 1, (end - 1) // 3 + 1
    else:  # an insertion: the codons on either side of it
        first, last = max(1, (start - 1) // 3 + 1), start // 3 + 1
    if end - start != len(alt):  # widen (where known) so that a repeat of residues is seen and placed 3'
        wider = (max(end - start, len(alt)) // 3) + 1
        while first > 1 and wider and _codons(bases, first - 1, first - 1) is not None:
            first, wider = first - 1, wider - 1
        wider = (max(end - start, len(alt)) // 3) + 1
        while wider and _codons(bases, last + 1, last + 1) is not None:
            last, wider = last + 1, wider - 1
    reference = _codons(bases, first, last)
    if reference is None:
        missing = [c for c in range(3 * first - 2, 3 * last + 1) if c not in bases]
        return ProteinEffect(None, _codon_words(first, last, exon_of),
                             f"the reference bases of c.{missing[0]}" + (f" to c.{missing[-1]}" if len(missing) > 1 else "")
                             + " are not known to the graph")  # fmt: skip
    offset = start - (3 * first - 3)
    changed = reference[:offset] + alt + reference[offset + (end - start):]
    ref_residues = [translate(reference[i : i + 3]) for i in range(0, len(reference), 3)]
    alt_residues = [translate(changed[i : i + 3]) for i in range(0, len(changed) - len(changed) % 3, 3)]
    described = _described(first, reference, changed, ref_residues, alt_residues, exon_of)
    return ProteinEffect(_name(first, ref_residues, alt_residues), described)


def _described(first, reference, changed, ref_residues, alt_residues, exon_of) -> str:
    if len(reference) == len(changed):
        parts = []
        for i, (r, a) in enumerate(zip(ref_residues, alt_residues, strict=True)):
            n = first + i
            note = ", synonymous" if r == a else ", a stop" if a == "*" else ""
            parts.append(f"codon {n} ({reference[3 * i:3 * i + 3]}>{changed[3 * i:3 * i + 3]}, "
                         f"{three_letter(r)}>{three_letter(a)}{note}) in exon {exon_of(3 * n - 2)}")  # fmt: skip
        return ", ".join(parts)
    return "an in-frame deletion" if len(changed) < len(reference) else "an in-frame insertion"


def _codon_words(first: int, last: int, exon_of) -> str:
    exons = sorted({exon_of(3 * n - 2) for n in (first, last)} - {None})
    where = f" in exon {' and '.join(map(str, exons))}" if exons else ""
    return (f"codon {first}" if first == last else f"codons {first} to {last}") + where


def _name(first: int, ref: list[str], alt: list[str]) -> str:
    """HGVS p. from the reference and changed residues of the touched codons (3' placement)."""
    if ref == alt:
        return f"p.{three_letter(ref[0])}{first}=" if len(ref) == 1 else \
            f"p.{three_letter(ref[0])}{first}_{three_letter(ref[-1])}{first + len(ref) - 1}="  # fmt: skip
    lead = 0
    while lead < min(len(ref), len(alt)) and ref[lead] == alt[lead]:
        lead += 1
    tail = 0
    while tail < min(len(ref), len(alt)) - lead and ref[-1 - tail] == alt[-1 - tail]:
        tail += 1
    r, a = ref[lead : len(ref) - tail], alt[lead : len(alt) - tail]
    n = first + lead

    def at(i: int) -> str:
        return f"{three_letter(ref[i - first])}{i}"

    if len(r) == 1 and len(a) == 1:
        return f"p.{at(n)}{three_letter(a[0])}"
    if a and a[0] == "*" and r:
        return f"p.{at(n)}Ter"
    span = at(n) if len(r) == 1 else f"{at(n)}_{at(n + len(r) - 1)}"
    inserted = "".join(three_letter(x) for x in a)
    if not a:
        return f"p.{span}del"
    if not r:  # an insertion between residues n - 1 and n
        if n - 1 >= first and len(a) <= n - first and ref[n - first - len(a) : n - first] == a:
            dup_first = n - len(a)
            return f"p.{at(dup_first)}dup" if len(a) == 1 else f"p.{at(dup_first)}_{at(n - 1)}dup"
        if n - 1 < first or n - first >= len(ref):
            return f"p.(ins{inserted})"
        return f"p.{at(n - 1)}_{at(n)}ins{inserted}"
    return f"p.{span}delins{inserted}"

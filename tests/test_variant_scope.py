"""Issue 22, the scope of 81311: a change at any coding base of exon 2 (c.1-111) or exon 3 (c.112-290)
of NM_002524.5 is in scope, hotspot or not (and the answer says it is not a hotspot); exon 4 and
beyond are not. Where the graph does not know a reference base, the answer says what it could not
check or compute instead of inventing it.

The oracle is the project's copy of the reference facts (``reference/nras-81311-facts.tsv``), read
here on its own: the exon ranges and GRCh37 positions of the second pass's section 1, the verified
coding-strand stretches of section 2, the protein sequence, and the GRCh37/38 offset. The
translations are Biopython's, not the package's.
"""

from __future__ import annotations

import csv
import re

import pytest
from Bio.Seq import Seq
from Bio.SeqUtils import seq3

import cptkg
from cptkg.variants import classifier

from .conftest import ROOT


def reference_rows() -> list[dict[str, str]]:
    with (ROOT / "reference" / "nras-81311-facts.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = reference_rows()


def fact(pattern: str) -> dict[str, str]:
    [row] = [r for r in ROWS if re.fullmatch(pattern, r["fact"])]
    return row


def exon_ranges() -> dict[int, tuple[int, int, int]]:
    """exon -> (first c., last c., GRCh37 position of the first c.), from 'Exon N = c.A-c.B' rows."""
    ranges = {}
    for row in ROWS:
        if match := re.fullmatch(r"Exon (\d) = c\.(\d+)-c\.(\d+).*", row["fact"]):
            first = re.search(rf"(\d{{9}}) \(c\.{match[2]}\)|c\.{match[2]} = (\d{{9}})", row["value"])
            ranges[int(match[1])] = (int(match[2]), int(match[3]), int(first[1] or first[2]))
    return ranges


EXONS = exon_ranges()
SCOPE_EXONS = {2, 3}  # "81311 analyses exons 2 and 3" (issue 22, reference group 11)
OFFSET = int(re.search(r"GRCh38 = GRCh37 - ([\d,]+)", fact(r"GRCh37 <-> GRCh38 offset over NRAS")["value"])[1].replace(",", ""))
PROTEIN = fact(r"Reference protein sequence.*")["value"]


def stretches() -> dict[int, str]:
    """c. position -> coding-strand base, from the verified 'Coding strand c.A-c.B' rows."""
    bases = {}
    for row in ROWS:
        if match := re.fullmatch(r"Coding strand c\.(\d+)-c\.(\d+) .*", row["fact"]):
            sequence = re.match(r"[ACGT]+", row["value"])[0]
            assert len(sequence) == int(match[2]) - int(match[1]) + 1
            bases.update({int(match[1]) + i: base for i, base in enumerate(sequence)})
    return bases


BASES = stretches()


def exon_of(cds: int) -> int:
    return next(n for n, (first, last, _) in EXONS.items() if first <= cds <= last)


@pytest.fixture(scope="module")
def decide(kg):
    return classifier(kg)


def test_the_oracle_is_what_the_issue_says():
    assert {n: r[:2] for n, r in EXONS.items()} == {2: (1, 111), 3: (112, 290), 4: (291, 450), 5: (451, 570)}
    assert OFFSET == 542621 and len(PROTEIN) == 189 and len(BASES) == 62 + 62 + 44


def test_the_verified_stretches_translate_to_the_protein():
    for first in (4, 151, 409):  # the stretches' first whole codons
        codons = "".join(BASES[c] for c in range(first, first + 60) if c in BASES)
        number = (first - 1) // 3 + 1
        protein = str(Seq(codons[: len(codons) // 3 * 3]).translate())
        assert PROTEIN[number - 1 : number - 1 + len(protein)] == protein


@pytest.mark.parametrize("number", range(1, 190))
def test_any_change_at_each_codon_is_in_scope_exactly_in_exons_2_and_3(decide, number):
    residue = PROTEIN[number - 1]
    answer = decide.classify(f"NRAS {residue}{number}")
    exon = exon_of(3 * number - 2)
    assert (answer.in_scope, answer.exon, answer.codon) == (exon in SCOPE_EXONS, exon, number)
    assert answer.code == ("81311" if exon in SCOPE_EXONS else None)
    if exon not in SCOPE_EXONS:
        assert "81311 analyses exons 2 and 3 (c.1-290) of NRAS" in answer.reason


@pytest.mark.parametrize("cds", sorted(BASES))
def test_every_substitution_at_a_verified_base(decide, cds):
    """Checked, translated and scoped like a hotspot: in scope up to c.290, 'not a hotspot' said."""
    ref = BASES[cds]
    codon_number, phase = (cds - 1) // 3 + 1, (cds - 1) % 3
    codon = "".join(BASES.get(c, "?") for c in range(3 * codon_number - 2, 3 * codon_number + 1))
    for alt in "ACGT".replace(ref, ""):
        answer = decide.classify(f"NM_002524.5:c.{cds}{ref}>{alt}")
        assert answer.in_scope == (cds <= 290) and answer.exon == exon_of(cds), answer.reason
        if "?" in codon:
            assert answer.hgvs_p is None and any("protein change is not computed" in n for n in answer.notes)
        else:
            new = codon[:phase] + alt + codon[phase + 1 :]
            before, after = str(Seq(codon).translate()), str(Seq(new).translate())
            expected = "=" if before == after else seq3(after, custom_map={"*": "Ter"})
            assert answer.hgvs_p == f"NP_002515.1:p.{seq3(before)}{codon_number}{expected}"
        if answer.in_scope and answer.hotspot is None:
            assert "not a hotspot the graph lists" in answer.reason
        with pytest.raises(cptkg.InputError, match=rf"reference at c\.{cds} of NM_002524\.5 is {ref}, not {alt}"):
            decide.classify(f"NM_002524.5:c.{cds}{alt}>{ref}")


@pytest.mark.parametrize("exon", sorted(EXONS))
def test_exon_edges_on_both_builds(decide, exon):
    """c. <-> genome at each exon's first and last coding base (GRCh37 from the facts, GRCh38 by the offset)."""
    first, last, grch37_first = EXONS[exon]
    for cds, grch37 in ((first, grch37_first), (last, grch37_first - (last - first))):  # minus strand
        answer = decide.classify(f"NM_002524.5:c.{cds}del")
        assert answer.in_scope == (exon in SCOPE_EXONS)
        assert answer.names["hgvs_g"]["GRCh37"].startswith(f"NC_000001.10:g.{grch37}")
        assert answer.names["hgvs_g"]["GRCh38"].startswith(f"NC_000001.11:g.{grch37 - OFFSET}")


@pytest.mark.parametrize("expression, in_scope, note", [
    ("NM_002524.5:c.100A>G", True, r"reference base at c\.100 is not known to the graph"),
    ("NM_002524.5:c.1A>G", True, r"reference base at c\.1 is not known"),
    ("NRAS D30E", True, r"codon 30's reference bases are not known to the graph"),
    ("NRAS K117N", False, r"codon 117's reference bases are not known"),
    ("1-114716061-T-C", True, r"GRCh38 reference at 1:114716061 is not known to the graph"),
    ("NM_002524.5:c.88_90del", True, r"3' position of this insertion or deletion could not be checked"),
])  # fmt: skip
def test_what_the_graph_does_not_know_is_said(decide, expression, in_scope, note):
    answer = decide.classify(expression)
    assert answer.in_scope is in_scope
    assert any(re.search(note, n) for n in answer.notes), answer.notes


@pytest.mark.parametrize("expression, in_scope, codons", [
    ("1-114716124-CACC-C", True, "codons 13 to 14"),  # codon 12's GGT deleted: placed 3' (c.38_40del, p.Gly13del)
    ("NM_002524.5:c.34_36del", True, "codons 13 to 14"),
    ("NM_002524.5:c.109_111+5del", True, "codon 37"),  # across exon 2's end into the intron
    ("NM_002524.5:c.111+2_111+5del", False, None),  # wholly intronic
    ("NM_002524.5:c.289_293del", True, "codons 97 to 98"),  # from exon 3 into exon 4
])  # fmt: skip
def test_deletions_are_in_scope_when_they_touch_an_analysed_exon(decide, expression, in_scope, codons):
    answer = decide.classify(expression)
    assert answer.in_scope is in_scope, answer.reason
    if codons:
        assert codons in answer.reason


def test_a_code_that_lists_codons_only_covers_only_them(tmp_path):
    """A code without cptkg:analysesWholeExons covers its listed codons, not its exons' other bases."""
    extra = tmp_path / "codon-code.ttl"
    extra.write_text("""@prefix cptkg: <https://w3id.org/cptkg/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
cptkg:code-test a cptkg:BillingCode ; skos:notation "99999" ; cptkg:analyzesGene cptkg:gene-NRAS ;
    cptkg:coversExon cptkg:exon-NRAS-3 ; cptkg:coversCodon cptkg:codon-NRAS-61 ; dcterms:source cptkg:ref-11-81311 .
""")
    decide = classifier(cptkg.load(extra))
    assert decide.classify("NRAS A59T").code == "81311"
    q61r = decide.classify("NRAS Q61R")
    assert q61r.code == "81311" and q61r.in_scope
    assert decide.tables.genes["NRAS"].codes_for(182) == ["81311", "99999"]
    assert decide.tables.genes["NRAS"].codes_for(175) == ["81311"]
    assert "99999 analyses codon 61 of NRAS" in decide.tables.genes["NRAS"].scope_text()

"""Variant scope (``cptkg.variants``, ``cptkg variant``).

The hotspot expectations are read from the reference fact table itself (group 4 and the second
pass's COSMIC rows), not from the graph, so the test fails if the graph and the reference drift
apart. The other cases are in ``cases/variants.json``.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from Bio.Seq import Seq
from Bio.SeqUtils import seq3

from cptkg.core.errors import InputError, ParameterError
from cptkg.variants import ScopeTables, VariantResult, classify_vcf, tables

from .conftest import CASES, FIXTURES, ROOT, run_process

CASE_TABLE = json.loads((CASES / "variants.json").read_text(encoding="utf-8"))
JSON_KEYS = ["input", "in_scope", "code", "gene", "exon", "codon", "hgvs_c", "hgvs_p", "grch38", "grch37", "hotspot",
             "identifiers", "reason", "names", "vrs", "read_as", "build", "notes"]  # fmt: skip
#: "Exon 2 holds codons 12/13, exon 3 holds codon 61" (reference facts, group 2, coding exons)
EXON_OF_CODON = {12: 2, 13: 2, 61: 3}


def reference_rows(group_prefix: str) -> list[dict[str, str]]:
    with (ROOT / "reference" / "nras-81311-facts.tsv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["group"].startswith(group_prefix)]


def reference_hotspots() -> list[dict]:
    hotspot_row = re.compile(
        r"(?P<hgvs_c>NM_002524\.5:c\.(?P<cds>\d+)[ACGT]>[ACGT]) \| (?P<hgvs_p>NP_002515\.1:p\.(?P<ref3>[A-Z][a-z]{2})"
        r"(?P<codon>\d+)(?P<alt3>[A-Z][a-z]{2})) \| GRCh37 VCF (?P<g37>1 \d+ [ACGT] [ACGT]) \| "
        r"GRCh38 VCF (?P<g38>1 \d+ [ACGT] [ACGT]) \| (?P<ids>.*)"
    )
    cosmic = {}
    for row in reference_rows("2.3 "):
        if row["status"] == "VERIFIED":
            names = re.findall(r"\b[GQ]\d+[A-Z]\b", row["fact"].split("(")[0])
            cosmic.update(zip(names, re.findall(r"COSM\d+", row["value"])))
    hotspots = []
    for row in reference_rows("4 "):
        match = hotspot_row.fullmatch(row["value"])
        if not match:
            continue
        name = row["fact"].split()[0]
        rs = re.search(r"\brs\d+", match["ids"])
        clinvar = re.search(r"ClinVar VariationID (\d+)", match["ids"])
        hotspots.append({
            "name": name, "verified": row["status"] == "VERIFIED", "hgvs_c": match["hgvs_c"],
            "hgvs_p": match["hgvs_p"], "codon": int(match["codon"]), "cds": int(match["cds"]),
            "ref3": match["ref3"], "alt3": match["alt3"],
            "grch37": match["g37"].replace(" ", "-"), "grch38": match["g38"].replace(" ", "-"),
            "dbSNP": rs[0] if rs else None, "ClinVar": clinvar[1] if clinvar else None,
            "COSMIC": cosmic.get(name) if "(" not in row["fact"] else None,
        })  # fmt: skip
    return hotspots


HOTSPOTS = reference_hotspots()
ONE_LETTER = {"Gly": "G", "Gln": "Q", "Cys": "C", "Ser": "S", "Arg": "R", "Asp": "D", "Ala": "A", "Val": "V",
              "Lys": "K", "Glu": "E", "Leu": "L", "Pro": "P", "His": "H"}  # fmt: skip


def test_the_reference_lists_the_hotspots_this_test_relies_on():
    assert len(HOTSPOTS) == 18 and sum(not h["verified"] for h in HOTSPOTS) == 1
    assert {h["codon"] for h in HOTSPOTS} == {12, 13, 61}


def notations(hotspot: dict) -> list[tuple[str, str]]:
    """Every way of writing the hotspot that names one substitution, with the build it is on."""
    change = hotspot["hgvs_c"].split(":")[1]
    _, pos38, ref, alt = hotspot["grch38"].split("-")
    pos37 = hotspot["grch37"].split("-")[1]
    forms = [(f"NM_002524.5:{change}", "GRCh38"), (f"NM_002524.4:{change}", "GRCh38"),
             (f"ENST00000369535.5:{change}", "GRCh38"), (f"NRAS {change}", "GRCh38"),
             (hotspot["grch38"], "GRCh38"), (f"chr1:{pos38}:{ref}>{alt}", "GRCh38"),
             (f"NC_000001.11:g.{pos38}{ref}>{alt}", "GRCh38"), (hotspot["grch37"], "GRCh37"),
             (f"chr1:{pos37}:{ref}>{alt}", "GRCh37")]  # fmt: skip
    if hotspot["name"] != "Q61H":  # two substitutions give Q61H: its protein forms are tested apart
        short = f"{ONE_LETTER[hotspot['ref3']]}{hotspot['codon']}{ONE_LETTER[hotspot['alt3']]}"
        protein = hotspot["hgvs_p"].split(":")[1]
        forms += [(hotspot["hgvs_p"], "GRCh38"), (f"NP_002515.1:p.{short}", "GRCh38"), (f"NRAS {short}", "GRCh38"),
                  (f"NRAS p.{short}", "GRCh38"), (f"NRAS {protein}", "GRCh38"), (f"NP_002515.1:p.({protein[2:]})", "GRCh37")]  # fmt: skip
    return forms


@pytest.mark.parametrize("hotspot", HOTSPOTS, ids=[h["hgvs_c"].split(":")[1] for h in HOTSPOTS])
def test_every_hotspot_in_every_notation_on_both_builds(kg, hotspot):
    for expression, build in notations(hotspot):
        answer = kg.variant(expression, build=build).to_dict()
        assert list(answer) == JSON_KEYS
        assert answer["in_scope"] is True and answer["code"] == "81311" and answer["gene"] == "NRAS", expression
        assert (answer["codon"], answer["exon"]) == (hotspot["codon"], EXON_OF_CODON[hotspot["codon"]]), expression
        assert (answer["hgvs_c"], answer["hgvs_p"]) == (hotspot["hgvs_c"], hotspot["hgvs_p"]), expression
        assert (answer["grch38"], answer["grch37"]) == (hotspot["grch38"], hotspot["grch37"]), expression
        identifiers = answer["identifiers"]
        if hotspot["verified"]:
            assert answer["hotspot"] == hotspot["name"], expression
            for system in ("dbSNP", "ClinVar", "COSMIC"):
                assert identifiers.get(system) == hotspot[system], (expression, system)
            assert ("data_gaps" in identifiers) == (hotspot["COSMIC"] is None), expression
        else:  # an unverified row is no hotspot: the answer names it as a data gap instead
            assert answer["hotspot"] is None and set(identifiers) == {"data_gaps"}, expression


def test_q61h_protein_forms_name_both_substitutions(kg):
    q61h = [h for h in HOTSPOTS if h["name"] == "Q61H"]
    for expression in ("NRAS Q61H", "NP_002515.1:p.Gln61His", "NRAS p.Q61H"):
        answer = kg.variant(expression)
        assert answer.in_scope and answer.hotspot == "Q61H" and answer.hgvs_c is None
        assert answer.hgvs_p == "NP_002515.1:p.Gln61His"
        assert sorted(answer.identifiers["candidates"]) == sorted(h["hgvs_c"] for h in q61h)
        for h in q61h:
            assert answer.identifiers["candidates"][h["hgvs_c"]]["dbSNP"] == h["dbSNP"]


@pytest.mark.parametrize("case", CASE_TABLE["answers"], ids=[c["input"] for c in CASE_TABLE["answers"]])
def test_answer_case(kg, case):
    answer = kg.variant(case["input"], build=case.get("build", "GRCh38")).to_dict()
    assert {key: answer[key] for key in case["expect"]} == case["expect"]
    if "reason_matches" in case:
        assert re.search(case["reason_matches"], answer["reason"]), answer["reason"]
    if "notes_match" in case:
        assert any(re.search(case["notes_match"], note) for note in answer["notes"]), answer["notes"]
    if not answer["in_scope"]:
        assert answer["code"] is None and answer["reason"]


@pytest.mark.parametrize("case", CASE_TABLE["errors"], ids=[c["input"] or "empty" for c in CASE_TABLE["errors"]])
def test_error_case(kg, case):
    with pytest.raises(InputError, match=case["error"]):
        kg.variant(case["input"], build=case.get("build", "GRCh38"))


def test_every_substitution_at_a_covered_base_is_in_scope_and_translated(kg):
    """Not only the hotspots: all 27 single-base changes of c.34-39 and c.181-183, on both builds."""
    codons = {row["codon_number"]: row["reference_codon"] for row in kg.query("covered-codons", code="81311").records()}
    bases = {34: "G", 35: "G", 36: "T", 37: "G", 38: "G", 39: "T", 181: "C", 182: "A", 183: "A"}
    for cds, ref in bases.items():
        codon = (cds - 1) // 3 + 1
        assert codons[codon][(cds - 1) % 3] == ref
        for alt in "ACGT".replace(ref, ""):
            answer = kg.variant(f"NM_002524.5:c.{cds}{ref}>{alt}")
            new_codon = list(codons[codon])
            new_codon[(cds - 1) % 3] = alt
            residue = str(Seq("".join(new_codon)).translate())
            expected = "=" if residue == str(Seq(codons[codon]).translate()) else seq3(residue, custom_map={"*": "Ter"})
            assert answer.in_scope and answer.codon == codon, answer
            assert answer.hgvs_p == f"NP_002515.1:p.{seq3(str(Seq(codons[codon]).translate()))}{codon}{expected}"
            again = kg.variant(answer.grch37, build="GRCh37")
            assert (again.hgvs_c, again.grch38) == (answer.hgvs_c, answer.grch38)


def test_tables_are_compiled_once_per_graph(kg):
    assert tables(kg) is tables(kg)
    assert isinstance(tables(kg), ScopeTables)


def test_result_object(kg):
    answer = kg.variant("NRAS G12D")
    assert isinstance(answer, VariantResult)
    assert json.loads(answer.to_json()) == answer.to_dict()
    answer.to_dict()["identifiers"]["dbSNP"] = "changed"
    assert answer.identifiers["dbSNP"] != "changed"
    assert "<table>" in answer._repr_html_()
    with pytest.raises(ParameterError, match="unknown build"):
        kg.variant("NRAS G12D", build="hg19")


def test_rdflib_backend_gives_the_same_answers(any_kg):
    assert any_kg.variant("1-114716126-C-T").to_dict() == any_kg.variant("NRAS G12D").to_dict() | {
        "input": "1-114716126-C-T", "build": "GRCh38"
    }


# ---------------------------------------------------------------------------------------- VCF


def bgzip(source, target):
    from Bio import bgzf

    with bgzf.BgzfWriter(str(target), "wb") as handle:
        handle.write(source.read_bytes())
    return target


def expected_vcf_answers() -> list[tuple[str, bool, str | None]]:
    """The fixture's records in NRAS (GRCh38, from its ##contig assembly): one answer per ALT allele; the
    chr7 record is outside the analysed genes and the '.' ALT is no variant: neither is answered."""
    return [
        ("1-114713908-T-C", True, "Q61R"), ("1-114716126-C-T", True, "G12D"), ("1-114716126-C-A", True, "G12V"),
        ("1-114716125-A-G", True, None), ("1-114716000-A-G", False, None), ("1-114713906-C-T", True, None),
        ("1-114716125-ACC-ATT", True, None),
    ]  # fmt: skip


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "bgzip"])
def test_vcf_gives_a_result_per_allele(kg, tmp_path, compressed):
    path = FIXTURES / "variants.vcf"
    if compressed:
        path = bgzip(path, tmp_path / "variants.vcf.gz")
    run = classify_vcf(kg, path)
    answers = [(r.input, r.in_scope, r.hotspot) for r in run]
    assert answers == expected_vcf_answers()
    assert (run.build, run.build_basis) == ("GRCh38", "header: ##contig chr1 assembly=GRCh38")
    assert run.placeholders == 1 and run.skipped == []


def test_vcf_on_grch37_and_its_errors(kg, tmp_path):
    grch37 = tmp_path / "grch37.vcf"
    grch37.write_text("#CHROM\tPOS\tID\tREF\tALT\n1\t115256529\t.\tT\tC\n1\t115258747\t.\tC\tT\n")
    assert [r.hotspot for r in classify_vcf(kg, grch37, build="GRCh37")] == ["Q61R", "G12D"]
    assumed = list(classify_vcf(kg, grch37))  # no build stated: GRCh38 assumed, the GRCh37 answer beside it
    assert [(r.in_scope, r.other_build.hotspot) for r in assumed] == [(False, "Q61R"), (False, "G12D")]
    assert all("assumed" in r.build_basis for r in assumed)
    wrong = tmp_path / "wrong.vcf"
    wrong.write_text("#CHROM\tPOS\tID\tREF\tALT\n1\t114713908\t.\tT\tC\n1\t114713908\t.\tG\tC\n")
    run = classify_vcf(kg, wrong, build="GRCh38")
    assert [r.hotspot for r in run] == ["Q61R"]  # one bad record never stops the run
    assert [(s.line, s.reason) for s in run.skipped] == [(3, "the GRCh38 reference at 1:114713908 is T, not G")]
    broken = tmp_path / "broken.vcf"
    broken.write_text("1\tx\t.\tT\tC\n")
    run = classify_vcf(kg, broken)
    assert list(run) == [] and [(s.line, s.reason) for s in run.skipped] == [(1, "POS 'x' is not a position (ASCII digits)")]
    with pytest.raises(InputError, match="cannot read the VCF"):
        classify_vcf(kg, tmp_path / "missing.vcf")


# ---------------------------------------------------------------------------------------- command line


def test_cli_text_and_json(cli):
    run = cli("variant", "NRAS G12D", "KRAS G12D", "1-115256529-T-C", "--build", "GRCh37")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].startswith("NRAS G12D\tin scope of 81311\t") and "hotspot NRAS G12D" in lines[0]
    assert lines[1].startswith("KRAS G12D\tout of scope\t")
    assert "Q61R" in lines[2]
    # the text line says what the input was read as (its notes), as the JSON's read_as and notes do
    run = cli("variant", "NM_002524.4:c.35G>A")
    assert run.out.rstrip("\n").endswith("; note: NM_002524.4 read as NM_002524.5: the graph records the same c. "
                                          "numbering on both (reference record ref-2-refseq-versions-seen-in-kbs)")
    run = cli("variant", "--format", "json", "NM_002524.5:c.36T>C")
    answer = json.loads(run.out)
    assert list(answer) == JSON_KEYS and answer["hgvs_p"] == "NP_002515.1:p.Gly12="


@pytest.mark.parametrize("parser", ["builtin", "biocommons"])
def test_cli_hgvs_parser_choice_gives_the_same_answer(cli, parser):
    run = cli("variant", "--hgvs-parser", parser, "--format", "json", "NM_002524.5(NRAS):c.35G>A (p.Gly12Asp)")
    assert run.code == 0 and json.loads(run.out)["hotspot"] == "G12D"


def test_cli_errors_exit_2_with_expected_and_given_base(cli):
    run = cli("variant", "1-114713908-A-G")
    assert run.code == 2 and run.out == ""
    assert run.err.strip() == "cptkg: error: 1-114713908-A-G: the GRCh38 reference at 1:114713908 is T, not A"
    assert cli("variant").code == 2
    assert cli("variant", "NRAS G12D", "--vcf", str(FIXTURES / "variants.vcf")).code == 2


def test_cli_vcf_streams_json_lines_quietly(tmp_path):
    gz = bgzip(FIXTURES / "variants.vcf", tmp_path / "calls.vcf.gz")
    run = run_process("variant", "--vcf", str(gz), "--format", "json", "--quiet")
    assert run.code == 0 and run.err == ""
    answers = [json.loads(line) for line in run.out.splitlines()]
    assert [(a["input"], a["in_scope"], a["hotspot"]) for a in answers] == expected_vcf_answers()
    assert answers[0]["vcf"]["line"] == 4 and answers[0]["vcf"]["filter"] == "PASS"
    run = run_process("variant", "--vcf", str(FIXTURES / "variants.vcf"))
    assert run.code == 0 and len(run.out.splitlines()) == 7
    assert run.err.startswith(f"cptkg: {FIXTURES / 'variants.vcf'}: 7 records read") and "1 ALT placeholder" in run.err

"""Issue 16, variant names: HGVS read by biocommons hgvs and by cptkg's own grammar, side by side and
held to hgvs 1.5.7's grammar table; the forms labs and databases write; HGVS g., SPDI, ClinVar
titles and report forms of every hotspot from the reference facts; GA4GH VRS identifiers checked
against the specification's validation examples, published identifiers (cat-vrs's NRAS allele,
vrs-python's annotated VCF) and vrs-python itself.
"""

from __future__ import annotations

import csv
import json
import random
import re

import pytest
import yaml

from cptkg.core.errors import InputError
from cptkg.variants import grammar, vrs
from cptkg.variants.model import CodingChange, GenomicChange, ProteinChange, RsChange
from cptkg.variants.reading import parse, read

from .conftest import ROOT
from .test_variants import HOTSPOTS

EXTERNAL = ROOT / "tests" / "data" / "external"
#: the grammar table of the hgvs release cptkg reads with (SOURCES.md: the main branch's is ahead of 1.5.7)
TABLE = EXTERNAL / "hgvs" / "biocommons-hgvs-1.5.7-grammar_test.tsv"
#: the table says False; hgvs 1.5.7's own parser accepts it (Glx is an aa3 code of its grammar; SOURCES.md)
KNOWN_DISAGREEMENT = {("def_p_pos", "Glx5")}
#: GRCh38 chromosome 19's refget accession, for vrs-python's chr19 records: broadinstitute/gnomad_methods
#: @004efc3859b3:gnomad/utils/annotations.py (VRS_CHROM_IDS["GRCh38"]["chr19"]); the VRS validation suite's
#: rs7412 example (NC_000019.10) uses the same accession
CHR19_GRCH38 = "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"


def grammar_cases() -> list[tuple[str, str, bool]]:
    cases = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", "Func")):
            continue
        func, test, valid, in_type = (line.split("\t") + ["", "", "", ""])[:4]
        texts = test.split("|") if in_type == "list" else list(test) if in_type == "string" else [test]
        cases += [(func, text, valid.strip().lower() == "true") for text in texts]
    return cases


CASES = grammar_cases()
OURS = [case for case in CASES if case[0] in grammar.RULES]


def test_the_built_in_grammar_covers_the_rules_cptkg_reads_with():
    tested = {func for func, _, _ in CASES}
    assert {"accn", "c_variant", "g_variant", "p_variant", "c_posedit", "p_posedit", "dna_edit", "pro_edit"} <= tested
    assert set(grammar.RULES) - tested <= {"offset", "def_g_interval", "p_interval", "g_posedit", "pm"} - tested
    assert len(OURS) > 400


@pytest.mark.parametrize("func, text, valid", OURS, ids=[f"{f}:{t}" for f, t, _ in OURS])
def test_built_in_rule_agrees_with_the_hgvs_1_5_7_table(func, text, valid):
    accepted = bool(grammar.RULES[func].fullmatch(text))
    assert accepted == (valid != ((func, text) in KNOWN_DISAGREEMENT))


@pytest.mark.parametrize("func, text, valid", OURS, ids=[f"{f}:{t}" for f, t, _ in OURS])
def test_biocommons_rule_agrees_with_the_built_in_one(func, text, valid):
    parser = pytest.importorskip("hgvs.parser").Parser()
    try:
        getattr(parser._grammar(text), func)()
        accepted = True
    except Exception:  # noqa: BLE001 - parsley raises its own ParseError (and others on odd input)
        accepted = False
    assert accepted == bool(grammar.RULES[func].fullmatch(text))


def corpus() -> list[str]:
    """HGVS with a reference: the table's valid variants, biocommons' real.tsv, the hotspots, edge forms."""
    texts = [t for f, t, v in CASES if f in ("c_variant", "g_variant", "p_variant") and v]
    with (EXTERNAL / "hgvs" / "biocommons-hgvs-gcp-real.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            texts += [row["HGVSg"], row["HGVSc"], row["HGVSp"]]
    for hotspot in HOTSPOTS:
        texts += [hotspot["hgvs_c"], hotspot["hgvs_p"], hotspot["hgvs_c"].replace(".5:", ".5(NRAS):")]
    texts += ["NM_002524.5:c.34_35delGGinsTT", "NM_002524.5:c.35_36dup", "NM_002524.5:c.*5del", "NM_002524.5:c.-5G>A",
              "NM_002524.5:c.111+1G>A", "NM_002524.5:c.112-2A>G", "NC_000001.11:g.114716125_114716126insA",
              "NC_000001.11:g.114716125_114716127del", "NP_002515.1:p.Q61*", "NP_002515.1:p.Gly12_Gly13insAla",
              "NP_002515.1:p.Gly12fs", "NP_002515.1:p.Gln61?", "NP_002515.1:p.(Gly12Asp)", "nm_002524.5:c.35g>a"]  # fmt: skip
    return texts


def read_or_error(text: str, parser: str):
    try:
        return read(text, parser)
    except InputError as error:
        return f"InputError: {error}"


@pytest.mark.parametrize("text", corpus())
def test_both_readers_give_the_same_value(text):
    pytest.importorskip("hgvs.parser")
    assert read_or_error(text, "builtin") == read_or_error(text, "biocommons")


# ---------------------------------------------------------------- the forms labs and databases write

FORMS = [
    ("NM_002524.5(NRAS):c.35G>A (p.Gly12Asp)", CodingChange, {"accession": "NM_002524", "version": "5", "gene": "NRAS",
                                                              "change": "35G>A", "companion": "p.Gly12Asp"}),
    ("NRAS G12D (c.35G>A)", ProteinChange, {"gene": "NRAS", "kind": "sub", "codon": 12, "alt": "D", "companion": "c.35G>A"}),
    ("NRAS p.(Gly12Asp)", ProteinChange, {"gene": "NRAS", "ref": "G", "codon": 12, "alt": "D"}),
    ("nras g12d", ProteinChange, {"gene": "NRAS", "ref": "G", "codon": 12, "alt": "D"}),
    ("NRAS gly12asp", ProteinChange, {"gene": "NRAS", "ref": "G", "codon": 12, "alt": "D"}),
    ("nm_002524.5:c.35g>a", CodingChange, {"accession": "NM_002524", "change": "35G>A", "ref": "G", "alt": "A"}),
    ("NRAS Q61X", ProteinChange, {"kind": "any", "codon": 61, "alt": None, "written_alt": "X"}),
    ("NRAS Q61", ProteinChange, {"kind": "any", "codon": 61, "alt": None, "written_alt": None}),
    ("NRAS p.Gln61?", ProteinChange, {"kind": "any", "codon": 61}),
    ("NRAS Q61*", ProteinChange, {"kind": "sub", "alt": "*"}),
    ("NRAS:c.182A>G", CodingChange, {"gene": "NRAS", "accession": None, "change": "182A>G"}),
    ("NC_000001.10:g.115258747C>T", GenomicChange, {"accession": "NC_000001.10", "start": 115258746, "end": 115258747}),
    ("NC_000001.11:114716125:C:T", GenomicChange, {"accession": "NC_000001.11", "start": 114716125, "ref": "C", "alt": "T"}),
    ("NC_000001.11:114716124:3:", GenomicChange, {"start": 114716124, "end": 114716127, "ref": None, "alt": ""}),
    ("chr1-114716126-C-T", GenomicChange, {"chromosome": "1", "start": 114716125, "ref": "C", "alt": "T"}),
    ("RS121913237", RsChange, {"rs": "rs121913237"}),
]  # fmt: skip


@pytest.mark.parametrize("text, kind, fields", FORMS, ids=[f[0] for f in FORMS])
@pytest.mark.parametrize("parser", ["builtin", "biocommons"])
def test_forms(text, kind, fields, parser):
    if parser == "biocommons":
        pytest.importorskip("hgvs.parser")
    value = parse(text, parser)
    assert isinstance(value, kind)
    assert {key: getattr(value, key) for key in fields} == fields


def accession_of(build: str) -> str:
    """The RefSeq accession of chromosome 1 on a build, from the project's additional facts (group S)."""
    with (ROOT / "reference" / "cptkg-additional-facts.tsv").open(encoding="utf-8", newline="") as handle:
        [row] = [r for r in csv.DictReader(handle, delimiter="\t") if r["fact"] == f"{build} chromosome 1 names and length"]
    return re.search(r"RefSeq accession (NC_\d+\.\d+)", row["value"])[1]


@pytest.mark.parametrize("hotspot", HOTSPOTS, ids=[h["hgvs_c"].split(":")[1] for h in HOTSPOTS])
def test_every_hotspot_s_other_names(kg, hotspot):
    """g. and SPDI on both builds (from the reference's VCF columns), ClinVar title, report form, VRS per build."""
    answer = kg.variant(hotspot["hgvs_c"])
    for build in ("GRCh38", "GRCh37"):
        _, pos, ref, alt = hotspot[build.lower()].split("-")
        accession = accession_of(build)
        assert answer.names["hgvs_g"][build] == f"{accession}:g.{pos}{ref}>{alt}"
        assert answer.names["spdi"][build] == f"{accession}:{int(pos) - 1}:{ref}:{alt}"
        assert answer.vrs[build].startswith("ga4gh:VA.")
        assert kg.variant(answer.names["spdi"][build]).hgvs_c == hotspot["hgvs_c"]  # SPDI reads back
        assert kg.variant(answer.names["hgvs_g"][build]).hgvs_c == hotspot["hgvs_c"]
    change, protein = hotspot["hgvs_c"].split(":")[1], hotspot["hgvs_p"].split(":")[1]
    assert answer.names["clinvar_title"] == f"NM_002524.5(NRAS):{change} ({protein})"
    if hotspot["verified"]:
        assert answer.names["report"] == f"NRAS {hotspot['name']} ({change})"
    assert len(set(answer.vrs.values())) == 3  # GRCh38, GRCh37 and the transcript: three sequences, three ids


# ---------------------------------------------------------------- GA4GH VRS


def validation_cases() -> list[tuple[str, dict, dict]]:
    suite = yaml.safe_load((EXTERNAL / "vrs" / "ga4gh-vrs-validation-models.yaml").read_text(encoding="utf-8"))
    return [(kind, case["in"], case["out"]) for kind, cases in suite.items() if kind in vrs.INHERENT
            for case in cases]  # fmt: skip


VALIDATION = validation_cases()


@pytest.mark.parametrize("kind, given, expected", VALIDATION, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(VALIDATION)])
def test_vrs_digest_rules_reproduce_the_specification_s_examples(kind, given, expected):
    assert json.dumps(vrs.serialize(given), sort_keys=True, separators=(",", ":")) == expected["ga4gh_serialize"]
    if expected.get("ga4gh_identify"):
        assert vrs.digest(given) == expected["ga4gh_digest"]
        assert vrs.identify(given) == expected["ga4gh_identify"]


def test_the_validation_suite_holds_the_kinds_cptkg_writes():
    assert {kind for kind, _, _ in VALIDATION} == set(vrs.INHERENT) and len(VALIDATION) >= 9


def test_the_published_nras_allele_is_reproduced(kg):
    """cat-vrs's functionVariant example: NM_002524.5:c.170A>C, its VRS allele and location identifiers."""
    published = json.loads((EXTERNAL / "vrs" / "cat-vrs-functionVariant-ex1-NRAS.json").read_text(encoding="utf-8"))
    [member] = published["members"]
    answer = kg.variant(member["name"])
    assert answer.in_scope and answer.exon == 3 and answer.codon == 57  # exon 3: in scope (issue 22)
    assert answer.vrs["NM_002524.5"] == member["id"]
    location = member["location"]
    refget = location["sequenceReference"]["refgetAccession"]
    assert vrs.identify(vrs.location(refget, location["start"], location["end"])) == location["id"]
    assert answer.grch38 == "1-114713920-T-G" and location["extensions"][0]["value"] == "chr1:114713920"


def annotated_alleles() -> list[tuple[str, int, int, dict, str]]:
    """(record, start, end, state, id) for every allele vrs-python annotated with an identifier."""
    path = EXTERNAL / "vcf" / "vrs-python-annotated-grch38.vcf"
    alleles = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        info = dict(item.split("=", 1) for item in columns[7].split(";") if "=" in item)
        if "VRS_Allele_IDs" not in info:
            continue
        fields = [info[k].split(",") for k in ("VRS_Allele_IDs", "VRS_Starts", "VRS_Ends", "VRS_States",
                                                 "VRS_Lengths", "VRS_RepeatSubunitLengths")]  # fmt: skip
        for ident, start, end, state, length, unit in zip(*fields, strict=True):
            if not ident:
                continue
            expression = vrs.literal(state) if length == "." else vrs.reference_length(int(length), int(unit))
            alleles.append((f"{columns[0]}:{columns[1]}", int(start), int(end), expression, ident))
    return alleles


def test_vrs_python_s_published_identifiers_are_reproduced():
    alleles = annotated_alleles()
    assert len(alleles) >= 14
    for record, start, end, state, ident in alleles:
        assert vrs.allele_id(CHR19_GRCH38, start, end, state) == ident, record


def test_normalisation_matches_vrs_python_over_a_repetitive_sequence():
    """cptkg's fully-justified normalisation and identifiers against ga4gh.vrs's, on 300 random alleles."""
    models = pytest.importorskip("ga4gh.vrs.models")
    from ga4gh.core import ga4gh_identify
    from ga4gh.vrs.dataproxy import _DataProxy
    from ga4gh.vrs.normalize import normalize

    rng = random.Random(16)
    sequence = "".join(rng.choice(["A", "C", "CA", "CAG", "T", "GGT", "AAAA"]) for _ in range(400))[:800]
    refget = "SQ." + vrs.sha512t24u(sequence.encode())

    class Proxy(_DataProxy):
        def get_sequence(self, identifier, start=None, end=None):
            return sequence[start:end]

        def get_metadata(self, identifier):
            return {"length": len(sequence), "aliases": [f"ga4gh:{refget}"]}

    for _ in range(300):
        start = rng.randrange(50, 700)
        end = start + rng.choice([0, 0, 1, 2, 3, 4])
        alt = rng.choice(["", sequence[start - 3 : start], sequence[end : end + 2], "T", "CAG", "AA"])
        if sequence[start:end] == alt:
            continue
        theirs = normalize(models.Allele(
            location=models.SequenceLocation(sequenceReference=models.SequenceReference(refgetAccession=refget),
                                             start=start, end=end),
            state=models.LiteralSequenceExpression(sequence=alt)), Proxy())  # fmt: skip
        ours = vrs.normalize(start, end, alt, lambda i: sequence[i] if 0 <= i < len(sequence) else None)
        assert ours is not None
        assert vrs.allele_id(refget, *ours[:3]) == ga4gh_identify(theirs), (start, end, alt)

"""Links to other terminologies: the mapping set and its SSSOM form, reverse look-ups, linking outside files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cptkg
from cptkg.core.errors import InputError
from cptkg.core.prefixes import NAMESPACES
from cptkg.terminology import link_graph_name, lookup, mapping_set, parse_curie, to_sssom

from .conftest import CASES, FIXTURES

LINK = FIXTURES / "link"
LOOKUPS = json.loads((CASES / "mappings-lookup.json").read_text(encoding="utf-8"))
BAD_FILES = json.loads((CASES / "mappings-bad-files.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mappings(kg):
    return mapping_set(kg)


# ---------------------------------------------------------------- the mapping set


def test_every_skos_match_of_the_data_is_in_the_set_with_a_naming_source(kg, mappings):
    stated = {(r["resource"], r["predicate"], r["target"], r["graph"]) for r in kg.query("mappings").records()}
    in_set = {(m.subject, m.predicate, m.object, m.graph) for m in mappings}
    assert stated == in_set
    for m in mappings:
        assert m.sources and all(s.startswith("cptkg:ref-") for s in m.sources), m
        assert 0 < m.confidence <= 1 and m.comment


@pytest.mark.parametrize(
    ("subject", "predicate", "target"),
    [
        ("cptkg:gene-NRAS", "skos:exactMatch", "HGNC:7989"),
        ("cptkg:gene-NRAS", "skos:exactMatch", "NCBIGene:4893"),
        ("cptkg:gene-NRAS", "skos:exactMatch", "Ensembl:ENSG00000213281"),
        ("cptkg:gene-NRAS", "skos:exactMatch", "OMIM:164790"),
        ("cptkg:gene-NRAS", "skos:exactMatch", "NCIT:C25786"),
        ("cptkg:protein-NRAS", "skos:exactMatch", "UniProtKB:P01111"),
        ("cptkg:transcript-NRAS-MANE", "skos:closeMatch", "CCDS:CCDS877.1"),
        ("cptkg:transcript-NRAS-MANE", "skos:exactMatch", "RefSeq:NM_002524.5"),
        ("cptkg:transcript-NRAS-MANE", "skos:exactMatch", "Ensembl:ENST00000369535.5"),
        ("cptkg:Exon", "rdfs:subClassOf", "SO:0000147"),
        ("cptkg:Codon", "rdfs:subClassOf", "SO:0000360"),
        ("cptkg:method-pcr-amplification", "skos:exactMatch", "OBI:0000415"),
        ("cptkg:indication-cutaneous-melanoma", "skos:exactMatch", "MONDO:0005012"),
        ("cptkg:indication-cutaneous-melanoma", "skos:exactMatch", "ONCOTREE:SKCM"),
        ("cptkg:indication-colorectal-cancer", "skos:narrowMatch", "ICD10CM:C18.7"),
        ("cptkg:indication-aml", "skos:narrowMatch", "ICD10CM:C92.02"),
        ("cptkg:indication-melanoma", "skos:relatedMatch", "ICDO:8720/3"),
        ("cptkg:indication-aml", "skos:exactMatch", "SNOMEDCT:91861009"),
        ("cptkg:code-81311", "skos:exactMatch", "CPT:81311"),
        ("cptkg:code-G0452", "skos:exactMatch", "HCPCS:G0452"),
        ("cptkg:codesystem-cpt", "skos:exactMatch", "oid:2.16.840.1.113883.6.12"),
        ("cptkg:step-81311-8", "skos:relatedMatch", "LOINC:51969-4"),
    ],
)
def test_the_required_links_are_there(mappings, subject, predicate, target):
    assert any((m.subject, m.predicate, m.object) == (subject, predicate, target) for m in mappings)


def test_row_sources_are_the_records_that_name_the_identifier(mappings):
    (row,) = [m for m in mappings if m.object == "ICD10CM:C92.01"]
    assert row.sources == ("cptkg:ref-5-aml-icd-10-cm-billable-subcodes",)
    (hgnc,) = [m for m in mappings if m.object == "HGNC:7989"]
    assert hgnc.sources == ("cptkg:ref-1-gene-symbol-hgnc-id",)


def test_secondary_support_lowers_confidence_and_says_so(mappings):
    (ffpe,) = [m for m in mappings if m.object == "NCIT:C143028"]
    assert ffpe.confidence < 0.9 and "secondary" in ffpe.comment
    assert {m.confidence for m in mappings if m.subject == "cptkg:gene-NRAS"} == {0.95}


def test_unverified_support_is_left_out_and_conflict_is_low():
    """Test-only claims: one supported only by an UNVERIFIED record, one by a CONFLICT record."""
    kg = cptkg.load(FIXTURES / "link" / "weak-matches.ttl")
    assert mapping_set(kg, resource="cptkg:exon-NRAS-2") == []
    (conflict,) = [m for m in mapping_set(kg, resource="cptkg:exon-NRAS-3") if m.object == "Ensembl:ENSE00001450282"]
    assert conflict.confidence == 0.5 and "conflict" in conflict.comment


def test_every_identifier_of_the_set_matches_its_pattern(mappings):
    for m in mappings:
        parse_curie(m.object)


# ---------------------------------------------------------------- SSSOM


def sssom_validate(path: Path) -> subprocess.CompletedProcess:
    command = shutil.which("sssom", path=str(Path(sys.executable).parent)) or shutil.which("sssom")
    if command is None:
        pytest.skip("the sssom package is not installed (pip install '.[test]')")
    return subprocess.run([command, "validate", str(path)], check=False, capture_output=True, text=True, timeout=300)


def test_sssom_output_passes_sssom_validate_and_parses_whole(cli, tmp_path):
    pytest.importorskip("sssom")
    from sssom.parsers import parse_sssom_table

    out = tmp_path / "cptkg.sssom.tsv"
    assert cli("mappings", "--format", "sssom", "--output", str(out)).code == 0
    done = sssom_validate(out)
    assert done.returncode == 0 and "rror" not in done.stdout + done.stderr, done.stdout + done.stderr
    table = parse_sssom_table(out)
    rows = [line for line in out.read_text().splitlines() if line and not line.startswith("#")][1:]
    assert len(table.df) == len(rows) > 100
    assert set(table.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}


def test_sssom_validate_catches_a_broken_file(tmp_path, mappings):
    """The check above can fail: a row without its object is reported."""
    text = to_sssom(mappings).splitlines()
    broken = tmp_path / "broken.sssom.tsv"
    first_row = next(i for i, line in enumerate(text) if line.startswith("cptkg:"))
    cells = text[first_row].split("\t")
    cells[3] = ""
    text[first_row] = "\t".join(cells)
    broken.write_text("\n".join(text) + "\n")
    done = sssom_validate(broken)
    assert "object_id" in done.stdout + done.stderr


def test_mappings_json_and_turtle(cli):
    data = json.loads(cli("mappings", "--format", "json", "--resource", "cptkg:protein-NRAS").out)
    assert {row["object"] for row in data} == {"UniProtKB:P01111", "RefSeq:NP_002515.1", "Ensembl:ENSP00000358548.4"}
    turtle = cli("mappings", "--format", "turtle", "--resource", "cptkg:protein-NRAS").out
    assert "UniProtKB:P01111" in turtle and "skos:exactMatch" in turtle


# ---------------------------------------------------------------- map


@pytest.mark.parametrize("case", LOOKUPS, ids=lambda c: c["identifier"])
def test_map_reaches_the_right_resources(kg, case):
    answer = lookup(kg, case["identifier"])
    assert sorted({hit.resource for hit in answer.hits}) == case["resources"]
    assert sorted({hit.via for hit in answer.hits}) == case["via"]
    assert answer.found == bool(case["resources"])


def test_map_command_exit_codes(cli):
    found = cli("map", "ICD10CM:C18.7", "--format", "json")
    assert found.code == 0 and json.loads(found.out)["lineage"] == ["ICD10CM:C18.7", "ICD10CM:C18"]
    missing = cli("map", "ICD10CM:C44.9")
    assert missing.code == 0 and missing.out.startswith("no mapping")
    assert json.loads(cli("map", "ICD10CM:C44.9", "--format", "json").out)["found"] is False
    for bad in ("C18.7", "ICD10CM:18.7", "NOPE:1", "MONDO:12", "HGNC:"):
        result = cli("map", bad)
        assert result.code == 2 and result.err.startswith("cptkg: error:") and result.out == "", bad


# ---------------------------------------------------------------- linking outside files

WALK = """
SELECT ?indication ?match ?mondo ?ncit ?ncit_label WHERE {{
  cptkg:code-81311 cptkg:hasIndication ?indication .
  VALUES ?match {{ skos:exactMatch skos:narrowMatch }}
  ?indication ?match ?mondo .
  GRAPH <{graph}> {{ ?mondo skos:exactMatch ?ncit . ?ncit rdfs:label ?ncit_label }}
}}
ORDER BY ?indication ?ncit
"""


@pytest.mark.parametrize("name", ["mondo-exactmatch-ncit-excerpt.sssom.tsv", "mondo-excerpt.ttl", "mondo-excerpt.json"])
@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_one_query_walks_from_81311_into_a_linked_mondo_excerpt(name, backend):
    kg = cptkg.load(backend=backend)
    graph = kg.link(LINK / name).graph
    assert graph == link_graph_name(LINK / name) and graph in kg.graph_names()
    rows = kg.sparql(WALK.format(graph=graph)).records()
    assert [(r["indication"], r["match"], r["mondo"], r["ncit"], r["ncit_label"]) for r in rows] == [
        ("cptkg:indication-colorectal-carcinoma", "skos:narrowMatch", "MONDO:0005008", "NCIT:C5105", "Colorectal Adenocarcinoma"),
        ("cptkg:indication-cutaneous-melanoma", "skos:exactMatch", "MONDO:0005012", "NCIT:C3510", "Cutaneous Melanoma"),
    ]  # fmt: skip
    # the rdflib views see the linked graph too
    assert any(str(g.identifier) == graph for g in kg.dataset.graphs())


@pytest.mark.parametrize("case", BAD_FILES, ids=lambda c: c["file"])
def test_a_bad_row_is_skipped_with_its_line_and_reason_and_the_rest_linked(case):
    kg = cptkg.load()
    path = LINK / case["file"]
    report = kg.link(path)
    assert [(s.line, case["reason"] in s.reason) for s in report.skipped] == [(case["line"], True)]
    assert report.mappings == 4 and report.graph in kg.graph_names()
    linked = {q.subject.value for q in kg.backend.quads() if q.graph_name.value == report.graph}
    assert len(linked) >= 4


def test_a_file_with_nothing_usable_is_refused_whole(tmp_path):
    text = (LINK / "mondo-exactmatch-ncit-excerpt.sssom.tsv").read_text()
    bad = tmp_path / "all-unknown.sssom.tsv"
    bad.write_text(text.replace("\tNCIT:", "\tNCITX:"))
    kg = cptkg.load()
    before = len(list(kg.backend.quads()))
    with pytest.raises(InputError) as caught:
        kg.link(bad)
    assert caught.value.line == 18 and "unknown prefix 'NCITX'" in caught.value.reason and "4 more skipped" in str(caught.value)
    assert len(list(kg.backend.quads())) == before and link_graph_name(bad) not in kg.graph_names()


def test_link_option_on_the_command_line(cli):
    sssom = str(LINK / "mondo-exactmatch-ncit-excerpt.sssom.tsv")
    out = cli("--link", sssom, "sparql", "SELECT ?l WHERE { MONDO:0005191 rdfs:label ?l }", "--format", "json").out
    assert json.loads(out) == [{"l": "metastatic melanoma"}]
    bad = cli("--link", str(LINK / "bad" / "duplicate-row.sssom.tsv"), "map", "HGNC:7989")
    assert bad.code == 0 and "4 mappings" in bad.err and "1 skipped" in bad.err
    unusable = cli("--link", str(LINK / "bad"), "map", "HGNC:7989")
    assert unusable.code == 2 and unusable.err.startswith("cptkg: error:") and "bad" in unusable.err


def test_the_same_file_cannot_be_linked_twice():
    kg = cptkg.load()
    kg.link(LINK / "mondo-excerpt.ttl")
    with pytest.raises(InputError, match="already linked"):
        kg.link(LINK / "mondo-excerpt.ttl")


def test_a_file_may_not_redefine_a_package_prefix(tmp_path):
    text = (LINK / "mondo-exactmatch-ncit-excerpt.sssom.tsv").read_text()
    bad = tmp_path / "redefines.sssom.tsv"
    bad.write_text(text.replace("MONDO: http://purl.obolibrary.org/obo/MONDO_", "MONDO: http://example.org/MONDO_"))
    with pytest.raises(InputError, match="curie_map gives prefix 'MONDO'"):
        cptkg.load().link(bad)
    assert NAMESPACES["MONDO"] == "http://purl.obolibrary.org/obo/MONDO_"

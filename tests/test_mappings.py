"""Links to other terminologies: the mapping set and its SSSOM form, reverse look-ups, linking outside files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cptkg
from cptkg.core.errors import InputError
from cptkg.core.prefixes import NAMESPACES
from cptkg.terminology import UNRECORDED, link_graph_name, lookup, mapping_set, names_identifier, parse_curie, to_sssom

from .conftest import CASES, FIXTURES

LINK = FIXTURES / "link"
LOOKUPS = json.loads((CASES / "mappings-lookup.json").read_text(encoding="utf-8"))
BAD_FILES = json.loads((CASES / "mappings-bad-files.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mappings(kg):
    return mapping_set(kg)


# ---------------------------------------------------------------- the mapping set


def test_every_link_of_the_data_has_one_mapping_record_with_one_source(kg, mappings):
    rows = kg.query("mappings").records()
    links = {(r["resource"], r["predicate"], r["target"]) for r in rows}
    assert len(rows) == len(links), "one row per link: a link carries its own record, not its resource's list"
    assert {(m.subject, m.predicate, m.object) for m in mappings} == links
    for m in mappings:
        assert m.record and m.record.startswith("cptkg:mapping-"), m
        assert m.source and m.source.startswith("cptkg:ref-"), m
        assert m.justification in {"semapv:ManualMappingCuration", "semapv:MappingChaining"}, m
        assert m.author == "cptkg:agent-cptkg-contributors" and m.author_label
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.date or ""), m


def test_each_record_cites_a_row_the_stating_graph_cites_and_whose_text_names_the_target(kg, mappings):
    """The record narrows the resource's citations to the one row the link was read in."""
    texts = {}
    for row in kg.query("reference-record-texts").records():
        texts[row["record"]] = texts.get(row["record"], "") + "\n" + row["text"]
    cited = {}
    for row in kg.sparql("SELECT ?g ?s ?src WHERE { GRAPH ?g { ?s dcterms:source ?src } }").records():
        cited.setdefault((row["g"], row["s"]), set()).add(row["src"])
    for m in mappings:
        about = m.object if m.predicate == "rdfs:subClassOf" else m.subject
        assert m.source in cited[(m.graph, about)], m
        assert names_identifier(m.object.split(":", 1)[1], texts[m.source]), m


def test_no_packaged_link_claims_a_confidence_no_source_gives(mappings):
    assert {m.confidence for m in mappings} == {None}


@pytest.mark.parametrize(
    ("subject", "predicate", "target", "source", "justification"),
    [
        ("cptkg:gene-NRAS", "skos:exactMatch", "HGNC:7989", "cptkg:ref-1-gene-symbol-hgnc-id", "semapv:ManualMappingCuration"),
        ("cptkg:indication-aml", "skos:exactMatch", "ONCOTREE:AML", "cptkg:ref-5-aml-snomed-ct-omim-icd-o-3-oncotree",
         "semapv:MappingChaining"),
        ("cptkg:indication-aml", "skos:exactMatch", "ICD10CM:C92.0", "cptkg:ref-5-aml-icd-10-cm", "semapv:MappingChaining"),
        ("cptkg:indication-aml", "skos:narrowMatch", "ICD10CM:C92.01", "cptkg:ref-5-aml-icd-10-cm-billable-subcodes",
         "semapv:ManualMappingCuration"),
        ("cptkg:indication-aml", "skos:exactMatch", "MONDO:0018874", "cptkg:ref-5-aml-mondo-ncit-doid",
         "semapv:ManualMappingCuration"),
        ("cptkg:Exon", "rdfs:subClassOf", "SO:0000147", "cptkg:ref-6-so-term-exon", "semapv:ManualMappingCuration"),
        ("cptkg:transcript-NRAS-MANE", "skos:exactMatch", "RefSeq:NM_002524.5",
         "cptkg:ref-2.1-mane-pair-and-transcript-span-grch38", "semapv:ManualMappingCuration"),
        ("cptkg:code-81311", "skos:exactMatch", "CPT:81311", "cptkg:ref-11-81311", "semapv:ManualMappingCuration"),
        ("cptkg:code-G0452", "skos:exactMatch", "HCPCS:G0452", "cptkg:ref-11-g0452", "semapv:ManualMappingCuration"),
        ("cptkg:step-81311-8", "skos:relatedMatch", "LOINC:51969-4", "cptkg:ref-9-loinc-51969-4",
         "semapv:ManualMappingCuration"),
    ],
)  # fmt: skip
def test_links_and_the_one_record_each_was_read_in(mappings, subject, predicate, target, source, justification):
    (m,) = [m for m in mappings if (m.subject, m.predicate, m.object) == (subject, predicate, target)]
    assert (m.source, m.justification) == (source, justification)


def test_a_reviewed_record_says_how_it_was_resolved(mappings):
    (oncotree,) = [m for m in mappings if m.object == "ONCOTREE:AML"]
    assert "Reviewed:" in oncotree.comment and "VERIFIED in the reference facts" in oncotree.comment


def test_secondary_support_says_so(mappings):
    (ffpe,) = [m for m in mappings if m.object == "NCIT:C143028"]
    assert "secondary" in ffpe.comment


def test_weak_records_unrecorded_links_and_a_given_confidence():
    """Test-only claims: an UNVERIFIED record, a CONFLICT record, a link with no record, a record with a confidence."""
    kg = cptkg.load(FIXTURES / "link" / "weak-matches.ttl")
    assert mapping_set(kg, resource="cptkg:exon-NRAS-2") == []
    found = {m.object: m for m in mapping_set(kg, resource="cptkg:exon-NRAS-3")}
    conflict, unrecorded, given = found["Ensembl:ENSE00001450282"], found["CCDS:CCDS877.1"], found["RefSeq:NM_002524.4"]
    assert "conflict" in conflict.comment and conflict.confidence is None and conflict.date == "2026-12-06"
    assert unrecorded.record is None and unrecorded.justification == UNRECORDED and "no mapping record" in unrecorded.comment
    assert given.confidence == 0.7
    sssom = to_sssom(list(found.values()))
    assert "\t0.7\t" in sssom and sssom.count(UNRECORDED) == 1


def test_every_identifier_of_the_set_matches_its_pattern(mappings):
    for m in mappings:
        parse_curie(m.object)


# ---------------------------------------------------------------- SSSOM


def sssom_command(*args: str | Path) -> subprocess.CompletedProcess:
    command = shutil.which("sssom", path=str(Path(sys.executable).parent)) or shutil.which("sssom")
    if command is None:
        pytest.skip("the sssom package is not installed (pip install '.[test]')")
    return subprocess.run([command, *map(str, args)], check=False, capture_output=True, text=True, timeout=600)


#: The validations sssom-py implements (Shacl and Sparql raise NotImplementedError in sssom 0.4).
VALIDATIONS = ("JsonSchema", "PrefixMapCompleteness", "StrictCurieFormat")


def sssom_validate(path: Path) -> subprocess.CompletedProcess:
    return sssom_command("validate", *(f"--validation-types={v}" for v in VALIDATIONS), path)


@pytest.fixture(scope="module")
def sssom_file(tmp_path_factory, mappings):
    path = tmp_path_factory.mktemp("sssom") / "cptkg.sssom.tsv"
    path.write_text(to_sssom(mappings), encoding="utf-8")
    return path


def data_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [line.split("\t") for line in lines]


def test_sssom_output_passes_sssom_validate_and_parses_whole(cli, tmp_path):
    pytest.importorskip("sssom")
    from sssom.parsers import parse_sssom_table

    out = tmp_path / "cptkg.sssom.tsv"
    assert cli("mappings", "--format", "sssom", "--output", str(out)).code == 0
    done = sssom_validate(out)
    assert done.returncode == 0 and "rror" not in done.stdout + done.stderr, done.stdout + done.stderr
    table = parse_sssom_table(out)
    assert len(table.df) == len(data_rows(out.read_text())) - 1 > 100
    assert set(table.df["mapping_justification"]) == {"semapv:ManualMappingCuration", "semapv:MappingChaining"}
    # every see_also is the record's full IRI, which sssom-py's converter keeps as it is
    assert all(str(value).startswith("https://w3id.org/cptkg/ref-") for value in table.df["see_also"])


def test_the_curie_map_declares_exactly_the_prefixes_the_rows_use(sssom_file):
    text = sssom_file.read_text()
    declared = set(re.findall(r"^#   (\w+): ", text, flags=re.MULTILINE))
    header, *rows = data_rows(text)
    curie_columns = [header.index(c) for c in ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id")]
    used = {row[i].split(":", 1)[0] for row in rows for i in curie_columns if row[i]}
    assert declared == used


@pytest.mark.slow
def test_sssom_parse_command_keeps_every_row(sssom_file, tmp_path):
    """``sssom parse`` drops rows whose prefixes it cannot resolve (--clean-prefixes): none may go."""
    out = tmp_path / "parsed.sssom.tsv"
    done = sssom_command("parse", sssom_file, "--output", out)
    assert done.returncode == 0, done.stdout + done.stderr
    parsed, ours = data_rows(out.read_text()), data_rows(sssom_file.read_text())
    assert len(parsed) == len(ours)
    column = parsed[0].index("object_id")
    assert {row[column] for row in parsed[1:]} == {row[ours[0].index("object_id")] for row in ours[1:]}


@pytest.mark.parametrize("damage", ["no-object", "no-prefix"])
def test_sssom_validate_catches_a_broken_file(tmp_path, mappings, damage):
    """The checks above can fail: a row without its object, a curie_map without a prefix the rows use."""
    text = to_sssom(mappings).splitlines()
    if damage == "no-object":
        first_row = next(i for i, line in enumerate(text) if line.startswith("cptkg:"))
        cells = text[first_row].split("\t")
        cells[3] = ""
        text[first_row] = "\t".join(cells)
        expected = "object_id"
    else:
        text = [line for line in text if not line.startswith("#   HGNC:")]
        expected = "HGNC"
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text("\n".join(text) + "\n")
    done = sssom_validate(broken)
    assert done.returncode != 0 or expected in done.stdout + done.stderr
    assert expected in done.stdout + done.stderr


def test_mappings_json_and_turtle(cli):
    data = json.loads(cli("mappings", "--format", "json", "--resource", "cptkg:protein-NRAS").out)
    assert {row["object"] for row in data} == {"UniProtKB:P01111", "RefSeq:NP_002515.1", "Ensembl:ENSP00000358548.4"}
    assert {row["source"] for row in data} == {"cptkg:ref-1-uniprotkb-accession", "cptkg:ref-2-protein-accessions"}
    turtle = cli("mappings", "--format", "turtle", "--resource", "cptkg:protein-NRAS").out
    from rdflib import OWL, Graph, URIRef

    graph = Graph().parse(data=turtle, format="turtle")
    uniprot = URIRef("http://purl.uniprot.org/uniprot/P01111")
    (record,) = graph.subjects(OWL.annotatedTarget, uniprot)
    assert (URIRef("https://w3id.org/cptkg/protein-NRAS"), None, uniprot) in graph
    assert graph.value(record, URIRef("http://purl.org/dc/terms/source")) == URIRef(
        "https://w3id.org/cptkg/ref-1-uniprotkb-accession"
    )


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

"""Mapping sets and ontologies as they are published: the real files of tests/data/external, and hostile ones.

The expected answers are those tests/data/external/SOURCES.md gives for each file
(tests/cases/external-link-files.json holds them as a table).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import cptkg
from cptkg.core.errors import InputError
from cptkg.core.prefixes import expand
from cptkg.terminology import PrefixResolution, link_graph_name
from cptkg.terminology.sssom import mapping_quads, read_table

from .conftest import CASES, FIXTURES, TESTS

EXTERNAL = TESTS / "data" / "external"
TABLE = json.loads((CASES / "external-link-files.json").read_text(encoding="utf-8"))
WORDS = {
    "rdf:type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "obo:BFO_0000050": "http://purl.obolibrary.org/obo/BFO_0000050",
    "oboInOwl:hasDbXref": "http://www.geneontology.org/formats/oboInOwl#hasDbXref",
}


def iri(name: str) -> str:
    return WORDS.get(name) or expand(name)


def graph_triples(kg, graph: str) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in kg.backend.quads() if q.graph_name.value == graph}


# ---------------------------------------------------------------- SSSOM, the real files


@pytest.mark.parametrize("case", TABLE["sssom"], ids=lambda c: Path(c["file"]).name)
def test_mondo_mapping_sets_link_as_published(case, tmp_path):
    kg = cptkg.load()
    prefix_map = None
    if case.get("prefix_map"):
        prefix_map = tmp_path / "prefixes.yaml"
        prefix_map.write_text("".join(f"{k}: {v}\n" for k, v in case["prefix_map"].items()))
    report = kg.link(EXTERNAL / case["file"], prefix_map=prefix_map)
    assert report.mappings == case["mappings"] and [s.text() for s in report.skipped] == case["skipped"]
    triples = graph_triples(kg, report.graph)
    for subject, predicate, obj in case["triples"]:
        assert (iri(subject), iri(predicate), iri(obj)) in triples, (subject, predicate, obj)
    labelled = {s for s, p, _ in triples if p.endswith("#label")}
    assert not {iri(x) for x in case.get("unlabelled", [])} & labelled
    assert set(map(tuple, case["touches"])) <= set(report.touching)
    assert report.touching_count == case["touching"]


def test_icd10cm_at_bioportals_address_meets_the_graphs_icd10cm_codes():
    """Mondo's ICD10CM prefix is BioPortal's IRI; Bioregistry knows it as the same record, so the codes meet."""
    kg = cptkg.load()
    report = kg.link(EXTERNAL / "sssom" / "mondo_exactmatch_icd10cm.excerpt.sssom.tsv")
    objects = {o for _, _, o in graph_triples(kg, report.graph)}
    assert expand("ICD10CM:C92.0") in objects
    assert not any(o.startswith("http://purl.bioontology.org/") for o in objects)
    assert ("ICD10CM:C92.0", "cptkg:indication-aml") in report.touching


def test_the_oncotree_placeholder_is_reported_not_linked():
    kg = cptkg.load()
    path = EXTERNAL / "sssom" / "mondo_hasdbxref_oncotree.excerpt.sssom.tsv"
    with pytest.raises(InputError) as caught:
        kg.link(path)
    assert caught.value.line == 17 and "placeholder" in caught.value.reason and "--prefix-map" in caught.value.reason
    assert "7 more skipped" in caught.value.reason and link_graph_name(path) not in kg.graph_names()


SSSOM_FILES = sorted((EXTERNAL / "sssom").glob("*.tsv")) + sorted((FIXTURES / "link").rglob("*.sssom.tsv"))


@pytest.mark.parametrize("path", SSSOM_FILES, ids=lambda p: p.name)
def test_sssom_py_and_the_plain_reader_agree_on_every_file(path):
    pytest.importorskip("sssom")
    answers = []
    for reader in ("sssom-py", "csv"):
        table = read_table(path, path.read_text(encoding="utf-8"), reader)
        quads, mappings = mapping_quads(path, table, "https://w3id.org/cptkg/graph-link-x")
        answers.append((sorted(str(q) for q in quads), mappings, sorted(s.text() for s in table.skipped)))
    assert answers[0] == answers[1]
    assert table.reader == "csv"


def test_rows_sssom_py_leaves_out_are_reported_with_its_reason(tmp_path):
    pytest.importorskip("sssom")
    lines = (FIXTURES / "link" / "mondo-exactmatch-ncit-excerpt.sssom.tsv").read_text().splitlines()
    lines[-1] = lines[-1].replace("semapv:ManualMappingCuration", "not a curie")
    path = tmp_path / "bad-justification.sssom.tsv"
    path.write_text("\n".join(lines) + "\n")
    for reader in ("sssom-py", "csv"):
        table = read_table(path, path.read_text(), reader)
        _, mappings = mapping_quads(path, table, "https://w3id.org/cptkg/graph-link-x")
        assert mappings == 4 and [s.line for s in table.skipped] == [len(lines)], reader
    assert "sssom-py leaves the row out" in table.skipped[0].reason or "mapping_justification" in table.skipped[0].reason


# ---------------------------------------------------------------- SSSOM, hostile files


def _ncit_excerpt() -> list[str]:
    return (FIXTURES / "link" / "mondo-exactmatch-ncit-excerpt.sssom.tsv").read_text().splitlines()


def test_one_bad_row_of_seven_thousand_is_skipped(tmp_path):
    """A large set (synthetic identifiers, built here) with one malformed row: 6,999 linked, one named."""
    lines = _ncit_excerpt()
    header = [line for line in lines if line.startswith("#")] + [lines[len([x for x in lines if x.startswith("#")])]]
    rows = [f"MONDO:{9000000 + i:07d}\tsynthetic {i}\tskos:exactMatch\tNCIT:C9{i:05d}\tsynthetic\tsemapv:ManualMappingCuration"
            for i in range(7000)]
    rows[4321] = rows[4321].replace("\tskos:exactMatch", "\tskos:exactMatch\textra")
    path = tmp_path / "large.sssom.tsv"
    path.write_text("\n".join(header + rows) + "\n")
    report = cptkg.load().link(path)
    assert report.mappings == 6999
    assert [(s.line, s.reason) for s in report.skipped] == [(len(header) + 4322, "the row has 7 fields; the header has 6")]


@pytest.mark.parametrize(
    ("name", "content", "line", "reason"),
    [
        ("comma.sssom.tsv", "subject_id,predicate_id,object_id,mapping_justification\nMONDO:0005008,skos:exactMatch,NCIT:C5105,semapv:ManualMappingCuration\n",
         1, "the column header lacks subject_id"),
        ("badyaml.sssom.tsv", "# curie_map: [\nsubject_id\tpredicate_id\tobject_id\tmapping_justification\n", None, "not valid YAML"),
        ("binary.sssom.tsv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", None, "UTF-8"),
        ("empty.sssom.tsv", "", 1, "no column header line"),
    ],
)
def test_unusable_sssom_files_are_one_line_errors(tmp_path, cli, name, content, line, reason):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as caught:
        cptkg.load().link(path)
    assert reason in caught.value.reason and (line is None or caught.value.line == line)
    run = cli("link", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and name in run.err and "Traceback" not in run.err


def test_a_huge_field_is_a_skipped_row_not_a_crash(tmp_path):
    lines = _ncit_excerpt()
    lines[-1] = lines[-1].replace("Colorectal Neoplasm", "x" * 300_000)
    path = tmp_path / "huge.sssom.tsv"
    path.write_text("\n".join(lines) + "\n")
    report = cptkg.load().link(path)
    assert report.mappings == 4 and [s.line for s in report.skipped] == [len(lines)]
    assert "field" in report.skipped[0].reason


# ---------------------------------------------------------------- OBO Graphs and OBO


@pytest.mark.parametrize("case", TABLE["obographs"], ids=lambda c: Path(c["file"]).name)
def test_every_obographs_example_is_read_and_what_is_left_out_is_said(case):
    kg = cptkg.load()
    report = kg.link(EXTERNAL / case["file"])
    triples = graph_triples(kg, report.graph)
    types = Counter(o for _, p, o in triples if p == iri("rdf:type"))
    for kind, count in case["types"].items():
        assert types[iri(kind)] == count, kind
    predicates = Counter(p for _, p, _ in triples)
    for predicate, count in case["predicates"].items():
        assert predicates[iri(predicate)] == count, predicate
    assert report.not_kept == case["not_kept"] and report.skipped == []
    if case.get("ontology"):
        assert (case["ontology"], iri("rdf:type"), iri("owl:Ontology")) in triples
    if case.get("equivalences"):
        assert predicates[iri("owl:equivalentClass")] > 0


def test_an_unreadable_node_is_skipped_with_its_json_path(tmp_path):
    document = json.loads((EXTERNAL / "obographs" / "basic.json").read_text())
    document["graphs"][0]["nodes"][1]["id"] = "no colon and no address"
    path = tmp_path / "one-bad-node.json"
    path.write_text(json.dumps(document))
    report = cptkg.load().link(path)
    assert [s.where for s in report.skipped] == ["graphs[0].nodes[1].id"]
    assert report.statements > 10


def test_an_obo_file_is_read_through_pronto(tmp_path):
    """nucleus.json written as OBO by pronto here, then linked: the same classes and labels come back."""
    pronto = pytest.importorskip("pronto")
    ontology = pronto.Ontology(str(EXTERNAL / "obographs" / "nucleus.json"))
    obo = tmp_path / "nucleus.obo"
    with obo.open("wb") as handle:
        ontology.dump(handle, format="obo")
    kg = cptkg.load()
    report = kg.link(obo)
    assert report.format == "obo" and report.reader.startswith("pronto")
    labels = {(s, o) for s, p, o in graph_triples(kg, report.graph) if p.endswith("#label")}
    expected = {(t.id, t.name) for t in ontology.terms() if t.name}
    assert {(s.rsplit("/", 1)[-1].replace("_", ":"), o) for s, o in labels} >= expected


def test_a_broken_obo_file_is_one_line(tmp_path, cli):
    pytest.importorskip("pronto")
    path = tmp_path / "broken.obo"
    path.write_text("format-version: 1.2\n\n[Term]\nid: GO:0005634\nis_a: \n[Term\n")
    run = cli("link", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and "broken.obo" in run.err


# ---------------------------------------------------------------- prefixes


def test_prefix_synonyms_are_bioregistrys():
    bioregistry = pytest.importorskip("bioregistry")
    from cptkg.terminology.identifiers import known_records

    for record in known_records():
        row = next(r for r in cptkg.core.prefixes.PREFIXES if r.prefix == record.prefix)
        if row.bioregistry:
            resource = bioregistry.get_resource(row.bioregistry)
            assert set(record.uri_prefix_synonyms) <= set(resource.get_uri_prefixes()), record.prefix
            names = {row.bioregistry, *(resource.get_synonyms() or ()), resource.get_preferred_prefix() or ""}
            assert set(record.prefix_synonyms) <= names, record.prefix


def test_a_prefix_spelled_another_way_or_at_another_address_meets_the_graph():
    resolution = PrefixResolution({"ncit": "http://purl.obolibrary.org/obo/NCIT_", "SNOMED": "http://purl.bioontology.org/ontology/SNOMEDCT/"})
    assert resolution.expand("ncit:C3171") == expand("NCIT:C3171")
    assert resolution.expand("SNOMED:91861009") == expand("SNOMEDCT:91861009")
    assert "example.org" in PrefixResolution({"MONDO": "http://example.org/MONDO_"}).refused["MONDO"]


def test_a_bad_prefix_map_file_is_refused(tmp_path, cli):
    bad = tmp_path / "prefixes.yaml"
    bad.write_text("ONCOTREE: [not, a, uri]\n")
    run = cli("link", str(EXTERNAL / "sssom" / "mondo_exactmatch_ncit.excerpt.sssom.tsv"), "--prefix-map", str(bad))
    assert run.code == 2 and "prefixes.yaml" in run.err and run.err.count("\n") == 1


# ---------------------------------------------------------------- the command


def test_link_command_says_what_it_linked(cli, tmp_path):
    path = EXTERNAL / "sssom" / "mondo_exactmatch_ncit.excerpt.sssom.tsv"
    text = cli("link", str(path))
    assert text.code == 0 and "14 mappings" in text.out and "touch cptkg resources" in text.out
    assert "MONDO:0018874 -> cptkg:indication-aml" in text.out
    data = json.loads(cli("link", str(path), "--report", "json").out)
    assert data["mappings"] == 14 and data["touching"] >= 1 and data["skipped"] == []
    assert data["reader"].startswith(("sssom-py", "csv"))


def test_link_command_names_each_skipped_row(cli):
    run = cli("link", str(FIXTURES / "link" / "bad" / "unknown-prefix.sssom.tsv"), "--report", "json")
    data = json.loads(run.out)
    assert run.code == 0 and data["mappings"] == 4
    assert data["skipped"] == [{"line": 20, "where": "", "reason": "object_id: unknown prefix 'NCITX' in 'NCITX:C3510'"}]


def test_link_command_reads_rdf_too(cli):
    run = cli("link", str(FIXTURES / "link" / "mondo-excerpt.ttl"), "--format", "turtle")
    assert run.code == 0 and "statements" in run.out

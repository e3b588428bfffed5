"""SHACL validation: the shapes (as data-driven cases), the shipped graph, the report's forms, the
command line, the ontology kept out of the data, and the identifier patterns against Bioregistry.

Each file of ``tests/cases/shapes/`` is a small data graph with a ``dash:GraphValidationTestCase``
block (in the spirit of the W3C and DASH SHACL test suites) giving the expected outcome:
``sh:conforms`` and every expected result (focus node, path, severity, source shape, and the value
when given). The block is taken out of the file before the rest is validated as user data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

import cptkg
from cptkg.cli import main
from cptkg.core.prefixes import PREFIXES, curie_or_iri
from cptkg.validation import COLUMNS, SEVERITIES, identifier_pattern, validate
from cptkg.validation.report import describe, path_text

from .conftest import ROOT

SH = Namespace("http://www.w3.org/ns/shacl#")
DASH = Namespace("http://datashapes.org/dash#")
CPTKG = Namespace("https://w3id.org/cptkg/")
CASES = sorted((ROOT / "tests" / "cases" / "shapes").glob("*.ttl"))
CASES_BY_NAME = {path.stem: path for path in CASES}
#: The shape files of this capability (shapes/claims.ttl belongs to the claim checks and has its tests there).
SHAPE_FILES = sorted(path for path in (ROOT / "shapes").glob("*.ttl") if path.name != "claims.ttl")


@pytest.fixture(scope="module")
def kg():
    return cptkg.load()


@pytest.fixture(scope="module")
def shipped(kg):
    return kg.validate()


# ---------------------------------------------------------------- the case files


class Case:
    """A case file: the data to validate and the expected outcome of its test-case block."""

    def __init__(self, path: Path) -> None:
        self.path = path
        graph = Graph().parse(path, format="turtle")
        (self.node,) = graph.subjects(RDF.type, DASH.GraphValidationTestCase)
        block = _closure(graph, self.node)
        report = graph.value(self.node, DASH.expectedResult)
        self.conforms = graph.value(report, SH.conforms).toPython()
        self.expected = {self._key(graph, result) for result in graph.objects(report, SH.result)}
        self.data = Graph()
        for triple in graph:
            if triple not in block:
                self.data.add(triple)

    @staticmethod
    def _key(graph: Graph, result) -> tuple:
        path = graph.value(result, SH.resultPath)
        value = graph.value(result, SH.value)
        return (
            str(graph.value(result, SH.resultSeverity)).removeprefix(str(SH)),
            describe(graph.value(result, SH.focusNode), graph),
            path_text(path, graph) if path is not None else None,
            curie_or_iri(graph.value(result, SH.sourceShape)),
            None if value is None else (value.toPython() if isinstance(value, Literal) else describe(value, graph)),
        )

    def run(self, kg, tmp_path: Path):
        data_file = tmp_path / f"{self.path.stem}.nt"
        self.data.serialize(data_file, format="nt", encoding="utf-8")
        return validate(kg, data=[data_file])

    def actual(self, report) -> set[tuple]:
        """The report's results in the expected block's form (a value only where the block gives one)."""
        with_value = {key[:4] for key in self.expected if key[4] is not None}
        keys = set()
        for r in report.results:
            key = (r.severity, r.focus, r.path, r.shape)
            keys.add(key + ((r.value,) if key in with_value else (None,)))
        return keys


def _closure(graph: Graph, node) -> set:
    """The triples of ``node`` and of every blank node reachable from it (the test-case block)."""
    triples, todo, seen = set(), [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, obj in graph.predicate_objects(subject):
            triples.add((subject, predicate, obj))
            if isinstance(obj, BNode):
                todo.append(obj)
    return triples


@pytest.fixture(scope="module")
def cases():
    return [Case(path) for path in CASES]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_shape_case(path, kg, tmp_path):
    case = Case(path)
    report = case.run(kg, tmp_path)
    assert case.actual(report) == case.expected, report.to_text()
    assert report.conforms is case.conforms


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_sparql_constraints_give_the_same_results_on_pyoxigraph_as_on_rdflib(path, kg, tmp_path, monkeypatch):
    # the case files hold no ill-typed values, where the engines differ (the test after this one)
    from cptkg.validation.data import _query_graph_class

    fast = Case(path).run(kg, tmp_path)
    monkeypatch.setattr(_query_graph_class(), "_mirror_query", lambda self, *a: None)  # every query to rdflib's engine
    assert fast.to_json() == Case(path).run(kg, tmp_path).to_json()


def test_pyoxigraph_answers_every_sparql_constraint(kg, tmp_path, monkeypatch):
    from cptkg.validation.data import _query_graph_class

    query_graph = _query_graph_class()
    answers = []
    mirror_query = query_graph._mirror_query
    monkeypatch.setattr(query_graph, "_mirror_query", lambda self, *a: answers.append(mirror_query(self, *a)) or answers[-1])
    report = Case(CASES_BY_NAME["genes-fail"]).run(kg, tmp_path)
    assert any(r.shape == "cptkg:CodonShape" and "exon" in r.message for r in report.results)
    assert answers and None not in answers


def test_a_codon_number_written_as_text_is_a_datatype_violation_and_not_compared_as_text(kg, tmp_path):
    # SPARQL compares "61" with 189 as a type error (no row); rdflib's engine compares the strings
    # "61" > "189" and would report codon 61 as beyond the end of the protein
    data = tmp_path / "codon-as-text.ttl"
    data.write_text(
        """@prefix cptkg: <https://w3id.org/cptkg/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        cptkg:codon-fixture-61 a cptkg:Codon ; rdfs:label "fixture codon 61" ; cptkg:codonNumber "61" ;
            cptkg:inExon cptkg:exon-NRAS-3 ; dcterms:source cptkg:ref-3-reference-codons-coding-strand .
        """,
        encoding="utf-8",
    )
    results = [r for r in cptkg.load(data).validate().results if r.focus == "cptkg:codon-fixture-61"]
    assert any(r.severity == "Violation" and r.path == "cptkg:codonNumber" for r in results), results
    assert not [r for r in results if "beyond the end of the protein" in r.message or "outside the codon range" in r.message]


def _named_shapes(files) -> dict[URIRef, Graph]:
    shapes = {}
    for path in files:
        graph = Graph().parse(path, format="turtle")
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in graph.subjects(RDF.type, kind):
                if isinstance(shape, URIRef):
                    shapes[shape] = graph
    return shapes


def _focus_nodes(shape, shapes: Graph, data: Graph, ontology: Graph) -> set:
    """The focus nodes of a shape's targets in a case's data (subclasses from the ontology)."""
    found = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls)) | {cls}
        found |= {s for c in classes for s in data.subjects(RDF.type, c)}
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found |= set(data.subjects(predicate, None))
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        found |= set(data.objects(None, predicate))
    return found


def test_every_shape_has_a_passing_and_a_failing_case(cases, kg):
    """Passing: the shape has focus nodes in a conforming case and reports no violation or warning
    there. Failing: a case expects a result from the shape (and test_shape_case checks it comes)."""
    shapes = _named_shapes(SHAPE_FILES)
    failing = {key[3] for case in cases for key in case.expected}
    passing = set()
    for case in cases:
        if not case.conforms:
            continue
        serious = {key[3] for key in case.expected if key[0] != "Info"}
        for shape, graph in shapes.items():
            if _focus_nodes(shape, graph, case.data, kg.ontology) and curie_or_iri(shape) not in serious:
                passing.add(curie_or_iri(shape))
    names = {curie_or_iri(shape) for shape in shapes}
    assert sorted(names - passing) == [], "shapes without a passing case"
    assert sorted(names - failing) == [], "shapes without a failing case"


# ---------------------------------------------------------------- the shapes themselves


def test_every_class_with_instances_has_a_named_node_shape(kg):
    classes = {
        o
        for o in kg.data.objects(None, RDF.type)
        if (o, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in kg.ontology
    }
    assert len(classes) > 30
    targeted = {
        o
        for s in kg.shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef)
        for o in kg.shapes.objects(s, SH.targetClass)
    }
    assert sorted(map(curie_or_iri, classes - targeted)) == []


def test_every_fact_class_is_held_to_its_sources(kg):
    """The provenance shape names its classes (so that pyshacl runs with the ontology mixed in, or
    claim lines, do not fall under it): every class with instances but the source graphs."""
    classes = {o for o in kg.data.objects(None, RDF.type)} - {CPTKG.SourceGraph}
    assert classes - set(kg.shapes.objects(CPTKG.SourcedResourceShape, SH.targetClass)) == set()


def test_every_shape_and_property_shape_has_a_name_and_a_message(kg):
    shapes = kg.shapes
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(node_shapes) > 60 and len(property_shapes) > 150
    for shape in node_shapes | property_shapes:
        assert shapes.value(shape, SH.name) is not None, shapes.value(shape, SH.path) or shape
        assert shapes.value(shape, SH.message) is not None, shapes.value(shape, SH.path) or shape
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


def test_severities_are_used_with_intent(kg):
    """Warnings are the doubtful (inverse links that disagree, untidy labels); infos are data gaps."""
    shapes = kg.shapes
    for shape in shapes.subjects(SH.severity, SH.Info):
        assert "gap" in str(shapes.value(shape, SH.message)).lower()
    warnings = list(shapes.subjects(SH.severity, SH.Warning))
    assert warnings and all(
        shapes.value(shape, SH.equals) is not None or shape == CPTKG.LabelShape for shape in warnings
    )


REGISTRY_LITERALS = {
    "refseqAccession": "refseq",
    "sequenceAccession": "refseq",
    "ensemblAccession": "ensembl",
    "oid": "oid",
}


#: Prefixes of vocabularies the data uses for terms (a justification, a mapping property), not for identifiers.
VOCABULARIES = {"semapv", "sssom", "pav"}


def test_identifier_patterns_are_bioregistry_s():
    """Each outside prefix's shape pattern is the registry's pattern, after the prefix's namespace."""
    bioregistry = pytest.importorskip("bioregistry")
    shapes = Graph().parse(ROOT / "shapes" / "identifiers.ttl", format="turtle")
    checked = set()
    for row in PREFIXES:
        local = bioregistry.get_pattern(row.bioregistry) if row.bioregistry else None
        if local is None or row.prefix in VOCABULARIES:
            continue
        shape = CPTKG[f"{row.prefix}IdentifierShape"]
        assert str(shapes.value(shape, SH.pattern)) == identifier_pattern(row.uri_prefix, local), row.prefix
        checked.add(row.prefix)
    required = {"HGNC", "NCBIGene", "Ensembl", "UniProtKB", "MONDO", "NCIT", "DOID", "ICD10CM", "SNOMEDCT", "SO", "OBI"}
    assert required <= checked
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) == len(checked)
    # identifier literals carry the registry's pattern unchanged
    every = Graph()
    for path in SHAPE_FILES:
        every.parse(path, format="turtle")
    seen = set()
    for prop in every.subjects(SH.path, None):
        local = str(every.value(prop, SH.path)).rsplit("/", 1)[-1]
        if local in REGISTRY_LITERALS and isinstance(every.value(prop, SH.path), URIRef):
            assert str(every.value(prop, SH.pattern)) == bioregistry.get_pattern(REGISTRY_LITERALS[local]), local
            seen.add(local)
    assert seen == set(REGISTRY_LITERALS)


def test_cms_and_billing_patterns(kg):
    shapes = kg.shapes
    patterns = {}
    for prop in shapes.objects(None, SH.property):
        pattern = shapes.value(prop, SH.pattern)
        if pattern is not None:
            patterns.setdefault(curie_or_iri(shapes.value(prop, SH.path)), set()).add(str(pattern))
    assert patterns["cptkg:lcdNumber"] == {"^L[0-9]{5}$"} and patterns["cptkg:articleNumber"] == {"^A[0-9]{5}$"}
    assert "^[0-9]{2}$" in patterns["skos:notation"] and "^[0-9A-Z]{2}$" in patterns["skos:notation"]
    for good, bad in [("L35073", "L3507"), ("A57486", "57486")]:
        assert re.search("^[LA][0-9]{5}$", good) and not re.search("^[LA][0-9]{5}$", bad)


# ---------------------------------------------------------------- the shipped graph


def test_the_shipped_graph_conforms_with_only_the_data_gaps_it_admits(kg, shipped):
    """No violation and no warning; the infos are exactly the admitted data gaps and the codes whose
    covered regions are not recorded, as the data says independently of the shapes."""
    counts = shipped.counts()
    assert shipped.conforms and counts["Violation"] == 0 and counts["Warning"] == 0
    gaps = kg.sparql(
        "SELECT ?resource ?gap WHERE { ?gap a cptkg:DataGap ; cptkg:gapConcerns ?resource ; cptkg:gapTopic ?t }"
    )
    expected = {("cptkg:DataGapNoticeShape", curie_or_iri(r["resource"]), curie_or_iri(r["gap"])) for r in gaps}
    no_regions = kg.sparql(
        "SELECT DISTINCT ?code WHERE { ?code cptkg:analyzesGene ?g FILTER NOT EXISTS { ?code cptkg:coversExon|cptkg:coversCodon ?x } }"
    )
    expected |= {("cptkg:GeneCodeRegionsShape", curie_or_iri(r["code"]), None) for r in no_regions}
    assert {(r.shape, r.focus, r.value) for r in shipped.results} == expected
    assert len(shipped.results) == len(expected) and {r.severity for r in shipped.results} == {"Info"}
    assert {"cptkg:code-81275", "cptkg:code-81276", "cptkg:code-81210"} == {
        focus for shape, focus, _ in expected if shape == "cptkg:GeneCodeRegionsShape"
    }


def test_no_result_is_ever_about_an_ontology_resource(kg, tmp_path):
    """Even for data that repeats the ontology and breaks shapes everywhere, no focus is an ontology term."""
    ontology_terms = {curie_or_iri(s) for s in kg.ontology.subjects() if isinstance(s, URIRef)}
    mixed = tmp_path / "mixed.ttl"
    mixed.write_text(kg.export("turtle", include=["data", "ontology"]), encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix cptkg: <https://w3id.org/cptkg/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "cptkg:Codon rdfs:label ' codon ' . cptkg:status-verified a cptkg:ReferenceRecord .\n"
        "cptkg:codon-x a cptkg:Codon ; cptkg:inExon cptkg:Exon .\n",
        encoding="utf-8",
    )
    mixed_report = kg.validate(data=[mixed])
    assert mixed_report.to_dict() == kg.validate().to_dict()
    for report in (mixed_report, kg.validate(data=[broken]), kg.validate(inference="rdfs")):
        assert {r.focus for r in report.results} & ontology_terms == set()
    broken_report = kg.validate(data=[broken])
    assert not broken_report.conforms and "cptkg:codon-x" in {r.focus for r in broken_report.results}


def test_subclass_typing_reaches_the_shapes_without_the_ontology_in_the_data(kg, tmp_path):
    """faldo:location expects a faldo:Position; the data only says ExactPosition (a subclass)."""
    from cptkg.validation import data_graph

    graph = data_graph(kg.backend.quads())
    ontology_only = {s for s in kg.ontology.subjects() if isinstance(s, URIRef)} - set(kg.data.subjects())
    assert {p for s in ontology_only for p in graph.predicates(s)} <= {RDFS.subClassOf}
    assert not any(graph.triples((None, RDFS.label, Literal("codon"))))


@pytest.mark.parametrize("fmt,suffix", [("turtle", ".ttl"), ("trig", ".trig")])
def test_an_export_validates_as_the_shipped_graph(kg, shipped, tmp_path, fmt, suffix):
    path = tmp_path / f"export{suffix}"
    assert main(["export", "--format", fmt, "--output", str(path)]) == 0
    assert kg.validate(data=[path]).to_dict() == shipped.to_dict()


def test_inference_names_are_checked(kg):
    with pytest.raises(cptkg.CptkgError, match="unknown inference 'full'"):
        kg.validate(inference="full")


# ---------------------------------------------------------------- the report's forms


def test_report_forms(shipped):
    document = json.loads(shipped.to_json())
    assert set(document) == {"conforms", "results"} and document["conforms"] is True
    assert all(list(result) == list(COLUMNS) for result in document["results"])
    frame = shipped.to_dataframe()
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(shipped.results)
    text = str(shipped)
    assert text.startswith("The data conforms: 0 violations, 0 warnings,") and "cptkg:code-81311" in text
    html = shipped._repr_html_()
    assert html.startswith("<table>") and "cptkg:DataGapNoticeShape" in html
    for form in (text, html, shipped.to_json()):
        assert "https://w3id.org" not in form and "_:" not in form
    assert [r.severity for r in shipped.results] == sorted((r.severity for r in shipped.results), key=SEVERITIES.index)


def test_a_blank_node_focus_is_described_by_where_it_hangs(kg, tmp_path):
    path = tmp_path / "blank.ttl"
    path.write_text(
        "@prefix cptkg: <https://w3id.org/cptkg/> . @prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "cptkg:code-9 cptkg:coversExon [ a cptkg:Exon ; cptkg:exonNumber 0 ; dcterms:source cptkg:ref-1 ] .\n",
        encoding="utf-8",
    )
    report = kg.validate(data=[path])
    assert "[cptkg:coversExon of cptkg:code-9]" in {r.focus for r in report.results}
    assert {r.focus for r in report.results} <= {"[cptkg:coversExon of cptkg:code-9]", "cptkg:code-9"}
    assert "_:" not in report.to_text()


# ---------------------------------------------------------------- the command line


def test_cli_exit_status_and_formats(capsys, tmp_path):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("The data conforms")
    assert main(["validate", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["conforms"] is True
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps({
        "@context": {"cptkg": "https://w3id.org/cptkg/"},
        "@id": "cptkg:codon-x", "@type": "cptkg:Codon", "cptkg:codonNumber": 0,
    }), encoding="utf-8")  # fmt: skip
    assert main(["validate", "--data", str(bad), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["conforms"] is False
    assert {"severity": "Violation", "path": "cptkg:codonNumber", "focus": "cptkg:codon-x"}.items() <= next(
        r for r in document["results"] if r["path"] == "cptkg:codonNumber"
    ).items()
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix cptkg: <https://w3id.org/cptkg/> .\ncptkg:a cptkg:b\n", encoding="utf-8")
    assert main(["validate", "--data", str(broken)]) == 2
    assert re.search(r"broken\.ttl, line \d+:", capsys.readouterr().err)
    as_nt = tmp_path / "data.txt"
    as_nt.write_text(
        "<https://w3id.org/cptkg/codon-x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cptkg/Codon> .\n",
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(as_nt), "--input-format", "n-triples"]) == 1
    capsys.readouterr()


def test_benchmark_runs_at_its_smallest_size(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_validate.py"), "--sizes", "1", "--repeat", "1", "--no-cli"],
        check=False, capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ratio" in done.stdout

"""Pictures: the code's part of the graph and the ontology, laid out by Graphviz, checked on the
layout Graphviz returns (``dot -Tjson``: every node placed, the edges where the graph has them)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import cptkg
from cptkg.report.diagram import code_diagram, node_id, ontology_diagram, render

from .conftest import FIXTURES


def layout(diagram) -> tuple[dict[str, dict], set[tuple[str, str, str]]]:
    """Nodes by name and (tail, head, label) edges of Graphviz's own layout of a diagram."""
    laid = json.loads(diagram.pipe(format="json"))
    objects = laid.get("objects", [])
    nodes = {o["name"]: o for o in objects if "nodes" not in o}  # clusters list their nodes
    edges = {
        (objects[e["tail"]]["name"], objects[e["head"]]["name"], e.get("label", "")) for e in laid.get("edges", [])
    }
    return nodes, edges


@pytest.fixture(scope="module")
def code_layout(kg):
    return layout(code_diagram(kg, "81311"))


def test_every_node_is_placed(code_layout):
    nodes, _ = code_layout
    assert nodes and all("pos" in node for node in nodes.values())


def test_code_gene_exons_codons_variants_form_a_chain(kg, code_layout):
    nodes, edges = code_layout
    code, gene = node_id("cptkg:code-81311"), node_id("cptkg:gene-NRAS")
    assert (code, gene, "analyzes gene") in edges
    for row in kg.query("covered-codons", code="81311").records():
        assert (gene, node_id(row["exon"]), "covers exon") in edges
        assert (node_id(row["exon"]), node_id(row["codon"]), "codon") in edges
    variants = kg.sparql(
        "SELECT ?variant ?codon ?name WHERE { ?variant cptkg:atCodon ?codon ; cptkg:hotspotName ?name }"
    ).records()
    assert variants, "the graph holds hotspot variants"
    for row in variants:
        assert (node_id(row["codon"]), node_id(row["variant"]), "variant") in edges
        assert row["name"] in nodes[node_id(row["variant"])]["label"]


def test_indications_carry_their_mappings_and_sources(kg, code_layout):
    nodes, edges = code_layout
    for row in kg.query("indications", code="81311").records():
        name = node_id(row["indication"])
        assert (node_id("cptkg:code-81311"), name, "indication") in edges
        label = nodes[name]["label"]
        assert row["label"] in label and row["graph"].removeprefix("cptkg:graph-") in label
        if row["identifier"]:
            assert row["identifier"] in label


def test_sites_modifiers_payers_policies_and_sources_are_drawn(kg, code_layout):
    nodes, edges = code_layout
    code = node_id("cptkg:code-81311")
    for row in kg.query("sites-of-service", code="81311").records():
        assert (code, node_id(row["site"]), "performed at") in edges
    for row in kg.query("modifiers", code="81311").records():
        assert (code, node_id(row["modifier"]), "modifier") in edges
    for row in kg.query("payers", code="81311").records():
        assert (code, node_id(row["payer"]), "payer") in edges
        if row["policy"]:
            assert (node_id(row["payer"]), node_id(row["policy"]), "policy") in edges
    sources = nodes[node_id("cptkg:sources")]["label"]
    for row in kg.query("sources").records():
        assert row["graph"].removeprefix("cptkg:graph-") in sources


def test_the_ontology_picture_has_every_class_and_link(kg):
    diagram = ontology_diagram(kg)
    nodes, edges = layout(diagram)
    classes = kg.sparql(
        "SELECT ?class ?super WHERE { GRAPH cptkg:graph-ontology { ?class a owl:Class . FILTER(isIRI(?class)) "
        "OPTIONAL { ?class rdfs:subClassOf ?super FILTER(isIRI(?super)) } } }"
    ).records()
    assert len(classes) > 20
    for row in classes:
        assert node_id(row["class"]) in nodes
        if row["super"]:
            assert (node_id(row["class"]), node_id(row["super"]), "") in edges
    links = kg.sparql(
        "SELECT ?d ?r ?label WHERE { GRAPH cptkg:graph-ontology { ?p a owl:ObjectProperty ; rdfs:label ?label ; "
        "rdfs:domain ?d ; rdfs:range ?r . FILTER(isIRI(?d) && isIRI(?r)) } }"
    ).records()
    assert links and all((node_id(r["d"]), node_id(r["r"]), r["label"]) in edges for r in links)
    # datatype properties are listed inside their class
    assert "codon number: xsd:integer" in nodes[node_id("cptkg:Codon")]["label"]


def test_svg_and_png_are_real_pictures(kg):
    diagram = code_diagram(kg, "81311")
    svg = ET.fromstring(render(diagram, "svg"))
    assert svg.tag.endswith("svg")
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"exon 2", "exon 3", "codon 61"} <= texts
    png = render(diagram, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 500 and height > 500


def test_same_picture_on_both_backends(any_kg, kg):
    assert code_diagram(any_kg, "81311").source == code_diagram(kg, "81311").source
    assert ontology_diagram(any_kg).source == ontology_diagram(kg).source


def test_a_second_code_is_drawn_from_its_own_data():
    kg = cptkg.load(FIXTURES / "code-81275")
    nodes, edges = layout(code_diagram(kg, "81275"))
    code = node_id("cptkg:code-81275")
    assert "81311" not in nodes[code]["label"]
    codons = {node_id(r["codon"]) for r in kg.query("covered-codons", code="81275").records()}
    assert codons and codons <= {head for _, head, label in edges if label == "codon"}
    assert node_id("cptkg:codon-NRAS-61") not in {head for tail, head, _ in edges if tail == code}


def test_cli_writes_refuses_and_reports_errors(cli, tmp_path):
    target = tmp_path / "81311.png"
    run = cli("diagram", "81311", "--format", "png", "--output", str(target))
    assert run.code == 0 and target.read_bytes()[:4] == b"\x89PNG"
    again = cli("diagram", "81311", "--output", str(target))
    assert again.code == 2 and "--force" in again.err and len(again.err.strip().splitlines()) == 1
    assert cli("diagram", "81311", "--output", str(target), "--force").code == 0
    assert target.read_bytes().lstrip().startswith(b"<?xml")
    unknown = cli("diagram", "99999")
    assert unknown.code == 2 and "unknown code '99999'" in unknown.err
    ontology = cli("diagram", "--format", "dot")
    assert (
        ontology.code == 0 and ontology.out.startswith("// The cptkg ontology") and "cptkg_BillingCode" in ontology.out
    )


def test_without_dot_the_error_says_how_to_get_it(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program on the path
    run = cli("diagram", "81311", "--format", "svg")
    assert run.code == 2 and run.out == "" and len(run.err.splitlines()) == 1
    assert all(way in run.err for way in ("apt install graphviz", "brew install graphviz", "conda install"))
    assert cli("diagram", "81311", "--format", "dot").code == 0

"""The one prefix map: every external prefix is the Bioregistry record it names, with the same URI prefix."""

from __future__ import annotations

import pytest

from cptkg.core.prefixes import NAMESPACES, PREFIXES, curie, expand, sparql_prologue

bioregistry = pytest.importorskip("bioregistry")


@pytest.mark.parametrize("row", [r for r in PREFIXES if r.bioregistry], ids=lambda r: r.prefix)
def test_prefix_is_the_registry_record(row):
    assert bioregistry.normalize_prefix(row.prefix) == row.bioregistry, "the spelling must resolve to the record"
    assert bioregistry.get_uri_prefix(row.bioregistry) == row.uri_prefix


def test_own_namespaces_are_not_registry_prefixes():
    for row in PREFIXES:
        if row.bioregistry is None:
            assert bioregistry.normalize_prefix(row.prefix) is None, row.prefix
            assert row.uri_prefix.startswith("https://w3id.org/cptkg/")


def test_no_prefix_or_namespace_twice():
    assert len({r.prefix.lower() for r in PREFIXES}) == len(PREFIXES)
    assert len({r.uri_prefix for r in PREFIXES}) == len(PREFIXES)
    assert len({r.bioregistry for r in PREFIXES if r.bioregistry}) == len([r for r in PREFIXES if r.bioregistry])


def test_round_trip_and_prologue():
    for prefix, uri in NAMESPACES.items():
        assert curie(uri + "X1") == f"{prefix}:X1"
        assert expand(f"{prefix}:X1") == uri + "X1"
    assert sparql_prologue().count("PREFIX ") == len(NAMESPACES)


def test_every_iri_of_the_data_has_a_prefix(kg):
    from rdflib import URIRef

    loose = {
        str(term)
        for triple in kg.data
        for term in triple
        if isinstance(term, URIRef) and curie(term) is None and not str(term).startswith("http://www.w3.org/")
    }
    assert loose == set()


def test_identifier_patterns_are_the_registry_patterns():
    with_patterns = {row.prefix for row in PREFIXES if row.bioregistry and bioregistry.get_pattern(row.bioregistry)}
    assert with_patterns == {row.prefix for row in PREFIXES if row.pattern}
    for row in PREFIXES:
        if row.pattern:
            assert bioregistry.get_pattern(row.bioregistry) == row.pattern, row.prefix


def test_curies_as_the_curies_library_makes_them(kg):
    """curie() is ours (importing curies and pydantic would double a command's start): it compresses
    every IRI of the graph, and the IRIs at the edges of each namespace, as curies' Converter does."""
    from cptkg.core.prefixes import converter

    library = converter()
    iris = {term.value for quad in kg.backend.quads() for term in quad if type(term).__name__ == "NamedNode"}
    for uri in NAMESPACES.values():
        iris |= {uri, uri + "x", uri + "a b", uri[:-1], uri.upper(), uri + uri}
    iris |= {"", "http://example.org/unknown", "urn:x", "HTTPS://w3id.org/cptkg/code-81311"}
    assert len(iris) > 1000
    differing = {iri: (curie(iri), library.compress(iri)) for iri in iris if curie(iri) != library.compress(iri)}
    assert not differing
    compressed = {curie(iri) for iri in iris} - {None}
    assert {"cptkg:code-81311", "MONDO:0005012", "HGNC:7989"} <= compressed

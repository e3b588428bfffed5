"""The ontology's metadata and the completeness of its terms (labels, definitions, domains, ranges)."""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, SKOS

from cptkg.core.prefixes import CPTKG

ONTOLOGY = URIRef(CPTKG + "ontology")


def own_terms(graph, kind):
    return [s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(CPTKG)]


def test_metadata(kg):
    onto = kg.ontology
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert onto.value(ONTOLOGY, predicate), predicate
    version = str(onto.value(ONTOLOGY, OWL.versionIRI))
    assert re.fullmatch(r"https://w3id.org/cptkg/ontology/\d{4}-\d{2}-\d{2}", version)


def test_every_term_has_one_label_and_a_definition(kg):
    onto = kg.ontology
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in own_terms(onto, kind):
            assert len(list(onto.objects(term, RDFS.label))) == 1, term
            assert onto.value(term, SKOS.definition), term


def test_every_property_has_domain_and_range(kg):
    onto = kg.ontology
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in own_terms(onto, kind):
            assert onto.value(term, RDFS.domain) is not None, term
            assert onto.value(term, RDFS.range) is not None, term


def test_labels_are_unique(kg):
    onto = kg.ontology
    labels = [str(onto.value(t, RDFS.label)) for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for t in own_terms(onto, k)]
    assert len(labels) == len(set(labels))


def test_axioms_later_checks_rely_on(kg):
    onto = kg.ontology
    c = lambda name: URIRef(CPTKG + name)
    assert (c("inExon"), RDF.type, OWL.FunctionalProperty) in onto
    assert (c("hasCodon"), OWL.inverseOf, c("inExon")) in onto
    assert list(onto.subjects(RDF.type, OWL.AllDisjointClasses))
    chain = onto.value(c("variantInExon"), OWL.propertyChainAxiom)
    assert [str(x) for x in onto.items(chain)] == [CPTKG + "atCodon", CPTKG + "inExon"]


def test_stays_in_owl2_rl_superclass_forms(kg):
    # OWL 2 RL allows no existential or union class expressions as superclasses or property ranges
    onto = kg.ontology
    for _, _, superclass in onto.triples((None, RDFS.subClassOf, None)):
        assert isinstance(superclass, URIRef), superclass
    assert not list(onto.triples((None, OWL.someValuesFrom, None)))
    assert not list(onto.triples((None, OWL.unionOf, None)))

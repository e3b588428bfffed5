"""One compliance test class that every backend must pass: same named queries, same rows."""

from __future__ import annotations

import pytest

import cptkg
from cptkg.core.backends import BACKENDS


def example_params(query) -> dict[str, str]:
    return {p.name: ("cptkg:gene-NRAS" if p.kind == "resource" else "81311") for p in query.parameters}


@pytest.fixture(scope="module")
def reference_rows():
    """Every named query's rows on the rdflib backend, the reference implementation of SPARQL here."""
    kg = cptkg.load(backend="rdflib")
    return {name: kg.query(name, **example_params(q)).records() for name, q in kg.queries.items()}


class BackendCompliance:
    """Subclass with ``backend = "<name>"``; pytest collects one set of tests per backend."""

    backend: str

    @pytest.fixture(scope="class")
    @classmethod
    def kg(cls):
        return cptkg.load(backend=cls.backend)

    def test_every_named_query_gives_the_reference_rows(self, kg, reference_rows):
        for name, query in kg.queries.items():
            assert kg.query(name, **example_params(query)).records() == reference_rows[name], name

    def test_union_default_graph_holds_each_triple_once(self, kg):
        # code-81311 skos:notation "81311" is stated by two sources (seed and CPT code set)
        rows = kg.sparql("SELECT ?n WHERE { cptkg:code-81311 skos:notation ?n }")
        assert len(rows) == 1

    def test_named_graphs_tell_sources_apart(self, kg):
        rows = kg.sparql("SELECT ?g WHERE { GRAPH ?g { cptkg:code-81311 skos:notation ?n } } ORDER BY ?g")
        assert [r.g for r in rows] == ["cptkg:graph-cpt-code-set", "cptkg:graph-seed-81311"]
        assert [r.term("g") for r in rows] == [cptkg.iri(r.g) for r in rows]

    def test_binding_is_by_term(self, kg):
        rows = kg.sparql("SELECT ?c ?n WHERE { ?c cptkg:codonNumber ?n }", n=61)
        assert [(r.c, r.n) for r in rows] == [("cptkg:codon-NRAS-61", 61)]

    def test_a_variable_binds_whether_or_not_the_query_projects_it(self, kg):
        codon = cptkg.iri("cptkg:Codon")
        projected = kg.sparql("SELECT ?s ?t WHERE { ?s a ?t } ORDER BY ?s", t=codon)
        hidden = kg.sparql("SELECT ?s WHERE { ?s a ?t } ORDER BY ?s", t=codon)
        assert [r.s for r in hidden] == [r.s for r in projected] == [
            "cptkg:codon-NRAS-12", "cptkg:codon-NRAS-13", "cptkg:codon-NRAS-61"
        ]  # fmt: skip
        assert {r.t for r in projected} == {"cptkg:Codon"}
        # before the aggregate, not after it: the count is of codons, not of every typed resource
        assert kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }", t=codon).one().n == 3
        assert kg.sparql("ASK { cptkg:codon-NRAS-61 a ?t }", t=codon).boolean is True
        assert kg.sparql("SELECT ?s WHERE { ?s a ?t } ORDER BY ?s", t=[codon, cptkg.iri("cptkg:Exon")]).first().s

    def test_a_str_binds_as_a_literal_and_says_so_when_it_reads_like_a_curie(self, kg):
        text = "SELECT ?gene WHERE { ?gene skos:exactMatch ?id }"
        with pytest.warns(cptkg.BindingWarning, match=r"cptkg.iri\('HGNC:7989'\)"):
            assert len(kg.sparql(text, id="HGNC:7989")) == 0
        assert kg.sparql(text, id=cptkg.iri("HGNC:7989")).one().gene == "cptkg:gene-NRAS"
        assert kg.sparql("SELECT ?c WHERE { ?c skos:notation ?code }", code="81311").one().c == "cptkg:code-81311"

    def test_quads_round_trip(self, kg):
        assert len(list(kg.backend.quads())) == len(list(cptkg.load(backend="rdflib").backend.quads()))


class TestOxigraph(BackendCompliance):
    backend = "oxigraph"


class TestRdflib(BackendCompliance):
    backend = "rdflib"


def test_every_in_memory_backend_has_a_compliance_class():
    # store backends need a running store: their compliance classes start one (tests/test_stores.py)
    tested = {cls.backend for cls in BackendCompliance.__subclasses__()}
    assert tested >= {name for name, backend in BACKENDS.items() if backend.in_memory}

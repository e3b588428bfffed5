"""Statement-level provenance: what each representation costs and which tools carry it (issue 20).

    python benchmarks/bench_provenance.py

Prints, for the packaged graph: whether RDF 1.2 triple terms survive each backend and export format
(pyoxigraph, rdflib), the triples the owl:Axiom annotations add, and the time of the ``provenance``
query per resource on both backends (the statement-level query against the resource-level one it
replaced, kept here as text so the two can be timed side by side).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox

import cptkg
from cptkg.core.queries import NamedQuery

TRIPLE_TERM = b"""@prefix ex: <http://example.org/> . @prefix dct: <http://purl.org/dc/terms/> .
ex:gene ex:symbol "NRAS" ~ ex:said {| dct:source ex:record |} ."""

#: The provenance query before issue 20: every statement with every record its resource cites.
RESOURCE_LEVEL = """SELECT DISTINCT ?resource ?property ?value ?graph ?source ?source_label ?status ?citation
WHERE {
  GRAPH ?graph { ?resource ?property ?value }
  FILTER(?property != dcterms:source)
  OPTIONAL {
    GRAPH ?graph { ?resource dcterms:source ?source }
    OPTIONAL { ?source rdfs:label ?source_label }
    OPTIONAL { ?source cptkg:verificationStatus/rdfs:label ?status }
    OPTIONAL { ?source dcterms:bibliographicCitation ?citation }
  }
}
ORDER BY ?graph ?property ?value ?source"""


def triple_terms() -> None:
    import rdflib

    quads = list(ox.parse(TRIPLE_TERM, format=ox.RdfFormat.TURTLE))
    print(f"pyoxigraph {ox.__version__}: Turtle 1.2 parsed into {len(quads)} triples")
    for fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        try:
            ox.serialize([q.triple for q in quads], format=fmt)
            print(f"  writes {fmt}: yes")
        except (OSError, ValueError) as error:
            print(f"  writes {fmt}: no ({error})")
    try:
        rdflib.Graph().parse(data=TRIPLE_TERM.decode(), format="turtle")
        print(f"rdflib {rdflib.__version__}: reads Turtle 1.2")
    except Exception as error:  # noqa: BLE001 - the point is which error
        print(f"rdflib {rdflib.__version__}: cannot read Turtle 1.2 ({type(error).__name__})")


def annotation_cost(kg: cptkg.KnowledgeGraph) -> None:
    total = len(list(kg.backend.quads()))
    count = kg.sparql("SELECT (COUNT(DISTINCT ?a) AS ?axioms) (COUNT(*) AS ?triples) WHERE { ?a a owl:Axiom ; ?p ?o }")
    row = count.records()[0]
    print(f"graph: {total} quads, {row['axioms']} owl:Axiom annotations holding {row['triples']} triples")
    links = kg.query("mappings").records()
    print(f"mappings query: {len(links)} rows for {len({(r['resource'], r['predicate'], r['target']) for r in links})} links")


def timing(backend: str, every: int) -> None:
    kg = cptkg.load(backend=backend)
    rows = kg.sparql("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(cptkg:))) }").records()
    resources = [str(r["s"]) for r in rows][::every]
    old = NamedQuery("resource-level provenance", RESOURCE_LEVEL, Path("bench"), {}, kg.queries["provenance"].parameters)
    for name, run in (("resource-level", lambda r: kg.run(old, {"resource": r})), ("statement-level", lambda r: kg.query("provenance", resource=r))):
        start = time.perf_counter()
        found = sum(len(run(resource)) for resource in resources)
        elapsed = time.perf_counter() - start
        print(f"{backend}: {name} provenance of {len(resources)} resources: {found} rows, {1000 * elapsed / len(resources):.1f} ms each")


if __name__ == "__main__":
    triple_terms()
    annotation_cost(cptkg.load())
    timing("oxigraph", 1)
    timing("rdflib", 10)

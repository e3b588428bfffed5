"""Write the first version of the statement sources: the one record behind a statement whose resource cites several.

    python tools/statement_sources.py            # write data/<folder>/statement-sources.ttl (never over an existing file)
    python tools/statement_sources.py --review   # only count what it would write

A resource often cites several reference records (``dcterms:source``), one per fact it was built
from. For each statement of such a resource (other than its links, which have mapping records, see
``tools/mapping_records.py``), the tool looks for the one cited record whose value or fact text names
the statement's value as a whole word: a literal of three characters or more (or with a digit), or
the local identifier of an outside IRI. When exactly one record names it, the statement gets an OWL
axiom annotation (``owl:Axiom`` with ``owl:annotatedSource``, ``owl:annotatedProperty``,
``owl:annotatedTarget`` and ``dcterms:source``) naming that record. Statements that no record or
several records name (types, labels, notes that sum up several rows, links between cptkg
resources) keep the resource's citations: the ``provenance`` query says so (``level`` resource).
The files were reviewed after the first run and are edited by hand from then on.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from mapping_records import MATCHES, RECORDS_FILE, record_texts
from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

import cptkg
from cptkg.core.prefixes import CPTKG, curie
from cptkg.core.rdfio import bind_prefixes, canonical_turtle
from cptkg.terminology.mappings import names_identifier

SOURCES_FILE = "statement-sources.ttl"
GRAPH_DESCRIPTION = """
@prefix cptkg: <https://w3id.org/cptkg/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
cptkg:graph-statement-sources a cptkg:SourceGraph ;
    rdfs:label "Statement sources: the one reference record behind a statement whose resource cites several" ;
    cptkg:graphSource cptkg:source-nras-81311-facts, cptkg:source-cptkg-additional-facts .
"""


def searched_text(value: object) -> str | None:
    """The text a record must name for a statement's value, or None when a text search cannot tell."""
    if isinstance(value, Literal):
        text = str(value)
        return text if len(text) >= 3 or any(c.isdigit() for c in text) else None
    if isinstance(value, URIRef) and not str(value).startswith(CPTKG):
        short = curie(value)
        return short.split(":", 1)[1] if short else None
    return None


def annotations(kg: cptkg.KnowledgeGraph) -> dict[str, Graph]:
    """The statement annotations of every packaged file, by folder."""
    texts = record_texts(kg)
    by_folder: dict[str, Graph] = defaultdict(lambda: bind_prefixes(Graph()))
    for source in kg.sources:
        if source.path.name in (RECORDS_FILE, SOURCES_FILE) or source.path.parent.name == "ontology":
            continue
        graph = Graph()
        graph.parse(source.path)
        for subject in set(graph.subjects(DCTERMS.source)):
            cited = sorted(curie(c) for c in graph.objects(subject, DCTERMS.source))
            if len(cited) < 2 or isinstance(subject, BNode):
                continue
            for predicate, value in graph.predicate_objects(subject):
                needle = searched_text(value)
                if predicate == DCTERMS.source or predicate in MATCHES or needle is None:
                    continue
                naming = [r for r in cited if names_identifier(needle, texts.get(r, ""))]
                if len(naming) == 1:
                    add_annotation(by_folder[source.path.parent.name], subject, predicate, value, naming[0])
    return by_folder


def add_annotation(graph: Graph, subject: URIRef, predicate: URIRef, value: object, record: str) -> None:
    digest = hashlib.sha256(f"{subject} {predicate} {value.n3()}".encode()).hexdigest()[:10]  # type: ignore[attr-defined]
    local = f"{curie(subject).split(':', 1)[1]}-{curie(predicate).split(':', 1)[1]}-{digest}"
    node = URIRef(f"{CPTKG}statement-{local}")
    graph.add((node, RDF.type, OWL.Axiom))
    graph.add((node, OWL.annotatedSource, subject))
    graph.add((node, OWL.annotatedProperty, predicate))
    graph.add((node, OWL.annotatedTarget, value))  # type: ignore[arg-type]
    graph.add((node, DCTERMS.source, URIRef(CPTKG + record.split(":", 1)[1])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", action="store_true", help="only count the annotations it would write")
    args = parser.parse_args(argv)
    found = annotations(cptkg.load())
    for folder, graph in sorted(found.items()):
        count = len(set(graph.subjects(RDF.type, OWL.Axiom)))
        path = ROOT / "data" / folder / SOURCES_FILE
        if args.review or path.exists():
            print(f"{path.relative_to(ROOT)}: {count} statement sources" + (" (exists, not overwritten)" * path.exists()))
            continue
        header = "# The one reference record behind each statement a text search could tie to one record: first written\n"
        header += "# by tools/statement_sources.py, reviewed, and edited by hand since.\n"
        if folder == "common":
            graph.parse(data=GRAPH_DESCRIPTION, format="turtle")
        path.write_text(header + canonical_turtle(graph), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({count} statement sources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Turn the reference fact tables into reference records of the graph.

Every row of ``reference/nras-81311-facts.tsv`` and ``reference/cptkg-additional-facts.tsv``
becomes a ``cptkg:ReferenceRecord`` in ``data/common/reference-records.ttl``, so that each fact
of the graph can point at the row it was read in (``dcterms:source``) and a reader can see the
row's value, status and upstream citation without leaving the graph.

Run from the repository root::

    python tools/import_reference.py          # rewrite the records file
    python tools/import_reference.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cptkg.core.rdfio import canonical_turtle

CPTKG = Namespace("https://w3id.org/cptkg/")
TABLES = {
    "nras-81311-facts.tsv": CPTKG["source-nras-81311-facts"],
    "cptkg-additional-facts.tsv": CPTKG["source-cptkg-additional-facts"],
}
OUTPUT = ROOT / "data" / "common" / "reference-records.ttl"
GRAPH = CPTKG["graph-reference-records"]

STATUS = {
    "VERIFIED": CPTKG["status-verified"],
    "UNVERIFIED": CPTKG["status-unverified"],
    "CONFLICT": CPTKG["status-conflict"],
    "-": CPTKG["status-not-applicable"],
}


def record_id(group: str, fact: str) -> str:
    """The stable local name of a row: group number plus a slug of the fact.

    >>> record_id("1 NRAS gene identifiers", "Gene symbol / HGNC ID")
    'ref-1-gene-symbol-hgnc-id'
    >>> record_id("A CPT code set (cptkg additions)", "Tier 1 and Tier 2 molecular pathology code ranges")
    'ref-a-tier-1-and-tier-2-molecular-pathology-code-ranges'
    """
    number = group.split()[0].lower()
    slug = re.sub(r"[^a-z0-9]+", "-", fact.lower()).strip("-")
    return f"ref-{number}-{slug}"


def status_of(text: str) -> URIRef:
    first = text.split()[0] if text.split() else text
    try:
        return STATUS[first]
    except KeyError:
        raise SystemExit(f"unknown status {text!r}: expected one of {sorted(STATUS)}") from None


def build() -> Graph:
    graph = Graph()
    graph.bind("cptkg", CPTKG)
    graph.bind("dcterms", DCTERMS)
    graph.add((GRAPH, RDF.type, CPTKG.SourceGraph))
    graph.add((GRAPH, RDFS.label, Literal("Reference records: the rows of the verified reference fact tables")))
    seen: dict[str, str] = {}
    for table, document in TABLES.items():
        graph.add((GRAPH, CPTKG.graphSource, document))
        path = ROOT / "reference" / table
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
                local = record_id(row["group"], row["fact"])
                if local in seen:
                    raise SystemExit(f"{path}:{line}: record {local} repeats line {seen[local]}")
                seen[local] = f"{table}:{line}"
                node = CPTKG[local]
                graph.add((node, RDF.type, CPTKG.ReferenceRecord))
                graph.add((node, RDFS.label, Literal(f"Reference facts {row['group'].split()[0]}: {row['fact']}")))
                graph.add((node, CPTKG.referenceGroup, Literal(row["group"])))
                graph.add((node, CPTKG.referenceFact, Literal(row["fact"])))
                graph.add((node, CPTKG.referenceValue, Literal(row["value"])))
                graph.add((node, CPTKG.verificationStatus, status_of(row["status"])))
                graph.add((node, CPTKG.statusNote, Literal(row["status"])))
                graph.add((node, DCTERMS.bibliographicCitation, Literal(row["source"])))
                graph.add((node, DCTERMS.isPartOf, document))
                graph.add((node, DCTERMS.source, document))
    return graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the records file is up to date")
    args = parser.parse_args(argv)
    text = canonical_turtle(build())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python tools/import_reference.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

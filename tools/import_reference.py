"""Turn the reference fact tables into reference records of the graph.

Every row of the fact tables in ``reference/`` (``nras-81311-facts.tsv``,
``cptkg-additional-facts.tsv``, ``ras-family-facts.tsv``) and every row of the table in
``reference/billing-rules.md`` becomes a ``cptkg:ReferenceRecord`` in
``data/common/reference-records.ttl``, so that each fact of the graph can point at the row it was
read in (``dcterms:source``) and a reader can see the row's value, status and upstream citation
without leaving the graph.

The billing-rules table says whether a statement *holds* (yes, no, partly, unconfirmed) rather
than giving a status: "yes" and "no" were checked in the sources (VERIFIED; the record's value
starts with "holds: no" where the statement is wrong), "partly" and "unconfirmed" were not
(UNVERIFIED).

Run from the repository root::

    python tools/import_reference.py          # rewrite the records file
    python tools/import_reference.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cptkg.core.rdfio import canonical_turtle

CPTKG = Namespace("https://w3id.org/cptkg/")


class Table(NamedTuple):
    """A fact table of ``reference/``: its file, the document it is, and the prefix of its record names."""

    file: str
    document: URIRef
    prefix: str


TABLES = (
    Table("nras-81311-facts.tsv", CPTKG["source-nras-81311-facts"], "ref"),
    Table("cptkg-additional-facts.tsv", CPTKG["source-cptkg-additional-facts"], "ref"),
    Table("ras-family-facts.tsv", CPTKG["source-ras-family-facts"], "ref-ras"),
    Table("billing-rules.md", CPTKG["source-billing-rules"], "ref-billing"),
)
BILLING_GROUP = "Billing rules for CPT 81311 (third pass)"
HOLDS = {"yes": "VERIFIED", "no": "VERIFIED", "partly": "UNVERIFIED", "unconfirmed": "UNVERIFIED"}
OUTPUT = ROOT / "data" / "common" / "reference-records.ttl"
GRAPH = CPTKG["graph-reference-records"]

STATUS = {
    "VERIFIED": CPTKG["status-verified"],
    "UNVERIFIED": CPTKG["status-unverified"],
    "CONFLICT": CPTKG["status-conflict"],
    "-": CPTKG["status-not-applicable"],
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def record_id(group: str, fact: str, prefix: str = "ref") -> str:
    """The stable local name of a row: the table's prefix, the group number and a slug of the fact.

    >>> record_id("1 NRAS gene identifiers", "Gene symbol / HGNC ID")
    'ref-1-gene-symbol-hgnc-id'
    >>> record_id("A CPT code set (cptkg additions)", "Tier 1 and Tier 2 molecular pathology code ranges")
    'ref-a-tier-1-and-tier-2-molecular-pathology-code-ranges'
    >>> record_id("1 Gene identifiers", "KRAS: Symbol / HGNC ID", "ref-ras")
    'ref-ras-1-kras-symbol-hgnc-id'
    """
    return f"{prefix}-{group.split()[0].lower()}-{slug(fact)}"


def tsv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle, delimiter="\t"), start=2)


def billing_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of the table under ``## Table`` of billing-rules.md, in the columns of the TSV tables.

    A row ``| statement | holds? | source | note |`` becomes fact = statement, value = "holds: ..."
    with the note, status from :data:`HOLDS` (the word before any qualifier) and source.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Table")
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.startswith("|"):
            if line.strip() and number > start + 4:
                break
            continue
        cells = [cell.strip() for cell in line.strip()[1:-1].split("|")]
        if cells[0] == "statement" or not cells[0].strip("-"):
            continue  # the header and the line under it
        if len(cells) != 4:
            raise SystemExit(f"{path}:{number}: expected 4 cells (statement, holds?, source, note), found {len(cells)}")
        statement, holds, source, note = cells
        word = holds.split()[0] if holds.split() else holds
        if word not in HOLDS:
            raise SystemExit(f"{path}:{number}: unknown holds? value {holds!r}: expected one of {sorted(HOLDS)}")
        value = f"holds: {holds}" + (f"; {note}" if note else "")
        yield number, {"group": BILLING_GROUP, "fact": statement, "value": value,
                       "status": f"{HOLDS[word]} (holds: {holds})", "source": source}  # fmt: skip


def rows_of(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    path = ROOT / "reference" / table.file
    return billing_rows(path) if table.file.endswith(".md") else tsv_rows(path)


def local_name(table: Table, row: dict[str, str]) -> str:
    if table.file.endswith(".md"):
        return f"{table.prefix}-{slug(row['fact'])}"
    return record_id(row["group"], row["fact"], table.prefix)


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
    graph.bind("skos", SKOS)
    graph.add((GRAPH, RDF.type, CPTKG.SourceGraph))
    graph.add((GRAPH, RDFS.label, Literal("Reference records: the rows of the verified reference fact tables")))
    seen: dict[str, str] = {}
    for table in TABLES:
        graph.add((GRAPH, CPTKG.graphSource, table.document))
        for line, row in rows_of(table):
            local = local_name(table, row)
            if local in seen:
                raise SystemExit(f"reference/{table.file}:{line}: record {local} repeats {seen[local]}")
            seen[local] = f"{table.file}:{line}"
            node = CPTKG[local]
            title = "Billing rules" if table.file.endswith(".md") else f"Reference facts {row['group'].split()[0]}"
            graph.add((node, RDF.type, CPTKG.ReferenceRecord))
            graph.add((node, RDFS.label, Literal(f"{title}: {row['fact']}")))
            graph.add((node, CPTKG.referenceGroup, Literal(row["group"])))
            graph.add((node, CPTKG.referenceFact, Literal(row["fact"])))
            graph.add((node, CPTKG.referenceValue, Literal(row["value"])))
            graph.add((node, CPTKG.verificationStatus, status_of(row["status"])))
            graph.add((node, CPTKG.statusNote, Literal(row["status"])))
            graph.add((node, DCTERMS.bibliographicCitation, Literal(row["source"])))
            if row.get("note"):
                graph.add((node, SKOS.note, Literal(row["note"])))
            graph.add((node, DCTERMS.isPartOf, table.document))
            graph.add((node, DCTERMS.source, table.document))
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

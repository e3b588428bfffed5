"""The mapping set: the graph's links to other terminologies, each with its one mapping record, as SSSOM or Turtle.

A link is a SKOS match from a cptkg resource (or a subclass link from an ontology class to an
outside class). Its mapping record is data in the graph (``data/*/mapping-records.ttl``): an OWL
axiom annotation of the link, as SSSOM's RDF form writes one, giving the SEMAPV justification, the
one reference record the link was read in, the author, the date, a reviewer's comment and, where a
source gives one, a confidence.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..core.prefixes import CPTKG, NAMESPACES, expand

if TYPE_CHECKING:
    from ..core.graph import CoreGraph


#: The justification of a link that has no mapping record in the graph (a check reports such links).
UNRECORDED = "semapv:UnspecifiedMatching"

#: What a link's record says about the strength of its support, by :func:`grade`.
SUPPORT = {
    "primary": "VERIFIED in the reference facts",
    "derived": "derived from VERIFIED values",
    "secondary": "VERIFIED in a secondary source only (a summary page or another project's mapping)",
    "conflict": "the reference records a conflict between sources; weigh before use",
    "unrecorded": "no mapping record in the graph: the link's source is not known",
}


@dataclass(frozen=True)
class Mapping:
    """One link from a cptkg resource to an outside identifier, with its mapping record."""

    subject: str
    subject_label: str | None
    predicate: str
    object: str
    #: the named graph that states the link
    graph: str
    #: the mapping record (an owl:Axiom of the graph), None when the graph holds none
    record: str | None
    justification: str
    #: the one reference record (or other source) the link was read in
    source: str | None
    citation: str | None
    author: str | None
    author_label: str | None
    date: str | None
    #: only where a source gives one
    confidence: float | None
    comment: str

    def to_dict(self) -> dict[str, Any]:
        """The link as a JSON-ready dictionary."""
        return asdict(self)


def grade(status: str, citation: str) -> str:
    """How strong a record's support is: primary, derived, secondary, conflict or unverified.

    >>> grade("VERIFIED", "github:monarch-initiative/mondo@fad2512b4845:src/ontology/mappings/")
    'primary'
    >>> grade("VERIFIED (secondary)", "http://www.qmbs.com/")
    'secondary'
    >>> grade("VERIFIED", "github:linkml/valuesets@86eab0158e0d:... (secondary mapping, not NCIt itself)")
    'secondary'
    """
    status = status.upper()
    if status.startswith("UNVERIFIED"):
        return "unverified"
    if status.startswith("CONFLICT"):
        return "conflict"
    if "SECONDARY" in status or "secondary" in citation.lower():
        return "secondary"
    if "DERIVED" in status:
        return "derived"
    return "primary"


def names_identifier(local: str, text: str) -> bool:
    """Whether a record's text names an identifier as a whole word (not as part of a longer code).

    >>> names_identifier("C92.0", "C92.0 non-billable category")
    True
    >>> names_identifier("C92.0", "C92.00 not having achieved remission")
    False
    """
    return re.search(rf"(?<!\w)(?<!\d\.){re.escape(local)}(?!\w)(?!\.\d)", text) is not None


def mapping_set(kg: CoreGraph, resource: str | None = None) -> list[Mapping]:
    """The graph's links to other terminologies, each with its mapping record.

    A link whose record cites an UNVERIFIED reference row is left out (the source tests make sure
    the packaged data has none); a link without a record is kept with the justification
    :data:`UNRECORDED` and says so in its comment.
    """
    params = {"resource": resource} if resource else {}
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in kg.query("mappings", **params).records():
        key = (row["resource"], row["predicate"], row["target"], row["graph"])
        kept = rows.get(key)  # a resource with several labels gives several rows: keep the first label
        if kept is None or (row["label"] or "\uffff") < (kept["label"] or "\uffff"):
            rows[key] = row
    found = [_mapping(row) for row in rows.values()]
    return sorted((m for m in found if m is not None), key=lambda m: (m.subject, m.predicate, m.object, m.graph))


def _mapping(row: dict[str, Any]) -> Mapping | None:
    """A row of the ``mappings`` query as a :class:`Mapping`, or None when only an UNVERIFIED row supports it."""
    level = grade(row["status"] or "", row["citation"] or "") if row["record"] else "unrecorded"
    if level == "unverified":
        return None
    notes = [SUPPORT[level]] + ([f"cited: {row['citation']}"] if row["citation"] else [])
    notes += [str(row["comment"])] if row["comment"] else []
    return Mapping(
        subject=row["resource"],
        subject_label=row["label"],
        predicate=row["predicate"],
        object=row["target"],
        graph=row["graph"],
        record=row["record"],
        justification=row["justification"] or UNRECORDED,
        source=row["source"],
        citation=row["citation"],
        author=row["author"],
        author_label=row["author_label"],
        date=str(row["date"]) if row["date"] is not None else None,
        confidence=float(row["confidence"]) if row["confidence"] is not None else None,
        comment="; ".join(notes),
    )


SSSOM_COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification",
    "author_id", "author_label", "mapping_date", "confidence", "see_also", "comment",
)  # fmt: skip
#: The columns whose values are CURIEs, so whose prefixes the curie_map must declare.
_CURIE_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id")


def to_sssom(mappings: Sequence[Mapping], *, version: str | None = None) -> str:
    """The mapping set as SSSOM TSV: a YAML header (curie_map and set metadata), then one row per link.

    A link stated by several graphs is one row (its record is the same). ``see_also`` is the IRI of
    the reference record the link was read in; the curie_map declares exactly the prefixes the
    CURIE columns use.
    """
    from ..core.version import __version__

    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for m in mappings:
        rows.setdefault((m.subject, m.predicate, m.object), _sssom_row(m))
    used = {row[column].split(":", 1)[0] for row in rows.values() for column in _CURIE_COLUMNS if row[column]}
    header = {
        "mapping_set_id": f"{CPTKG}mappings/cptkg.sssom.tsv",
        "mapping_set_version": version or __version__,
        "mapping_set_title": "cptkg: CPT molecular-pathology knowledge graph links to other terminologies",
        "mapping_set_description": (
            "SKOS matches of the cptkg graph (and its ontology's subclass links to the Sequence Ontology), "
            "each with its mapping record: the one row of the cptkg reference fact tables it was read in "
            "(see_also), how it was made, by whom and when."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": CPTKG,
    }
    lines = ["# curie_map:"]
    lines += [f"#   {prefix}: {json.dumps(uri)}" for prefix, uri in NAMESPACES.items() if prefix in used]
    lines += [f"# {key}: {json.dumps(value)}" for key, value in header.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(SSSOM_COLUMNS)
    for key in sorted(rows):
        writer.writerow([rows[key][column].replace("\t", " ").replace("\n", " ") for column in SSSOM_COLUMNS])
    return "\n".join(lines) + "\n" + buffer.getvalue()


def _sssom_row(m: Mapping) -> dict[str, str]:
    return {
        "subject_id": m.subject,
        "subject_label": m.subject_label or "",
        "predicate_id": m.predicate,
        "object_id": m.object,
        "mapping_justification": m.justification,
        "author_id": m.author or "",
        "author_label": m.author_label or "",
        "mapping_date": m.date or "",
        "confidence": f"{m.confidence:g}" if m.confidence is not None else "",
        "see_also": expand(m.source) if m.source else "",
        "comment": m.comment,
    }


def to_turtle(mappings: Sequence[Mapping]) -> str:
    """The links and their mapping records as canonical Turtle (each record an owl:Axiom, as in SSSOM's RDF)."""
    from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS

    from ..core.rdfio import bind_prefixes, serialize

    graph = bind_prefixes(Graph())
    for m in mappings:
        link = tuple(URIRef(expand(value)) for value in (m.subject, m.predicate, m.object))
        graph.add(link)  # type: ignore[arg-type]
        if m.record is None:
            continue
        record = URIRef(expand(m.record))
        facts = [
            (RDF.type, OWL.Axiom),
            (OWL.annotatedSource, link[0]),
            (OWL.annotatedProperty, link[1]),
            (OWL.annotatedTarget, link[2]),
            (URIRef(expand("sssom:mapping_justification")), URIRef(expand(m.justification))),
        ]
        facts += [(DCTERMS.source, URIRef(expand(m.source)))] if m.source else []
        facts += [(URIRef(expand("pav:authoredBy")), URIRef(expand(m.author)))] if m.author else []
        facts += [(DCTERMS.created, Literal(m.date, datatype=XSD.date))] if m.date else []
        facts += [(URIRef(expand("sssom:confidence")), Literal(m.confidence))] if m.confidence is not None else []
        facts += [(RDFS.comment, Literal(m.comment))]
        for predicate, value in facts:
            graph.add((record, predicate, value))
    return serialize(graph, "turtle")

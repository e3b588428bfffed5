"""The mapping set: the graph's SKOS matches, each with the record that supports it, as SSSOM or Turtle."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..core.prefixes import CPTKG, NAMESPACES, curie_or_iri

if TYPE_CHECKING:
    from ..core.graph import CoreGraph


SKOS = "http://www.w3.org/2004/02/skos/core#"

#: How each SSSOM row of cptkg's own set is justified: every link was curated by hand from a cited record.
JUSTIFICATION = "semapv:ManualMappingCuration"

#: Confidence by the strength of the best record supporting a link (see :func:`grade`).
CONFIDENCE = {"primary": 0.95, "derived": 0.9, "secondary": 0.8, "conflict": 0.5}


@dataclass(frozen=True)
class Mapping:
    """One link from a cptkg resource to an outside identifier, with its support."""

    subject: str
    subject_label: str | None
    predicate: str
    object: str
    graph: str
    #: the cited reference records whose value or fact names the identifier
    sources: tuple[str, ...]
    citations: tuple[str, ...]
    confidence: float
    comment: str

    def to_dict(self) -> dict[str, Any]:
        """The link as a JSON-ready dictionary."""
        return {**asdict(self), "sources": list(self.sources), "citations": list(self.citations)}


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


def _names(local: str, text: str) -> bool:
    """Whether a record's text names an identifier as a whole word (not as part of a longer code)."""
    return re.search(rf"(?<!\w)(?<!\d\.){re.escape(local)}(?!\w)(?!\.\d)", text) is not None


def _record_texts(kg: CoreGraph) -> dict[str, str]:
    texts: dict[str, list[str]] = {}
    for row in kg.query("reference-record-texts"):
        texts.setdefault(curie_or_iri(row["record"]), []).append(str(row["text"]))
    return {record: "\n".join(parts) for record, parts in texts.items()}


def mapping_set(kg: CoreGraph, resource: str | None = None) -> list[Mapping]:
    """The graph's links to other terminologies, each with the record that supports it.

    A link's sources are the records its graph cites for the resource whose value or fact names the
    target identifier. Its confidence follows the best of them (:data:`CONFIDENCE`); a link that
    only an UNVERIFIED record supports is left out, and one with no naming record at all too (the
    source tests make sure neither happens in the packaged data).
    """
    from ..core.prefixes import converter

    params = {"resource": resource} if resource else {}
    grouped: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in kg.query("mappings", **params).records():
        key = (row["resource"], row["predicate"], row["target"], row["graph"])
        entry = grouped.setdefault(key, {"label": row["label"], "sources": {}})
        if row["label"] and (entry["label"] is None or row["label"] < entry["label"]):
            entry["label"] = row["label"]
        if row["source"]:
            entry["sources"][row["source"]] = (row["status"] or "", row["citation"] or "")
    texts = _record_texts(kg)
    mappings = []
    for (subject, predicate, target, graph), entry in grouped.items():
        prefix, _, rest = target.partition(":")
        local = rest if converter().has_prefix(prefix) else target
        support = {
            source: (status, citation)
            for source, (status, citation) in entry["sources"].items()
            if _names(local, texts.get(source, ""))
        }
        grades = {source: grade(*value) for source, value in support.items()}
        usable = sorted(source for source, level in grades.items() if level != "unverified")
        if not usable:
            continue
        best = min((grades[s] for s in usable), key=list(CONFIDENCE).index)
        notes = {
            "primary": "VERIFIED in the reference facts",
            "derived": "derived from VERIFIED values",
            "secondary": "VERIFIED in a secondary source only (a summary page or another project's mapping)",
            "conflict": "the reference records a conflict between sources; weigh before use",
        }
        comment = f"{notes[best]}; cited: " + " ; ".join(support[s][1] for s in usable)
        mappings.append(
            Mapping(
                subject=subject,
                subject_label=entry["label"],
                predicate=predicate,
                object=target,
                graph=graph,
                sources=tuple(usable),
                citations=tuple(support[s][1] for s in usable),
                confidence=CONFIDENCE[best],
                comment=comment,
            )
        )
    return sorted(mappings, key=lambda m: (m.subject, m.predicate, m.object, m.graph))


SSSOM_COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification",
    "confidence", "see_also", "comment",
)  # fmt: skip


def to_sssom(mappings: Sequence[Mapping], *, version: str | None = None) -> str:
    """The mapping set as SSSOM TSV: a YAML header (curie_map and set metadata), then one row per link.

    A link stated by several graphs is one row; ``see_also`` lists the supporting records
    (``cptkg:ref-...`` CURIEs, each a row of the reference fact tables) and ``comment`` says how
    strong they are and what they cite.
    """
    from ..core.version import __version__

    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for m in mappings:
        key = (m.subject, m.predicate, m.object)
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "subject_id": m.subject,
                "subject_label": m.subject_label or "",
                "predicate_id": m.predicate,
                "object_id": m.object,
                "mapping_justification": JUSTIFICATION,
                "confidence": f"{m.confidence:g}",
                "see_also": "|".join(m.sources),
                "comment": m.comment,
            }
        else:  # the same link from another graph: keep the stronger support
            if m.confidence > float(row["confidence"]):
                row.update(confidence=f"{m.confidence:g}", comment=m.comment)
            row["see_also"] = "|".join(sorted(set(row["see_also"].split("|")) | set(m.sources)))
    used = {
        value.split(":", 1)[0]
        for row in rows.values()
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification")
        for value in [row[column]]
    } | {source.split(":", 1)[0] for row in rows.values() for source in row["see_also"].split("|") if source}
    header = {
        "mapping_set_id": f"{CPTKG}mappings/cptkg.sssom.tsv",
        "mapping_set_version": version or __version__,
        "mapping_set_title": "cptkg: CPT molecular-pathology knowledge graph links to other terminologies",
        "mapping_set_description": (
            "SKOS matches of the cptkg graph (and its ontology's subclass links to the Sequence Ontology), "
            "each curated by hand from a row of the cptkg reference fact tables named in see_also."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": "https://w3id.org/cptkg/",
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


def to_turtle(mappings: Sequence[Mapping]) -> str:
    """The links as canonical Turtle triples (resource, predicate, target)."""
    from rdflib import Graph, URIRef

    from ..core.prefixes import expand
    from ..core.rdfio import bind_prefixes, serialize

    graph = bind_prefixes(Graph())
    for m in mappings:
        graph.add((URIRef(expand(m.subject)), URIRef(expand(m.predicate)), URIRef(expand(m.object))))
    return serialize(graph, "turtle")

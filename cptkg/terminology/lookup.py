"""Reverse look-up: which cptkg resources an outside identifier maps to, and how."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.text import visible
from .icd10cm import icd10cm_lineage
from .identifiers import parse_curie

if TYPE_CHECKING:
    from ..core.graph import CoreGraph


@dataclass(frozen=True)
class Hit:
    """A cptkg resource an outside identifier reaches, and how."""

    resource: str
    label: str | None
    types: tuple[str, ...]
    #: the predicate as the graph states it, from the resource to ``via``
    predicate: str
    #: the identifier the graph links to: the one asked about, or an ICD-10-CM category above it
    via: str
    graphs: tuple[str, ...]


@dataclass
class Answer:
    """What :func:`lookup` found for one outside identifier."""

    identifier: str
    iri: str
    lineage: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """Whether some cptkg resource maps to the identifier (or to one of its categories)."""
        return bool(self.hits)

    def message(self) -> str:
        """One line saying how many resources the identifier maps to, or that none does."""
        if self.found:
            return f"{self.identifier} maps to {len({h.resource for h in self.hits})} cptkg resource(s)"
        tried = f" (nor do its categories {', '.join(self.lineage[1:])})" if len(self.lineage) > 1 else ""
        return f"no mapping: no cptkg resource maps to {self.identifier}{tried}"

    def to_dict(self) -> dict[str, Any]:
        """The answer as a JSON-ready dictionary, each mapping marked direct or through a category."""
        return {
            "identifier": self.identifier,
            "iri": self.iri,
            "lineage": self.lineage,
            "found": self.found,
            "message": self.message(),
            "mappings": [
                {**asdict(hit), "types": list(hit.types), "graphs": list(hit.graphs), "direct": hit.via == self.identifier}
                for hit in self.hits
            ],
        }

    def to_text(self) -> str:
        """The message, then one line per mapping."""
        lines = [self.message()]
        for hit in self.hits:
            how = "" if hit.via == self.identifier else f"  (through its category {hit.via})"
            lines.append(f"  {hit.resource}  {hit.predicate}  {hit.via}{how}  -- {hit.label or ''}".rstrip(" -"))
        return visible("\n".join(lines) + "\n")  # labels come from the graph, and from linked files


def lookup(kg: CoreGraph, identifier: str) -> Answer:
    """Which cptkg resources an outside identifier (a CURIE, or an IRI such as a code system URI) maps to.

    An ICD-10-CM code is looked up with each category above it (:func:`icd10cm_lineage`), most
    specific first, so that a billable code reaches the indication mapped to its category. A
    malformed CURIE or an unknown prefix raises :class:`~cptkg.core.errors.InputError`.
    """
    from ..core.prefixes import curie

    text = str(identifier).strip()
    if text.startswith(("http://", "https://", "urn:")):
        iri = text
        identifier = curie(iri) or iri
        candidates = [identifier]
    else:
        prefix, local, iri = parse_curie(text)
        identifier = f"{prefix}:{local}"
        candidates = [f"ICD10CM:{code}" for code in icd10cm_lineage(local)] if prefix == "ICD10CM" else [identifier]
        identifier = candidates[0]
    answer = Answer(identifier, iri, lineage=candidates if len(candidates) > 1 else [])
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for candidate in candidates:
        for row in kg.query("mapped-resources", target=candidate).records():
            key = (row["resource"], row["predicate"], candidate)
            entry = seen.setdefault(key, {"label": row["label"], "types": set(), "graphs": set()})
            if row["type"]:
                entry["types"].add(row["type"])
            entry["graphs"].add(row["graph"])
    for (resource, predicate, via), entry in seen.items():
        answer.hits.append(
            Hit(resource, entry["label"], tuple(sorted(entry["types"])), predicate, via, tuple(sorted(entry["graphs"])))
        )
    return answer

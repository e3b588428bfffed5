"""The outcome of a validation: SHACL results in readable form (CURIEs, numbers, strings)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..core.findings import Report, Severity
from ..core.prefixes import curie_or_iri
from ..core.results import plain
from .shapes import SH, FlatShapes

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: SHACL's words for the severities, most serious first (a result's ``severity``).
SEVERITIES = tuple(severity.shacl for severity in Severity if severity is not Severity.OK)
COLUMNS = ("severity", "focus", "path", "value", "shape", "message")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result in readable form: CURIEs, numbers and strings, never raw IRIs or blank nodes."""

    severity: str
    focus: str
    path: str | None
    value: Any
    shape: str
    message: str

    def row(self) -> list[str]:
        """The result's fields as text cells (empty for None), for tables."""
        return ["" if cell is None else str(cell) for cell in asdict(self).values()]


class ValidationReport(Report):
    """The outcome of :func:`validate`: ``conforms`` (no violation) and the sorted ``results``."""

    columns = COLUMNS

    def __init__(self, results: Iterable[ValidationResult]) -> None:
        self.results = sorted(
            results,
            key=lambda r: (Severity.parse(r.severity).rank, r.focus, r.path or "", r.shape, str(r.value), r.message),
        )
        self.conforms = not any(Severity.parse(result.severity) is Severity.ERROR for result in self.results)

    def entries(self) -> list[ValidationResult]:
        return self.results

    def cells(self, entry: ValidationResult) -> list[str]:
        return entry.row()

    def record(self, entry: ValidationResult) -> dict[str, Any]:
        return asdict(entry)

    @property
    def exit_status(self) -> int:
        """0 when the data conforms, 1 when it does not."""
        return 0 if self.conforms else 1

    def counts(self) -> Counter[str]:
        """How many results of each severity (every severity present as a key)."""
        counts: Counter[str] = Counter({severity: 0 for severity in SEVERITIES})
        counts.update(result.severity for result in self.results)
        return counts

    def summary(self) -> str:
        counts = self.counts()
        outcome = "conforms" if self.conforms else "does not conform"
        return f"{outcome}: " + ", ".join(f"{counts[s]} {s.lower()}{'' if counts[s] == 1 else 's'}" for s in SEVERITIES)

    def to_dict(self) -> dict[str, Any]:
        """``{"conforms": bool, "results": [{"severity", "focus", "path", "value", "shape", "message"}]}``."""
        return {"conforms": self.conforms, "results": [asdict(result) for result in self.results]}

    def to_text(self) -> str:
        """A summary line, then the results as an aligned table."""
        text = f"The data {self.summary()}.\n"
        if self.results:
            text += "\n" + self.to_table()
        return text

    def _repr_html_(self) -> str:
        from ..core.results import html_table

        rows = [entry.row() for entry in self.results]
        return html_table(list(COLUMNS), rows, caption=f"SHACL validation: {self.summary()}")


def readable_results(report: rdflib.Graph, data: rdflib.Graph, shapes: FlatShapes) -> list[ValidationResult]:
    """The results of a pyshacl report graph, with CURIEs and descriptions instead of raw terms.

    A literal focus node (the label shape looks at label literals themselves, which is far faster
    than at every labelled resource) is shown as the resources and properties that hold it.
    """
    from rdflib import Literal, URIRef

    sh = lambda name: URIRef(SH + name)
    results = []
    for node in report.subjects(URIRef(RDF_TYPE), sh("ValidationResult")):
        focus = report.value(node, sh("focusNode"))
        path = report.value(node, sh("resultPath"))
        value = report.value(node, sh("value"))
        message = report.value(node, sh("resultMessage"))
        common = {
            "severity": str(report.value(node, sh("resultSeverity"))).removeprefix(SH),
            "shape": shape_name(report.value(node, sh("sourceShape")), shapes),
            "message": str(message) if message is not None else "",
        }
        if isinstance(focus, Literal) and path is None:
            holders = sorted(data.subject_predicates(focus)) or [(focus, None)]
            for subject, predicate in holders:
                results.append(
                    ValidationResult(
                        focus=describe(subject, data),
                        path=None if predicate is None else curie_or_iri(predicate),
                        value=plain(focus),
                        **common,
                    )
                )
            continue
        results.append(
            ValidationResult(
                focus=describe(focus, data),
                path=path_text(path, report) if path is not None else None,
                value=None
                if value is None
                else (plain(value) if isinstance(value, Literal) else describe(value, data)),
                **common,
            )
        )
    return results


def describe(term: Node, graph: rdflib.Graph, depth: int = 0) -> str:
    """An IRI as a CURIE; a blank node by where it hangs (``[cptkg:coversExon of cptkg:code-81311]``).

    >>> from rdflib import BNode, Graph, URIRef
    >>> g = Graph(); b = BNode()
    >>> g.add((URIRef("https://w3id.org/cptkg/code-1"), URIRef("https://w3id.org/cptkg/coversExon"), b))
    <Graph identifier=... (<class 'rdflib.graph.Graph'>)>
    >>> describe(b, g)
    '[cptkg:coversExon of cptkg:code-1]'
    """
    from rdflib import BNode, URIRef

    if not isinstance(term, BNode):
        return str(plain(term))
    parent = next(iter(sorted(graph.subject_predicates(term))), None)
    if parent is not None and depth < 3:
        return f"[{curie_or_iri(parent[1])} of {describe(parent[0], graph, depth + 1)}]"
    kind = graph.value(term, URIRef(RDF_TYPE))
    return f"[a {curie_or_iri(kind)}]" if kind is not None else "[a blank node]"


def path_text(path: Node, graph: rdflib.Graph) -> str:
    """A SHACL property path as SPARQL path text with CURIEs (``^cptkg:hasExon``, ``a|b``).

    >>> from rdflib import Graph, URIRef
    >>> path_text(URIRef("https://w3id.org/cptkg/codonNumber"), Graph())
    'cptkg:codonNumber'
    """
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection

    if not isinstance(path, BNode):
        return curie_or_iri(path)
    for name, template in (
        ("inversePath", "^{}"),
        ("zeroOrMorePath", "{}*"),
        ("oneOrMorePath", "{}+"),
        ("zeroOrOnePath", "{}?"),
    ):
        inner = graph.value(path, URIRef(SH + name))
        if inner is not None:
            return template.format(path_text(inner, graph))
    alternatives = graph.value(path, URIRef(SH + "alternativePath"))
    if alternatives is not None:
        return "|".join(path_text(step, graph) for step in Collection(graph, alternatives))
    return "/".join(path_text(step, graph) for step in Collection(graph, path))


def shape_name(shape: Node | None, shapes: FlatShapes) -> str:
    """A named shape's CURIE; a blank-node property or SPARQL shape is named by the named shape it was written in."""
    from rdflib import BNode, URIRef

    graph, seen = shapes.graph, 0
    while isinstance(shape, BNode) and seen < 5:
        parent = shapes.owners.get(shape) or next(
            (
                s
                for p in ("property", "sparql", "not", "and", "or", "xone", "node")
                for s in graph.subjects(URIRef(SH + p), shape)
            ),
            None,
        )
        if parent is None:  # a member of an sh:or/sh:xone list: climb the list
            parent = _list_owner(shape, graph)
        shape, seen = parent, seen + 1
    return curie_or_iri(shape) if shape is not None and not isinstance(shape, BNode) else "[an unnamed shape]"


def _list_owner(member: Node, shapes: rdflib.Graph) -> Node | None:
    """The shape whose list (``sh:or``, ``sh:xone``...) holds ``member``."""
    from rdflib import RDF

    cell = next(iter(shapes.subjects(RDF.first, member)), None)
    if cell is None:
        return None
    while (previous := next(iter(shapes.subjects(RDF.rest, cell)), None)) is not None:
        cell = previous
    return next(iter(shapes.subjects(None, cell)), None)

"""SHACL validation of the graph's instance data against the package shapes (``shapes/*.ttl``).

The shapes run on the *asserted* data. The ontology is never mixed into the data graph: a user
must never read a result about the ontology's own classes, properties or individuals. What the
shapes need from the TBox is only the class hierarchy (``sh:targetClass`` and ``sh:class`` follow
``rdfs:subClassOf`` in the data graph), so the validated graph is the data plus the ontology's
``rdfs:subClassOf`` triples between named classes, and nothing else of the ontology. Triples a
user's file repeats from the ontology (an export that included it) are left out of the data.

A result's severity says what to do about it: ``Violation`` breaks use of the data (the graph
does not conform), ``Warning`` is doubtful and worth a look, ``Info`` is a gap the sources admit.

>>> import cptkg
>>> report = cptkg.load().validate()
>>> report.conforms, report.counts()["Violation"], report.counts()["Warning"]
(True, 0, 0)
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParameterError
from .prefixes import curie_or_iri
from .results import html_table, plain, table

if TYPE_CHECKING:
    import pandas
    import pyoxigraph
    import rdflib
    from rdflib.term import Node

    from .graph import KnowledgeGraph

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: Severities, most serious first.
SEVERITIES = ("Violation", "Warning", "Info")
#: ``inference`` values: none (asserted data, the default) or an OWL-RL/RDFS closure first (slow).
INFERENCE = ("none", "rdfs", "owlrl")
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
        return ["" if cell is None else str(cell) for cell in asdict(self).values()]


class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` (no violation) and the sorted ``results``."""

    def __init__(self, results: Iterable[ValidationResult]) -> None:
        order = {name: rank for rank, name in enumerate(SEVERITIES)}
        self.results = sorted(
            results, key=lambda r: (order[r.severity], r.focus, r.path or "", r.shape, str(r.value), r.message)
        )
        self.conforms = not any(result.severity == "Violation" for result in self.results)

    def __repr__(self) -> str:
        return f"<ValidationReport {self.summary()}>"

    def __str__(self) -> str:
        return self.to_text()

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
        return {"conforms": self.conforms, "results": [asdict(result) for result in self.results]}

    def to_json(self, **dumps: Any) -> str:
        """``{"conforms": bool, "results": [{"severity", "focus", "path", "value", "shape", "message"}]}``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps)

    def to_text(self) -> str:
        """A summary line, then the results as an aligned table."""
        text = f"The data {self.summary()}.\n"
        if self.results:
            text += "\n" + table(list(COLUMNS), [result.row() for result in self.results])
        return text

    def _repr_html_(self) -> str:
        return html_table(
            list(COLUMNS), [result.row() for result in self.results], caption=f"SHACL validation: {self.summary()}"
        )

    def to_dataframe(self) -> pandas.DataFrame:
        """The results as a pandas DataFrame, one row per result (needs the ``pandas`` extra)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            from .errors import CptkgError

            raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
        return pandas.DataFrame([asdict(result) for result in self.results], columns=list(COLUMNS))


def validate(
    kg: KnowledgeGraph,
    data: Iterable[str | Path] | None = None,
    inference: str = "none",
    input_format: str | None = None,
) -> ValidationReport:
    """SHACL-validate the graph's instance data (or the ``data`` files instead) against the package shapes.

    ``data`` files are read as :func:`cptkg.load` reads them (any RDF format, by extension or
    ``input_format``), with the package ontology. ``inference="rdfs"`` or ``"owlrl"`` validates the
    closure of data and ontology instead of the asserted data (much slower); the ontology's own
    resources are still never a result's focus.
    """
    import pyshacl

    if inference not in INFERENCE:
        raise ParameterError(f"unknown inference {inference!r}; expected one of {', '.join(INFERENCE)}")
    if data is not None:
        from .graph import load

        kg = load(data=data, input_format=input_format, backend=kg.backend.name)
    graph = data_graph(kg.backend.quads(), inference=inference)
    shapes = flat_shapes(kg.shapes)
    _, report, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes.graph,
        inference="none",
        allow_warnings=True,  # warnings and infos do not break conformance; only violations do
        inplace=True,  # the graph is ours: no copy
        do_owl_imports=False,
    )
    return ValidationReport(readable_results(report, graph, shapes))


@dataclass(frozen=True)
class FlatShapes:
    """Shapes with every property shape of a targeted node shape lifted to the top level.

    ``owners`` maps each lifted property shape to the named node shape it was written in, which
    is how results name their shape.
    """

    graph: rdflib.Graph
    owners: dict[Node, Node]


_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "deactivated")
_flattened: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def flat_shapes(shapes: rdflib.Graph) -> FlatShapes:
    """The shapes as pyshacl runs them fast: same meaning, property shapes at the top level.

    SHACL applies a node shape's property shape to each focus node of the node shape; a top-level
    property shape with the same targets means the same. pyshacl evaluates a nested property
    shape once per focus node (building its constraint components anew each time) but a top-level
    one once for all its focus nodes, ten times faster on the reference records. Shapes that
    another shape refers to (``sh:node``, ``sh:or``...) keep their nesting. Computed once per
    shapes graph.
    """
    if shapes in _flattened:
        return _flattened[shapes]
    from rdflib import RDF, Graph, URIRef

    sh = lambda name: URIRef(SH + name)
    graph = Graph()
    for triple in shapes:
        graph.add(triple)
    owners: dict[Node, Node] = {}
    referenced = {value for _, predicate, value in shapes if predicate != sh("property")}
    for node_shape in set(shapes.subjects(RDF.type, sh("NodeShape"))):
        targets = [(sh(name), value) for name in _TARGETS for value in shapes.objects(node_shape, sh(name))]
        if node_shape in referenced or not any(name != sh("deactivated") for name, _ in targets):
            continue
        for property_shape in list(shapes.objects(node_shape, sh("property"))):
            graph.remove((node_shape, sh("property"), property_shape))
            graph.add((property_shape, RDF.type, sh("PropertyShape")))
            for name, value in targets:
                graph.add((property_shape, name, value))
            owners[property_shape] = node_shape
    flat = FlatShapes(graph, owners)
    _flattened[shapes] = flat
    return flat


def data_graph(quads: Iterable[pyoxigraph.Quad], inference: str = "none") -> rdflib.Graph:
    """The graph the shapes see: instance data plus the ontology's class hierarchy.

    Statements the data makes about the ontology's own terms (an export that included the
    ontology repeats them) are left out, with the blank-node axioms that hang only from them, so
    such a file validates as the shipped graph does. With inference, the closure of data and
    ontology is computed, then every triple about a resource only the ontology describes is dropped.
    """
    import pyoxigraph as ox

    from .rdfio import to_rdflib
    from .resources import ONTOLOGY_GRAPH

    ontology, data = set(), []
    for quad in quads:
        triple = (quad.subject, quad.predicate, quad.object)
        (ontology.add if quad.graph_name.value == ONTOLOGY_GRAPH else data.append)(triple)
    keep = _without_ontology_statements(data, {s for s, _, _ in ontology if isinstance(s, ox.NamedNode)})
    if inference == "none":
        keep += [t for t in ontology if t[1].value == SUBCLASS_OF and isinstance(t[2], ox.NamedNode)]
    else:
        keep += ontology
    converted: dict[Any, Node] = {}  # IRIs repeat a lot; rdflib terms are slow to build

    def term(value: Any) -> Node:
        found = converted.get(value)
        if found is None:
            found = converted[value] = to_rdflib(value)
        return found

    graph = _query_graph_class()()
    for subject, predicate, obj in keep:
        graph.add((term(subject), term(predicate), term(obj)))
    if inference == "none":
        graph.mirror = ox.Store()
        graph.mirror.extend(ox.Quad(*triple) for triple in keep)
    else:  # the closure is rdflib's alone: its queries stay rdflib's
        import owlrl

        semantics = owlrl.RDFS_Semantics if inference == "rdfs" else owlrl.OWLRL_Semantics
        owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
        described = {term(t[0]) for t in data}
        for subject in {term(t[0]) for t in ontology} - described:
            graph.remove((subject, None, None))
    return graph


def _without_ontology_statements(data: list[tuple], terms: set) -> list[tuple]:
    """The data triples that are not about an ontology term, nor part of an OWL axiom written with
    blank nodes (a root blank node typed in the OWL, RDFS or RDF vocabulary, or one that only
    dropped triples point at), whatever the blank nodes' labels."""
    import pyoxigraph as ox

    vocabularies = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#", RDF_TYPE[:-4])
    dropped = {t for t in data if t[0] in terms}
    blanks = {t[0] for t in data if isinstance(t[0], ox.BlankNode)}
    if not dropped and not blanks:
        return list(data)
    vocabulary_typed = {
        s for s, p, o in data if s in blanks and p.value == RDF_TYPE and o.value.startswith(vocabularies)
    }
    while True:
        pointed = {}
        for subject, _, obj in data:
            if isinstance(obj, ox.BlankNode):
                pointed.setdefault(obj, []).append((subject, _, obj))
        axiom_nodes = {
            node
            for node in blanks
            if (node in pointed and all(t in dropped for t in pointed[node]))
            or (node not in pointed and node in vocabulary_typed)
        }
        more = {t for t in data if t[0] in axiom_nodes} - dropped
        if not more:
            return [t for t in data if t not in dropped]
        dropped |= more


@cache
def _query_graph_class() -> type:
    import pyoxigraph as ox
    from rdflib import Graph, Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.query import Result

    from .backends import cached_to_rdflib
    from .rdfio import to_oxigraph

    prepared = lru_cache(maxsize=256)(prepareQuery)

    class QueryGraph(Graph):
        """The data graph pyshacl validates, whose SPARQL queries a pyoxigraph store holding the same
        triples (``mirror``) answers.

        pyshacl runs each SPARQL-based constraint once per focus node, pre-binding ``$this``;
        rdflib's engine took 4.8 ms a run (benchmarks/, 100 codes: 16 of the 20 s of pyshacl's
        time), pyoxigraph's takes a few hundredths of that. The store is filled with the graph and
        never changes after (the graph is validated in place, and nothing validation runs writes
        to it). A query pyoxigraph cannot take as asked (bindings of variables the query does not
        project) is left to rdflib, parsed once per text.
        """

        mirror: ox.Store | None = None

        def query(  # type: ignore[override]
            self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None, *args, **kwargs
        ):
            plain = processor == "sparql" and result == "sparql" and not initNs and not kwargs
            if self.mirror is not None and isinstance(query_object, str) and plain:
                answer = self._mirror_query(query_object, initBindings or {})
                if answer is not None:
                    return answer
            if isinstance(query_object, str) and not initNs:
                query_object = prepared(query_object)
            return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)

        def _mirror_query(self, text: str, bindings: dict) -> Result | None:
            substitutions = {ox.Variable(str(name)): to_oxigraph(value) for name, value in bindings.items()}
            try:
                answer = self.mirror.query(text, substitutions=substitutions)
            except (SyntaxError, RuntimeError, ValueError, TypeError):
                return None
            if isinstance(answer, ox.QueryBoolean):
                result = Result("ASK")
                result.askAnswer = bool(answer)
                return result
            if not isinstance(answer, ox.QuerySolutions):
                return None
            result = Result("SELECT")
            result.vars = [Variable(variable.value) for variable in answer.variables]
            result.bindings = [
                {name: cached_to_rdflib(value) for name, value in zip(result.vars, solution) if value is not None}
                for solution in answer
            ]
            return result

    return QueryGraph


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


def identifier_pattern(uri_prefix: str, local_pattern: str) -> str:
    r"""The pattern an outside identifier's IRI must match: any IRI outside the namespace, or the
    namespace followed by a local part that matches ``local_pattern`` (anchored ``^...$``).

    The shapes check CURIEs of outside terminologies with it: the local pattern is Bioregistry's,
    unchanged, after the namespace written with regex escapes. IRIs of other namespaces pass by
    a negative lookahead, so that one cheap ``sh:pattern`` per prefix can look at every SKOS match
    (Python's and Java's regex engines have lookahead; XML Schema regex has not).

    >>> pattern = identifier_pattern("http://purl.obolibrary.org/obo/MONDO_", "^[0-9]{7}$")
    >>> print(pattern)
    ^(?!http://purl\.obolibrary\.org/obo/MONDO_)|^http://purl\.obolibrary\.org/obo/MONDO_[0-9]{7}$
    >>> import re
    >>> [bool(re.search(pattern, "http://purl.obolibrary.org/obo/" + local)) for local in ("MONDO_0005012", "MONDO_5012", "NCIT_C3510")]
    [True, False, True]
    """
    if not (local_pattern.startswith("^") and local_pattern.endswith("$")):
        raise ValueError(f"expected an anchored pattern, got {local_pattern!r}")
    namespace = "".join("\\" + c if c in _REGEX_SPECIALS else c for c in uri_prefix)
    return f"^(?!{namespace})|^{namespace}{local_pattern[1:]}"


def _list_owner(member: Node, shapes: rdflib.Graph) -> Node | None:
    """The shape whose list (``sh:or``, ``sh:xone``...) holds ``member``."""
    from rdflib import RDF

    cell = next(iter(shapes.subjects(RDF.first, member)), None)
    if cell is None:
        return None
    while (previous := next(iter(shapes.subjects(RDF.rest, cell)), None)) is not None:
        cell = previous
    return next(iter(shapes.subjects(None, cell)), None)


_REGEX_SPECIALS = set(".?*+(){}[]|^$\\")

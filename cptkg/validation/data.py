"""The graph the shapes see: instance data plus the ontology's class hierarchy, its queries answered by pyoxigraph."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib
    from rdflib.term import Node

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def data_graph(quads: Iterable[pyoxigraph.Quad], inference: str = "none") -> rdflib.Graph:
    """The graph the shapes see: instance data plus the ontology's class hierarchy.

    Statements the data makes about the ontology's own terms (an export that included the
    ontology repeats them) are left out, with the blank-node axioms that hang only from them, so
    such a file validates as the shipped graph does. With inference, the closure of data and
    ontology is computed, then every triple about a resource only the ontology describes is dropped.

    The ontology is what the package's ontology files state: a statement of the ontology graph that
    they do not make (a store's graph written by someone else; a user's file never lands there) is
    data, validated like any other, never hidden by the graph it claims to be in.
    """
    import pyoxigraph as ox

    from ..core.rdfio import to_rdflib
    from ..core.resources import ONTOLOGY_GRAPH

    stated = _package_ontology()
    ontology, data = set(), []
    for quad in quads:
        triple = (quad.subject, quad.predicate, quad.object)
        in_ontology = quad.graph_name.value == ONTOLOGY_GRAPH and (triple in stated or _has_blank_node(triple))
        (ontology.add if in_ontology else data.append)(triple)
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


@cache
def _package_ontology() -> frozenset[tuple]:
    """The statements of the package's ontology files without blank nodes (those of its axioms are
    renamed at each parse, so they cannot be compared)."""
    from ..core.rdfio import read_quads
    from ..core.resources import ontology_sources

    return frozenset(
        triple
        for source in ontology_sources()
        for quad in read_quads(source.path)
        if not _has_blank_node(triple := (quad.subject, quad.predicate, quad.object))
    )


def _has_blank_node(triple: tuple) -> bool:
    import pyoxigraph as ox

    return isinstance(triple[0], ox.BlankNode) or isinstance(triple[2], ox.BlankNode)


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

    from ..core.rdfio import cached_to_rdflib, to_oxigraph

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

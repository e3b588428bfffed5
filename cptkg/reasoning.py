"""Reasoning over the ontology and the data, with the inferred triples kept apart from the asserted ones.

:func:`reason` computes a closure with an :class:`Engine` and returns a :class:`ReasonedGraph`: a
:class:`~cptkg.graph.KnowledgeGraph` holding every asserted named graph unchanged plus one more,
:data:`INFERRED_GRAPH`, with what the engine inferred. Named queries run on it see the closure
(the default graph is the union); the graph the closure came from is left untouched, so the same
query can be asked with and without inference. Inferred triples are never written to the user's
files or the packaged ones: :meth:`ReasonedGraph.export` exports the asserted graph.

Two engines, chosen by name:

``rules`` (the default)
    Only the OWL 2 RL rules this ontology uses, as SPARQL ``INSERT`` updates in pyoxigraph, run to
    a fixpoint: subclass and subproperty (``cax-sco``, ``prp-spo1``, ``scm-sco``), equivalent classes
    and properties, domain and range, inverse, symmetric and transitive properties and property
    chains (``prp-spo2``). No ``owl:sameAs`` (the graph assumes unique names: a merge the standard
    rules would make is reported as a clash by :mod:`cptkg.checks` instead), and none of the
    trivial triples a full closure adds (``rdfs:Resource``, reflexive ``sameAs``, literal typing).

``owlrl``
    The full OWL 2 RL closure of owlrl, for small graphs and for its own error reports (the
    ``err:ErrorMessage`` nodes, kept in :attr:`ReasonedGraph.errors`). ``owl:hasKey`` axioms are
    taken out first: owlrl 7.6.2 merges every instance of a class whose key it evaluates (it skips
    the last key property); keys are checked by a SPARQL rule instead.

>>> import cptkg
>>> closure = cptkg.load().reason()
>>> closure.inferred_triples > 0 and closure.engine
'rules'
>>> closure.sparql("ASK { cptkg:codon-NRAS-12 a cptkg:CodingRegion }").boolean
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .backends import BACKENDS, OxigraphBackend
from .errors import ParameterError
from .graph import KnowledgeGraph
from .prefixes import CPTKG, NAMESPACES

if TYPE_CHECKING:
    import rdflib

#: The named graph that holds the inferred triples of a :class:`ReasonedGraph`.
INFERRED_GRAPH = CPTKG + "graph-inferred"

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: The rules of the ``rules`` engine: (OWL 2 RL rule names, SPARQL update). Each adds only what
#: is missing, so a round that adds nothing ends the fixpoint. They run after the property chains,
#: in the order that lets one round reach the closure on this ontology (property triples, then the
#: types domains and ranges give, then superclasses), so later rounds only confirm it. ``@data``
#: marks the rule's one data pattern: empty in the first round, it reads the inferred triples alone
#: in later ones (:func:`_rules_in_store`).
RULES: tuple[tuple[str, str], ...] = (
    ("prp-inv1 prp-inv2", ("INSERT { ?y ?q ?x } WHERE { "
     "{ ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } @data { ?x ?p ?y } "
     "FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?q ?x } }")),
    ("prp-symp", ("INSERT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . @data { ?x ?p ?y } "
     "FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?p ?x } }")),
    ("prp-trp", ("INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z . "
     "FILTER NOT EXISTS { ?x ?p ?z } }")),
    ("scm-spo prp-spo1", ("INSERT { ?x ?super ?y } WHERE { ?p rdfs:subPropertyOf+ ?super . @data { ?x ?p ?y } "
     "FILTER NOT EXISTS { ?x ?super ?y } }")),
    ("prp-eqp1 prp-eqp2", ("INSERT { ?x ?other ?y } WHERE { "
     "{ ?p owl:equivalentProperty ?other } UNION { ?other owl:equivalentProperty ?p } @data { ?x ?p ?y } "
     "FILTER NOT EXISTS { ?x ?other ?y } }")),
    ("prp-dom", ("INSERT { ?x a ?class } WHERE { ?p rdfs:domain ?class . @data { ?x ?p ?y } "
     "FILTER(isIRI(?class) && ?class != owl:Thing) FILTER NOT EXISTS { ?x a ?class } }")),
    ("prp-rng", ("INSERT { ?y a ?class } WHERE { ?p rdfs:range ?class . @data { ?x ?p ?y } "
     "FILTER(!isLiteral(?y) && isIRI(?class) && ?class != owl:Thing) FILTER NOT EXISTS { ?y a ?class } }")),
    ("cax-eqc1 cax-eqc2", ("INSERT { ?x a ?other } WHERE { @data { ?x a ?class } "
     "{ ?class owl:equivalentClass ?other } UNION { ?other owl:equivalentClass ?class } "
     "FILTER(isIRI(?other)) FILTER NOT EXISTS { ?x a ?other } }")),
    ("scm-sco cax-sco", ("INSERT { ?x a ?super } WHERE { @data { ?x a ?class } ?class rdfs:subClassOf+ ?super . "
     "FILTER(isIRI(?super) && ?super != owl:Thing) FILTER NOT EXISTS { ?x a ?super } }")),
)  # fmt: skip

#: What the rules read besides data: an inferred triple of these makes every rule read the whole graph again.
_SCHEMA = (
    "rdfs:subClassOf rdfs:subPropertyOf rdfs:domain rdfs:range owl:inverseOf owl:equivalentClass "
    "owl:equivalentProperty owl:propertyChainAxiom rdf:first rdf:rest"
)


@dataclass(frozen=True)
class Closure:
    """What an engine computed: the inferred triples and the errors it reported."""

    inferred: list[ox.Triple]
    errors: list[str]


class Engine:
    """A reasoner behind the package's interface: asserted triples in, inferred triples out."""

    name: str = ""

    def closure(self, asserted: list[ox.Triple]) -> Closure:
        raise NotImplementedError


class RulesEngine(Engine):
    """The OWL 2 RL rules this ontology uses, as SPARQL updates in pyoxigraph, to a fixpoint."""

    name = "rules"

    def closure(self, asserted: list[ox.Triple]) -> Closure:
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
        updates = _chain_updates(store) + [text.replace("@data", "") for _, text in RULES]
        size = -1
        while len(store) != size:  # a round that adds nothing is the fixpoint
            size = len(store)
            for update in updates:
                store.update(update, prefixes=NAMESPACES)
        before = set(asserted)
        inferred = [quad.triple for quad in store if quad.triple not in before]
        return Closure(inferred, [])


def _chain_updates(store: ox.Store) -> list[str]:
    """One update per ``owl:propertyChainAxiom`` (prp-spo2), the chain written as a SPARQL sequence path."""
    first, rest, nil = (ox.NamedNode(_RDF + name) for name in ("first", "rest", "nil"))
    updates = []
    for axiom in store.quads_for_pattern(None, ox.NamedNode(_OWL + "propertyChainAxiom"), None, ox.DefaultGraph()):
        steps, node = [], axiom.object
        while node != nil and len(steps) < 64:  # a malformed list ends the walk
            items = [q.object for q in store.quads_for_pattern(node, first, None, ox.DefaultGraph())]
            tails = [q.object for q in store.quads_for_pattern(node, rest, None, ox.DefaultGraph())]
            if len(items) != 1 or len(tails) != 1 or not isinstance(items[0], ox.NamedNode):
                steps = []
                break
            steps.append(f"<{items[0].value}>")
            node = tails[0]
        if steps and isinstance(axiom.subject, ox.NamedNode):
            target = f"<{axiom.subject.value}>"
            path = "/".join(steps)
            updates.append(f"INSERT {{ ?x {target} ?y }} WHERE {{ ?x {path} ?y . FILTER NOT EXISTS {{ ?x {target} ?y }} }}")
    return updates


class OwlrlEngine(Engine):
    """owlrl's full OWL 2 RL closure (slow: for small graphs), with its error reports.

    ``owl:hasKey`` axioms are removed before owlrl sees them (owlrl 7.6.2 merges every instance of
    the keyed class); literal-subject triples and owlrl's error nodes are not kept as inferences.
    """

    name = "owlrl"
    ERROR = "http://www.daml.org/2002/03/agents/agent-ont#"

    def closure(self, asserted: list[ox.Triple]) -> Closure:
        import owlrl
        from rdflib import RDF, Graph, Literal, URIRef

        from .rdfio import to_oxigraph, to_rdflib

        graph = Graph()
        for triple in asserted:
            if triple.predicate.value != _OWL + "hasKey":
                graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        before = set(graph)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
        error_nodes = set(graph.subjects(RDF.type, URIRef(self.ERROR + "ErrorMessage")))
        errors = sorted(str(message) for node in error_nodes for message in graph.objects(node, URIRef(self.ERROR + "error")))
        inferred = []
        for s, p, o in graph:
            if (s, p, o) in before or isinstance(s, Literal) or s in error_nodes:
                continue
            if p == URIRef(_OWL + "sameAs") and s == o:
                continue
            inferred.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))
        return Closure(inferred, errors)


ENGINES: dict[str, Callable[[], Engine]] = {"rules": RulesEngine, "owlrl": OwlrlEngine}


def engine_for(name: str | Engine) -> Engine:
    if isinstance(name, Engine):
        return name
    if name not in ENGINES:
        raise ParameterError(f"unknown reasoning engine {name!r}; expected one of {', '.join(ENGINES)}")
    return ENGINES[name]()


class ReasonedGraph(KnowledgeGraph):
    """A knowledge graph plus its closure in the named graph :data:`INFERRED_GRAPH`.

    Queries see asserted and inferred triples together (``GRAPH ?g`` tells them apart). The
    asserted graph stays available as :attr:`asserted`; :meth:`export` exports only it.
    """

    def __init__(
        self,
        asserted: KnowledgeGraph,
        closure: Closure,
        engine: str,
        asserted_triples: int,
        backend: str | None = None,
        in_place: bool = False,
    ) -> None:
        # Built from the asserted graph's backend rather than by re-reading its files.
        self.sources = list(asserted.sources)
        if backend is None:
            backend = asserted.backend.name if asserted.backend.in_memory else "oxigraph"
        if in_place and backend == "oxigraph" and isinstance(asserted.backend, OxigraphBackend):
            self.backend = asserted.backend
        elif backend == "oxigraph" and isinstance(asserted.backend, OxigraphBackend):
            self.backend = OxigraphBackend()
            self.backend.store.extend(asserted.backend.store)  # store to store, union graph included (1,000 codes: 5.3 s -> 2.8 s)
        else:
            self.backend = BACKENDS[backend]()
            self.backend.add(asserted.backend.quads())
        inferred_graph = ox.NamedNode(INFERRED_GRAPH)
        self.backend.add(ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in closure.inferred)
        self.asserted = asserted
        self.engine = engine
        self.errors = list(closure.errors)
        self.inferred_triples = len(closure.inferred)
        self.asserted_triples = asserted_triples

    def __repr__(self) -> str:
        return (
            f"<ReasonedGraph {self.asserted_triples} asserted + {self.inferred_triples} inferred triples, "
            f"engine {self.engine}>"
        )

    @property
    def inferred(self) -> rdflib.Graph:
        """The inferred triples alone, as an rdflib graph."""
        from .rdfio import to_graph

        return to_graph(q for q in self.backend.quads() if q.graph_name == ox.NamedNode(INFERRED_GRAPH))

    def graph_names(self) -> list[str]:
        return sorted({*self.asserted.graph_names(), INFERRED_GRAPH})

    def export(self, fmt: str = "turtle", include: Iterable[str] = ("data",)) -> str:
        """The asserted graph's export: inferred triples are never exported with the data."""
        return self.asserted.export(fmt, include)

    def reason(self, engine: str | Engine = "rules") -> ReasonedGraph:
        return self if engine_for(engine).name == self.engine else reason(self.asserted, engine, self.backend.name)


def reason(
    kg: KnowledgeGraph, engine: str | Engine = "rules", backend: str | None = None, *, in_place: bool = False
) -> ReasonedGraph:
    """The closure of ``kg`` (ontology and data) by the named engine, kept apart from the asserted triples.

    The closure is held by a backend of the same kind as ``kg``'s, or by the one named. With
    ``in_place``, a pyoxigraph graph lends its own store instead of a copy (1,000 codes: 2.8 s
    and 0.4 GiB saved): for a graph loaded for this one use, which then holds the inferred triples too.
    """
    if backend is not None and backend not in BACKENDS:
        raise ParameterError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    chosen = engine_for(engine)
    if isinstance(kg, ReasonedGraph):
        kg = kg.asserted
    if type(chosen) is RulesEngine:
        # The fast path: the rules run in the closure's own pyoxigraph store, no Python copy of the triples.
        graph = ReasonedGraph(kg, Closure([], []), chosen.name, 0, backend, in_place)
        if isinstance(graph.backend, OxigraphBackend):
            graph.asserted_triples, graph.inferred_triples = _rules_in_store(graph.backend.store)
            return graph
    asserted = list({quad.triple for quad in kg.backend.quads()})  # distinct triples of the union
    return ReasonedGraph(kg, chosen.closure(asserted), chosen.name, len(asserted), backend, in_place)


def _rules_in_store(store: ox.Store) -> tuple[int, int]:
    """Run :data:`RULES` to a fixpoint inside an :class:`OxigraphBackend` store; (asserted, inferred) triple counts.

    The store's default graph is the union of the asserted graphs (each triple once): the rules read
    it, and each inferred triple goes both into it (so later rounds and queries see it) and into
    :data:`INFERRED_GRAPH`. Same triples as :meth:`RulesEngine.closure` without copying the graph
    through Python three times (benchmarks/: ``reason`` of 100 codes, 77k triples, 3.4 s and
    +103 MiB before, 1.1 s and +6 MiB this way).

    After the first round a rule can only fire again on a triple inferred since, so later rounds
    read their data pattern from :data:`INFERRED_GRAPH` alone (semi-naive evaluation; benchmarks/,
    1,000 codes: the confirming round 4.3 s reading the whole graph, 0.6 s this way), unless a
    triple the rules read as schema was inferred: then every round reads everything.
    """
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    asserted = int(next(iter(store.query(count % "?s ?p ?o")))["n"].value)
    inferred_only = f"GRAPH <{INFERRED_GRAPH}>"
    rules = _chain_updates(store) + [text for _, text in RULES]
    whole, incremental = ([_into_inferred(text.replace("@data", data)) for text in rules] for data in ("", inferred_only))
    schema_inferred = (
        f"ASK {{ {inferred_only} {{ {{ ?s ?p ?o VALUES ?p {{ {_SCHEMA} }} }} "
        "UNION { ?s a ?kind VALUES ?kind { owl:SymmetricProperty owl:TransitiveProperty } } } }"
    )
    updates, inferred, before = whole, 0, -1
    while inferred != before:  # a round that adds nothing is the fixpoint
        before = inferred
        for update in updates:
            store.update(update, prefixes=NAMESPACES)
        inferred = int(next(iter(store.query(count % f"{inferred_only} {{ ?s ?p ?o }}")))["n"].value)
        updates = whole if store.query(schema_inferred, prefixes=NAMESPACES) else incremental
    return asserted, inferred


def _into_inferred(update: str) -> str:
    """The update with its head also written into :data:`INFERRED_GRAPH`."""
    head, _, where = update.removeprefix("INSERT { ").partition(" } WHERE ")
    return f"INSERT {{ {head} GRAPH <{INFERRED_GRAPH}> {{ {head} }} }} WHERE {where}"

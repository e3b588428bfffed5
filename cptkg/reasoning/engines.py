"""The reasoning engines: asserted triples in, inferred triples out.

The ``rules`` engine runs the OWL 2 RL rules this ontology uses, the SPARQL updates of
``queries/rules/*.ru`` (in file-name order), to a fixpoint; ``owlrl`` computes owlrl's full closure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.errors import ParameterError
from ..core.prefixes import NAMESPACES
from ..core.queries import rules

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True)
class Closure:
    """What an engine computed: the inferred triples and the errors it reported."""

    inferred: list[ox.Triple]
    errors: list[str]


class Engine:
    """A reasoner behind the package's interface: asserted triples in, inferred triples out."""

    name: str = ""

    def closure(self, asserted: list[ox.Triple]) -> Closure:
        """The triples the engine infers from the asserted ones (and the inconsistencies it reports)."""
        raise NotImplementedError


class RulesEngine(Engine):
    """The OWL 2 RL rules this ontology uses, as SPARQL updates in pyoxigraph, to a fixpoint."""

    name = "rules"

    def closure(self, asserted: list[ox.Triple]) -> Closure:
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
        updates = _chain_updates(store) + [rule.body.replace("@data", "") for rule in rules().values()]
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
            # built from the ontology's own chain axioms, so not a query file: IRIs written from parsed terms
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

        from ..core.rdfio import to_oxigraph, to_rdflib

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
    """The engine of that name (``rules`` or ``owlrl``), or the engine given; a :class:`~cptkg.ParameterError` for another name.

    >>> engine_for("rules").name
    'rules'
    """
    if isinstance(name, Engine):
        return name
    if name not in ENGINES:
        raise ParameterError(f"unknown reasoning engine {name!r}; expected one of {', '.join(ENGINES)}")
    return ENGINES[name]()

"""Reasoning over the ontology and the data, with the inferred triples kept apart from the asserted ones.

:func:`reason` computes a closure with an :class:`Engine` and returns a :class:`ReasonedGraph`: a
:class:`~cptkg.core.graph.CoreGraph` holding every asserted named graph unchanged plus one more,
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

from .closure import INFERRED_GRAPH, ReasonedGraph, reason
from .engines import ENGINES, Closure, Engine, OwlrlEngine, RulesEngine, engine_for

__all__ = [
    "ENGINES",
    "INFERRED_GRAPH",
    "Closure",
    "Engine",
    "OwlrlEngine",
    "ReasonedGraph",
    "RulesEngine",
    "engine_for",
    "reason",
]

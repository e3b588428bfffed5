"""Query engines behind the same small interface: pyoxigraph (default) and rdflib.

A backend holds the dataset (one named graph per source) and answers SPARQL with the default
graph being the set union of all named graphs, so that queries without ``GRAPH`` see everything
once and queries with ``GRAPH ?g`` can tell sources apart. Parameters arrive as RDF terms and
are bound by the engine itself (pyoxigraph ``substitutions``, rdflib ``initBindings``).

Every backend must give the same rows for every named query; ``tests/test_backends.py`` holds the
compliance test class that each one passes. Every query is screened first
(:func:`cptkg.core.screening.screen`): its size, its nesting and the endpoints its ``SERVICE``
clauses reach, which must be in the backend's :attr:`Backend.allow_service` (none by default).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox

from .errors import QueryError
from .prefixes import NAMESPACES
from .queries import internal_query
from .rdfio import add_to_dataset, load_into, read_quads, to_oxigraph
from .results import Result
from .screening import screen

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

    from .resources import Source


__all__ = ["BACKENDS", "Backend", "OxigraphBackend", "QueryError", "RdflibBackend"]


class Backend:
    """What every backend does. Subclasses fill in the three methods (and may parse files faster)."""

    name: ClassVar[str]
    #: False for backends that talk to a store: derived graphs (closures) are then held in memory.
    in_memory: ClassVar[bool] = True
    #: The endpoints a ``SERVICE`` clause may reach (``--allow-service``); none unless set.
    allow_service: frozenset[str] = frozenset()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (pyoxigraph terms) to the dataset."""
        raise NotImplementedError

    def add_files(self, sources: Iterable[Source]) -> None:
        """Parse files into the dataset, each into its named graph; errors name the file and line."""
        for source in sources:
            self.add(
                read_quads(
                    source.path, source.graph, fmt=source.format, require_triples=source.user_data, fold=source.user_data
                )
            )

    def execute(self, text: str, bindings: Mapping[str, Node]) -> Result | rdflib.Graph:
        """Run a query: a :class:`Result` for SELECT and ASK, an rdflib graph for CONSTRUCT and DESCRIBE."""
        raise NotImplementedError

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, as pyoxigraph terms."""
        raise NotImplementedError

    def graph_names(self) -> list[str]:
        """The named graphs the backend itself lists (a store's); empty when the graph's sources say."""
        return []


class OxigraphBackend(Backend):
    """An in-memory pyoxigraph store.

    pyoxigraph's own union default graph repeats a triple once per graph that holds it, so this
    backend keeps the union in the store's default graph, where each triple is held once.
    """

    name = "oxigraph"

    def __init__(self) -> None:
        self.store = ox.Store()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        self.store.extend(quads)
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)

    def add_files(self, sources: Iterable[Source]) -> None:
        # parsed inside pyoxigraph, then the union graph filled in one update (no Python object per triple)
        for source in sources:
            load_into(
                self.store, source.path, source.graph, fmt=source.format, require_triples=source.user_data,
                fold=source.user_data,
            )  # fmt: skip
        self.store.update(internal_query("union-default-graph").text)

    def execute(self, text: str, bindings: Mapping[str, Node]) -> Result | rdflib.Graph:
        screen(text, allow_service=self.allow_service)
        substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
        try:
            answer = self.store.query(text, prefixes=NAMESPACES, substitutions=substitutions)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error.msg if hasattr(error, 'msg') else error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None
        if isinstance(answer, ox.QueryBoolean):
            return Result([], boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names = [variable.value for variable in answer.variables]
            rows = [tuple(solution) for solution in answer]  # pyoxigraph's terms, in `names` order
            return Result(names, rows)
        from .rdfio import to_graph

        return to_graph(ox.Quad(t.subject, t.predicate, t.object) for t in answer)

    def quads(self) -> Iterator[ox.Quad]:
        for quad in self.store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                yield quad


class RdflibBackend(Backend):
    """An rdflib :class:`~rdflib.Dataset` whose default graph is the union of its named graphs.

    Queries are parsed once per text (rdflib spends milliseconds parsing each query string).
    """

    name = "rdflib"

    def __init__(self) -> None:
        from rdflib import Dataset

        from .rdfio import bind_prefixes

        self.dataset = bind_prefixes(Dataset(default_union=True))

    def add(self, quads: Iterable[ox.Quad]) -> None:
        add_to_dataset(self.dataset, quads)

    def execute(self, text: str, bindings: Mapping[str, Node]) -> Result | rdflib.Graph:
        screen(text, allow_service=self.allow_service)
        query = _prepare(text)
        try:
            with _no_graph_loading():
                answer = self.dataset.query(query, initBindings=dict(bindings))
                _ = answer.bindings  # rdflib evaluates lazily: evaluate here, with loading still off
        except Exception as error:  # noqa: BLE001 - rdflib raises many kinds while evaluating
            raise QueryError(f"the query failed: {error}") from None
        if answer.type == "ASK":
            return Result([], boolean=bool(answer.askAnswer))
        if answer.type == "SELECT":
            names = [str(variable) for variable in answer.vars]
            return Result(names, [[row[i] for i in range(len(names))] for row in answer])
        from .rdfio import bind_prefixes

        return bind_prefixes(answer.graph)

    def quads(self) -> Iterator[ox.Quad]:
        from rdflib import URIRef

        for subject, predicate, obj, graph in self.dataset.quads((None, None, None, None)):
            name = graph.identifier if hasattr(graph, "identifier") else graph
            if isinstance(name, URIRef) and str(name) != "urn:x-rdflib:default":
                yield ox.Quad(to_oxigraph(subject), to_oxigraph(predicate), to_oxigraph(obj), ox.NamedNode(str(name)))


@contextlib.contextmanager
def _no_graph_loading() -> Iterator[None]:
    """rdflib's engine, by default, fetches the IRI of a ``FROM`` or ``FROM NAMED`` clause from the
    web (a connection to any address, its answer parsed as RDF/XML among others); here those clauses
    name graphs of the dataset, as in every SPARQL store."""
    import rdflib.plugins.sparql

    before = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = before


@lru_cache(maxsize=512)
def _prepare(text: str):
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=NAMESPACES)
    except Exception as error:  # noqa: BLE001 - pyparsing and rdflib raise several kinds
        raise QueryError(f"SPARQL syntax error: {error}") from None


#: The in-process backends by name (the remote one, a SPARQL store, is made by :func:`cptkg.core.graph.make_backend`).
BACKENDS: dict[str, type[Backend]] = {"oxigraph": OxigraphBackend, "rdflib": RdflibBackend}

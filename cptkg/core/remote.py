"""The graph in any SPARQL 1.1 store: push it there, and query it there with the same named queries.

:func:`push` writes the package's sources (ontology, shapes, data, and any linked mapping files)
into a store through the SPARQL 1.1 Graph Store HTTP Protocol, one named graph per source as in the
package (``PUT``, so pushing again replaces rather than duplicates), plus their set union in
:data:`UNION_GRAPH`. :class:`RemoteBackend` runs queries by the SPARQL 1.1 Protocol against the
store's query URL; :func:`cptkg.connect` gives a :class:`~cptkg.KnowledgeGraph` whose named queries,
report, validation and checks read the store instead of the embedded graph.

Stores differ in what their default graph is (the real default graph, the union of every graph with
repeats, or a union without). So that every store answers as the embedded graph does, queries carry
their dataset in the protocol: the default graph is :data:`UNION_GRAPH` (each triple once) and the
named graphs are the package's source graphs (``default-graph-uri`` / ``named-graph-uri``). An
endpoint that holds no union graph (``cptkg serve``, for one) is queried with its own dataset.

Parameters are bound as RDF terms by a ``VALUES`` block opening the query's WHERE group (standard
SPARQL 1.1; the protocol has no other way; Virtuoso 7.2.5 leaves some queries unjoined with a
trailing ``VALUES`` clause, a query without a WHERE group gets one), written from the terms, never
from raw user text. Credentials, when
the store needs them, go in the URL (``http://user:password@host/...``); HTTP Basic and Digest are
both answered (httpx speaks HTTP).

The oxigraph server's URLs are ``http://HOST:PORT/store`` and ``http://HOST:PORT/query``.
"""

from __future__ import annotations

import os
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .backends import Backend
from .errors import CptkgError, InputError, ParameterError, QueryError, one_line
from .prefixes import CPTKG, sparql_prologue
from .queries import internal_query, open_with_values, values_clause
from .resources import SHAPES_GRAPH
from .results import Result

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node


#: The named graph :func:`push` fills with the union of the source graphs: the queries' default graph.
UNION_GRAPH = CPTKG + "graph-union"
#: Environment variables that give ``cptkg.load(backend="remote")`` its URLs.
ENDPOINT_VARIABLE, STORE_VARIABLE = "CPTKG_ENDPOINT", "CPTKG_STORE"

_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
)


class Http:
    """An HTTP client for one service URL (httpx); credentials from the URL, Basic or Digest as the server asks."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        try:
            import httpx
        except ImportError:  # pragma: no cover - depends on the environment
            raise CptkgError("talking to a SPARQL store needs httpx: pip install 'cptkg[store]'") from None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ParameterError(f"not an http(s) URL: {url!r}")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        self.credentials = (
            (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
            if parts.username is not None
            else None
        )
        self.client = httpx.Client(timeout=timeout)
        self._authenticated = self.credentials is None

    def _authenticate(self) -> None:
        """Learn the scheme the server asks for with a small request, so that large bodies go out signed.

        (A server that refuses an unsigned request may close the connection before a large body is
        sent, and the Digest answer needs its challenge first.)
        """
        import httpx

        assert self.credentials is not None
        challenge = self.client.get(self.url).headers.get("www-authenticate", "").split(" ")[0].lower()
        if challenge == "digest":
            self.client.auth = httpx.DigestAuth(*self.credentials)
            self.client.get(self.url)  # answers the challenge; httpx signs the next requests with it
        else:
            self.client.auth = httpx.BasicAuth(*self.credentials)
        self._authenticated = True

    def send(
        self,
        method: str,
        body: bytes,
        content_type: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: str = "*/*",
    ) -> tuple[str, bytes]:
        """Send one request; the response's media type and body, or a :class:`CptkgError` naming the URL."""
        import httpx

        try:
            if not self._authenticated:
                self._authenticate()
            response = self.client.request(
                method, self.url, params=params, content=body, headers={"Content-Type": content_type, "Accept": accept}
            )
        except httpx.HTTPError as error:
            raise CptkgError(f"cannot reach {self.url}: {error or type(error).__name__}") from None
        if response.status_code >= 400:
            detail = response.text.strip().splitlines()
            message = f"{self.url} answered {response.status_code} {response.reason_phrase}"
            message += f": {detail[0][:500]}" if detail else ""
            raise (QueryError if response.status_code == 400 else CptkgError)(message)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return media, response.content


class RemoteBackend(Backend):
    """A SPARQL 1.1 endpoint (and, to add data, its Graph Store Protocol URL) as a backend.

    Without arguments the URLs come from the environment variables ``CPTKG_ENDPOINT`` and
    ``CPTKG_STORE``, so ``cptkg.load(backend="remote")`` adds the package's files to that store
    and queries it there.
    """

    name = "remote"
    in_memory = False

    def __init__(self, endpoint: str | None = None, store: str | None = None, *, timeout: float = 60.0) -> None:
        endpoint = endpoint or os.environ.get(ENDPOINT_VARIABLE)
        store = store or os.environ.get(STORE_VARIABLE)
        if not endpoint:
            raise ParameterError(
                f"the remote backend needs a SPARQL query URL: use cptkg.connect(URL), --endpoint URL "
                f"or the environment variable {ENDPOINT_VARIABLE}"
            )
        self.endpoint = Http(endpoint, timeout)
        self.store = Http(store, timeout) if store else None
        self._dataset: tuple[list[str], list[str]] | None | bool = False  # False: not yet asked

    def __repr__(self) -> str:
        return f"<RemoteBackend {self.endpoint.url}>"

    # ------------------------------------------------------------ writing (Graph Store Protocol)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads to their named graphs of the store (and their triples to the union graph)."""
        if self.store is None:
            raise ParameterError(f"adding data needs the store's Graph Store Protocol URL ({STORE_VARIABLE})")
        graphs = by_graph(quads)
        for name, triples in graphs.items():
            write_graph(self.store, name, triples, replace=False)
        write_graph(self.store, UNION_GRAPH, union(graphs), replace=False)
        self._dataset = False

    # ------------------------------------------------------------ reading (SPARQL Protocol)

    def dataset(self) -> tuple[list[str], list[str]] | None:
        """The protocol dataset of every query: (default graphs, named graphs), or None for the endpoint's own."""
        if self._dataset is False:
            found = self._select(internal_query("store-source-graphs").text, None)
            names = sorted(str(row.term("g")) for row in found)
            if UNION_GRAPH in names:
                self._dataset = ([UNION_GRAPH], [n for n in names if n not in (UNION_GRAPH, SHAPES_GRAPH)])
            else:
                self._dataset = None
        return self._dataset  # type: ignore[return-value]

    def graph_names(self) -> list[str]:
        """The source graphs the queries see."""
        dataset = self.dataset()
        if dataset is not None:
            return dataset[1]
        rows = self._select(internal_query("store-graphs").text, None)
        return [str(row.term("g")) for row in rows]

    def execute(self, text: str, bindings: Mapping[str, Node]) -> Result | rdflib.Graph:
        from .screening import screen

        screen(text, allow_service=self.allow_service)  # the store would connect on the user's behalf
        if bindings:
            try:
                text = open_with_values(text, bindings)
            except ParameterError:  # no WHERE group, or a short CONSTRUCT: the trailing clause
                text += values_clause(bindings)
        return self._send(text, self.dataset())

    def quads(self) -> Iterator[ox.Quad]:
        rows = self._select(internal_query("store-quads").text, self.dataset())
        for row in rows.terms():
            graph = row["g"]
            if str(graph) in (UNION_GRAPH, SHAPES_GRAPH):
                continue
            yield ox.Quad(*(_to_ox(row[name]) for name in ("s", "p", "o")), ox.NamedNode(str(graph)))

    def _select(self, text: str, dataset: tuple[list[str], list[str]] | None) -> Result:
        answer = self._send(text, dataset)
        assert isinstance(answer, Result)
        return answer

    def _send(self, text: str, dataset: tuple[list[str], list[str]] | None) -> Result | rdflib.Graph:
        query = sparql_prologue() + text
        form = [("query", query)]
        if dataset is not None:
            form += [("default-graph-uri", iri) for iri in dataset[0]]
            form += [("named-graph-uri", iri) for iri in dataset[1]]
        media, body = self.endpoint.send(
            "POST", urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", accept=_ACCEPT
        )
        return self._answer(media, body, query_form(query))

    def _answer(self, media: str, body: bytes, form: tuple[str, tuple[str, ...]] | None) -> Result | rdflib.Graph:
        """The store's answer read as what the query asks for: the variables it projects, or a graph.

        The answer is input like any file: XML is read without DTD entities, and an answer whose
        variables are not the query's is refused (a store that is not one, or answers another query).
        """
        import io

        from .rdfio import to_graph, to_rdflib

        url = self.endpoint.url
        if media.endswith("xml"):
            from .inputs import refuse_xml_entities

            refuse_xml_entities(io.BytesIO(body), url, what=media)
        kind, expected = form or ("", None)
        if kind in ("select", "ask") and media in _GRAPHS or kind == "graph" and media in _RESULTS:
            raise InputError(f"{url} answered a {kind.upper()} query in {media}: is it a SPARQL 1.1 endpoint?")
        try:
            if media in _RESULTS:
                answer = ox.parse_query_results(body, format=_RESULTS[media])
                if isinstance(answer, ox.QueryBoolean):
                    return Result([], boolean=bool(answer))
                names = [variable.value for variable in answer.variables]
                if expected is not None and set(names) != set(expected):
                    raise InputError(
                        f"{url} answered with the variables ({', '.join(names) or 'none'}), not the ones the query "
                        f"asks for ({', '.join(expected) or 'none'}): is it a SPARQL 1.1 endpoint?"
                    )
                return Result(names, [[to_rdflib(solution[name]) for name in names] for solution in answer])
            if media in _GRAPHS:
                return to_graph(ox.parse(body, format=_GRAPHS[media]))
        except (SyntaxError, ValueError, TypeError) as error:
            if isinstance(error, InputError):
                raise
            raise CptkgError(f"{url} sent an answer that does not parse as {media}: {one_line(str(error))}") from None
        raise CptkgError(f"{url} answered in {media}, which is not a SPARQL result or RDF format")


@lru_cache(maxsize=256)
def query_form(query: str) -> tuple[str, tuple[str, ...] | None] | None:
    """What a query asks for: ``("select", its variables)``, ``("ask", None)`` or ``("graph", None)``
    (an empty store answers it: the same parse as a real one, at no cost); None for a query
    pyoxigraph does not parse, or a federated one (which even an empty store would send on)."""
    from .screening import shape_of

    if shape_of(query).services:
        return None
    try:
        answer = ox.Store().query(query)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        return None
    if isinstance(answer, ox.QuerySolutions):
        return "select", tuple(variable.value for variable in answer.variables)
    return ("ask", None) if isinstance(answer, ox.QueryBoolean) else ("graph", None)


# ---------------------------------------------------------------- push


def write_graph(store: Http, graph: str, triples: list[ox.Triple], *, replace: bool) -> None:
    """PUT (replace) or POST (add) one named graph through the Graph Store HTTP Protocol.

    The triples travel as N-Triples labelled ``text/turtle`` (N-Triples is Turtle), which every
    Graph Store implementation reads.
    """
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    store.send("PUT" if replace else "POST", body, "text/turtle", params={"graph": graph})


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    """The triples of the quads, grouped by the IRI of their named graph (default-graph quads are left out)."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value].append(quad.triple)
    return graphs


def union(graphs: Mapping[str, list[ox.Triple]]) -> list[ox.Triple]:
    """Each triple of the graphs once, in a stable order."""
    return list(dict.fromkeys(t for name in sorted(graphs) if name != SHAPES_GRAPH for t in graphs[name]))


def _to_ox(term: Node | None):
    from .rdfio import to_oxigraph

    return to_oxigraph(term)

"""A read-only SPARQL 1.1 Protocol endpoint over the knowledge graph (``cptkg serve``).

The endpoint answers queries by GET and by POST (form or direct body) at ``/sparql``, with SPARQL
JSON, XML, CSV or TSV results and Turtle, N-Triples, JSON-LD or RDF/XML graphs, chosen by content
negotiation (or a ``format`` parameter). The named queries answer at ``/queries/<name>``, their
parameters taken from the URL and bound as RDF terms by the catalogue, like ``kg.query``. ``/sparql``
without a query gives the service description; ``/`` is a small HTML page with a query box.

The dataset is the one the Python API queries: one named graph per source, the default graph
their union. When the reasoning module is present, the inferred closure is served as one more
named graph, :data:`cptkg.reasoning.INFERRED_GRAPH`, kept out of the default graph so that every
named query answers as it does in the embedded graph (``GRAPH`` or ``FROM`` reach the closure).

pyoxigraph cannot cancel a running query, so queries run in a pool of worker processes (pebble),
each holding its own copy of the store; a query past the time limit has its worker killed and
replaced. Results are serialised by pyoxigraph in the worker into a buffer that refuses to grow
past the result limit, so a huge answer stops early instead of filling memory. Updates are
refused: the endpoint is read-only. It binds to loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..core.prefixes import NAMESPACES

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response as HTTPResponse

    from ..core.graph import CoreGraph

log = logging.getLogger("cptkg.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878

#: media type -> pyoxigraph format, for SELECT and ASK answers (first one is the default)
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: media type -> pyoxigraph format, for CONSTRUCT and DESCRIBE answers (first one is the default)
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
#: short names accepted in a ``format`` (or ``output``) parameter, in place of an Accept header
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "n-triples": ("application/n-triples",),
    "nt": ("application/n-triples",),
    "json-ld": ("application/ld+json",),
    "jsonld": ("application/ld+json",),
    "rdf-xml": ("application/rdf+xml",),
}


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds of work, bytes of answer; and how many run at once."""

    timeout: float = 10.0
    max_result_bytes: int = 50_000_000
    workers: int = 2
    #: requests that may wait for a worker; more are answered 503 at once
    queue: int = 64


# ---------------------------------------------------------------- content negotiation


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers (the first offer when any will do).

    >>> negotiate("text/csv, application/sparql-results+json;q=0.5", ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> negotiate("text/*;q=0.9, */*;q=0.1", ["application/ld+json", "text/turtle"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))

    def quality_of(offer: str) -> float:
        kind = offer.split("/")[0] + "/*"
        for candidate in (offer, kind, "*/*"):  # the most specific range that matches decides
            found = [q for media, q in ranges if media == candidate]
            if found:
                return max(found)
        return 0.0

    best = max(offers, key=lambda offer: (quality_of(offer), -offers.index(offer)))
    return best if quality_of(best) > 0 else None


# ---------------------------------------------------------------- worker processes

_STORE: ox.Store | None = None


def _start_worker(asserted: bytes, extra: bytes) -> None:
    """Pool initializer: build this worker's store from N-Quads (asserted and extra named graphs)."""
    global _STORE
    from ..core.backends import OxigraphBackend

    backend = OxigraphBackend()  # the same union default graph as the embedded graph
    backend.add(ox.parse(asserted, format=ox.RdfFormat.N_QUADS))
    backend.store.load(extra, format=ox.RdfFormat.N_QUADS)  # named graphs only, kept out of the union
    _STORE = backend.store


class _Bounded:
    """A binary sink that refuses to hold more than ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: an HTTP status, a media type and a body."""

    status: int
    media_type: str
    body: bytes


def execute(
    text: str,
    bindings: Mapping[str, Any],
    accept: str | None,
    dataset: tuple[list[str], list[str]] | None,
    max_bytes: int,
) -> Outcome:
    """Run one query in this worker and serialise its answer in the negotiated format."""
    from ..core.rdfio import to_oxigraph

    assert _STORE is not None, "the worker's store was not built"
    options: dict[str, Any] = {}
    if dataset is not None:  # the protocol's default-graph-uri / named-graph-uri
        default, named = dataset
        # only named graphs given: the default graph is empty (a graph no one fills)
        options["default_graph"] = [ox.NamedNode(iri) for iri in default or ["urn:x-cptkg:empty"]]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    try:
        substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
        answer = _STORE.query(text, prefixes=NAMESPACES, substitutions=substitutions, **options)
    except SyntaxError as error:
        return Outcome(400, "text/plain", f"SPARQL syntax error: {error}\n".encode())
    except (OSError, ValueError, TypeError) as error:
        return Outcome(400, "text/plain", f"the query failed: {error}\n".encode())
    table = GRAPH_TYPES if isinstance(answer, ox.QueryTriples) else RESULT_TYPES
    media = negotiate(accept, list(table))
    if media is None:
        offered = ", ".join(dict.fromkeys(table))
        return Outcome(406, "text/plain", f"cannot answer in {accept}; this answer is offered as {offered}\n".encode())
    sink = _Bounded(max_bytes)
    try:
        answer.serialize(sink, format=table[media])
    except _TooLarge:
        return Outcome(
            503,
            "text/plain",
            f"the query was stopped: its answer passed the server's result limit of {max_bytes} bytes; "
            "add LIMIT or narrow the query\n".encode(),
        )
    except (OSError, ValueError) as error:
        return Outcome(500, "text/plain", f"the query failed: {error}\n".encode())
    charset = "" if media.endswith(("+json", "/json")) else "; charset=utf-8"
    return Outcome(200, media + charset, b"".join(sink.parts))


def dataset_quads(kg: CoreGraph) -> tuple[bytes, bytes, list[str]]:
    """The graph as N-Quads for the workers: the asserted quads, the inferred closure when there is one, and its graph."""
    asserted = list(kg.backend.quads())
    inferred: list[ox.Quad] = []
    extra_graphs: list[str] = []
    try:
        from ..reasoning import INFERRED_GRAPH
    except ImportError:  # the reasoning module is optional
        log.warning("cptkg.reasoning is not available: serving the asserted graph only")
    else:
        closure = kg.reason()
        graph = ox.NamedNode(INFERRED_GRAPH)
        inferred = [q for q in closure.backend.quads() if q.graph_name == graph]
        extra_graphs = [INFERRED_GRAPH]
    nquads = ox.RdfFormat.N_QUADS
    return ox.serialize(asserted, format=nquads) or b"", ox.serialize(inferred, format=nquads) or b"", extra_graphs


class QueryPool:
    """Worker processes that run queries under a time limit (a late query's worker is killed and replaced)."""

    def __init__(self, kg: CoreGraph, limits: Limits) -> None:
        import multiprocessing

        from pebble import ProcessPool

        self.limits = limits
        asserted, extra, self.extra_graphs = dataset_quads(kg)
        self.pool = ProcessPool(
            max_workers=limits.workers,
            initializer=_start_worker,
            initargs=(asserted, extra),
            context=multiprocessing.get_context("spawn"),  # never fork a process that runs threads
        )
        self.slots = asyncio.Semaphore(limits.workers + limits.queue)

    async def run(
        self, text: str, bindings: Mapping[str, Any], accept: str | None, dataset: tuple[list[str], list[str]] | None
    ) -> Outcome:
        """Run a query in a worker process within the time and size limits; 503 when too many queries wait."""
        if self.slots.locked():
            return Outcome(503, "text/plain", b"the server is busy: too many queries are waiting; try again\n")
        async with self.slots:
            future = self.pool.schedule(
                execute,
                args=(text, dict(bindings), accept, dataset, self.limits.max_result_bytes),
                timeout=self.limits.timeout,
            )
            try:
                return await asyncio.wrap_future(future)
            except TimeoutError:
                return Outcome(
                    503,
                    "text/plain",
                    f"the query was stopped: it ran past the server's time limit of {self.limits.timeout:g} s\n".encode(),
                )
            except asyncio.CancelledError:  # the client went away: stop its query too
                future.cancel()
                raise
            except Exception as error:  # noqa: BLE001 - a worker that died (out of memory, a crash); pebble replaces it
                log.error("query worker failed: %s", error)
                return Outcome(500, "text/plain", f"the query failed in its worker: {error}\n".encode())

    def close(self) -> None:
        """Stop the worker processes (waiting a few seconds for them)."""
        self.pool.stop()
        self.pool.join(timeout=5)


# ---------------------------------------------------------------- the web application


class Endpoint:
    """The request handlers of the application, over one graph and its query pool."""

    def __init__(self, kg: CoreGraph, limits: Limits) -> None:
        self.kg = kg
        self.limits = limits
        self.pool: QueryPool | None = None

    @staticmethod
    def reply(outcome: Outcome) -> HTTPResponse:
        """The HTTP response of a query's outcome (status, media type, body)."""
        from starlette.responses import Response

        return Response(outcome.body, status_code=outcome.status, headers={"Content-Type": outcome.media_type, "Vary": "Accept"})

    @staticmethod
    def accept_of(request: Request, params: Mapping[str, str]) -> str | None:
        """The media types asked for: a ``format``/``output`` parameter, else the Accept header."""
        short = params.get("format") or params.get("output")
        if short and short in FORMAT_NAMES:
            return ", ".join(FORMAT_NAMES[short])
        if short and "/" in short:
            return short
        return request.headers.get("accept")

    async def sparql(self, request: Request) -> HTTPResponse:
        """``/sparql``: the SPARQL 1.1 Protocol (GET, form POST or direct POST); updates are refused."""
        from starlette.responses import PlainTextResponse

        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        text: str | None = None
        if request.method == "POST":
            if content_type == "application/sparql-update":
                return self.refuse_update()
            if content_type == "application/sparql-query":
                text = (await request.body()).decode("utf-8", errors="replace")
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.form()
                for key, value in form.multi_items():
                    params.setdefault(key, []).append(str(value))
            else:
                return PlainTextResponse(
                    "POST a query as application/x-www-form-urlencoded or application/sparql-query\n", status_code=415
                )
        if "update" in params:
            return self.refuse_update()
        if text is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                return PlainTextResponse("give one query parameter, not several\n", status_code=400)
            text = queries[0] if queries else None
        if text is None:
            return self.service_description(request)
        single = {key: values[0] for key, values in params.items()}
        dataset = None
        if "default-graph-uri" in params or "named-graph-uri" in params:
            dataset = (params.get("default-graph-uri", []), params.get("named-graph-uri", []))
        assert self.pool is not None
        return self.reply(await self.pool.run(text, {}, self.accept_of(request, single), dataset))

    @staticmethod
    def refuse_update() -> HTTPResponse:
        """403: the endpoint is read-only."""
        from starlette.responses import PlainTextResponse

        return PlainTextResponse(
            "this endpoint is read-only: SPARQL Update is refused (load data with cptkg push into a store)\n",
            status_code=403,
        )

    async def named_query(self, request: Request) -> HTTPResponse:
        """``/queries/NAME``: a named query, its parameters from the URL, bound as RDF terms."""
        from starlette.responses import PlainTextResponse

        from ..core.errors import CptkgError, ParameterError, UnknownQueryError

        params = dict(request.query_params)
        accept = self.accept_of(request, params)
        params.pop("format", None)
        params.pop("output", None)
        try:
            named = self.kg.queries[request.path_params["name"]]
            bindings = named.bind(params)
            for parameter in named.parameters:  # the same check kg.query makes
                if parameter.kind == "code" and parameter.name in bindings:
                    self.kg.require_code(str(bindings[parameter.name]))
        except UnknownQueryError as error:
            return PlainTextResponse(f"{error}\n", status_code=404)
        except (ParameterError, CptkgError) as error:
            return PlainTextResponse(f"{error}\n", status_code=400)
        assert self.pool is not None
        return self.reply(await self.pool.run(named.text, bindings, accept, None))

    def service_description(self, request: Request) -> HTTPResponse:
        """The SPARQL service description of the endpoint, in the RDF format the client accepts (406 for another)."""
        from starlette.responses import PlainTextResponse, Response

        media = negotiate(request.headers.get("accept"), list(GRAPH_TYPES))
        if media is None:
            return PlainTextResponse("the service description is offered as " + ", ".join(GRAPH_TYPES) + "\n", 406)
        assert self.pool is not None
        triples = describe_service(self.kg, str(request.url.replace(query="")), self.pool.extra_graphs)
        prefixes = {**NAMESPACES, "sd": "http://www.w3.org/ns/sparql-service-description#"}
        body = ox.serialize(triples, format=GRAPH_TYPES[media], prefixes=prefixes if media == "text/turtle" else None)
        return Response(body, headers={"Content-Type": media, "Vary": "Accept"})

    async def home(self, request: Request) -> HTTPResponse:
        """The query page: a form for SPARQL text and the list of named queries."""
        from starlette.responses import HTMLResponse

        return HTMLResponse(home_page(self.kg))


def create_app(kg: CoreGraph, limits: Limits | None = None) -> Starlette:
    """The Starlette application serving ``kg`` (start the workers with the app's lifespan)."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.routing import Route

    endpoint = Endpoint(kg, limits or Limits())

    @asynccontextmanager
    async def lifespan(app):
        endpoint.pool = await asyncio.to_thread(QueryPool, kg, endpoint.limits)
        try:
            yield
        finally:
            endpoint.pool.close()

    return Starlette(
        routes=[
            Route("/", endpoint.home, methods=["GET"]),
            Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
            Route("/queries/{name}", endpoint.named_query, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def describe_service(kg: CoreGraph, endpoint: str, extra_graphs: Sequence[str] = ()) -> list[ox.Triple]:
    """The SPARQL 1.1 service description of the endpoint: its features, formats and named graphs."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    service, default, graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    triples: list[ox.Triple] = []

    def add(subject: ox.BlankNode, predicate: str, obj: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        triples.append(ox.Triple(subject, ox.NamedNode(predicate if ":" in predicate else sd + predicate), obj))

    add(service, rdf_type, ox.NamedNode(sd + "Service"))
    add(service, "endpoint", ox.NamedNode(endpoint))
    add(service, "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query"))
    add(service, "feature", ox.NamedNode(sd + "UnionDefaultGraph"))
    for media in dict.fromkeys([*RESULT_TYPES, *GRAPH_TYPES]):
        add(service, "resultFormat", ox.Literal(media))
    add(service, "defaultDataset", default)
    add(default, rdf_type, ox.NamedNode(sd + "Dataset"))
    add(default, "defaultGraph", graph)
    add(graph, rdf_type, ox.NamedNode(sd + "Graph"))
    for name in [*kg.graph_names(), *extra_graphs]:
        named = ox.BlankNode()
        add(default, "namedGraph", named)
        add(named, rdf_type, ox.NamedNode(sd + "NamedGraph"))
        add(named, "name", ox.NamedNode(name))
    return triples


def home_page(kg: CoreGraph) -> str:
    """The small HTML page with a query box and links to the named queries."""
    example = kg.queries["graph-sizes"].body.strip()
    items = []
    for name, query in kg.queries.items():
        params = "&".join(f"{p.name}=" for p in query.parameters if p.required)
        link = f"/queries/{name}" + (f"?{params}" if params else "")
        items.append(f'<li><a href="{escape(link)}">{escape(name)}</a> {escape(query.title)}</li>')
    prefixes = ", ".join(sorted(NAMESPACES))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cptkg SPARQL endpoint</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}textarea{{width:100%;font-family:monospace}}</style>
</head><body>
<h1>cptkg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code>. The package prefixes are declared: {escape(prefixes)}.</p>
<form action="/sparql" method="get">
<textarea name="query" rows="8">{escape(example)}</textarea>
<p><label>Answer as <select name="format">
<option value="json">SPARQL JSON</option><option value="xml">SPARQL XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="turtle">Turtle (CONSTRUCT, DESCRIBE)</option><option value="json-ld">JSON-LD</option>
</select></label> <button type="submit">Run</button></p>
</form>
<h2>Named queries</h2>
<p>Each answers at <code>/queries/NAME</code>, its parameters given in the URL.</p>
<ul>{"".join(items)}</ul>
</body></html>
"""


def serve(kg: CoreGraph, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, limits: Limits | None = None) -> None:
    """Serve ``kg`` until interrupted (uvicorn)."""
    import uvicorn

    uvicorn.run(create_app(kg, limits), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)

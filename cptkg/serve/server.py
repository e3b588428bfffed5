"""A read-only SPARQL 1.1 Protocol endpoint over the knowledge graph (``cptkg serve``).

The endpoint answers queries by GET and by POST (form or direct body) at ``/sparql``, with SPARQL
JSON, XML, CSV or TSV results and Turtle, N-Triples, JSON-LD or RDF/XML graphs, chosen by content
negotiation (or a ``format`` parameter; :mod:`cptkg.serve.formats`). The named queries answer at
``/queries/<name>``, their parameters taken from the URL and bound as RDF terms by the catalogue,
like ``kg.query``. ``/sparql`` without a query gives the service description; ``/`` is a small HTML
page with a query box.

The dataset is the one the Python API queries: one named graph per source, the default graph
their union. When the reasoning module is present, the inferred closure is served as one more
named graph, :data:`cptkg.reasoning.INFERRED_GRAPH`, kept out of the default graph so that every
named query answers as it does in the embedded graph (``GRAPH`` or ``FROM`` reach the closure).

The server may be on an open port (SECURITY.md says what it promises there). Queries run in worker
processes under a time, a memory and a result-size limit (:mod:`cptkg.serve.workers`), handed out
fairly between clients with per-client and total bounds (:mod:`cptkg.serve.limits`). Before a
query reaches a worker, :mod:`cptkg.serve.guards` checks the request: body size, Host header,
dataset IRIs, the query's length and nesting and its ``SERVICE`` clauses (refused unless allowed);
a client that hangs up has its query stopped. Updates are refused: the endpoint is read-only. It
binds to loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..core.prefixes import NAMESPACES
from .formats import FORMAT_NAMES, GRAPH_TYPES, RESULT_TYPES, negotiate
from .guards import check_dataset, check_query, unless_gone
from .limits import Limits
from .workers import Outcome, QueryPool, refusal

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response as HTTPResponse

    from ..core.graph import CoreGraph

log = logging.getLogger("cptkg.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Endpoint", "Limits", "bind", "create_app", "serve"]


class Endpoint:
    """The request handlers of the application, over one graph and its query pool."""

    def __init__(self, kg: CoreGraph, limits: Limits) -> None:
        self.kg = kg
        self.limits = limits
        self.pool: QueryPool | None = None

    @staticmethod
    def reply(outcome: Outcome) -> HTTPResponse:
        """The HTTP response of a query's outcome (status, media type, body, headers such as ``Retry-After``)."""
        from starlette.responses import Response

        headers = {"Content-Type": outcome.media_type, "Vary": "Accept", **outcome.headers}
        return Response(outcome.body, status_code=outcome.status, headers=headers)

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
        found = await self.protocol_request(request)
        if not isinstance(found, tuple):
            return found
        text, params = found
        if text is None:
            return self.service_description(request)
        refused = check_query(text, self.limits, request.method) or check_dataset(params)
        if refused is not None:
            return self.reply(refused)
        single = {key: values[0] for key, values in params.items()}
        dataset = None
        if "default-graph-uri" in params or "named-graph-uri" in params:
            dataset = (params.get("default-graph-uri", []), params.get("named-graph-uri", []))
        return await self.answer(request, text, {}, self.accept_of(request, single), dataset)

    async def protocol_request(self, request: Request) -> tuple[str | None, dict[str, list[str]]] | HTTPResponse:
        """The query text (None for none) and the parameters of a protocol request, or the refusal
        of one that is an update, of an unknown kind or ambiguous."""
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
                form = await request.form(max_files=0, max_fields=64, max_part_size=self.limits.max_body)
                for key, value in form.multi_items():
                    params.setdefault(key, []).append(str(value))
            else:
                return self.reply(
                    refusal(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query")
                )
        if "update" in params:
            return self.refuse_update()
        if text is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                return self.reply(refusal(400, "give one query parameter, not several"))
            text = queries[0] if queries else None
        return text, params

    async def answer(self, request: Request, text: str, bindings, accept, dataset) -> HTTPResponse:
        """Run a query for the request's client; stop it if the client hangs up first."""
        assert self.pool is not None
        client = request.client.host if request.client else "unknown"
        outcome = await unless_gone(request, self.pool.run(client, text, bindings, accept, dataset))
        if outcome is None:  # no one is listening; the connection is gone
            outcome = refusal(503, "the client closed the connection; its query was stopped")
        return self.reply(outcome)

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
        return await self.answer(request, named.text, bindings, accept, None)

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


def create_app(kg: CoreGraph, limits: Limits | None = None, host: str = DEFAULT_HOST) -> Starlette:
    """The Starlette application serving ``kg`` (start the workers with the app's lifespan).

    ``host`` is the address the server is bound to: requests must name it (or ``localhost``, or a
    name of ``limits.allow_host``) in their Host header.
    """
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.routing import Route

    from ..core.errors import ParameterError
    from .guards import BodyLimit, allowed_hosts

    endpoint = Endpoint(kg, limits or Limits())
    wrong = endpoint.limits.problems()
    if wrong:
        raise ParameterError(f"{', '.join(wrong)} out of range: each must be a positive (finite) number")

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
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host, endpoint.limits.allow_host)),
            Middleware(BodyLimit, max_body=endpoint.limits.max_body),
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


def bind(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A listening socket on ``host``:``port``, or a one-line :class:`~cptkg.ParameterError` (an address
    this machine does not have, a port in use or not allowed) before anything else is started."""
    from ..core.errors import ParameterError, one_line

    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as error:
        import errno

        if error.errno == errno.EADDRINUSE:
            raise ParameterError(f"cannot listen on {one_line(where)}: the port is in use") from None
        reason = one_line(error.strerror or str(error))
        raise ParameterError(f"cannot listen on {one_line(where)}: {reason}") from None


def serve(
    kg: CoreGraph,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: Limits | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``kg`` until interrupted (uvicorn), on ``sock`` when given (see :func:`bind`)."""
    import uvicorn

    listening = sock or bind(host, port)
    config = uvicorn.Config(
        create_app(kg, limits, host=host), log_level="info", timeout_graceful_shutdown=5, server_header=False
    )
    uvicorn.Server(config).run(sockets=[listening])

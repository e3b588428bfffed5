"""The endpoint's query workers: processes that each hold a copy of the graph and run one query at a time.

pyoxigraph cannot cancel a running query, so queries run in a pool of worker processes (pebble); a
query past the time limit, or whose client hung up, has its worker killed and replaced. A worker's
address space is capped at its size once the graph is loaded plus the per-query memory limit, so a
query that eats memory ends its own worker, not the machine. Results are serialised by pyoxigraph in
the worker into a buffer that refuses to grow past the result limit, so a huge answer stops early.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..core.prefixes import NAMESPACES
from .formats import GRAPH_TYPES, RESULT_TYPES, negotiate
from .limits import Admission, Limits

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

log = logging.getLogger("cptkg.serve")

_STORE: ox.Store | None = None


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: an HTTP status, a media type and a body (and headers of its own)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def refusal(status: int, message: str, **headers: str) -> Outcome:
    """A plain-text answer that says why a request was not answered."""
    return Outcome(status, "text/plain", (message.rstrip("\n") + "\n").encode(), dict(headers))


def _start_worker(asserted: bytes, extra: bytes, max_query_memory: int) -> None:
    """Pool initializer: build this worker's store from N-Quads (asserted and extra named graphs),
    then cap its address space at its size now plus ``max_query_memory``."""
    global _STORE
    from ..core.backends import OxigraphBackend

    backend = OxigraphBackend()  # the same union default graph as the embedded graph
    backend.add(ox.parse(asserted, format=ox.RdfFormat.N_QUADS))
    backend.store.load(extra, format=ox.RdfFormat.N_QUADS)  # named graphs only, kept out of the union
    _STORE = backend.store
    _cap_memory(max_query_memory)


def _cap_memory(extra: int) -> None:
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # not Linux: the time limit alone bounds a query
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
    try:
        if dataset is not None:  # the protocol's default-graph-uri / named-graph-uri
            default, named = dataset
            # only named graphs given: the default graph is empty (a graph no one fills)
            options["default_graph"] = [ox.NamedNode(iri) for iri in default or ["urn:x-cptkg:empty"]]
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
        substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
        answer = _STORE.query(text, prefixes=NAMESPACES, substitutions=substitutions, **options)
    except SyntaxError as error:
        return refusal(400, f"SPARQL syntax error: {error}")
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        return refusal(400, f"the query failed: {error}")
    table = GRAPH_TYPES if isinstance(answer, ox.QueryTriples) else RESULT_TYPES
    media = negotiate(accept, list(table))
    if media is None:
        offered = ", ".join(dict.fromkeys(table))
        return refusal(406, f"cannot answer in {accept}; this answer is offered as {offered}")
    sink = _Bounded(max_bytes)
    try:
        answer.serialize(sink, format=table[media])
    except _TooLarge:
        return refusal(
            503,
            f"the query was stopped: its answer passed the server's result limit of {max_bytes} bytes; "
            "add LIMIT or narrow the query",
        )
    except (OSError, RuntimeError, ValueError) as error:
        return refusal(500, f"the query failed: {error}")
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
    """Worker processes that run queries under a time and a memory limit, handed out fairly
    (:class:`~cptkg.serve.limits.Admission`); a stopped query's worker is killed and replaced."""

    def __init__(self, kg: CoreGraph, limits: Limits) -> None:
        import multiprocessing

        from pebble import ProcessPool

        self.limits = limits
        self.admission = Admission(limits)
        asserted, extra, self.extra_graphs = dataset_quads(kg)
        self.pool = ProcessPool(
            max_workers=limits.workers,
            initializer=_start_worker,
            initargs=(asserted, extra, limits.max_query_memory),
            context=multiprocessing.get_context("spawn"),  # never fork a process that runs threads
        )

    async def run(
        self,
        client: str,
        text: str,
        bindings: Mapping[str, Any],
        accept: str | None,
        dataset: tuple[list[str], list[str]] | None,
    ) -> Outcome:
        """Run a query for ``client`` (its address): 429 past the client's or the server's bound,
        503 past the time or memory limit. Cancelling the call (the client hung up) stops the query."""
        if not self.admission.admit(client):
            return refusal(
                429,
                f"too many queries at once (at most {self.limits.max_queries_per_client} per client and "
                f"{self.limits.max_queries} in all); try again later",
                **{"Retry-After": str(self.limits.retry_after)},
            )
        try:
            await self.admission.worker(client)
            try:
                return await self._execute(text, bindings, accept, dataset)
            finally:
                self.admission.release(client)
        finally:
            self.admission.leave(client)

    async def _execute(self, text, bindings, accept, dataset) -> Outcome:
        from pebble import ProcessExpired

        future = self.pool.schedule(
            execute,
            args=(text, dict(bindings), accept, dataset, self.limits.max_result_bytes),
            timeout=self.limits.timeout,
        )
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:  # the client went away: stop its query too
            future.cancel()
            raise
        except TimeoutError:
            return refusal(
                503, f"the query was stopped: it ran past the server's time limit of {self.limits.timeout:g} s"
            )
        except (ProcessExpired, MemoryError) as error:  # a worker past its address-space cap aborts
            log.error("query worker ended: %s", error)
            return refusal(
                503,
                "the query was stopped: its worker ran out of memory (the server's limit is "
                f"{self.limits.max_query_memory} bytes per query) or ended abnormally",
            )
        except Exception as error:  # noqa: BLE001 - anything else a worker raised; pebble replaces it
            log.error("query worker failed: %s", error)
            return refusal(500, f"the query failed in its worker: {error}")

    def close(self) -> None:
        """Stop the worker processes (waiting a few seconds for them)."""
        self.pool.stop()
        self.pool.join(timeout=5)

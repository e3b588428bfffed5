"""What the endpoint checks before a query reaches a worker: the request's size, the Host it names,
the dataset IRIs it gives, the query's length, nesting and ``SERVICE`` clauses; and the client that
hangs up while its query waits or runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, TypeVar

from .limits import Limits
from .workers import Outcome, refusal

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")

#: The protocol's dataset parameters, whose values must be IRIs.
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
#: Bound addresses that mean "every interface": no one Host name is the bound one.
WILDCARDS = ("", "0.0.0.0", "::")


class BodyLimit:
    """ASGI middleware: a request body past ``max_body`` bytes is answered 413, whether its length is
    announced (``Content-Length``) or not (chunked): the body is counted as it arrives, never read whole."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.exceptions import HTTPException
        from starlette.responses import PlainTextResponse

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"the request body is larger than the server's limit of {self.max_body} bytes (--max-body)\n"
        announced = dict(scope.get("headers") or []).get(b"content-length", b"").strip()
        if announced and (not announced.isdigit() or int(announced) > self.max_body):
            await PlainTextResponse(message, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, message)  # answered by Starlette's exception middleware
            return event

        await self.app(scope, counted, send)


def allowed_hosts(host: str, extra: tuple[str, ...]) -> list[str]:
    """The Host header names the server answers to: the bound address (unless it is a wildcard),
    ``localhost``, ``127.0.0.1`` and the names given with ``--allow-host``. Any other name is a
    DNS-rebinding attempt (a page whose domain now resolves to this machine) and gets 400.

    >>> allowed_hosts("127.0.0.1", ("kg.example",))
    ['127.0.0.1', 'localhost', 'kg.example']
    >>> allowed_hosts("::1", ())
    ['[::1]', '127.0.0.1', 'localhost']
    """
    bound = [] if host in WILDCARDS else [f"[{host}]" if ":" in host else host]
    return list(dict.fromkeys([*bound, "127.0.0.1", "localhost", *extra]))


def check_query(text: str, limits: Limits, method: str) -> Outcome | None:
    """A refusal for a query that is too long (413, or 414 in a URL), nested too deeply or federated
    to an endpoint not allowed (400); None for a query that may run."""
    from ..core.errors import QueryError
    from ..core.screening import screen

    if len(text) > limits.max_query_length:
        return refusal(
            414 if method == "GET" else 413,
            f"the query is {len(text)} characters long; the server's limit is {limits.max_query_length} "
            "(--max-query-length)",
        )
    try:
        screen(text, allow_service=limits.allow_service, max_length=limits.max_query_length)
    except QueryError as error:
        return refusal(400, str(error))
    return None


def check_dataset(params: Mapping[str, list[str]]) -> Outcome | None:
    """A 400 refusal naming the parameter when a ``default-graph-uri`` or ``named-graph-uri`` is not an IRI."""
    import pyoxigraph as ox

    from ..core.errors import one_line

    for parameter in DATASET_PARAMETERS:
        for value in params.get(parameter, []):
            try:
                ox.NamedNode(value)
            except ValueError as error:
                return refusal(400, f"{parameter}: {one_line(value)!r} is not an IRI ({one_line(str(error))})")
    return None


async def unless_gone(request: Request, work: Awaitable[T]) -> T | None:
    """The result of ``work``, or None when the client hangs up first (then ``work`` is cancelled,
    which frees its place in the queue or stops its query and its worker)."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
    if not task.done():
        await asyncio.wait({task})  # its clean-up (the queue, the worker) runs before we answer
        return None
    return None if task.cancelled() else task.result()


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the server's ``http.disconnect`` message)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return

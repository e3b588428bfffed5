"""``cptkg serve``: the graph as a read-only SPARQL 1.1 endpoint.

Every option is checked, and the address bound, before the graph is loaded: a bad option or a port
in use is one line and exit status 2 at once.
"""

from __future__ import annotations

import argparse
import math

from ..core.errors import ParameterError
from .common import add_allow_service, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command to the parser."""
    from ..serve import DEFAULT_HOST, DEFAULT_PORT, Limits

    defaults = Limits()
    serve = commands.add_parser(
        "serve",
        help="serve the graph as a read-only SPARQL 1.1 endpoint",
        description="Serve the graph (and its inferred closure as a named graph) by the SPARQL 1.1 Protocol "
        "at /sparql, the named queries at /queries/NAME, a query page at /. Needs: pip install 'cptkg[server]'. "
        "SECURITY.md says what the server promises on an open port.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}, loopback only)")
    serve.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port, 1-65535 (default {DEFAULT_PORT})")
    limits = {
        "--timeout": (positive_seconds, "seconds a query may run"),
        "--max-result-bytes": (positive_int, "bytes of one answer"),
        "--workers": (positive_int, "query worker processes"),
        "--max-query-memory": (positive_int, "bytes a query may allocate in its worker, beyond the graph"),
        "--max-body": (positive_int, "bytes of a request body (more: 413)"),
        "--max-query-length": (positive_int, "characters of a query (more: 413, or 414 in a URL)"),
        "--max-queries-per-client": (positive_int, "queries running or waiting per client address (more: 429)"),
        "--max-queries": (positive_int, "queries running or waiting in all (more: 429)"),
    }
    for option, (kind, text) in limits.items():
        default = getattr(defaults, option[2:].replace("-", "_"))
        shown = f"{default:g}" if isinstance(default, float) else default
        serve.add_argument(option, type=kind, default=default, help=f"{text} (default {shown})")
    add_allow_service(serve)
    serve.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="also answer requests whose Host header names NAME (repeatable; the bound address, localhost and "
        "127.0.0.1 always are; '*' turns the check off)",
    )
    serve.set_defaults(handler=run_serve)


def port(text: str) -> int:
    """A TCP port number, 1 to 65535 (argparse type)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, not {text!r}")
    return number


def positive_seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type): no 0, -1, nan or inf."""
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds, not {text!r}")
    return number


def positive_int(text: str) -> int:
    """A whole number of 1 or more (argparse type)."""
    if not text.strip().isascii() or not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return int(text)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the graph over HTTP (SPARQL endpoint, named queries, query page) until interrupted."""
    from ..serve import Limits, bind, serve

    if getattr(args, "endpoint", None):
        raise ParameterError("serve serves the embedded graph; --endpoint points at a store that already serves one")
    try:
        import pebble  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ParameterError(
            f"serve needs the server extra ({error.name} is missing): pip install 'cptkg[server]'"
        ) from None
    limits = Limits(
        timeout=args.timeout,
        max_result_bytes=args.max_result_bytes,
        workers=args.workers,
        max_query_memory=args.max_query_memory,
        max_body=args.max_body,
        max_query_length=args.max_query_length,
        max_queries_per_client=args.max_queries_per_client,
        max_queries=args.max_queries,
        allow_service=tuple(args.allow_service),
        allow_host=tuple(args.allow_host),
    )
    sock = bind(args.host, args.port)  # a port in use is refused before the graph is loaded
    try:
        serve(knowledge_graph(args), host=args.host, port=args.port, limits=limits, sock=sock)
    finally:
        sock.close()
    return 0

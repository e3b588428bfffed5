"""``cptkg serve``: the graph as a read-only SPARQL 1.1 endpoint."""

from __future__ import annotations

import argparse

from ..core.errors import ParameterError
from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command to the parser."""
    from ..serve import DEFAULT_HOST, DEFAULT_PORT, Limits

    defaults = Limits()
    serve = commands.add_parser(
        "serve",
        help="serve the graph as a read-only SPARQL 1.1 endpoint",
        description="Serve the graph (and its inferred closure as a named graph) by the SPARQL 1.1 Protocol "
        "at /sparql, the named queries at /queries/NAME, a query page at /. Needs: pip install 'cptkg[server]'.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}, loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help=f"seconds a query may run (default {defaults.timeout:g})",
    )
    serve.add_argument(
        "--max-result-bytes",
        type=int,
        default=defaults.max_result_bytes,
        help=f"largest answer in bytes (default {defaults.max_result_bytes})",
    )
    serve.add_argument(
        "--workers", type=int, default=defaults.workers, help=f"query worker processes (default {defaults.workers})"
    )
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the graph over HTTP (SPARQL endpoint, named queries, query page) until interrupted."""
    from ..serve import Limits, serve

    if getattr(args, "endpoint", None):
        raise ParameterError("serve serves the embedded graph; --endpoint points at a store that already serves one")
    if args.timeout <= 0 or args.max_result_bytes <= 0 or args.workers < 1:
        raise ParameterError("--timeout, --max-result-bytes and --workers must be positive")
    try:
        import pebble  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ParameterError(
            f"serve needs the server extra ({error.name} is missing): pip install 'cptkg[server]'"
        ) from None
    limits = Limits(timeout=args.timeout, max_result_bytes=args.max_result_bytes, workers=args.workers)
    serve(knowledge_graph(args), host=args.host, port=args.port, limits=limits)
    return 0

"""What every command shares: loading the graph as the global options say, and writing output."""

from __future__ import annotations

import argparse
import sys

from ..api import KnowledgeGraph, connect, load
from ..core.output import write_output


def knowledge_graph(args: argparse.Namespace) -> KnowledgeGraph:
    """The graph the global options describe (backend, extra data, linked terminologies, or a store's endpoint)."""
    if getattr(args, "endpoint", None):
        from ..core.errors import ParameterError

        if args.load or getattr(args, "link", None):
            raise ParameterError("--load and --link add files to the embedded graph; push them to the store instead")
        return connect(args.endpoint)
    if getattr(args, "data", None):  # validate/check --data: the user's files replace the shipped data
        kg = load(*args.load, data=args.data, input_format=args.input_format, backend=args.backend)
    else:
        kg = load(*args.load, backend=args.backend)
    for path in getattr(args, "link", None) or []:
        linked = kg.link(path)
        if linked.skipped:  # what was left out is said, never silent
            print(f"cptkg: {linked.summary()}", file=sys.stderr)
    return kg


def add_allow_service(command: argparse.ArgumentParser) -> None:
    """Add ``--allow-service URL`` (repeatable): the endpoints a query's SERVICE clause may reach."""
    command.add_argument(
        "--allow-service",
        metavar="URL",
        action="append",
        default=[],
        help="let a SERVICE clause reach this endpoint (repeatable; federated queries are refused otherwise)",
    )


def add_output_options(command: argparse.ArgumentParser) -> None:
    """Add ``--output FILE`` and ``--force`` to a command."""
    command.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    command.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def emit(args: argparse.Namespace, text: str | bytes) -> None:
    """Print text (bytes as they are), or write it atomically to ``--output`` (refusing to overwrite without ``--force``)."""
    if getattr(args, "output", None):
        path = write_output(args.output, text, force=args.force)
        print(f"wrote {path}", file=sys.stderr)
    elif isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
    else:
        sys.stdout.write(text)

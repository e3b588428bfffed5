"""``cptkg push``: the graph into a SPARQL 1.1 store through its Graph Store HTTP Protocol URL."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import ParameterError
from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``push`` command to the parser."""
    push = commands.add_parser(
        "push",
        help="load the graph into a SPARQL 1.1 store through its Graph Store HTTP Protocol URL",
        description="Write the ontology, shapes, data and linked mapping files into a store, one named graph per "
        "source (replacing graphs of the same name), then query it with --endpoint. Credentials may go in the "
        "URL (http://user:password@host/...).",
    )
    push.add_argument("--store", required=True, metavar="URL", help="the store's Graph Store Protocol URL")
    push.add_argument("--no-shapes", action="store_true", help="leave the SHACL shapes out")
    push.set_defaults(handler=run_push)


def run_push(args: argparse.Namespace) -> int:
    """Write the graph's sources into a store (Graph Store Protocol) and list the graphs written."""
    from ..serve.push import push

    if getattr(args, "endpoint", None):
        raise ParameterError("push reads the embedded graph (with --load and --link); drop --endpoint")
    written = push(knowledge_graph(args), args.store, shapes=not args.no_shapes)
    for graph, count in written.items():
        print(f"{count:>7} triples  {graph}", file=sys.stderr)
    return 0

"""``cptkg map``: which cptkg resources an outside identifier maps to, and how."""

from __future__ import annotations

import argparse

from ..core.results import readable_json
from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``map`` command to the parser."""
    lookup = commands.add_parser(
        "map", help="which cptkg resources an outside identifier maps to, and how (ICD-10-CM through its categories)"
    )
    lookup.add_argument("identifier", metavar="CURIE", help="such as ICD10CM:C18.7, MONDO:0005575 or HGNC:7989")
    lookup.add_argument("--format", choices=["text", "json"], default="text")
    lookup.set_defaults(handler=run_map)


def run_map(args: argparse.Namespace) -> int:
    """Print which cptkg resources an outside identifier maps to, and through what."""
    from ..terminology import lookup

    answer = lookup(knowledge_graph(args), args.identifier)
    if args.format == "json":
        print(readable_json(answer.to_dict()))
    else:
        print(answer.to_text(), end="")
    return 0

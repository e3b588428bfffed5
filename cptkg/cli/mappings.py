"""``cptkg mappings``: the mapping set, every link of the graph to another terminology, with its source."""

from __future__ import annotations

import argparse

from ..core.results import readable_json
from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``mappings`` command to the parser."""
    mappings = commands.add_parser(
        "mappings", help="the mapping set: every link of the graph to another terminology, with its source"
    )
    mappings.add_argument("--format", choices=["sssom", "json", "turtle"], default="sssom")
    mappings.add_argument("--resource", metavar="CURIE", help="only the links of one resource, such as cptkg:gene-NRAS")
    add_output_options(mappings)
    mappings.set_defaults(handler=run_mappings)


def run_mappings(args: argparse.Namespace) -> int:
    """Write the mapping set as SSSOM TSV, JSON or Turtle."""
    from ..terminology import mapping_set, to_sssom, to_turtle

    found = mapping_set(knowledge_graph(args), resource=args.resource)
    if args.format == "json":
        emit(args, readable_json([m.to_dict() for m in found]) + "\n")
    elif args.format == "turtle":
        emit(args, to_turtle(found))
    else:
        emit(args, to_sssom(found))
    return 0

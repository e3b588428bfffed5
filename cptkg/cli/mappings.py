"""Commands over the links to other terminologies: ``mappings`` (the mapping set) and ``map`` (reverse look-up)."""

from __future__ import annotations

import argparse

from ..core.results import readable_json
from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    mappings = commands.add_parser(
        "mappings", help="the mapping set: every link of the graph to another terminology, with its source"
    )
    mappings.add_argument("--format", choices=["sssom", "json", "turtle"], default="sssom")
    mappings.add_argument("--resource", metavar="CURIE", help="only the links of one resource, such as cptkg:gene-NRAS")
    add_output_options(mappings)
    mappings.set_defaults(handler=run_mappings)

    lookup = commands.add_parser(
        "map", help="which cptkg resources an outside identifier maps to, and how (ICD-10-CM through its categories)"
    )
    lookup.add_argument("identifier", metavar="CURIE", help="such as ICD10CM:C18.7, MONDO:0005575 or HGNC:7989")
    lookup.add_argument("--format", choices=["text", "json"], default="text")
    lookup.set_defaults(handler=run_map)


def run_mappings(args: argparse.Namespace) -> int:
    from ..terminology import mapping_set, to_sssom, to_turtle

    found = mapping_set(knowledge_graph(args), resource=args.resource)
    if args.format == "json":
        emit(args, readable_json([m.to_dict() for m in found]) + "\n")
    elif args.format == "turtle":
        emit(args, to_turtle(found))
    else:
        emit(args, to_sssom(found))
    return 0


def run_map(args: argparse.Namespace) -> int:
    from ..terminology import lookup

    answer = lookup(knowledge_graph(args), args.identifier)
    if args.format == "json":
        print(readable_json(answer.to_dict()))
    else:
        print(answer.to_text(), end="")
    return 0

"""``cptkg link FILE``: link an outside mapping set or terminology into the graph and say what was linked.

The report says how many mappings (SSSOM) or statements (OBO Graphs, OBO, RDF) were linked, how
many of them touch cptkg resources (name an identifier the graph's SKOS matches name), and which
rows or elements were skipped and why. Exit status: 0 linked, 2 a file of which nothing can be used.
"""

from __future__ import annotations

import argparse

from .common import add_output_options, emit, knowledge_graph

INPUT_FORMATS = ("sssom", "obographs", "obo", "turtle", "n-triples", "n-quads", "trig", "json-ld", "rdf-xml")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``link`` command to the parser."""
    link = commands.add_parser(
        "link",
        help="link a mapping set or terminology file (SSSOM, OBO Graphs JSON, OBO, RDF) and say what was linked",
        description=(
            "Read an outside file as it is published into its own named graph (cptkg:graph-link-<name>) and report "
            "how many mappings or statements were linked, how many touch cptkg resources, and which rows were "
            "skipped and why. Exit status: 0 linked, 2 nothing in the file can be used."
        ),
    )
    link.add_argument("file", metavar="FILE", help="the file (.sssom.tsv, .json OBO Graphs, .obo, .ttl, .owl, ...)")
    link.add_argument("--format", dest="input_format", choices=INPUT_FORMATS, help="the file's format (default: from its name)")
    link.add_argument(
        "--prefix-map",
        metavar="FILE",
        help="YAML or JSON prefix -> URI prefix, over the file's own (e.g. to give ONCOTREE an address)",
    )
    link.add_argument("--report", choices=("text", "json"), default="text", help="how to write the report (default text)")
    add_output_options(link)
    link.set_defaults(handler=run_link)


def run_link(args: argparse.Namespace) -> int:
    """Link an outside mapping set or terminology file into its own graph and report what was linked and skipped."""
    from ..terminology import link

    kg = knowledge_graph(args)
    report = link(kg, args.file, input_format=args.input_format, prefix_map=args.prefix_map)
    emit(args, report.to_json(indent=2) + "\n" if args.report == "json" else report.to_text())
    return report.exit_status

"""Commands that draw and document the graph: diagram, docs."""

from __future__ import annotations

import argparse
import sys

from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    from ..report.diagram import FORMATS

    diagram = commands.add_parser(
        "diagram",
        help="a picture of a code's part of the graph, or of the ontology (laid out by Graphviz)",
        description="Draw a code's part of the graph (code, gene, exons, codons, variants, indications with "
        "their mappings, sites, modifiers, payers, sources) or, without CODE, the ontology's classes and "
        "properties. SVG and PNG need Graphviz's dot program.",
    )
    diagram.add_argument("code", nargs="?", help="the code's notation, such as 81311; omit it to draw the ontology")
    diagram.add_argument("--format", choices=list(FORMATS), default="svg", help="svg (default), png or dot")
    add_output_options(diagram)
    diagram.set_defaults(handler=run_diagram)

    docs = commands.add_parser(
        "docs",
        help="write the documentation: user guide, CLI and API reference, ontology pages (pyLODE), reports, pictures",
    )
    docs.add_argument("--output", "-o", metavar="DIR", required=True, help="the folder to write into")
    docs.add_argument("--force", action="store_true", help="write into DIR even if it is not empty")
    docs.set_defaults(handler=run_docs)


def run_diagram(args: argparse.Namespace) -> int:
    from ..report.diagram import code_diagram, ontology_diagram, render

    kg = knowledge_graph(args)
    picture = code_diagram(kg, args.code) if args.code else ontology_diagram(kg)
    emit(args, render(picture, args.format))
    return 0


def run_docs(args: argparse.Namespace) -> int:
    from ..report.docs import build

    written = build(knowledge_graph(args), args.output, cli_reference(), force=args.force)
    print(f"wrote {len(written)} files to {args.output}", file=sys.stderr)
    return 0


def cli_reference() -> str:
    """The command-line reference, as Markdown, from the argument parser's help texts."""
    import argparse

    from . import parser

    top = parser()
    lines = ["# Command-line reference", "", "```text", top.format_help().rstrip(), "```", ""]
    for action in top._actions:  # argparse keeps sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                lines += [f"## cptkg {name}", "", "```text", command.format_help().rstrip(), "```", ""]
    return "\n".join(lines)

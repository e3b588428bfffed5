"""``cptkg diagram``: a picture of a code's part of the graph, or of the ontology (Graphviz)."""

from __future__ import annotations

import argparse

from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``diagram`` command to the parser."""
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


def run_diagram(args: argparse.Namespace) -> int:
    """Draw a code's part of the graph, or the ontology, as SVG, PNG or dot text."""
    from ..report.diagram import code_diagram, ontology_diagram, render

    kg = knowledge_graph(args)
    picture = code_diagram(kg, args.code) if args.code else ontology_diagram(kg)
    emit(args, render(picture, args.format))
    return 0

"""``cptkg export``: the graph serialised, one named graph per source in dataset formats."""

from __future__ import annotations

import argparse

from ..core.graph import EXPORT_PARTS
from ..core.rdfio import FORMATS
from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``export`` command to the parser."""
    export = commands.add_parser("export", help="serialise the graph")
    export.add_argument("--format", choices=list(FORMATS), default="turtle")
    export.add_argument(
        "--include",
        default="data",
        help=f"comma-separated parts to include: {', '.join(EXPORT_PARTS)} (default: data)",
    )
    add_output_options(export)
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Serialise the parts of the graph ``--include`` names in ``--format``."""
    parts = [part.strip() for part in args.include.split(",") if part.strip()]
    emit(args, knowledge_graph(args).export(args.format, include=parts))
    return 0

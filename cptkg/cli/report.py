"""``cptkg report``: everything the graph holds about a code, as text, Markdown, JSON or an HTML page."""

from __future__ import annotations

import argparse

from .common import add_output_options, emit, knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``report`` command to the parser."""
    report = commands.add_parser("report", help="a readable summary of everything the graph holds about a code")
    report.add_argument("code", help="the code's notation, such as 81311")
    report.add_argument("--format", choices=["text", "markdown", "json", "html"], default="text")
    add_output_options(report)
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the report of a code as text, Markdown, JSON or an HTML page."""
    from ..report import build, render

    kg = knowledge_graph(args)
    content = build(kg, args.code)
    if args.format == "html":  # a self-contained page, with the source of each item (cptkg.report.html)
        from ..report.html import page, statement_sources

        emit(args, page(content, statement_sources(kg, content)))
        return 0
    emit(args, render(content, args.format))
    return 0

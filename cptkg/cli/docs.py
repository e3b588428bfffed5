"""``cptkg docs``: the documentation set (guide, command-line and API references, ontology pages, reports, pictures)."""

from __future__ import annotations

import argparse
import sys

from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``docs`` command to the parser."""
    docs = commands.add_parser(
        "docs",
        help="write the documentation: user guide, CLI and API reference, ontology pages (pyLODE), reports, pictures",
    )
    docs.add_argument("--output", "-o", metavar="DIR", required=True, help="the folder to write into")
    docs.add_argument("--force", action="store_true", help="write into DIR even if it is not empty")
    docs.set_defaults(handler=run_docs)


def run_docs(args: argparse.Namespace) -> int:
    """Write the documentation set into the ``--output`` folder."""
    from ..report.docs import build

    written = build(knowledge_graph(args), args.output, cli_reference(args.top_parser), force=args.force)
    print(f"wrote {len(written)} files to {args.output}", file=sys.stderr)
    return 0


def cli_reference(top: argparse.ArgumentParser) -> str:
    """The command-line reference, as Markdown, from the argument parser's help texts.

    The help is laid out for 80 columns, whatever the terminal, so that the reference is the same
    wherever it is written (``python tools/reference_docs.py`` writes ``docs/cli.md``).
    """
    import os

    width, os.environ["COLUMNS"] = os.environ.get("COLUMNS"), "80"  # argparse reads the width from there
    try:
        lines = ["# Command-line reference", "", "```text", top.format_help().rstrip(), "```", ""]
        for action in top._actions:  # argparse keeps sub-commands only here
            if isinstance(action, argparse._SubParsersAction):
                for name, command in action.choices.items():
                    lines += [f"## cptkg {name}", "", "```text", command.format_help().rstrip(), "```", ""]
    finally:
        if width is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = width
    return "\n".join(lines).rstrip() + "\n"

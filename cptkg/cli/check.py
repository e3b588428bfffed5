"""``cptkg check``: reasoning-based consistency checks of the shipped graph or of the user's files."""

from __future__ import annotations

import argparse

from .common import add_output_options, emit


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``check`` command to the parser."""
    check = commands.add_parser(
        "check",
        help="check the graph for inconsistencies and source conflicts, with explanations",
        description="Reason over the ontology and the data, then run the consistency rules of "
        "queries/checks/. Exit status: 0 no error-level finding, 1 an error-level finding, 2 unusable input.",
    )
    check.add_argument(
        "--data",
        metavar="FILE",
        nargs="+",
        action="extend",
        help="check these RDF files (with the package ontology) instead of the shipped data",
    )
    check.add_argument("--input-format", metavar="FORMAT", help="RDF format of the --data files (default: from the extension)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument(
        "--engine",
        choices=["rules", "owlrl"],
        default="rules",
        help="reasoning engine: the ontology's own rules (fast, default) or owlrl's full OWL 2 RL closure "
        "(slow; adds owlrl's own error reports)",
    )
    check.add_argument("--skip", metavar="RULE", action="append", default=[], help="do not run this rule (repeatable)")
    add_output_options(check)
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Reason, run the consistency rules and write the findings; the exit status says whether one is an error."""
    from ..checks import check
    from ..core.results import readable_json
    from .common import knowledge_graph

    kg = knowledge_graph(args)
    report = check(kg, engine=args.engine, skip=args.skip, in_place=True)  # the graph was loaded for this check
    emit(args, readable_json(report.to_dict()) + "\n" if args.format == "json" else report.text())
    return report.exit_status

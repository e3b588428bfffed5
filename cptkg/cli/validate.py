"""``cptkg validate``: SHACL validation of the shipped graph or of the user's files."""

from __future__ import annotations

import argparse

from .common import add_output_options, emit


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``validate`` command to the parser."""
    validate = commands.add_parser(
        "validate",
        help="validate the graph, or your own RDF files, against the package's SHACL shapes",
        description="Validate instance data against the package's SHACL shapes, with the package ontology "
        "as the TBox (never mixed into the data). Without --data the shipped graph is validated. "
        "Violations break use of the data; warnings are doubtful; infos are gaps the sources admit. "
        "Exit status: 0 conforms (no violation), 1 does not conform, 2 unusable input.",
    )
    validate.add_argument(
        "--data",
        metavar="FILE",
        nargs="+",
        action="extend",
        help="validate these RDF files (Turtle, JSON-LD, N-Triples, RDF/XML, TriG, N-Quads) instead of the shipped data",
    )
    validate.add_argument(
        "--input-format", metavar="FORMAT", help="RDF format of the --data files (default: from the extension)"
    )
    validate.add_argument("--format", choices=["text", "json"], default="text")
    add_output_options(validate)
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """SHACL-validate the graph (or ``--data`` files) and write the report; the exit status says whether it conforms."""
    from ..core.results import readable_json
    from ..validation import validate
    from .common import knowledge_graph

    kg = knowledge_graph(args)
    report = validate(kg)
    emit(args, readable_json(report.to_dict()) + "\n" if args.format == "json" else report.to_text())
    return 0 if report.conforms else 1

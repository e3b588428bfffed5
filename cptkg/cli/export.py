"""``cptkg export``: the graph serialised (one named graph per source in dataset formats), its OWL 2 DL
view, or a FHIR R4 Bundle of its terminology.

The format follows the ``--output`` file's extension (``-o graph.nt`` writes N-Triples) unless
``--format`` names one; a format that contradicts the extension is an error, so that no file carries
a syntax its name denies.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import InputError, ParameterError
from ..core.graph import EXPORT_PARTS, EXPORT_PROFILES
from ..core.rdfio import FORMATS, output_format
from .common import add_output_options, emit, knowledge_graph

#: Formats that are not RDF syntaxes, with the extensions their files take.
OTHER_FORMATS = {"fhir": (".json",)}


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``export`` command to the parser."""
    export = commands.add_parser("export", help="serialise the graph, its OWL 2 DL view or a FHIR Bundle")
    export.add_argument(
        "--format",
        choices=[*FORMATS, *OTHER_FORMATS],
        help="the syntax (default: the one --output's extension stands for, else turtle); "
        "fhir: a FHIR R4 Bundle (JSON): the codes' concepts, a ConceptMap of the mappings, a ValueSet per coverage policy",
    )
    export.add_argument(
        "--include",
        help=f"comma-separated parts to include: {', '.join(EXPORT_PARTS)} (default: data; data,ontology with --profile dl)",
    )
    export.add_argument(
        "--profile",
        choices=EXPORT_PROFILES,
        help="dl: the OWL 2 DL view (individuals and properties declared, literals inside the OWL 2 datatype map) "
        "that DL tools load as it is; write it as .owl (RDF/XML), .ttl or .nt",
    )
    add_output_options(export)
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Write the graph, its OWL 2 DL view or the FHIR Bundle, in the format the options and the file name say."""
    fmt = chosen_format(args.output, args.format)
    kg = knowledge_graph(args)
    if fmt == "fhir":
        from ..terminology.fhir import bundle_json

        if args.profile or args.include:
            raise ParameterError("--format fhir writes the terminology Bundle; --profile and --include do not apply")
        emit(args, bundle_json(kg))
        return 0
    parts = [part.strip() for part in args.include.split(",") if part.strip()] if args.include else None
    emit(args, kg.export(fmt, include=parts, profile=args.profile))
    return 0


def chosen_format(output: str | None, explicit: str | None) -> str:
    """The export format: ``--format``, else the output file's extension, else Turtle; a contradiction is an error."""
    if explicit in OTHER_FORMATS:
        suffix = Path(output).suffix.lower() if output else ""
        if output and suffix not in OTHER_FORMATS[explicit]:
            raise InputError(
                f"--format {explicit} writes {' or '.join(OTHER_FORMATS[explicit])} files, not {suffix or 'files without an extension'}",
                path=output,
            )
        return explicit
    return output_format(output, explicit)

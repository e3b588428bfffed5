"""The ``claims`` command: check a file of order or claim lines against the graph.

Findings stream to the output as the lines are read (constant memory for any file size); progress
goes to standard error when it is a terminal, unless ``--quiet``. Exit status: 0 when no line has an
error-level finding, 1 when some do, 2 when the file cannot be used at all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

from .common import add_output_options, knowledge_graph

FORMATS = ("text", "json", "csv")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``claims`` command to the parser."""
    claims = commands.add_parser(
        "claims",
        help="check order or claim lines (CSV or JSON Lines) against the graph",
        description=(
            "Check each line of a CSV or JSON Lines file with the columns claim_id, cpt_code, modifiers "
            "(;-separated), icd10cm (;-separated), payer, place_of_service, units, and optionally variant "
            "and date_of_service. Exit status: 0 no error-level finding, 1 some, 2 unusable file."
        ),
    )
    claims.add_argument(
        "file", metavar="FILE", help="the claim file (.csv, .jsonl; CMS RIF or DE-SynPUF carrier claims, X12 837P by their header)"
    )
    claims.add_argument(
        "--columns",
        metavar="MAP",
        help="the file's columns for cptkg's: claim_id=CLM_ID,cpt_code=HCPCS_CD,modifiers=A+B,... or a YAML file",
    )
    claims.add_argument(
        "--other-codes",
        choices=("auto", "skip", "check"),
        default="auto",
        help="lines for codes the graph does not hold: skip (count them), check, or auto (skip in payer exports)",
    )
    claims.add_argument("--format", choices=FORMATS, default="text", help="how to write the findings (default text)")
    claims.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary on standard error")
    add_output_options(claims)
    claims.set_defaults(handler=run_claims)


def run_claims(args: argparse.Namespace) -> int:
    """Check each line of a claim file and write its findings as they come; the exit status says whether one is an error."""
    from tqdm import tqdm

    from ..claims import ClaimRules, Tally, check_records, count_records, open_claims

    source = open_claims(args.file, args.columns)  # a file that cannot be used fails here, before any output
    records = source.records
    rules = ClaimRules(knowledge_graph(args))
    show_progress = not args.quiet and sys.stderr.isatty()
    # the JSON's "lines" of an export is written after its findings, from the tally (no second pass over the file)
    counted = show_progress or (args.format == "json" and source.layout == "cptkg")
    lines = count_records(args.file, args.columns) if counted else None
    tally = Tally()
    tally.layout, tally.notices = source.layout, source.notices
    skip = args.other_codes == "skip" or (args.other_codes == "auto" and source.payer_wide)
    progress = tqdm(records, total=lines, unit=" lines", disable=not show_progress, file=sys.stderr, mininterval=0.5)
    with progress, output_stream(args.output, force=args.force) as out:
        from ..claims import write_findings

        findings = check_records(rules, progress, tally, skip_other_codes=skip)
        write_findings(findings, out, args.format, lines=lines, tally=tally)
    if not args.quiet and (args.output or args.format != "text"):
        print(tally.summary(), file=sys.stderr)
    if args.output and not args.quiet:
        print(f"wrote {args.output}", file=sys.stderr)
    return tally.exit_status


@contextlib.contextmanager
def output_stream(path: str | None, *, force: bool = False) -> Iterator[TextIO]:
    """Standard output, or a text stream into :func:`cptkg.core.rdfio.atomic_output` (the file is put in
    place only when complete, and never replaces an existing one without ``force``)."""
    if not path:
        yield sys.stdout
        sys.stdout.flush()
        return
    from ..core.rdfio import atomic_output

    with atomic_output(path, force=force) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # atomic_output closes the file itself

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
from pathlib import Path
from typing import BinaryIO, TextIO

from .common import add_output_options, knowledge_graph

FORMATS = ("text", "json", "csv", "parquet", "arrow")
ENGINES = ("auto", "row", "columnar", "spark")
#: ``--engine auto`` runs the columnar engine (when ``cptkg[columnar]`` is installed) on a file this large or
#: larger, and on Parquet and Arrow; the row engine on a smaller one, which it checks sooner (no polars to
#: start). Measured (benchmarks/bench_claims.py): the columnar engine is ahead from about 20,000 lines (1 MiB).
AUTO_COLUMNAR_BYTES = 2 * 2**20
#: The address space the columnar engine needs to start (polars and Arrow map their libraries and start
#: their threads: 1.4 GiB on a small file, measured); under a lower limit (``ulimit -v``) polars aborts
#: the process, so ``--engine auto`` runs the row engine and ``--engine columnar`` is refused.
COLUMNAR_ADDRESS_SPACE = 2 * 2**30
TABLE_SUFFIXES = (".parquet", ".pq", ".arrow", ".feather", ".arrows", ".ipc")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``claims`` command to the parser."""
    claims = commands.add_parser(
        "claims",
        help="check order or claim lines (CSV, JSON Lines, Parquet, Arrow) against the graph",
        description=(
            "Check each line of a CSV, JSON Lines, Parquet or Arrow file with the columns claim_id, cpt_code, modifiers "
            "(;-separated), icd10cm (;-separated), payer, place_of_service, units, and optionally variant, "
            "date_of_service, contractor and dex_z_code. Adjacent lines with one claim_id are one claim. "
            "Exit status: 0 no error-level finding, 1 some, 2 unusable file."
        ),
    )
    claims.add_argument(
        "file",
        metavar="FILE",
        help="the claim file (.csv, .jsonl, .parquet, .arrow; CMS RIF or DE-SynPUF carrier claims, X12 837P by their header)",
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
    claims.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how to write the findings (default text; parquet and arrow write a table, with --engine columnar or spark)",
    )
    claims.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="row: line by line in Python; columnar: batches of columns with polars, each distinct claim checked once "
        "(the same findings, byte for byte); spark: on Apache Spark (cptkg[spark], see docs/spark.md); auto (default): "
        "columnar for files of 2 MiB or more and for Parquet and Arrow (with cptkg[columnar] installed, and 2 GiB of "
        "address space if ulimit -v limits it), else row",
    )
    claims.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary on standard error")
    claims.add_argument(
        "--explain",
        metavar="LINE",
        type=int,
        help="for the line numbered LINE (as in the findings), show every rule: the findings it made, or what it "
        "looked at, or why it was not evaluated (text or json)",
    )
    add_output_options(claims)
    claims.set_defaults(handler=run_claims)


def run_claims(args: argparse.Namespace) -> int:
    """Check each line of a claim file and write its findings as they come; the exit status says whether one is an error."""
    engine = chosen_engine(args)
    if engine != "row":
        return run_batches(args, engine)
    from ..claims import ClaimRules, Tally, check_records, count_records, open_claims, skips_other_codes

    source = open_claims(args.file, args.columns)  # a file that cannot be used fails here, before any output
    records = source.records
    rules = ClaimRules(knowledge_graph(args))
    if args.explain is not None:
        return explain_line(rules, records, args)
    show_progress = not args.quiet and sys.stderr.isatty()
    # the JSON's "lines" of an export is written after its findings, from the tally (no second pass over the file)
    counted = show_progress or (args.format == "json" and source.layout == "cptkg")
    lines = count_records(args.file, args.columns) if counted else None
    tally = Tally()
    tally.layout, tally.notices = source.layout, source.notices
    skip = skips_other_codes(source, args.other_codes)
    progress = progress_bar(show_progress, records, lines)
    with progress, output_stream(args.output, force=args.force) as out:
        from ..claims import write_findings

        findings = check_records(rules, progress, tally, skip_other_codes=skip)
        write_findings(findings, out, args.format, lines=lines, tally=tally)
    return finish(args, tally)


def chosen_engine(args: argparse.Namespace) -> str:
    """The engine to run: ``auto`` is columnar on a large file or a table (where its libraries are installed), else row."""
    from importlib.util import find_spec

    from ..core.errors import ParameterError

    columnar = find_spec("polars") is not None and find_spec("pyarrow") is not None
    limit = address_space_limit()
    roomy = limit is None or limit >= COLUMNAR_ADDRESS_SPACE
    tables = args.format in ("parquet", "arrow") or Path(args.file).suffix.lower() in TABLE_SUFFIXES
    engine = args.engine
    if engine == "auto":
        path = Path(args.file)
        large = tables or (path.is_file() and path.stat().st_size >= AUTO_COLUMNAR_BYTES)
        engine = "columnar" if columnar and (roomy or tables) and large and args.explain is None else "row"
    if engine == "row" and tables:
        raise ParameterError("Parquet and Arrow are read and written by --engine columnar or spark (cptkg[columnar])")
    if engine == "columnar" and not columnar:
        raise ParameterError("--engine columnar needs polars and pyarrow: pip install 'cptkg[columnar]'")
    if engine == "columnar" and not roomy:
        raise ParameterError(
            f"--engine columnar needs {COLUMNAR_ADDRESS_SPACE >> 30} GiB of address space, and the process is limited "
            f"to {limit / 2**30:.1f} GiB (ulimit -v): raise the limit, or use --engine row"
        )
    if engine != "row" and args.explain is not None:
        raise ParameterError("--explain runs on --engine row")
    return engine


def address_space_limit() -> int | None:
    """The process's limit on its address space in bytes (``ulimit -v``), or None when there is none."""
    try:
        import resource
    except ImportError:  # not on this system (Windows)
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def run_batches(args: argparse.Namespace, engine: str) -> int:
    """The columnar or Spark engine: findings written batch by batch."""
    from ..claims import ClaimRules

    if engine == "spark":
        from ..claims.spark import check_file
    else:
        from ..claims.columnar import check_file
    from ..claims.columnar.reading import count_lines, open_source

    source = open_source(args.file, args.columns)  # a file that cannot be used fails here, before any output
    if engine == "columnar":
        from ..claims.columnar import begin

        begin(source, args.format, args.other_codes)
    rules = ClaimRules(knowledge_graph(args))
    show_progress = not args.quiet and sys.stderr.isatty()
    total = count_lines(args.file, args.columns) if show_progress else None
    progress = progress_bar(show_progress, total=total)
    binary = args.format in ("parquet", "arrow")
    with progress, (binary_stream if binary else output_stream)(args.output, force=args.force) as out:
        tally = check_file(rules, source, out, args.format, progress=progress, other_codes=args.other_codes)
    return finish(args, tally)


def progress_bar(shown: bool, lines=None, total: int | None = None):
    """A progress bar on standard error over ``lines`` (or updated by hand), or, when not ``shown``, a
    stand-in that shows nothing (tqdm, slow to import, is imported only to be shown)."""
    if not shown:
        return _NoProgress(lines)
    from tqdm import tqdm

    return tqdm(lines, total=total, unit=" lines", file=sys.stderr, mininterval=0.5)


class _NoProgress(contextlib.nullcontext):
    def __init__(self, lines) -> None:
        super().__init__()
        self.lines = lines

    def __iter__(self):
        return iter(self.lines)

    def update(self, count: int = 1) -> None:
        pass


def finish(args: argparse.Namespace, tally) -> int:
    """The summary on standard error (unless quiet), and the exit status."""
    if not args.quiet and (args.output or args.format != "text"):
        print(tally.summary(), file=sys.stderr)
    if args.output and not args.quiet:
        print(f"wrote {args.output}", file=sys.stderr)
    return tally.exit_status


def explain_line(rules, records, args: argparse.Namespace) -> int:
    """Every rule of the table on one line; exit status 1 when the line has an error-level finding."""
    from ..claims import explain

    explanation = explain(rules, records, args.explain)
    with output_stream(args.output, force=args.force) as out:
        out.write(explanation.to_json() + "\n" if args.format == "json" else explanation.to_text())
    return 1 if any(o.outcome == "fired" and o.severity == "error" for o in explanation.outcomes) else 0


@contextlib.contextmanager
def binary_stream(path: str | None, *, force: bool = False) -> Iterator[BinaryIO]:
    """Standard output's bytes, or a file written through :func:`cptkg.core.output.atomic_output`."""
    if not path:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    from ..core.output import atomic_output

    with atomic_output(path, force=force) as binary:
        yield binary


@contextlib.contextmanager
def output_stream(path: str | None, *, force: bool = False) -> Iterator[TextIO]:
    """Standard output, or a text stream into :func:`cptkg.core.output.atomic_output` (the file is put in
    place only when complete, and never replaces an existing one without ``force``)."""
    if not path:
        yield sys.stdout
        sys.stdout.flush()
        return
    from ..core.output import atomic_output

    with atomic_output(path, force=force) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # atomic_output closes the file itself

"""The ``variant`` command: is a variant in the scope of a code, and what is it called?

    cptkg variant "NRAS G12D" 1-114713908-T-C [--build GRCh37] [--format text|json]
    cptkg variant --vcf calls.vcf.gz [more.vcf ...] [--build GRCh37] [--sample NAME] [--pass-only]
                  [--all-records] [--reader auto|htslib|python] [--jobs N] [--format text|json] [--quiet]

Text output is one tab-separated line per variant (input, verdict, reason) or per ALT allele of a
VCF record (line, variant, verdict, names, FILTER, build, samples, reason); JSON output is one object
per line (JSON Lines), so that a VCF of any length streams. Out of scope is an answer.

For ``--vcf``, standard error gets a line per record left out (``cptkg: error: FILE, line N:
reason`` for a record that cannot be read, ``cptkg: note: ...`` for an allele cptkg cannot place,
such as a breakend) and a summary (records read, alleles answered, left out, the build and why);
when nothing was answered the summary ends the last such line instead. Exit status: 0 every record
read, 1 some alleles left out (symbolic or breakend), 2 some records unreadable or unusable input.
"""

from __future__ import annotations

import argparse
import sys

from ..core.errors import ParameterError
from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``variant`` command to the parser."""
    from ..variants import BUILDS

    variant = commands.add_parser(
        "variant",
        help="whether a variant (HGVS, gene and protein change, genomic, SPDI, rs) or each allele of a VCF is in "
        "the scope of a code",
        description="Classify variants: in or out of the scope of a code, with their HGVS, SPDI and VRS names, "
        "coordinates on both assemblies, hotspot name and identifiers.",
    )
    variant.add_argument(
        "expressions", nargs="*", metavar="EXPR",
        help="NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp, 'NRAS G12D', 'NRAS Q61X', 1-114713908-T-C, "
        "NC_000001.10:g.115258747C>T, NC_000001.11:114716125:C:T, rs121913237",
    )  # fmt: skip
    variant.add_argument("--vcf", metavar="FILE", nargs="+", help="classify every ALT allele of VCF/BCF files")
    variant.add_argument("--build", choices=BUILDS, help="assembly of genomic coordinates (default: expressions "
                         "GRCh38; a VCF's header, else GRCh38 assumed and said)")  # fmt: skip
    variant.add_argument("--sample", action="append", metavar="NAME", help="only this sample's genotype (repeatable)")
    variant.add_argument("--pass-only", action="store_true", help="leave out records whose FILTER is not PASS")
    variant.add_argument("--all-records", action="store_true",
                         help="answer every record, not only those in the analysed genes (reads the whole file)")
    variant.add_argument("--reader", choices=["auto", "htslib", "python"], default="auto",
                         help="VCF reader: htslib (cyvcf2, for BCF and indexed files) or Python (default: auto)")
    variant.add_argument("--jobs", type=int, metavar="N",
                         help="processes to scan VCFs with (default: every core for 1 GiB of files or more, else one)")
    variant.add_argument("--hgvs-parser", choices=["auto", "builtin", "biocommons"], default="auto",
                         help="HGVS reader: biocommons hgvs (the hgvs extra) or the built-in grammar (default: auto)")
    variant.add_argument("--format", choices=["text", "json"], default="text", help="text lines or JSON Lines")
    variant.add_argument("--quiet", "-q", action="store_true", help="no summary on standard error for --vcf")
    variant.set_defaults(handler=run_variant)


def run_variant(args: argparse.Namespace) -> int:
    """Classify each variant expression, or each ALT allele of the VCF files, and write one answer a line."""
    from ..variants import classifier, parse

    if bool(args.expressions) == bool(args.vcf):
        raise ParameterError("give variant expressions or --vcf FILE (one of the two)")
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError("--jobs needs a number of 1 or more")
    kg = knowledge_graph(args)
    decide = classifier(kg)
    if args.vcf:
        return _run_vcf(args, decide)
    write = sys.stdout.write
    for expression in args.expressions:
        result = decide.classify(parse(expression, args.hgvs_parser), build=args.build or "GRCh38")
        write((result.to_json() if args.format == "json" else result.to_text()) + "\n")
    return 0


def _run_vcf(args: argparse.Namespace, decide) -> int:
    from ..core.errors import one_line
    from ..variants.vcfparallel import classify_vcfs

    several = len(args.vcf) > 1
    status = 0
    runs = classify_vcfs(decide, args.vcf, args.build, jobs=args.jobs, reader=args.reader, samples=args.sample,
                         pass_only=args.pass_only, all_records=args.all_records)  # fmt: skip
    write = sys.stdout.write
    for run in runs:
        for warning in run.warnings:
            print(f"cptkg: warning: {run.path}: {one_line(warning)}", file=sys.stderr)
        for call in run:
            write((call.to_json() if args.format == "json" else call.to_text(with_file=several)) + "\n")
        reports = [_skip_line(run, skipped) for skipped in run.skipped]
        if reports and run.calls == 0:
            reports[-1] += f"; {run.summary()}"
        elif not args.quiet:
            reports.append(f"cptkg: {run.path}: {run.summary()}")
        for report in reports:
            print(one_line(report), file=sys.stderr)
        status = max(status, 2 if run.malformed else 1 if run.skipped else 0)
    return status


def _skip_line(run, skipped) -> str:
    where = f"{run.path}, line {skipped.line}" if skipped.line is not None else f"{run.path}, {skipped.where}"
    if skipped.kind == "malformed":
        return f"cptkg: error: {where}: {skipped.reason} (record skipped)"
    return f"cptkg: note: {where}: {skipped.reason} (allele skipped)"

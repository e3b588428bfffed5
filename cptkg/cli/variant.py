"""The ``variant`` command: is a variant in the scope of a code, and what is it called?

    cptkg variant "NRAS G12D" 1-114713908-T-C [--build GRCh37] [--format text|json]
    cptkg variant --vcf calls.vcf.gz [--build GRCh37] [--format text|json] [--quiet]

Text output is one tab-separated line per variant (input, verdict, reason); JSON output is one
object per line (JSON Lines), so that a VCF of any length streams. Out of scope is an answer (exit
0); malformed input or a wrong reference base is an error (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from ..core.errors import ParameterError
from .common import knowledge_graph


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``variant`` command to the parser."""
    from ..variants import BUILDS

    variant = commands.add_parser(
        "variant",
        help="whether a variant (HGVS, gene and protein change, or genomic) is in the scope of a code",
        description="Classify variants: in or out of the scope of a code, with their HGVS names, "
        "coordinates on both assemblies, hotspot name and identifiers.",
    )
    variant.add_argument(
        "expressions", nargs="*", metavar="EXPR",
        help="NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp, 'NRAS G12D', 'NRAS Q61', 1-114713908-T-C, chr1:114713908:T>C",
    )  # fmt: skip
    variant.add_argument("--vcf", metavar="FILE", help="classify every ALT allele of a VCF file (plain or gzipped)")
    variant.add_argument(
        "--build", choices=BUILDS, default=BUILDS[0], help="assembly of genomic coordinates (default GRCh38)"
    )
    variant.add_argument("--format", choices=["text", "json"], default="text", help="text lines or JSON Lines")
    variant.add_argument("--quiet", "-q", action="store_true", help="no progress bar for --vcf")
    variant.set_defaults(handler=run_variant)


def run_variant(args: argparse.Namespace) -> int:
    """Classify each variant expression, or each ALT allele of a VCF file, and write one result a line."""
    from ..variants import classifier, classify_vcf

    if bool(args.expressions) == bool(args.vcf):
        raise ParameterError("give variant expressions or --vcf FILE (one of the two)")
    kg = knowledge_graph(args)
    if args.vcf:
        results: Iterable = classify_vcf(kg, args.vcf, build=args.build, progress=False if args.quiet else None)
    else:
        decide = classifier(kg)
        results = (decide.classify(expression, build=args.build) for expression in args.expressions)
    write = sys.stdout.write
    for result in results:
        write((result.to_json() if args.format == "json" else result.to_text()) + "\n")
    return 0

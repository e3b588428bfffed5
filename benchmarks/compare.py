"""Two checkouts of cptkg timed on the same commands, by turns, in one run: is the new one slower?

    python benchmarks/compare.py --baseline ../old-checkout            # this checkout against that one
    python benchmarks/compare.py --baseline ../old --repeats 7 --lines 100000

Each command runs as a whole process (``python -m cptkg ...`` with ``PYTHONPATH`` set to the
checkout), alternating baseline and candidate so that a change in the machine's load falls on both
alike; the table gives each side's median wall time and peak memory and the ratio candidate /
baseline. A shared, noisy machine still moves single runs by 10-20 %: read ratios near 1 as "the
same". The claim file and VCF are written once by the benchmark generators of this checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def commands(workdir: Path, lines: int) -> dict[str, list[str]]:
    """The operations compared: name -> arguments of ``python -m cptkg``."""
    sys.path.insert(0, str(HERE))
    from bench_variants import generate
    from generate_claims import write

    claims, vcf = workdir / "claims.csv", workdir / "calls.vcf"
    write(lines, claims)
    generate(vcf, lines, compress=False)
    return {
        "report 81311": ["report", "81311"],
        "report --format json": ["report", "81311", "--format", "json"],
        "check": ["check", "--format", "json"],
        "validate": ["validate", "--format", "json"],
        f"claims {lines:,} lines": ["claims", str(claims), "--format", "json", "--quiet"],
        f"variant --vcf {lines:,} records": ["variant", "--vcf", str(vcf), "--format", "json", "--quiet"],
    }


def run_once(checkout: Path, args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit status) of one ``python -m cptkg`` process."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cptkg", *args], env=env, cwd=checkout,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout (its folder)")
    parser.add_argument("--candidate", type=Path, default=ROOT, help="default: this checkout")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lines", type=int, default=100_000, help="claim lines and VCF records")
    parser.add_argument("--only", nargs="*", help="names (or prefixes) of the operations to run")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cptkg-compare-"))
    chosen = {name: cmd for name, cmd in commands(workdir, args.lines).items()
              if not args.only or any(name.startswith(prefix) for prefix in args.only)}  # fmt: skip
    print(f"baseline {args.baseline.resolve()}\ncandidate {args.candidate.resolve()}\n{args.repeats} runs each, by turns\n")
    print("| operation | baseline median | candidate median | ratio | baseline MiB | candidate MiB | exit (b/c) |")
    print("|---|---|---|---|---|---|---|")
    for name, cmd in chosen.items():
        runs: dict[str, list[tuple[float, float, int]]] = {"b": [], "c": []}
        for _ in range(args.repeats):
            runs["b"].append(run_once(args.baseline, cmd))
            runs["c"].append(run_once(args.candidate, cmd))
        b, c = (statistics.median(r[0] for r in runs[k]) for k in "bc")
        bm, cm = (max(r[1] for r in runs[k]) for k in "bc")
        codes = f"{runs['b'][0][2]}/{runs['c'][0][2]}"
        print(f"| {name} | {b:.2f} s | {c:.2f} s | {c / b:.2f} | {bm:.0f} | {cm:.0f} | {codes} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark ``cptkg claims`` on generated files of 10k, 100k and 1M lines: lines per second and peak memory.

    python benchmarks/bench_claims.py                       # 10000 100000 1000000 lines
    python benchmarks/bench_claims.py --sizes 10000 --json  # the smoke test's run

Each size runs in its own process (``python -m cptkg claims FILE --format json --output OUT --quiet``,
through a wrapper that reads the process's own peak resident memory), so the figures are those of
a user's run. In the same run, two baselines: a process that loads the graph and compiles the
lookups but checks nothing (the fixed cost in time and memory), and a plain ``csv.reader`` pass over
the largest file (the floor for reading it in Python). Memory that stays flat across sizes is what
streaming promises; ``rss growth`` is the peak over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_claims import write

# Runs in the child: the command line in-process, then its wall time and peak RSS (Linux: KiB).
CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from cptkg.cli import main
argv = sys.argv[1:]
if argv == ["--baseline"]:
    import cptkg
    from cptkg.claims import ClaimRules
    ClaimRules(cptkg.load())
    status = 0
else:
    status = main(argv)
print(json.dumps({"status": status, "seconds": time.perf_counter() - start,
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=sys.stderr)
"""


def child(*argv: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, cwd=ROOT, check=False)
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    if stats["status"] not in (0, 1):
        raise SystemExit(f"cptkg claims failed: {done.stderr}")
    return stats


def csv_floor(path: Path) -> float:
    import csv

    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            pass
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, help="where to write the generated files (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        baseline = child("--baseline")
        report = {
            "baseline": {
                "seconds": round(baseline["seconds"], 3),
                "peak_rss_mib": round(baseline["peak_rss_kib"] / 1024, 1),
            },
            "runs": [],
        }
        for size in args.sizes:
            source = write(size, workdir / f"claims-{size}.csv")
            output = workdir / f"findings-{size}.json"
            output.unlink(missing_ok=True)
            stats = child("claims", str(source), "--format", "json", "--output", str(output), "--quiet")
            checking = max(stats["seconds"] - baseline["seconds"], 1e-9)
            floor = csv_floor(source)
            report["runs"].append({
                "lines": size,
                "file_mib": round(source.stat().st_size / 2**20, 1),
                "output_mib": round(output.stat().st_size / 2**20, 1),
                "seconds": round(stats["seconds"], 2),
                "lines_per_second": round(size / stats["seconds"]),
                "checking_lines_per_second": round(size / checking),
                "peak_rss_mib": round(stats["peak_rss_kib"] / 1024, 1),
                "rss_growth_mib": round((stats["peak_rss_kib"] - baseline["peak_rss_kib"]) / 1024, 1),
                "csv_reader_seconds": round(floor, 3),
                "ratio_to_csv_reader": round(checking / floor, 1),
            })  # fmt: skip
            source.unlink()
            output.unlink()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"baseline (load graph, compile lookups): {report['baseline']['seconds']} s, {report['baseline']['peak_rss_mib']} MiB"
        )
        print(
            f"{'lines':>9} {'seconds':>8} {'lines/s':>9} {'checking lines/s':>17} {'peak MiB':>9} {'growth MiB':>11} {'x csv.reader':>13}"
        )
        for run in report["runs"]:
            print(
                f"{run['lines']:>9} {run['seconds']:>8} {run['lines_per_second']:>9} {run['checking_lines_per_second']:>17} "
                f"{run['peak_rss_mib']:>9} {run['rss_growth_mib']:>11} {run['ratio_to_csv_reader']:>13}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

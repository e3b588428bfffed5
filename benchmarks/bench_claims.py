"""Benchmark ``cptkg claims``: the row and columnar engines (and Spark, on request) against a bare
``csv.reader`` pass and a bare polars read, on generated files of 100k, 400k and 1M lines.

    python benchmarks/bench_claims.py                                  # 100k 400k 1M: row, columnar, the floors
    python benchmarks/bench_claims.py --sizes 10000 --json             # the smoke test's run
    python benchmarks/bench_claims.py --sizes 1000000 --engines columnar spark
    python benchmarks/bench_claims.py --stream 20000000                # memory of a 20M-line generated stream
    python benchmarks/bench_claims.py --spark-lines 1000000 10000000   # Spark local mode: check_dataframe

Each run is a process of its own (``python -m cptkg claims FILE --format json --output OUT --quiet
--engine E``, through a wrapper that reads the process's own peak resident memory); the floors run in
processes of their own too and time only their pass over the file. In the same run: a process that
loads the graph and compiles the lookups but checks nothing (the fixed cost), and whether the engines'
outputs are the same bytes. ``x csv.reader`` is an engine's whole process over the ``csv.reader``
pass; ``checking x`` leaves the fixed cost out.

``--stream N`` feeds N generated lines (``generate_claims.frames``, no file) through the columnar
engine in batches, writing JSON to nowhere, and samples the resident memory as it goes: flat memory is
what constant memory means. ``--spark-lines`` writes Parquet files of generated lines, reads them in a
local Spark session, checks them with ``cptkg.claims.spark.check_dataframe`` and writes the findings
as Parquet (Spark's own writer), timing the session start apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_package
from generate_claims import write

# Runs in the child: the command line in-process, then its wall time and peak RSS (Linux: KiB).
CHILD = """
import json, resource, sys, time
start = time.perf_counter()
argv = sys.argv[1:]
if argv == ["--baseline"]:
    import cptkg
    from cptkg.claims import ClaimRules
    ClaimRules(cptkg.load())
    status = 0
elif argv[0] == "--floor":
    import csv
    begin = time.perf_counter()
    with open(argv[1], encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            pass
    start, status = begin, 0
elif argv[0] == "--polars":
    import polars as pl
    begin = time.perf_counter()
    pl.read_csv(argv[1], infer_schema=False)
    start, status = begin, 0
else:
    from cptkg.cli import main
    status = main(argv)
print(json.dumps({"status": status, "seconds": time.perf_counter() - start,
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=sys.stderr)
"""


def child(*argv: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, cwd=ROOT, check=False)
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    if stats["status"] not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    return stats


def csv_floor(path: Path) -> float:
    """A plain ``csv.reader`` pass over a file, in this process (``probes.py csv-floor``)."""
    import csv

    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            pass
    return time.perf_counter() - start


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def run_size(size: int, engines: list[str], workdir: Path, baseline: dict) -> dict:
    source = write(size, workdir / f"claims-{size}.csv")
    floor, polars = child("--floor", str(source)), child("--polars", str(source))
    run: dict = {"lines": size, "file_mib": round(source.stat().st_size / 2**20, 1),
                 "csv_reader_seconds": round(floor["seconds"], 3), "polars_read_seconds": round(polars["seconds"], 3),
                 "engines": {}}  # fmt: skip
    digests = {}
    for engine in engines:
        output = workdir / f"findings-{size}-{engine}.json"
        output.unlink(missing_ok=True)
        stats = child("claims", str(source), "--format", "json", "--output", str(output), "--quiet", "--engine", engine)
        checking = max(stats["seconds"] - baseline["seconds"], 1e-9)
        run["engines"][engine] = {
            "seconds": round(stats["seconds"], 2),
            "lines_per_second": round(size / stats["seconds"]),
            "peak_rss_mib": round(stats["peak_rss_kib"] / 1024, 1),
            "x_csv_reader": round(stats["seconds"] / floor["seconds"], 1),
            "checking_x_csv_reader": round(checking / floor["seconds"], 1),
            "output_mib": round(output.stat().st_size / 2**20, 1),
        }
        digests[engine] = digest(output)
        output.unlink()
    run["identical_outputs"] = len(set(digests.values())) == 1
    first = run["engines"][engines[0]]
    run.update(lines_per_second=first["lines_per_second"], peak_rss_mib=first["peak_rss_mib"])  # the smoke test's keys
    source.unlink()
    return run


STREAM = """
import json, os, sys, time
sys.path.insert(0, "benchmarks")
import cptkg
from cptkg.claims import ClaimRules
from cptkg.claims.columnar import check_batches
from cptkg.claims.columnar.reading import KNOWN, table_batch
from generate_claims import frames

def rss():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024

count, batch, every = (int(a) for a in sys.argv[1:4])
kg = cptkg.load()
rules = ClaimRules(kg)
start = time.perf_counter()

def batches():
    line = 1
    for frame in frames(count, batch, kg=kg):
        yield table_batch(frame.to_arrow(), list(frame.columns), line)
        line += frame.height

class Samples:
    done = 0
    def update(self, lines):
        before, self.done = self.done, self.done + lines
        if before // every != self.done // every or self.done == count:
            now, peak = rss()
            print(json.dumps({"lines": self.done, "seconds": round(time.perf_counter() - start, 1),
                              "rss_mib": now, "peak_rss_mib": peak}), flush=True)

with open(os.devnull, "w") as out:
    check_batches(rules, batches(), out, "json", Samples())
"""


def stream(count: int, batch: int, every: int) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", STREAM, str(count), str(batch), str(every)], capture_output=True,
                          text=True, cwd=ROOT, check=False)  # fmt: skip
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


SPARK = """
import json, sys, time
sys.path.insert(0, "benchmarks")
import cptkg
from cptkg.claims import ClaimRules
from cptkg.claims import spark as cspark
from generate_claims import frames

count, folder = int(sys.argv[1]), sys.argv[2]
kg = cptkg.load()
rules = ClaimRules(kg)
for part, frame in enumerate(frames(count, 1_000_000, kg=kg)):
    frame.with_row_index("line", offset=part * 1_000_000 + 2).write_parquet(f"{folder}/in/part-{part:05d}.parquet")
begin = time.perf_counter()
session = cspark.session()
started = time.perf_counter()
lines = session.read.parquet(f"{folder}/in")
found = cspark.check_dataframe(rules, lines)
found.write.mode("overwrite").parquet(f"{folder}/out")
checked = time.perf_counter()
findings = session.read.parquet(f"{folder}/out").count()
print(json.dumps({"lines": count, "session_seconds": round(started - begin, 1),
                  "check_and_write_seconds": round(checked - started, 1), "findings": findings,
                  "cores": session.sparkContext.defaultParallelism}))
"""


def spark_run(count: int, workdir: Path) -> dict:
    folder = workdir / f"spark-{count}"
    (folder / "in").mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-c", SPARK, str(count), str(folder)], capture_output=True, text=True,
                          cwd=ROOT, check=False)  # fmt: skip
    if done.returncode:
        raise SystemExit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 400_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["row", "columnar"], choices=["row", "columnar", "spark"])
    parser.add_argument("--stream", type=int, help="lines of a generated stream through the columnar engine")
    parser.add_argument("--batch", type=int, default=100_000, help="lines per batch of --stream")
    parser.add_argument("--spark-lines", type=int, nargs="*", default=[], help="Spark local-mode runs of these sizes")
    parser.add_argument("--workdir", type=Path, help="where to write the generated files (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    compile_package()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        baseline = child("--baseline")
        report: dict = {
            "baseline": {"seconds": round(baseline["seconds"], 3), "peak_rss_mib": round(baseline["peak_rss_kib"] / 1024, 1)},
            "runs": [run_size(size, args.engines, workdir, baseline) for size in args.sizes],
        }  # fmt: skip
        if args.stream:
            report["stream"] = stream(args.stream, args.batch, max(args.stream // 20, args.batch))
        report["spark"] = [spark_run(count, workdir) for count in args.spark_lines]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0


def show(report: dict) -> None:
    base = report["baseline"]
    print(f"baseline (load graph, compile lookups): {base['seconds']} s, {base['peak_rss_mib']} MiB")
    print(f"{'lines':>9} {'engine':>9} {'seconds':>8} {'lines/s':>9} {'peak MiB':>9} {'x csv.reader':>13} "
          f"{'checking x':>11} {'csv.reader s':>13} {'polars s':>9} {'same bytes':>10}")  # fmt: skip
    for run in report["runs"]:
        for engine, e in run["engines"].items():
            print(f"{run['lines']:>9} {engine:>9} {e['seconds']:>8} {e['lines_per_second']:>9} {e['peak_rss_mib']:>9} "
                  f"{e['x_csv_reader']:>13} {e['checking_x_csv_reader']:>11} {run['csv_reader_seconds']:>13} "
                  f"{run['polars_read_seconds']:>9} {run['identical_outputs']!s:>10}")  # fmt: skip
    for sample in report.get("stream", []):
        print(f"stream: {sample['lines']:>11,} lines {sample['seconds']:>8} s  RSS {sample['rss_mib']} MiB (peak {sample['peak_rss_mib']})")
    for run in report.get("spark", []):
        print(f"spark local[{run['cores']}]: {run['lines']:,} lines: session {run['session_seconds']} s, "
              f"check_dataframe and write Parquet {run['check_and_write_seconds']} s ({run['findings']:,} findings)")


if __name__ == "__main__":
    sys.exit(main())

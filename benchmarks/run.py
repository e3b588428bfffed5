"""The benchmark suite: cptkg against the naive use of its own libraries, from one code to a thousand.

    python benchmarks/run.py                                   # the full run: writes BENCHMARKS.md
    python benchmarks/run.py --sizes 1 10 --lines 10000 --output /tmp/b.md   # a quick one

For each graph size (``--sizes``, codes; ``benchmarks/generate.py`` writes the graphs) and each
operation, cptkg and the naive baseline run on the same input in the same run, each in its own
process, measured from the outside: wall time (interpreter start-up included) and peak resident
memory (``wait4`` rusage of the child). A process still running at ``--cap`` seconds is killed and
recorded as "> cap".

| operation | cptkg | baseline |
|---|---|---|
| report | ``cptkg --load codes report 81311`` (cold) | ``import rdflib`` and parse the same files |
| queries | every named query through ``cptkg.load()`` | pyoxigraph running the same SPARQL on the same files (in the same process, by turns); rdflib (naive) |
| validate | ``cptkg --load codes validate`` (when the command exists) | the ``pyshacl`` command line on ``all.ttl`` and ``shapes.ttl`` |
| check | ``cptkg --load codes check`` | rdflib parse + owlrl ``RDFS_OWLRL_Semantics`` closure, its error nodes |
| push | ``cptkg --load codes push`` into an oxigraph server, then the named queries with the remote backend | a Graph Store Protocol POST of ``all.ttl``; the embedded pyoxigraph queries |
| variant --vcf | ``cptkg variant --vcf FILE --format json`` (``--lines``); the same file bgzipped and tabix-indexed (region read) | reading and splitting the VCF (``bench_variants.read_only``); cyvcf2's full scan and region query; ``cptkg variant "NRAS G12D"`` |
| claims | ``cptkg claims FILE --format json`` (``--lines``): the default engine, and ``--engine row`` and ``columnar`` | a ``csv.reader`` pass (``bench_claims.csv_floor``); a bare polars read |

Raw figures go to ``results.json`` in the work folder; ``--render results.json`` rewrites the
Markdown from them without measuring again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
for path in (ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

PROBES = str(HERE / "probes.py")
PY = sys.executable
#: Operations on files of N lines (and the export readers), run once, not per graph size.
FILE_OPERATIONS = ("variant", "claims", "exports")
OPERATIONS = ("report", "queries", "validate", "check", "push", "variant", "claims", "exports")


# ---------------------------------------------------------------- measuring one process


#: GNU time, when installed: it reports the peak RSS of the command alone. A child's own rusage
#: would not do: Linux carries the high-water mark across fork and exec, so a child of this (large,
#: graph-generating) process would report at least this process's memory.
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
_RSS_MARK = "@@cptkg-bench-peak-rss-kib "


def measure(argv: Sequence[str], cap: float, stdout: Path | None = None) -> dict:
    """Run ``argv`` in its own process group; wall seconds, peak RSS (MiB), exit status, whether the cap stopped it."""
    killed = threading.Event()
    command = [TIME, "-f", _RSS_MARK + "%M", *argv] if TIME else list(argv)
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT, start_new_session=True)

        def stop() -> None:
            killed.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(cap, stop)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    marks = [int(line[len(_RSS_MARK) :]) for line in lines if line.startswith(_RSS_MARK)]
    tail = [line for line in lines if not line.startswith((_RSS_MARK, "Command exited with"))][-3:]
    return {
        "seconds": round(elapsed, 3),
        # a process stopped at the cap leaves no GNU time line: its rusage (an upper bound) stands in
        "peak_rss_mib": round((marks[-1] if marks else usage.ru_maxrss) / 1024, 1),
        "status": process.returncode,
        "timed_out": killed.is_set(),
        "stderr": tail if process.returncode not in (0, 1) and not killed.is_set() else [],
    }


def json_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by the cap, or a tool's own output
            pass
    return lines


def cptkg_has(command: str) -> bool:
    """Whether this checkout's command line has ``command`` (capabilities land while the suite runs)."""
    from cptkg.cli import parser

    actions = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return any(command in a.choices for a in actions)


# ---------------------------------------------------------------- the suite


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.workdir
        self.results: dict = {"machine": machine(), "started": now(), "cap_s": args.cap, "graphs": {}, "runs": []}
        self.results_path = self.work / "results.json"

    def save(self) -> None:
        self.results["finished"] = now()
        self.results_path.write_text(json.dumps(self.results, indent=1) + "\n", encoding="utf-8")

    def record(self, op: str, size: str | int, tool: str, argv: Sequence[str], *, stdout: Path | None = None,
               cap: float | None = None, **extra) -> dict:  # fmt: skip
        figures = measure(argv, cap or self.args.cap, stdout)
        if cap:
            extra["cap_s"] = cap
        run = {"op": op, "size": size, "tool": tool, **figures, **extra}
        self.results["runs"].append(run)
        self.save()
        shown = "> cap" if figures["timed_out"] else f"{figures['seconds']:.2f} s"
        print(
            f"  {op:<9} {size!s:>8} {tool:<11} {shown:>10} {figures['peak_rss_mib']:>8.0f} MiB  status {figures['status']}",
            flush=True,
        )
        return run

    def wanted(self, op: str) -> bool:
        return op in self.args.only

    # -------------------------------------------------------- graphs of N codes

    def graph(self, codes: int) -> tuple[Path, list[str]]:
        from generate import generate

        folder = self.work / f"codes-{codes}"
        start = time.perf_counter()
        manifest = generate(codes, folder)
        manifest["generate_s"] = round(time.perf_counter() - start, 2)
        self.results["graphs"][str(codes)] = manifest
        print(
            f"graph of {codes} codes: {manifest['triples']} triples ({manifest['generate_s']} s to generate)",
            flush=True,
        )
        load = ["--load", str(folder / "codes")] if codes > 1 else []
        return folder, load

    def run_graph(self, codes: int) -> None:
        folder, load = self.graph(codes)
        codes_dir = str(folder / "codes") if codes > 1 else ""
        merged = str(folder / "all.ttl")
        if self.wanted("report"):
            repeats = self.args.repeats if codes <= 10 else 1
            for _ in range(repeats):  # interleaved, so both see the same machine load
                self.record("report", codes, "cptkg", [PY, "-m", "cptkg", *load, "report", "81311"])
                self.record("report", codes, "naive", [PY, PROBES, "rdflib-parse", codes_dir])
                self.record("report", codes, "import", [PY, "-c", "import rdflib"])
        if self.wanted("queries"):
            # cptkg and pyoxigraph in one process, by turns (a fair ratio on a shared machine); each
            # gets a run of its own lines (the process's time and memory are those of the pair)
            out = folder / "queries-paired.jsonl"
            pair = self.record("queries", codes, "cptkg+pyoxigraph", [PY, PROBES, "paired-queries", codes_dir], stdout=out)
            lines = json_lines(out)
            for engine in ("cptkg", "pyoxigraph"):
                cases = [{k: v for k, v in line.items() if k != "engine"} for line in lines if line.get("engine") == engine]
                self.results["runs"].append({**pair, "tool": engine, "cases": cases})
            out = folder / "queries-rdflib.jsonl"
            run = self.record("queries", codes, "rdflib", [PY, PROBES, "queries", "rdflib", codes_dir], stdout=out,
                              cap=self.args.naive_query_cap)  # fmt: skip
            run["cases"] = json_lines(out)
            self.save()
        if self.wanted("validate"):
            if cptkg_has("validate"):
                self.record(
                    "validate", codes, "cptkg", [PY, "-m", "cptkg", *load, "validate"], stdout=folder / "validate.txt"
                )
            self.record("validate", codes, "naive", [shutil.which("pyshacl", path=str(Path(PY).parent)) or "pyshacl",
                        "-s", str(folder / "shapes.ttl"), merged], stdout=folder / "pyshacl.txt")  # fmt: skip
        if self.wanted("check"):
            out = folder / "check.json"
            run = self.record(
                "check", codes, "cptkg", [PY, "-m", "cptkg", *load, "check", "--format", "json"], stdout=out
            )
            try:
                report = json.loads(out.read_text(encoding="utf-8"))
                run["findings"] = _finding_summary(report)
            except (OSError, json.JSONDecodeError):
                pass
            if self.args.check_skip:  # what the other rules cost, when one rule dominates
                skips = [option for rule in self.args.check_skip for option in ("--skip", rule)]
                out = folder / "check-skip.json"
                run = self.record("check", codes, "cptkg-skip", [PY, "-m", "cptkg", *load, "check", "--format", "json", *skips],
                                  stdout=out, skipped=self.args.check_skip)  # fmt: skip
                try:
                    run["findings"] = _finding_summary(json.loads(out.read_text(encoding="utf-8")))
                except (OSError, json.JSONDecodeError):
                    pass
            out = folder / "owlrl.json"
            run = self.record("check", codes, "naive", [PY, PROBES, "owlrl", merged], stdout=out)
            naive = json_lines(out)
            if naive:
                run["owlrl"] = naive[-1]
            self.save()
        if self.wanted("push") and cptkg_has("push") and shutil.which("oxigraph", path=str(Path(PY).parent)):
            self.push(codes, folder, load, merged)

    def push(self, codes: int, folder: Path, load: list[str], merged: str) -> None:
        from tests.servers import oxigraph_server

        with tempfile.TemporaryDirectory(dir=self.work) as scratch, oxigraph_server(Path(scratch)) as base:
            self.record("push", codes, "naive", [PY, PROBES, "gsp-post", base + "/store", merged])
            self.record("push", codes, "cptkg", [PY, "-m", "cptkg", *load, "push", "--store", base + "/store"])
            out = folder / "queries-remote.jsonl"
            run = self.record("queries", codes, "remote", [PY, PROBES, "remote-queries", base + "/query"], stdout=out)
            run["cases"] = json_lines(out)
            self.save()

    # -------------------------------------------------------- files of N lines

    def run_variant(self, folder: Path, lines: int) -> None:
        """A whole-genome-shaped VCF: cptkg's full scan against the split floor and htslib's (cyvcf2) own scan;
        the same file bgzipped and tabix-indexed: cptkg's region read against cyvcf2's query and one expression."""
        import importlib.util

        from bench_variants import generate as generate_vcf
        from bench_variants import index as index_vcf

        vcf = folder / "variants.vcf"
        generate_vcf(vcf, lines)
        out = folder / "variants.jsonl"
        cptkg_vcf = [PY, "-m", "cptkg", "variant", "--format", "json", "--quiet", "--vcf"]
        self.record("variant", lines, "cptkg", [*cptkg_vcf, str(vcf)], stdout=out,
                    file_mib=round(vcf.stat().st_size / 2**20, 1))  # fmt: skip
        self.record("variant", lines, "floor", [PY, PROBES, "vcf-floor", str(vcf)])
        if importlib.util.find_spec("cyvcf2") is not None:
            self.record("variant", lines, "cyvcf2", [PY, PROBES, "vcf-cyvcf2", str(vcf)])
            indexed = index_vcf(vcf)
            if indexed is not None:
                self.record("variant", lines, "region", [*cptkg_vcf, str(indexed)], stdout=out)
                self.record("variant", lines, "region-cyvcf2", [PY, PROBES, "vcf-region", str(indexed)])
                for path in (indexed, Path(f"{indexed}.tbi")):
                    path.unlink(missing_ok=True)
        self.record("variant", lines, "expression", [PY, "-m", "cptkg", "variant", "NRAS G12D"], stdout=out)
        out.unlink(missing_ok=True)
        vcf.unlink()

    def run_lines(self, lines: int) -> None:
        from generate_claims import write as write_claims

        folder = self.work / f"lines-{lines}"
        folder.mkdir(parents=True, exist_ok=True)
        if self.wanted("variant"):
            self.run_variant(folder, lines)
        if self.wanted("claims"):
            claims = write_claims(lines, folder / "claims.csv")
            for engine in ("auto", "row", "columnar"):  # cptkg (the default engine), and each engine by name
                out = folder / "findings.json"
                out.unlink(missing_ok=True)
                tool = "cptkg" if engine == "auto" else engine
                self.record("claims", lines, tool, [PY, "-m", "cptkg", "claims", str(claims), "--format", "json", "--output", str(out), "--quiet", "--engine", engine],
                            file_mib=round(claims.stat().st_size / 2**20, 1))  # fmt: skip
            out.unlink(missing_ok=True)
            for tool, probe in (("floor", "csv-floor"), ("polars", "polars-floor")):  # the pass alone, timed inside too
                said = folder / f"{probe}.jsonl"
                run = self.record("claims", lines, tool, [PY, PROBES, probe, str(claims)], stdout=said)
                run["read_s"] = (json_lines(said) or [{}])[-1].get("read_s")
                self.save()
            claims.unlink()

    def run_exports(self) -> None:
        """The readers of exported files against a bare pass over the same file (``bench_exports.py``,
        whose own figures are timed inside its process)."""
        said = self.work / "exports.json"
        run = self.record("exports", "default", "bench_exports", [PY, str(HERE / "bench_exports.py"), "--json"], stdout=said)
        try:
            run["figures"] = json.loads(said.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            run["figures"] = None  # stopped at the cap, or failed: the run's status says which
        self.save()

    def run(self) -> None:
        for codes in self.args.sizes:
            self.run_graph(codes)
            if not self.args.keep:
                shutil.rmtree(self.work / f"codes-{codes}", ignore_errors=True)
        for lines in self.args.lines:
            self.run_lines(lines)
        if self.wanted("exports") and self.args.lines:  # once, with the files of N lines
            self.run_exports()
        self.results["machine"]["load_average_end"] = os.getloadavg()
        self.save()


def _finding_summary(report: dict) -> dict:
    """Counts of a ``cptkg check --format json`` report, and the resources its error findings name."""
    counts: dict[str, int] = {}
    named = set()
    for finding in report.get("findings", []):
        key = f"{finding['severity']}:{finding['rule']}"
        counts[key] = counts.get(key, 0) + 1
        if finding["severity"] == "error":
            named |= {r["id"] for r in finding["resources"]}
    return {"consistent": report.get("consistent"), "asserted": report.get("asserted_triples"),
            "inferred": report.get("inferred_triples"), "counts": counts, "error_resources": sorted(named)}  # fmt: skip


# ---------------------------------------------------------------- machine


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:  # not Linux
        memory_kib = 0
    versions = {}
    for name in ("cptkg", "rdflib", "pyoxigraph", "owlrl", "pyshacl", "oxigraph"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        dirty = bool(
            subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
        )
    except OSError:
        commit, dirty = "", False
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "load_average_start": os.getloadavg(),
    }


# ---------------------------------------------------------------- two streams


def two_streams(args: argparse.Namespace, argv: list[str]) -> dict:
    """Run the suite as two processes at once (one per core), then merge their results.

    Stream 1: the largest graph's report, queries and check (the long ones). Stream 2: the other
    sizes, the largest graph's validate and push, then the files of N lines.
    """
    keep = _passthrough(argv)
    largest, others = max(args.sizes), sorted(set(args.sizes) - {max(args.sizes)})
    heavy = [op for op in ("report", "queries", "check") if op in args.only]
    light = [op for op in args.only if op not in heavy and op not in FILE_OPERATIONS]
    lines = [op for op in args.only if op in FILE_OPERATIONS]
    plans = [
        [["--sizes", str(largest), "--lines", "--only", *heavy]] if heavy else [],
        ([["--sizes", *map(str, others), "--lines", "--only", *args.only]] if others else [])
        + ([["--sizes", str(largest), "--lines", "--only", *light]] if light else [])
        + ([["--sizes", "--lines", *map(str, args.lines), "--only", *lines]] if lines and args.lines else []),
    ]
    parts: list[Path] = []

    def stream(number: int, plan: list[list[str]]) -> None:
        for step, extra in enumerate(plan):
            work = args.workdir / f"stream{number}-{step}"
            parts.append(work / "results.json")
            log = args.workdir / f"stream{number}-{step}.log"
            with open(log, "w") as handle:
                subprocess.run(
                    [PY, __file__, *keep, *extra, "--workdir", str(work), "--no-render"],
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                    check=False,
                )
            print(log.read_text(), flush=True)

    threads = [threading.Thread(target=stream, args=(n, plan)) for n, plan in enumerate(plans, start=1) if plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = merge([json.loads(p.read_text(encoding="utf-8")) for p in parts if p.exists()])
    (args.workdir / "results.json").write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    return merged


def _passthrough(argv: list[str]) -> list[str]:
    """The options both streams share (every option but the plan's own, the work folder and --jobs)."""
    own = {"--sizes", "--lines", "--only", "--workdir", "--jobs", "--output", "--render"}
    kept, skipping = [], False
    for item in argv:
        if item.startswith("--"):
            skipping = item.split("=", 1)[0] in own
        if not skipping:
            kept.append(item)
    return kept


def merge(parts: list[dict]) -> dict:
    """One results dict from several (runs concatenated, graphs merged, the first machine description)."""
    merged = dict(parts[0])
    merged["graphs"], merged["runs"] = {}, []
    for part in parts:
        merged["graphs"].update(part["graphs"])
        merged["runs"] += part["runs"]
    merged["started"] = min(p["started"] for p in parts)
    merged["finished"] = max(p.get("finished", p["started"]) for p in parts)
    merged["machine"]["load_average_end"] = parts[-1]["machine"].get(
        "load_average_end", merged["machine"]["load_average_start"]
    )
    merged["streams"] = len(parts)
    return merged


# ---------------------------------------------------------------- the report


def main(argv: list[str] | None = None) -> int:
    from bytecode import compile_package
    from report import render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 10, 100, 1000], help="graph sizes in codes")
    parser.add_argument(
        "--lines", type=int, nargs="*", default=[10_000, 100_000, 400_000, 1_000_000], help="claim file and VCF sizes"
    )
    parser.add_argument(
        "--only", nargs="+", choices=OPERATIONS, default=list(OPERATIONS), help="run only these operations"
    )
    parser.add_argument(
        "--cap", type=float, default=300.0, help="seconds before a process is stopped and recorded as '> cap'"
    )
    parser.add_argument(
        "--naive-query-cap",
        type=float,
        default=120.0,
        help="cap of the rdflib named-query baseline (its rows stay partial)",
    )
    parser.add_argument(
        "--check-skip",
        metavar="RULE",
        nargs="*",
        default=[],
        help="also measure cptkg check without these rules (when one rule dominates the time)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        choices=[1, 2],
        default=1,
        help="2: two streams at once, one per core (the 1,000-code graph's report, queries and check in one)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="cold-report repeats at 1 and 10 codes (medians)")
    parser.add_argument(
        "--workdir", type=Path, help="where graphs, files and results.json go (default: a new temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated graphs")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="the Markdown report to write")
    parser.add_argument(
        "--render",
        type=Path,
        nargs="+",
        metavar="RESULTS_JSON",
        help="only rewrite the report from results.json files (merged)",
    )
    parser.add_argument("--no-render", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        results = merge([json.loads(path.read_text(encoding="utf-8")) for path in args.render])
    else:
        compile_package()
        args.workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cptkg-bench-"))
        args.workdir.mkdir(parents=True, exist_ok=True)
        print(f"work folder: {args.workdir}", flush=True)
        if args.jobs == 2:
            results = two_streams(args, argv or sys.argv[1:])
        else:
            suite = Suite(args)
            suite.run()
            results = suite.results
    if args.no_render:
        return 0
    args.output.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.output}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

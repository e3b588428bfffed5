"""Benchmark ``cptkg check`` on the shipped graph, cold, against a naive full owlrl closure of the same files.

    python benchmarks/bench_check.py            # 5 runs of each, medians
    python benchmarks/bench_check.py --runs 3 --json

Both sides are whole fresh processes, measured from the outside (wall time, interpreter start-up
included), one after the other in the same run:

* ``check``: ``python -m cptkg check --format json`` (load, reason with the rules engine, every rule);
* ``owlrl``: parse the ontology and every data file into one rdflib graph and expand it with
  ``owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics)`` — the naive way to ask "is it consistent?".
  It answers with less (free-text error nodes, blind to functional clashes and keys) and is the
  baseline the issue sets: ``cptkg check`` must be at least 5 times faster.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

NAIVE = """
import owlrl
from rdflib import Graph
from cptkg.core.resources import data_sources, ontology_sources
graph = Graph()
for source in ontology_sources() + data_sources():
    graph.parse(source.path, format="turtle")
size = len(graph)
owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics).expand(graph)
print(size, len(graph) - size)
"""

COMMANDS = {
    "check": [sys.executable, "-m", "cptkg", "check", "--format", "json"],
    "owlrl": [sys.executable, "-c", NAIVE],
}


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed: {done.stderr.strip()}")
    return elapsed, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    outputs: dict[str, str] = {}
    for _ in range(args.runs):  # interleaved, so both sides see the same machine load
        for name, command in COMMANDS.items():
            elapsed, outputs[name] = timed(command)
            times[name].append(elapsed)
    report = json.loads(outputs["check"])
    asserted, inferred = (int(x) for x in outputs["owlrl"].split())
    figures = {
        "runs": args.runs,
        "check_median_s": round(statistics.median(times["check"]), 3),
        "check_max_s": round(max(times["check"]), 3),
        "owlrl_median_s": round(statistics.median(times["owlrl"]), 3),
        "ratio": round(statistics.median(times["owlrl"]) / statistics.median(times["check"]), 1),
        "check_asserted_triples": report["asserted_triples"],
        "check_inferred_triples": report["inferred_triples"],
        "check_findings": len(report["findings"]),
        "owlrl_triples": asserted,
        "owlrl_inferred_triples": inferred,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"cptkg check (cold process, rules engine): median {figures['check_median_s']} s "
              f"(max {figures['check_max_s']} s) over {args.runs} runs; "
              f"{report['asserted_triples']} asserted + {report['inferred_triples']} inferred triples")
        print(f"naive owlrl RDFS_OWLRL_Semantics (cold process): median {figures['owlrl_median_s']} s; "
              f"{asserted} triples + {inferred} inferred")
        print(f"ratio owlrl / check: {figures['ratio']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

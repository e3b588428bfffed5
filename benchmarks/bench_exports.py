"""Benchmark the readers of exported files (issue 16) against a bare pass over the same file, in the same run.

    python benchmarks/bench_exports.py                 # 100k RIF lines, 7k SSSOM rows, 10k X12 service lines
    python benchmarks/bench_exports.py --rif 10000 --json

Files are built here from the real samples of tests/data/external (rows repeated; one RIF line in a
hundred carries the graph's code, so the checks run on 1 % and the rest are counted and skipped):

* CMS RIF carrier claims: reading the records through the layout (``open_claims``) against a bare
  ``csv.reader`` pass over the same file (the floor for reading it in Python), and the whole
  ``cptkg claims FILE --format json`` command in its own process;
* SSSOM: linking a 7,000-row mapping set with sssom-py and with the plain reader;
* X12 837P: the segment walk (pyx12's segment reader) against a bare split on the segment terminator.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXTERNAL = ROOT / "tests" / "data" / "external"


def best(function, repeat: int = 3) -> float:
    """The best wall time of a few runs (the machine is shared: the best is the least disturbed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def rif_file(folder: Path, lines: int) -> Path:
    header, *rows = (EXTERNAL / "claims" / "bfd-rif-sample-a-bcarrier-multiple-lines.txt").read_text().splitlines()
    ours = rows[0].replace("|92999|", "|81311|", 1).replace("|A52|", "|C18.7|", 1)
    path = folder / "carrier.txt"
    with path.open("w") as out:
        out.write(header + "\n")
        for number in range(lines):
            out.write((ours if number % 100 == 0 else rows[number % len(rows)]) + "\n")
    return path


def bench_rif(folder: Path, lines: int) -> dict:
    from cptkg.claims import open_claims

    path = rif_file(folder, lines)

    def bare() -> None:
        with path.open(newline="") as handle:
            for _ in csv.reader(handle, delimiter="|"):
                pass

    def layout() -> None:
        for _ in open_claims(path).records:
            pass

    floor, read = best(bare), best(layout)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cptkg", "claims", str(path), "--format", "json", "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    command = time.perf_counter() - start
    answer = json.loads(done.stdout)
    return {
        "lines": lines, "bare_csv_s": round(floor, 3), "layout_read_s": round(read, 3), "ratio": round(read / floor, 2),
        "command_s": round(command, 2), "checked": len({f["line"] for f in answer["findings"]}),
        "skipped_other_codes": answer["skipped_other_codes"],
    }


def sssom_file(folder: Path, rows: int) -> Path:
    lines = (EXTERNAL / "sssom" / "mondo_exactmatch_ncit.excerpt.sssom.tsv").read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    columns = lines[len(header)]
    width = len(columns.split("\t"))
    body = []
    for i in range(rows):  # synthetic identifiers: a size test, not mappings anyone should use
        cells = [f"MONDO:{9000000 + i:07d}", f"synthetic {i}", "skos:exactMatch", f"NCIT:C9{i:05d}", "synthetic",
                 "semapv:ManualMappingCuration"]
        body.append("\t".join((cells + [""] * width)[:width]))
    path = folder / "large.sssom.tsv"
    path.write_text("\n".join([*header, columns, *body]) + "\n")
    return path


def bench_sssom(folder: Path, rows: int) -> dict:
    from cptkg.terminology.sssom import mapping_quads, read_table, sssom_py_version

    path = sssom_file(folder, rows)
    text = path.read_text()
    figures = {"rows": rows}
    readers = ["csv"] + (["sssom-py"] if sssom_py_version() else [])
    for reader in readers:
        figures[f"{reader}_s"] = round(best(lambda r=reader: mapping_quads(path, read_table(path, text, r), "urn:x:g"), 2), 3)
    return figures


def x12_file(folder: Path, service_lines: int) -> Path:
    text = (EXTERNAL / "x12" / "lfh-5010X222A2-example1.837").read_text()
    start, end = text.index("HL*3*"), text.index("SE*")
    block = text[start:end]
    claims = max(1, service_lines // 4)
    body = "".join(block.replace("HL*3*", f"HL*{3 + i}*", 1) for i in range(claims))
    path = folder / "large.837"
    path.write_text(text[:start] + body + text[end:])
    return path


def bench_x12(folder: Path, service_lines: int) -> dict:
    from cptkg.claims.x12 import read_837

    path = x12_file(folder, service_lines)
    floor = best(lambda: [segment.split("*") for segment in path.read_text().split("~")])
    walk = best(lambda: read_837(path), 2)
    return {"service_lines": len(read_837(path).records), "bare_split_s": round(floor, 3), "walk_s": round(walk, 3),
            "ratio": round(walk / floor, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rif", type=int, default=100_000, help="RIF carrier lines (default 100000)")
    parser.add_argument("--sssom", type=int, default=7_000, help="SSSOM rows (default 7000)")
    parser.add_argument("--x12", type=int, default=10_000, help="X12 service lines (default 10000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cptkg-bench-exports-") as folder:
        figures = {
            "rif": bench_rif(Path(folder), args.rif),
            "sssom": bench_sssom(Path(folder), args.sssom),
            "x12": bench_x12(Path(folder), args.x12),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, values in figures.items():
        print(f"{name}: " + ", ".join(f"{key} {value}" for key, value in values.items()))


if __name__ == "__main__":
    main()

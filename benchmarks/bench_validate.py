"""Benchmark ``cptkg validate`` against a plain pyshacl run on the same files, in one run.

    python benchmarks/bench_validate.py                      # sizes 1 and 4, 3 runs each, medians
    python benchmarks/bench_validate.py --sizes 1 --repeat 1 --no-cli   # the smallest run (the test's smoke run)

The files are written once per size into a scratch folder: the instance data (``cptkg export``,
Turtle; size N holds N renamed copies of every data resource), the shapes and the ontology.
Two sides, interleaved so that both see the same machine load:

* in process, after loading: ``kg.validate()`` on the loaded graph (the first call, and again), against
  ``pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology)`` on the parsed files (how a
  user would call pyshacl with the ontology as the TBox);
* whole commands (unless ``--no-cli``): ``cptkg validate --data data.ttl`` against
  ``pyshacl -s shapes.ttl -e ontology.ttl -w data.ttl``, wall time with interpreter start-up.

Prints each median and the ratio pyshacl / cptkg, and how many results each side reports (pyshacl,
given the ontology as ``ont_graph``, mixes it into the data and reports on the ontology's own terms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_files(folder: Path, size: int) -> dict[str, Path]:
    """The data (``size`` renamed copies), shapes and ontology as Turtle files."""
    from rdflib import Graph, URIRef

    import cptkg

    kg = cptkg.load()
    files = {"data": folder / "data.nt", "shapes": folder / "shapes.ttl", "ontology": folder / "ontology.ttl"}
    data = kg.data
    if size > 1:
        resources = {s for s in data.subjects() if isinstance(s, URIRef)} - set(kg.ontology.subjects())
        grown = Graph()
        for copy in range(size):
            suffix = f"-copy{copy}" if copy else ""
            for s, p, o in data:
                grown.add(
                    (
                        URIRef(f"{s}{suffix}") if s in resources else s,
                        p,
                        URIRef(f"{o}{suffix}") if o in resources else o,
                    )
                )
        data = grown
    data.serialize(files["data"], format="nt", encoding="utf-8")
    kg.shapes.serialize(files["shapes"], format="turtle")
    kg.ontology.serialize(files["ontology"], format="turtle")
    return files


def in_process(files: dict[str, Path]) -> dict[str, float]:
    import pyshacl
    from rdflib import Graph, URIRef

    import cptkg

    kg = cptkg.load(data=[files["data"]])  # pyshacl is imported above: neither side pays for imports
    start = time.perf_counter()
    report = kg.validate()
    ours = time.perf_counter() - start
    start = time.perf_counter()
    kg.validate()  # the same loaded graph again: shapes parsed, SPARQL texts prepared
    ours_again = time.perf_counter() - start
    data, shapes, ontology = (Graph().parse(files[name]) for name in ("data", "shapes", "ontology"))
    start = time.perf_counter()
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, allow_warnings=True)
    theirs = time.perf_counter() - start
    # pyshacl mixes the ontology into (a copy of) the data, so the shapes also see the ontology's
    # own classes, properties and individuals: count the results about them
    terms = set(ontology.subjects())
    foci = list(results.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))
    return {
        "cptkg": ours,
        "pyshacl": theirs,
        "cptkg again": ours_again,
        "cptkg results": len(report.results),
        "pyshacl results": len(foci),
        "pyshacl results about ontology terms": sum(focus in terms for focus in foci),
    }


def commands(files: dict[str, Path]) -> dict[str, float]:
    pyshacl = Path(sys.executable).with_name("pyshacl")
    runs = {
        "cptkg": [sys.executable, "-m", "cptkg", "validate", "--data", str(files["data"]), "--format", "json"],
        "pyshacl": [str(pyshacl), "-s", str(files["shapes"]), "-e", str(files["ontology"]), "-w", str(files["data"])],
    }
    times = {}
    for name, command in runs.items():
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times[name] = time.perf_counter() - start
        if done.returncode not in (0, 1):  # 1: does not conform (pyshacl: the ontology's own terms)
            raise SystemExit(f"{name} failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4", help="copies of the shipped data, comma-separated (default 1,4)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side per size (default 3)")
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-command comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            folder = Path(scratch) / f"size-{size}"
            folder.mkdir()
            files = write_files(folder, size)
            modes = [("after loading", in_process)] + ([] if args.no_cli else [("whole command", commands)])
            for label, measure in modes:
                runs = [measure(files) for _ in range(args.repeat)]
                ours = statistics.median(run["cptkg"] for run in runs)
                theirs = statistics.median(run["pyshacl"] for run in runs)
                print(
                    f"size {size} ({label}): cptkg validate {ours:.3f} s, pyshacl {theirs:.3f} s, "
                    f"ratio {theirs / ours:.1f}x"
                )
                if "cptkg again" in runs[0]:
                    again = statistics.median(run["cptkg again"] for run in runs)
                    print(
                        f"    cptkg validate again on the same loaded graph {again:.3f} s (ratio {theirs / again:.1f}x)"
                    )
                counts = {name: value for name, value in runs[0].items() if name.endswith(("results", "terms"))}
                if counts:
                    print("    " + ", ".join(f"{name}: {value}" for name, value in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

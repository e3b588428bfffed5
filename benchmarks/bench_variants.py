"""Benchmark: classify a generated VCF of 100,000 records (``cptkg variant --vcf``'s code path).

    python benchmarks/bench_variants.py [--records 100000] [--gzip]

The VCF mixes what a lab pipeline emits around NRAS: a quarter of the records at the bases of the
covered codons (every substitution, hotspot or not), a quarter elsewhere in NRAS (neighbouring
codons, introns), half on other chromosomes; one record in twenty is multi-allelic. It prints the
time to compile the graph's lookup tables (once per graph), records per second through
:func:`cptkg.variants.classify_vcf`, and, as a baseline measured in the same run, records per
second of merely reading and splitting the same file, so that the ratio says what classification
costs on this machine.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cptkg
from cptkg.variants import classify_vcf, tables

#: GRCh38 positions of NRAS c.34-39 and c.181-183 with their plus-strand bases (reference facts, group 3)
COVERED = {114716127: "C", 114716126: "C", 114716125: "A", 114716124: "C", 114716123: "C", 114716122: "A",
           114713909: "G", 114713908: "T", 114713907: "T"}  # fmt: skip


def generate(path: Path, records: int, compress: bool, seed: int = 6) -> None:
    rng = random.Random(seed)
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for _ in range(records):
            draw = rng.random()
            if draw < 0.25:
                pos = rng.choice(list(COVERED))
                ref = COVERED[pos]
            elif draw < 0.5:  # elsewhere in NRAS: reference bases there are not known to the graph
                pos, ref = rng.randint(114704469, 114716771), rng.choice("ACGT")
                if pos in COVERED:
                    ref = COVERED[pos]
            else:
                pos, ref = rng.randint(1_000_000, 200_000_000), rng.choice("ACGT")
            alts = [b for b in "ACGT" if b != ref]
            alt = ",".join(rng.sample(alts, 2)) if rng.random() < 0.05 else rng.choice(alts)
            chrom = "chr1" if draw < 0.75 else f"chr{rng.randint(2, 22)}"
            out.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\n")


def read_only(path: Path) -> int:
    """The baseline: open, decompress and split every record, as the classifier must."""
    count = 0
    with path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
        for line in stream:
            if not line.startswith(b"#"):
                line.rstrip(b"\r\n").split(b"\t", 5)
                count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--gzip", action="store_true", help="write and read the VCF gzipped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("bench.vcf.gz" if args.gzip else "bench.vcf")
        generate(path, args.records, args.gzip)
        kg = cptkg.load()
        start = time.perf_counter()
        tables(kg)
        compile_seconds = time.perf_counter() - start

        start = time.perf_counter()
        lines = read_only(path)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        results = in_scope = 0
        for result in classify_vcf(kg, path):
            results += 1
            in_scope += result.in_scope
        seconds = time.perf_counter() - start

    print(f"records: {lines:,} ({results:,} alleles, {in_scope:,} in scope), {'gzipped' if args.gzip else 'plain'} VCF")
    print(f"compile lookup tables (once per graph): {compile_seconds * 1000:.0f} ms")
    print(f"baseline, read and split only: {lines / baseline:,.0f} records/s ({baseline:.2f} s)")
    print(f"classify: {lines / seconds:,.0f} records/s ({seconds:.2f} s), {seconds / baseline:.1f}x the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: ``cptkg variant --vcf`` against htslib (cyvcf2) on the same files, ratios in the same run.

    python benchmarks/bench_variants.py [--records 1000000] [--samples 1] [--jobs 2]

It writes a sorted VCF of ``--records`` records shaped like a whole-genome call set (0.5% at the
bases of NRAS codons 12, 13 and 61, a little elsewhere in NRAS, the rest on chromosomes 1-22), and
measures, each after a warm-up:

* full scan: cyvcf2 iterating every record (reading CHROM and POS, what any scan must do) against
  cptkg classifying the file and writing its JSON Lines, with its Python reader and with htslib;
* region read: the same file bgzipped and tabix-indexed (generated here, not kept), cptkg against
  cyvcf2's own region query, and both against a single-expression answer; also as whole processes
  (``cptkg variant --vcf big.vcf.gz`` against ``cptkg variant "NRAS G12D"``);
* parallel: the plain file scanned by one process, then in parts by ``--jobs`` processes; and a
  cohort VCF of ``--samples`` samples the same way.

Nothing here is asserted: the figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cptkg
from cptkg.variants import classifier, tables, vcfparallel
from cptkg.variants.vcf import classify_vcf, gene_intervals

#: GRCh38 positions of NRAS c.34-39 and c.181-183 with their plus-strand bases (reference facts, group 3)
COVERED = {114716127: "C", 114716126: "C", 114716125: "A", 114716124: "C", 114716123: "C", 114716122: "A",
           114713909: "G", 114713908: "T", 114713907: "T"}  # fmt: skip
HEADER = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n##FILTER=<ID=PASS,Description=\"All filters passed\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
) + "".join(
    f"##contig=<ID=chr{n},assembly=GRCh38>\n" for n in range(1, 23)
)
PY = sys.executable


def generate(path: Path, records: int, compress: bool = False, samples: int = 1, seed: int = 6,
             nras: float = 0.005) -> None:  # fmt: skip
    """A sorted VCF of ``records`` records (``compress``: gzip, not bgzip) with ``samples`` sample columns; a
    fraction ``nras`` of them at the covered NRAS bases, a fifth of that elsewhere in NRAS."""
    import gzip

    rng = random.Random(seed)
    gene = tables(cptkg.load()).genes["NRAS"]
    span = gene.spans["GRCh38"]
    rows = []
    for _ in range(records):
        draw = rng.random()
        if draw < nras:
            pos = rng.choice(list(COVERED))
            chrom, ref = 1, COVERED[pos]
        elif draw < nras * 1.2:  # elsewhere in NRAS: the reference base where the graph knows it, else any
            chrom, pos = 1, rng.randint(span.low, span.high)
            ref = gene.plus_base("GRCh38", "1", pos) or rng.choice("ACGT")
        else:
            chrom, pos, ref = rng.randint(1, 22), rng.randint(1_000_000, 200_000_000), rng.choice("ACGT")
        alts = [b for b in "ACGT" if b != ref]
        alt = ",".join(rng.sample(alts, 2)) if rng.random() < 0.05 else rng.choice(alts)
        rows.append((chrom, pos, ref, alt))
    rows.sort()
    names = "\t".join(f"S{i}" for i in range(samples))
    genotypes = "\t".join("0/1:60,40:100" if i % 3 == 0 else "0/0:100,0:100" for i in range(samples))
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write(HEADER + f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{names}\n")
        for chrom, pos, ref, alt in rows:
            out.write(f"chr{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\tDP=100\tGT:AD:DP\t{genotypes}\n")


def read_only(path: Path) -> int:
    """The floor of ``benchmarks/run.py``: open, decompress and split every record, nothing more."""
    import gzip

    count = 0
    with path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
        for line in stream:
            if not line.startswith(b"#"):
                line.rstrip(b"\r\n").split(b"\t", 5)
                count += 1
    return count


def cyvcf2_scan(path: Path) -> int:
    """htslib's own full scan: every record parsed, CHROM and POS read."""
    import cyvcf2

    count = 0
    for record in cyvcf2.VCF(str(path), threads=1):
        _ = (record.CHROM, record.POS)
        count += 1
    return count


def cyvcf2_region(path: Path, region: str) -> int:
    """htslib's own region query of ``region`` (``chr1:low-high``)."""
    import cyvcf2

    return sum(1 for _ in cyvcf2.VCF(str(path))(region))


def nras_region(decide) -> str:
    """The interval cptkg asks an index for: NRAS's span on GRCh38 (from the graph), from 10 kb before it."""
    from cptkg.variants.vcfread import REACH

    [interval] = gene_intervals(decide, "GRCh38")
    return f"chr1:{interval.low - REACH}-{interval.high}"


def index(plain: Path) -> Path | None:
    """``plain`` bgzipped and tabix-indexed (pysam, else the bgzip and tabix commands); None if neither is here."""
    target = plain.with_suffix(".vcf.gz")
    try:
        import pysam

        pysam.tabix_index(str(plain), preset="vcf", keep_original=True, force=True)
        return target
    except ImportError:
        pass
    if shutil.which("bgzip") and shutil.which("tabix"):
        with target.open("wb") as out:
            subprocess.run(["bgzip", "-c", str(plain)], stdout=out, check=True)
        subprocess.run(["tabix", "-p", "vcf", str(target)], check=True)
        return target
    return None


def timed(function, *args, repeat: int = 1) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, value


def classify_all(decide, path: Path, reader: str) -> int:
    """What ``cptkg variant --vcf FILE --format json`` does in process: every call, its JSON line written."""
    with open(os.devnull, "w") as sink:
        calls = 0
        for call in classify_vcf(decide, path, reader=reader):
            sink.write(call.to_json() + "\n")
            calls += 1
    return calls


def parallel(decide, path: Path, jobs: int) -> int:
    vcfparallel.SPLIT_SIZE = 0  # scan in parts whatever the size, to measure the parts
    return sum(1 for run in vcfparallel.classify_vcfs(decide, [path], jobs=jobs) for _ in run)


def process(*argv: str) -> float:
    start = time.perf_counter()
    subprocess.run([PY, "-m", "cptkg", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records of the full-scan VCF")
    parser.add_argument("--genome", type=int, default=2_000_000, help="records of the whole-genome-like VCF")
    parser.add_argument("--samples", type=int, default=100, help="samples of the cohort VCF")
    parser.add_argument("--jobs", type=int, default=vcfparallel.jobs_default())
    args = parser.parse_args()
    decide = classifier(cptkg.load())
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += full_scan(decide, Path(folder) / "calls.vcf", args.records)
        rows += whole_genome(decide, Path(folder) / "genome.vcf", args.genome, args.jobs)
        rows += cohort(decide, Path(folder) / "cohort.vcf", max(1, args.genome // 20), args.samples, args.jobs)
    width = max(len(r[0]) for r in rows)
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds:8.3f} s  {ratio}")
    return 0


def full_scan(decide, plain: Path, records: int) -> list[tuple[str, float, str]]:
    """A dense VCF (0.5% of records in NRAS): what classifying costs beside htslib's own scan."""
    generate(plain, records)
    mib = plain.stat().st_size / 2**20
    cyvcf2_scan(plain), classify_all(decide, plain, "python")  # warm the page cache and the tables
    base, count = timed(cyvcf2_scan, plain, repeat=2)
    mine, calls = timed(classify_all, decide, plain, "python", repeat=2)
    hts, _ = timed(classify_all, decide, plain, "htslib")
    return [(f"cyvcf2 full scan, {count:,} records ({mib:.0f} MiB)", base, "1.00x"),
            (f"cptkg full scan, Python reader ({calls:,} calls, JSON)", mine, f"{mine / base:.2f}x cyvcf2"),
            ("cptkg full scan, htslib reader", hts, f"{hts / base:.2f}x cyvcf2")]  # fmt: skip


def whole_genome(decide, plain: Path, records: int, jobs: int) -> list[tuple[str, float, str]]:
    """A VCF with NRAS as rare as in a whole genome: read by index, and scanned by one or ``jobs`` processes."""
    generate(plain, records, nras=0.00001)
    rows = []
    indexed = index(plain)
    if indexed is not None:
        mib = indexed.stat().st_size / 2**20
        region, found = timed(cyvcf2_region, indexed, nras_region(decide), repeat=3)
        mine, calls = timed(classify_all, decide, indexed, "auto", repeat=3)
        single, _ = timed(decide.classify, "NRAS G12D", repeat=3)
        cli_region = min(process("variant", "--vcf", str(indexed), "--quiet") for _ in range(3))
        cli_single = min(process("variant", "NRAS G12D") for _ in range(3))
        rows += [(f"cyvcf2 region query, {records:,}-record genome ({mib:.0f} MiB bgzip), {found} records", region, ""),
                 (f"cptkg region read ({calls} calls)", mine, f"{mine / region:.1f}x cyvcf2's query"),
                 ("cptkg one expression (NRAS G12D), warm", single, ""),
                 ("process: cptkg variant --vcf genome.vcf.gz", cli_region, f"{cli_region / cli_single:.2f}x one expression"),
                 ("process: cptkg variant 'NRAS G12D'", cli_single, "")]  # fmt: skip
    one, _ = timed(parallel, decide, plain, 1)
    many, _ = timed(parallel, decide, plain, jobs)
    mib = plain.stat().st_size / 2**20
    return rows + [(f"plain genome VCF ({mib:.0f} MiB), 1 process", one, ""),
                   (f"plain genome VCF in parts, {jobs} processes", many, f"{one / many:.2f}x faster")]  # fmt: skip


def cohort(decide, plain: Path, records: int, samples: int, jobs: int) -> list[tuple[str, float, str]]:
    generate(plain, records, samples=samples, nras=0.00001)
    one, _ = timed(parallel, decide, plain, 1)
    many, _ = timed(parallel, decide, plain, jobs)
    size = plain.stat().st_size / 2**20
    return [(f"cohort VCF ({samples} samples, {records:,} records, {size:.0f} MiB), 1 process", one, ""),
            (f"cohort VCF, {jobs} processes", many, f"{one / many:.2f}x faster")]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())

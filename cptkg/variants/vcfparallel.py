"""Several VCF files, or one large one, scanned on every core.

Scanning is the costly part of reading a VCF that has no index: every line must be read to find
the few that concern the analysed genes. Worker processes do that scan (a file each, or a part of
one large plain file each); the main process then classifies the few lines they found, in file
order, with exact line numbers. Indexed bgzip files and BCF are read by region in the main process:
there is no scan to share.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from ..core.errors import CptkgError
from ..core.inputs import is_regular
from . import vcfread
from .classify import Classifier
from .vcf import VcfRun, classify_vcf, gene_intervals

#: a plain VCF at least this large is scanned in parts when more than one process is asked for
SPLIT_SIZE = 64 << 20
#: with no --jobs, files that add up to less than this are read by one process: starting workers costs more
#: than it saves (on a 2-core machine a 225 MiB scan took 1.6 s in one process, 1.8 s in two: BENCHMARKS.md)
PARALLEL_SIZE = 1 << 30


def jobs_default() -> int:
    """The cores this process may run on."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def classify_vcfs(classifier: Classifier, paths: list[str | Path], build: str | None = None, *, jobs: int | None = None,
                  reader: str = "auto", all_records: bool = False, **options) -> Iterator[VcfRun]:  # fmt: skip
    """The runs of several VCF files, in the order given, scanned in parallel (``jobs`` processes; None: every
    core when the files add up to :data:`PARALLEL_SIZE` or more, else one)."""
    if jobs is None:
        total = sum(Path(p).stat().st_size for p in paths if Path(p).is_file())
        jobs = jobs_default() if total >= PARALLEL_SIZE else 1
    intervals = None if all_records else gene_intervals(classifier, build)
    plans = [(Path(p), _plan(Path(p), reader, intervals, jobs, len(paths))) for p in paths]
    if jobs == 1 or all(plan is None for _, plan in plans):
        for path, _ in plans:
            yield classify_vcf(classifier, path, build, reader=reader, all_records=all_records, **options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending = [(path, _submit(pool, path, plan, intervals) if plan else None) for path, plan in plans]
        for path, futures in pending:
            if futures is None:
                yield classify_vcf(classifier, path, build, reader=reader, all_records=all_records, **options)
                continue
            yield classify_vcf(classifier, path, build, reader=reader, all_records=all_records,
                               prescanned=_gathered(futures), **options)  # fmt: skip


def _plan(path: Path, reader: str, intervals, jobs: int, files: int) -> str | None:
    """``whole`` (one worker scans the file), ``split`` (its parts on every core) or None (main process)."""
    if reader == "htslib" or intervals is None or not is_regular(path):  # a pipe is read once, by the main process
        return None
    try:
        sniffed = vcfread.sniff(path)
    except CptkgError:  # the main process reports it when it reads the file
        return None
    if sniffed.kind == "bcf" or (sniffed.index and vcfread.htslib_available()) or sniffed.cr:
        return None
    if sniffed.kind == "plain" and files == 1 and jobs > 1 and path.stat().st_size >= SPLIT_SIZE:
        return "split"
    return "whole" if files > 1 else None


def _submit(pool: ProcessPoolExecutor, path: Path, plan: str, intervals) -> list[Future]:
    if plan == "whole":
        return [pool.submit(_scan_whole, str(path), intervals)]
    header, header_lines, header_bytes = _header_of_plain(path)
    bounds = vcfread.chunk_bounds(path, header_bytes, pool._max_workers)
    starts = vcfread.prefixes(intervals)
    head: Future = Future()
    head.set_result((header, header_lines))
    return [head] + [pool.submit(vcfread.scan_chunk, str(path), a, b, starts, intervals) for a, b in bounds]


def _scan_whole(path: str, intervals) -> tuple[list[str], list[tuple[int, bytes]]]:
    sniffed = vcfread.sniff(Path(path))
    header, numbered = vcfread.header_and_body(sniffed)
    starts = vcfread.prefixes(intervals)
    return header, [(n, line) for n, line in numbered if vcfread.wanted(line, starts, intervals)]


def _header_of_plain(path: Path) -> tuple[list[str], int, int]:
    """(header lines, their number, their length in bytes) of a plain VCF."""
    header, count, size = [], 0, 0
    with path.open("rb") as raw:
        while True:
            line = raw.readline(vcfread.MAX_LINE + 1)
            if not line.startswith((b"#", vcfread.BOM + b"#")):
                return header, count, size
            header.append(line.removeprefix(vcfread.BOM).rstrip(b"\r\n").decode("utf-8", errors="replace"))
            count, size = count + 1, size + len(line)


def _gathered(futures: list[Future]) -> tuple[list[str], list[tuple[int, bytes]]]:
    """The header and the found lines, with line numbers counted across the parts."""
    if len(futures) == 1:
        return futures[0].result()
    header, line = futures[0].result()
    found = []
    for future in futures[1:]:
        count, lines = future.result()
        found.extend((line + n, text) for n, text in lines)
        line += count
    return header, found

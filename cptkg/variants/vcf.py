"""VCF files: one answer per ALT allele of each record, streamed in constant memory."""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import InputError
from .classify import Classifier
from .result import VariantResult


def classify_vcf(
    classifier: Classifier, path: str | Path, build: str = "GRCh38", progress: bool | None = False
) -> Iterator[VariantResult]:
    """One result per ALT allele of each record of a VCF file (plain or gzipped), streamed.

    ``progress``: True shows a progress bar on standard error, None shows it only when standard
    error is a terminal, False never. Memory stays constant whatever the file's length.
    """
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as error:
        raise InputError(f"cannot read the VCF file: {error.strerror or error}", path=path) from None
    with raw:
        compressed = raw.peek(2)[:2] == b"\x1f\x8b"
        stream = gzip.GzipFile(fileobj=raw) if compressed else raw
        bar = None
        if progress is not False:
            from tqdm import tqdm

            bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name,
                       file=sys.stderr, disable=None if progress is None else False, leave=False)  # fmt: skip
        try:
            yield from _records(classifier, path, stream, raw, build, bar)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise InputError(f"cannot read the VCF file: {error}", path=path) from None
        finally:
            if bar is not None:
                bar.close()

def _records(classifier: Classifier, path: Path, stream, raw, build: str, bar) -> Iterator[VariantResult]:
    fast = {}  # (chrom, pos, ref, alt) -> result: hotspot sites repeat in large files
    for number, line in enumerate(stream, start=1):
        if bar is not None and number % 8192 == 0:
            bar.update(raw.tell() - bar.n)
        if line.startswith(b"#") or not line.strip():
            continue
        columns = line.rstrip(b"\r\n").split(b"\t", 5)
        if len(columns) < 5:
            raise InputError("a VCF record needs at least 5 tab-separated columns", path=path, line=number)
        try:
            chrom, pos_text, ref = columns[0].decode(), columns[1].decode(), columns[3].decode().upper()
            alts = columns[4].decode().upper().split(",")
        except UnicodeDecodeError:
            raise InputError("the VCF record is not text", path=path, line=number) from None
        if not pos_text.isdigit():
            raise InputError(f"POS {pos_text!r} is not a position", path=path, line=number)
        for alt in alts:
            key = (chrom, pos_text, ref, alt)
            label = f"{chrom.removeprefix('chr')}-{pos_text}-{ref}-{alt}"
            if key in fast:
                result = fast[key]
            elif alt in (".", "*") or alt.startswith("<") or not re.fullmatch(r"[ACGTN]+", ref):
                what = "no alternate allele" if alt == "." else f"a symbolic allele ({alt})"
                result = VariantResult(label, False, reason=f"{what}: nothing to classify")
            else:
                try:
                    result = classifier.genomic(label, build, chrom, int(pos_text), ref, alt)
                except InputError as error:
                    raise InputError(error.reason, path=path, line=number) from None
            if len(fast) < 4096:
                fast[key] = result
            yield result
    if bar is not None:
        bar.update(raw.tell() - bar.n)

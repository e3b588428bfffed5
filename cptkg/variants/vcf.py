"""VCF files: one answer per ALT allele of each record, streamed in constant memory."""

from __future__ import annotations

import gzip
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import InputError, one_line
from ..core.inputs import bounded_lines, is_regular
from .classify import Classifier
from .result import VariantResult

#: What a REF may be (bases), and an ALT besides bases: no allele (``.``), a deletion overlap
#: (``*``), a symbolic allele (``<DEL>``) or a breakend (``G]17:198982]``).
_BASES = re.compile(r"[ACGTN]+")
_NOT_BASES = re.compile(r"[.*]|<[^<>]+>|[ACGTN]*[\[\]][^\t]*")


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
        if progress is not False and is_regular(path):  # a pipe has no size to show progress against
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

def _lines(stream) -> io.TextIOWrapper:
    """The file as text lines: any line ending (LF, CRLF, CR alone) and a UTF-8 byte-order mark read
    as such; bytes that are not UTF-8 kept (surrogate escapes) for the record that holds them to refuse."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline=None)


def _records(classifier: Classifier, path: Path, stream, raw, build: str, bar) -> Iterator[VariantResult]:
    text = _lines(stream)
    try:
        yield from _classified(classifier, path, text, raw, build, bar)
    finally:
        text.detach()  # the file is closed by its opener, not when this wrapper goes
    if bar is not None:
        bar.update(raw.tell() - bar.n)


def _classified(classifier: Classifier, path: Path, text, raw, build: str, bar) -> Iterator[VariantResult]:
    fast = {}  # (chrom, pos, ref, alt) -> result: hotspot sites repeat in large files
    for number, line in enumerate(bounded_lines(text, path), start=1):
        if bar is not None and number % 8192 == 0:
            bar.update(raw.tell() - bar.n)
        if line.startswith("#") or not line.strip():
            continue
        columns = line.rstrip("\n").split("\t", 5)
        if len(columns) < 5:
            raise InputError("a VCF record needs at least 5 tab-separated columns", path=path, line=number)
        chrom, pos_text, ref = columns[0], columns[1], columns[3].upper()
        alts = columns[4].upper().split(",")
        _check_record(path, number, "\t".join(columns[:5]), pos_text, ref, alts)
        for alt in alts:
            key = (chrom, pos_text, ref, alt)
            label = f"{chrom.removeprefix('chr')}-{pos_text}-{ref}-{alt}"
            if key in fast:
                result = fast[key]
            elif not _BASES.fullmatch(alt):
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


def _check_record(path: Path, number: int, text: str, pos: str, ref: str, alts: list[str]) -> None:
    """Refuse a record whose POS is not ASCII digits, whose REF is not bases, or one of whose ALT
    alleles is neither bases nor symbolic: one line naming the file, the line and the field."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the VCF record is not UTF-8 text", path=path, line=number) from None
    if not re.fullmatch(r"[0-9]+", pos):  # str.isdigit also takes '²' and other scripts' digits
        raise InputError(f"POS {one_line(pos)!r} is not a position (ASCII digits)", path=path, line=number)
    if not _BASES.fullmatch(ref):
        raise InputError(f"REF {one_line(ref)!r} is not a sequence of bases (A, C, G, T, N)", path=path, line=number)
    for alt in alts:
        if not (_BASES.fullmatch(alt) or _NOT_BASES.fullmatch(alt)):
            raise InputError(
                f"ALT {one_line(alt)!r} is neither bases (A, C, G, T, N) nor a symbolic allele", path=path, line=number
            )

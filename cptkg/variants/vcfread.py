"""Reading the records of a VCF file that may concern the genes the graph's codes analyse.

Two readers give the same records: htslib through cyvcf2 (``pip install "cptkg[vcf]"``), which
reads BCF and asks a bgzipped file's tabix or CSI index for the genes' intervals only, so that a
whole-genome VCF is answered without reading it; and a Python reader of plain, gzipped or bgzipped
text, which scans every line but splits only those on the genes' chromosome (and can scan parts of
a large file in parallel). Both yield ``(line number or None, record text)`` for the records that
overlap the wanted intervals; the header is read the same way by both.

The Python reader also reads what htslib refuses (a VCF body without a header, five-column
records, CR line endings, a UTF-8 byte order mark) and refuses, in one line naming the file, what
is not a VCF: a binary file, or a line longer than :data:`MAX_LINE` bytes.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from ..core.errors import InputError

#: the longest line read (a cohort VCF of 100,000 samples writes lines of a few MB)
MAX_LINE = 64 << 20
#: how far before an interval a record may start and still reach into it (its REF's length)
REACH = 10_000
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Interval:
    """Contig names a file may use for one chromosome, and 1-based inclusive bounds on it."""

    names: frozenset[str]
    low: int
    high: int


@dataclass(frozen=True)
class Sniffed:
    """What a file is: ``kind`` plain, gzip, bgzip or bcf; ``index`` an index file next to it; ``cr`` CR-only lines."""

    path: Path
    kind: str
    index: Path | None
    cr: bool


def sniff(path: Path) -> Sniffed:
    """The file's kind, refusing what is not a VCF (a binary file, a directory, an unreadable file)."""
    try:
        with path.open("rb") as raw:
            head = raw.read(1 << 16)
    except OSError as error:
        raise InputError(f"cannot read the VCF file: {error.strerror or error}", path=path) from None
    index = next((Path(f"{path}{s}") for s in (".tbi", ".csi") if Path(f"{path}{s}").is_file()), None)
    kind = "plain"
    if head[:2] == b"\x1f\x8b":
        bgzf = len(head) >= 16 and head[3] & 4 and head[12:14] == b"BC"
        kind, head = ("bgzip" if bgzf else "gzip"), _inflated(path)
        index = index if bgzf else None
    if head.startswith(b"BCF\x02"):
        return Sniffed(path, "bcf", index, False)
    if b"\x00" in head:
        raise InputError("not a VCF file: it holds binary data (NUL bytes) where text was expected", path=path)
    return Sniffed(path, kind, index if kind == "bgzip" else None, b"\r" in head and b"\n" not in head)


def _inflated(path: Path) -> bytes:
    """The first 64 KiB of a gzipped file, decompressed."""
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read(1 << 16)
    except (OSError, EOFError) as error:
        raise InputError(f"cannot read the gzipped VCF file: {error}", path=path) from None


# ---------------------------------------------------------------- text lines


def open_text(sniffed: Sniffed) -> io.BufferedIOBase:
    """The file's bytes, decompressed when it is gzipped or bgzipped."""
    if sniffed.kind in ("gzip", "bgzip"):
        return gzip.open(sniffed.path, "rb")  # type: ignore[return-value]
    return sniffed.path.open("rb")


def lines(stream, path: Path, cr: bool) -> Iterator[bytes]:
    """Lines without their end (LF, CRLF or CR), the byte order mark dropped, each at most MAX_LINE bytes."""
    first = True
    for line in _cr_lines(stream) if cr else iter(lambda: stream.readline(MAX_LINE + 1), b""):
        if len(line) > MAX_LINE:
            raise InputError(f"a line longer than {MAX_LINE >> 20} MiB: not a VCF", path=path)
        if first:
            line, first = line.removeprefix(BOM), False
        yield line.rstrip(b"\r\n")


def _cr_lines(stream) -> Iterator[bytes]:
    carry = b""
    while block := stream.read(1 << 20):
        parts = (carry + block).split(b"\r")
        carry = parts.pop()
        if len(carry) > MAX_LINE:
            yield carry
            return
        yield from parts
    if carry:
        yield carry


def header_and_body(sniffed: Sniffed, intervals: list[Interval] | None = None):
    """The header lines (decoded) and the numbered record lines that follow them (lazily); with
    ``intervals``, only the record lines that may overlap them (the cheap test of :func:`wanted`)."""
    stream = open_text(sniffed)
    numbered = enumerate(lines(stream, sniffed.path, sniffed.cr), start=1)
    try:
        header, first = _header(numbered, sniffed.path)
    except InputError:
        stream.close()
        raise
    if sniffed.cr or first is None:  # rare: CR-only line ends, or no record at all
        rest: Iterator = numbered if intervals is None else _filtered(numbered, intervals)
    elif intervals is None:
        rest = _fast_lines(stream, first[0], sniffed.path)
    else:
        rest = scan_blocks(stream, first[0], prefixes(intervals), intervals, sniffed.path)

    def body() -> Iterator[tuple[int, bytes]]:
        try:
            if first is not None and (intervals is None or wanted(first[1], prefixes(intervals), intervals)):
                yield first
            yield from rest
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise InputError(f"cannot read the VCF file: {error}", path=sniffed.path) from None
        finally:
            stream.close()

    return header, body()


def _header(numbered: Iterator[tuple[int, bytes]], path: Path) -> tuple[list[str], tuple[int, bytes] | None]:
    """The header lines (decoded) and the first line after them, numbered (None at the end)."""
    header: list[str] = []
    try:
        for number, line in numbered:
            if not line.startswith(b"#"):
                return header, (number, line)
            header.append(line.decode("utf-8", errors="replace"))
    except (OSError, EOFError) as error:
        raise InputError(f"cannot read the VCF file: {error}", path=path) from None
    return header, None


def own_header(sniffed: Sniffed) -> list[str]:
    """The header lines of a VCF text file as the file writes them (htslib's header adds lines of its
    own, such as the PASS filter's: counted from it, the records' line numbers would be off)."""
    stream = open_text(sniffed)
    try:
        return _header(enumerate(lines(stream, sniffed.path, sniffed.cr), start=1), sniffed.path)[0]
    finally:
        stream.close()


def _fast_lines(stream, number: int, path: Path) -> Iterator[tuple[int, bytes]]:
    """The numbered lines after line ``number``, ends stripped: one tight loop (most lines are only counted)."""
    for line in iter(partial(stream.readline, MAX_LINE + 1), b""):
        number += 1
        if len(line) > MAX_LINE:
            raise InputError(f"a line longer than {MAX_LINE >> 20} MiB: not a VCF", path=path)
        yield number, line.rstrip(b"\r\n")


def _filtered(numbered: Iterator[tuple[int, bytes]], intervals: list[Interval]) -> Iterator[tuple[int, bytes]]:
    starts = prefixes(intervals)
    for number, line in numbered:
        if line.startswith(starts) and wanted(line, starts, intervals):
            yield number, line


def prefixes(intervals: list[Interval]) -> tuple[bytes, ...]:
    """The line starts of records on the intervals' chromosomes (``1\\t``, ``chr1\\t``, ``NC_000001.11\\t``)."""
    return tuple(sorted({f"{name}\t".encode() for interval in intervals for name in interval.names}))


def wanted(line: bytes, starts: tuple[bytes, ...], intervals: list[Interval]) -> bool:
    """Whether a record line may overlap an interval (cheap: CHROM and POS only; a bad POS is kept, to be reported)."""
    if not line.startswith(starts):
        return False
    chrom, _, rest = line.partition(b"\t")
    pos_text = rest.split(b"\t", 1)[0]
    if not pos_text.isdigit():
        return True
    pos = int(pos_text)
    name = chrom.decode("ascii", errors="replace")
    return any(name in i.names and i.low - REACH <= pos <= i.high for i in intervals)


#: how much of a file is split into lines at once when scanning: the memory a scan takes on top of the
#: process is a few times this (a new process scanning 1M generated records: 4 MiB blocks 80 MiB at its
#: peak and 0.77-0.84 s in the process; 1 MiB 58 MiB and 0.73 s; 512 KiB 0.73 s)
BLOCK = 1 << 20


def scan_blocks(stream, number: int, starts: tuple[bytes, ...], intervals: list[Interval], path,
                limit: int | None = None) -> Iterator[tuple[int, bytes]]:  # fmt: skip
    """The numbered lines after line ``number`` that may overlap the intervals, read a block at a time (the
    lines are split and tested in C; only candidates reach Python). ``limit``: read no further than this many
    bytes, except to finish the line in progress."""
    carry = b""
    remaining = limit
    while remaining is None or remaining > 0:
        block = stream.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not block:
            break
        if remaining is not None:
            remaining -= len(block)
        data = carry + block
        if remaining is not None and remaining <= 0 and not data.endswith(b"\n"):
            data += stream.readline(MAX_LINE + 1)  # the line in progress started within the limit
        lines = data.split(b"\n")
        carry = lines.pop()
        if len(carry) > MAX_LINE:
            raise InputError(f"a line longer than {MAX_LINE >> 20} MiB: not a VCF", path=path)
        for index, line in enumerate(lines, start=1):
            if line.startswith(starts) and wanted(line, starts, intervals):
                yield number + index, line.rstrip(b"\r")
        number += len(lines)
    if carry:  # the last line has no line end
        number += 1
        if carry.startswith(starts) and wanted(carry, starts, intervals):
            yield number, carry.rstrip(b"\r")


def scan_chunk(path: str, start: int, stop: int, starts: tuple[bytes, ...], intervals: list[Interval]):
    """(lines in the chunk, [(line within the chunk, line)]) for records that may overlap the intervals.

    A chunk holds the lines that start from ``start`` to ``stop``; run in worker processes to scan a
    large plain VCF in parallel.
    """
    with open(path, "rb") as raw:
        if start:
            raw.seek(start - 1)
            if raw.read(1) != b"\n":  # the line in progress belongs to the previous chunk
                skipped = raw.readline(MAX_LINE + 1)
                if len(skipped) > MAX_LINE:
                    raise InputError(f"a line longer than {MAX_LINE >> 20} MiB: not a VCF", path=path)
        limit = stop + 1 - raw.tell()
        if limit <= 0:
            return 0, []
        counter = _Counter(raw)
        found = list(scan_blocks(counter, 0, starts, intervals, path, limit))
        return counter.lines, found


class _Counter:
    """A file that counts the line ends of what is read from it (the lines a chunk holds)."""

    def __init__(self, raw) -> None:
        self.raw, self.lines = raw, 0

    def read(self, size: int) -> bytes:
        block = self.raw.read(size)
        self.lines += block.count(b"\n")
        return block

    def readline(self, size: int) -> bytes:
        line = self.raw.readline(size)
        self.lines += line.count(b"\n")
        return line


def chunk_bounds(path: Path, header_bytes: int, jobs: int) -> list[tuple[int, int]]:
    """``jobs`` byte ranges of about the same size that cover the file after its header."""
    size = os.path.getsize(path)
    step = max(1, (size - header_bytes) // jobs)
    bounds = [(header_bytes + i * step, header_bytes + (i + 1) * step - 1) for i in range(jobs)]
    return [*bounds[:-1], (bounds[-1][0], size)]


# ---------------------------------------------------------------- htslib


def htslib_available() -> bool:
    """Whether cyvcf2 (htslib) is installed (the ``vcf`` extra); its warnings are silenced when it is."""
    try:
        import cyvcf2  # noqa: F401
    except ImportError:
        return False
    _quiet_htslib()
    return True


@cache
def _quiet_htslib() -> None:
    """htslib writes its warnings to standard error; cptkg reports problems itself (log level 0: off)."""
    import ctypes

    import cyvcf2.cyvcf2

    try:
        ctypes.CDLL(cyvcf2.cyvcf2.__file__).hts_set_log_level(0)
    except (OSError, AttributeError):  # a cyvcf2 built against a shared htslib: warnings stay on
        pass


def htslib_records(sniffed: Sniffed, intervals: list[Interval] | None) -> tuple[list[str], Iterator[tuple[int | None, bytes]]]:
    """Header lines and record lines through htslib: by region when ``intervals`` and an index are given,
    else every record (line numbers counted from the header's length, for text files)."""
    import cyvcf2

    try:
        vcf = cyvcf2.VCF(str(sniffed.path), lazy=True, threads=1)
    except Exception as error:  # noqa: BLE001 - cyvcf2 raises a bare Exception for files htslib refuses
        raise InputError(f"htslib cannot read it: {error}", path=sniffed.path) from None
    header = vcf.raw_header.rstrip("\n").split("\n") if sniffed.kind == "bcf" else own_header(sniffed)

    def by_region() -> Iterator[tuple[int | None, bytes]]:
        names = set(vcf.seqnames)
        for interval in intervals or []:
            for name in sorted(interval.names & names):
                with warnings.catch_warnings():  # (cyvcf2 warns, at the first record asked for, of a contig
                    warnings.filterwarnings("ignore", "no intervals found", UserWarning)  # the index lacks)
                    found = iter(vcf(f"{name}:{max(1, interval.low - REACH)}-{interval.high}"))
                    first = next(found, None)
                for record in () if first is None else itertools.chain([first], found):
                    yield None, str(record).rstrip("\n").encode()

    def every() -> Iterator[tuple[int | None, bytes]]:
        number = len(header) if sniffed.kind != "bcf" else None
        for record in vcf:
            if number is not None:
                number += 1
            if intervals is None or any(record.CHROM in i.names and i.low - REACH <= record.POS <= i.high
                                        for i in intervals):  # fmt: skip
                yield number, str(record).rstrip("\n").encode()

    def guarded(records: Iterator[tuple[int | None, bytes]]) -> Iterator[tuple[int | None, bytes]]:
        try:
            yield from records
        except Exception as error:  # noqa: BLE001 - cyvcf2 raises a bare Exception when htslib stops
            raise InputError(f"htslib stopped reading: {error}", path=sniffed.path) from None
        finally:
            vcf.close()

    return header, guarded(by_region() if intervals is not None and sniffed.index else every())

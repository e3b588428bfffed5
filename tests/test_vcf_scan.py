"""The block scan of a plain VCF against a line-by-line reading of the same bytes.

:func:`cptkg.variants.vcfread.scan_blocks` splits a block of the file at a time and keeps only the
lines on the genes' chromosomes; however the blocks fall (a line cut by a block's end, a block
smaller than a line, CRLF line ends, no line end at the end) and however a file is cut into chunks
for worker processes (:func:`~cptkg.variants.vcfread.scan_chunk`), it must give the lines, and the
line numbers, that reading the file line by line and testing each line gives.
"""

from __future__ import annotations

import io
import random

import pytest

from cptkg.variants import vcfread
from cptkg.variants.vcfread import Interval, chunk_bounds, prefixes, scan_blocks, scan_chunk, wanted

INTERVALS = [Interval(frozenset({"1", "chr1", "NC_000001.11"}), 114_704_469, 114_716_771)]


def _body(records: int, seed: int, line_end: bytes) -> bytes:
    pick = random.Random(seed)
    lines = []
    for _ in range(records):
        chrom = pick.choice(["1", "chr1", "2", "chr12", "NC_000001.11", "10"])
        pos = pick.choice([114_704_469 - 20_000, 114_709_000, 114_713_908, 114_716_771, 114_716_772, 5, 999_999_999])
        info = "X" * pick.choice([0, 1, 40, 300])
        lines.append(f"{chrom}\t{pos}\t.\tC\tT\t50\tPASS\tDP=10;{info}".encode())
    return line_end.join(lines)


def _by_lines(body: bytes) -> list[tuple[int, bytes]]:
    starts = prefixes(INTERVALS)
    found = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if line and wanted(line, starts, INTERVALS):
            found.append((number, line))
    return found


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("end", [True, False], ids=["line-end-at-end", "none-at-end"])
@pytest.mark.parametrize("block", [7, 100, 4096, 1 << 20])
def test_block_scan_finds_what_a_line_by_line_reading_finds(monkeypatch, line_end, end, block):
    body = _body(3000, seed=block, line_end=line_end) + (line_end if end else b"")
    expected = _by_lines(body)
    assert expected  # the fixture holds lines to find
    monkeypatch.setattr(vcfread, "BLOCK", block)
    assert list(scan_blocks(io.BytesIO(body), 0, prefixes(INTERVALS), INTERVALS, "test.vcf")) == expected


@pytest.mark.parametrize("chunks", [1, 2, 3, 7])
def test_chunks_scanned_apart_add_up_to_the_whole(tmp_path, monkeypatch, chunks):
    body = _body(2000, seed=chunks, line_end=b"\n") + b"\n"
    path = tmp_path / "body.vcf"
    path.write_bytes(body)
    monkeypatch.setattr(vcfread, "BLOCK", 997)
    found, offset = [], 0
    for start, stop in chunk_bounds(path, 0, chunks):
        lines, hits = scan_chunk(str(path), start, stop, prefixes(INTERVALS), INTERVALS)
        found += [(offset + number, line) for number, line in hits]
        offset += lines
    assert offset == body.count(b"\n")
    assert found == _by_lines(body)

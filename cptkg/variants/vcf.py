"""VCF files: one answer per ALT allele of each record that concerns a gene the graph's codes analyse.

:func:`classify_vcf` reads a VCF (plain, gzip, bgzip with a tabix or CSI index, or BCF) and yields
a :class:`VcfCall` per ALT allele of each record overlapping those genes (all records with
``all_records``): the record's line, CHROM, POS, ID, REF, ALT, FILTER (a failed filter is said,
never hidden behind "in scope"), QUAL, each sample's GT, AD, AF and DP (a ``0/0`` or ``./.`` sample
does not carry the allele), and the classification on the build the header states (or ``build``;
when neither says, GRCh38 is assumed, the answer says so and gives the GRCh37 answer where it
differs). A record that cannot be read is skipped with its line and reason, and the run goes on;
:attr:`VcfRun.skipped` and :meth:`VcfRun.summary` say what was left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.errors import InputError, ParameterError
from ..core.inputs import Spool, is_regular
from . import vcfread
from .classify import BUILDS, Classifier
from .result import VariantResult
from .vcfheader import VcfHeader, read_header
from .vcfrecord import Record, SampleCall, Skipped, allele_kind, read_record, sample_calls

ASSUMED_BUILD = "GRCh38"
READERS = ("auto", "htslib", "python")


@dataclass(frozen=True)
class VcfCall:
    """One ALT allele of one VCF record, with the record's fields and its classification.

    The classification's fields (``in_scope``, ``code``, ``hgvs_c``, ``hotspot``...) read through.
    """

    file: str
    line: int | None
    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    allele: int
    filters: tuple[str, ...] | None
    qual: float | None
    samples: tuple[SampleCall, ...]
    build: str
    build_basis: str
    result: VariantResult
    other_build: VariantResult | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["result"], name)

    @property
    def filter_status(self) -> str:
        """``PASS``, ``failed: <filters>`` or ``no filter applied`` (FILTER ``.``)."""
        if self.filters is None:
            return "no filter applied"
        return "PASS" if self.filters == ("PASS",) else f"failed: {';'.join(self.filters)}"

    @property
    def carried(self) -> bool | None:
        """Whether a sample carries the allele (None: no sample has a genotype)."""
        known = [s.carried for s in self.samples if s.carried is not None]
        return any(known) if known else None

    @property
    def verdict(self) -> str:
        """In scope or not, with a failed filter and a genotype no sample carries said."""
        result = self.result
        if not result.in_scope:
            return "out of scope"
        words = f"in scope of {result.code}"
        if self.filters is not None and self.filters != ("PASS",):
            words += f", FILTER failed ({';'.join(self.filters)})"
        if self.carried is False:
            words += ", carried by no sample"
        return words

    def record(self) -> dict[str, Any]:
        """The VCF side of the answer (JSON form)."""
        return {"file": self.file, "line": self.line, "chrom": self.chrom, "pos": self.pos, "id": self.id,
                "ref": self.ref, "alt": self.alt, "allele": self.allele, "filter": self.filter_status,
                "qual": self.qual, "samples": [s.to_dict() for s in self.samples], "build": self.build,
                "build_basis": self.build_basis, "verdict": self.verdict}  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as a dictionary: the classification's fields, then ``vcf`` and ``other_build``."""
        answer = self.result.to_dict()
        answer["vcf"] = self.record()
        answer["other_build"] = self.other_build.to_dict() if self.other_build else None
        return answer

    def to_json(self) -> str:
        """The JSON form: the classification's fields as they are, then ``vcf`` and ``other_build``."""
        body = self.result.to_json()[:-1]
        other = self.other_build.to_json() if self.other_build else "null"
        return f'{body}, "vcf": {json.dumps(self.record(), ensure_ascii=False)}, "other_build": {other}}}'

    def to_text(self, with_file: bool = False) -> str:
        """One tab-separated line: where, variant, verdict, names, FILTER, build, samples, reason."""
        where = f"{self.file}:{self.line}" if with_file else f"line {self.line}" if self.line else "record"
        result = self.result
        names = " ".join(x for x in (result.hgvs_c and result.hgvs_c.split(":", 1)[1],
                                     result.hgvs_p and result.hgvs_p.split(":", 1)[1]) if x)  # fmt: skip
        build = f"{self.build} ({self.build_basis})"
        if self.other_build is not None:
            other = self.other_build
            build += f"; on {other.build}: {'in scope of ' + str(other.code) if other.in_scope else 'out of scope'}"
            build += f" ({other.hgvs_c.split(':', 1)[1]})" if other.hgvs_c else ""
        samples = "; ".join(s.to_text() for s in self.samples)
        cells = [where, f"{self.chrom}-{self.pos}-{self.ref}-{self.alt}", self.verdict, names, f"FILTER {self.filter_status}",
                 build, samples, result.explained()]  # fmt: skip
        return "\t".join(cells)


@dataclass
class VcfRun:
    """The calls of one VCF file, read lazily: iterate it, then read ``skipped`` and :meth:`summary`."""

    path: Path
    header: VcfHeader | None = None
    build: str | None = None
    build_basis: str = ""
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    records: int = 0
    placeholders: int = 0
    filtered_out: int = 0
    calls: int = 0
    in_scope: int = 0
    region_read: bool = False
    _calls: Iterator[VcfCall] | None = None
    _answers: dict = field(default_factory=dict, repr=False)

    def __iter__(self) -> Iterator[VcfCall]:
        assert self._calls is not None
        return self._calls

    @property
    def malformed(self) -> list[Skipped]:
        """The records skipped because they could not be read (not those with alleles cptkg cannot place)."""
        return [s for s in self.skipped if s.kind == "malformed"]

    def summary(self) -> str:
        """One line: what was read, answered and skipped, and the build."""
        parts = [f"{self.records} record{'s' if self.records != 1 else ''} read in the analysed genes' intervals"
                 + (" (by index)" if self.region_read else ""),
                 f"{self.calls} allele{'s' if self.calls != 1 else ''} answered ({self.in_scope} in scope)"]  # fmt: skip
        if self.skipped:
            lines = sorted({s.line for s in self.skipped if s.line is not None})
            shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
            parts.append(f"{len(self.skipped)} skipped" + (f" (line{'s' if len(lines) > 1 else ''} {shown})" if lines else ""))
        if self.placeholders:
            parts.append(f"{self.placeholders} ALT placeholder{'s' if self.placeholders > 1 else ''} (*, <NON_REF>, .) "
                         "not classified")  # fmt: skip
        if self.filtered_out:
            parts.append(f"{self.filtered_out} record{'s' if self.filtered_out > 1 else ''} not PASS left out (--pass-only)")
        parts.append(f"build {self.build} ({self.build_basis})")
        return "; ".join(parts)


def classify_vcf(
    classifier: Classifier, path: str | Path, build: str | None = None, *, samples: list[str] | None = None,
    pass_only: bool = False, all_records: bool = False, reader: str = "auto", prescanned=None,
) -> VcfRun:  # fmt: skip
    """The calls of a VCF file (see the module docstring); ``reader``: auto, htslib or python.

    ``prescanned``: (header lines, the record lines that may concern the genes) when another
    process already scanned the file (:mod:`cptkg.variants.vcfparallel`).
    """
    if build is not None and build not in BUILDS:
        raise ParameterError(f"unknown build {build!r}; expected one of {', '.join(BUILDS)}")
    if reader not in READERS:
        raise ParameterError(f"unknown VCF reader {reader!r}; expected one of {', '.join(READERS)}")
    path = Path(path)
    if prescanned is None and path.exists() and not is_regular(path):  # a pipe: read once, into a file
        spool = Spool(path, "VCF text")
        try:
            run = spool.call(lambda: classify_vcf(classifier, spool.name, build, samples=samples, pass_only=pass_only,
                                                  all_records=all_records, reader=reader))  # fmt: skip
        except BaseException:
            spool.close()
            raise
        run.path, run._calls = path, spool.closing(run._calls)
        return run
    run = VcfRun(path)
    if prescanned is not None:
        header_lines, body = prescanned
    else:
        sniffed = vcfread.sniff(path)
        header_lines, body, run.region_read = _open(classifier, sniffed, build, all_records, reader)
    run.header = read_header(header_lines, classifier.tables)
    _choose_build(run, build)
    wanted = set(samples) if samples else None
    if wanted and not wanted <= set(run.header.samples):
        missing = sorted(wanted - set(run.header.samples))
        raise InputError(f"no sample {', '.join(missing)} in the VCF (it has {', '.join(run.header.samples) or 'none'})",
                         path=path)  # fmt: skip
    run._calls = _calls(classifier, run, body, wanted, pass_only, all_records)
    return run


def _open(classifier: Classifier, sniffed, build: str | None, all_records: bool, reader: str):
    """(header lines, numbered record lines, read by region?) with the reader the file and options call for."""
    intervals = None if all_records else gene_intervals(classifier, build)
    use_htslib = reader == "htslib" or (reader == "auto" and (sniffed.kind == "bcf" or (sniffed.index and intervals)))
    by_index = bool(intervals is not None and sniffed.index)
    if use_htslib and vcfread.htslib_available():
        try:
            header, records = vcfread.htslib_records(sniffed, intervals)
        except InputError:
            if sniffed.kind == "bcf" or reader == "htslib":
                raise
        else:
            return header, records, by_index
    elif sniffed.kind == "bcf" or reader == "htslib":
        raise InputError("reading this file with htslib needs cyvcf2: pip install 'cptkg[vcf]'", path=sniffed.path)
    header, numbered = vcfread.header_and_body(sniffed, intervals)
    return header, numbered, False


def gene_intervals(classifier: Classifier, build: str | None) -> list[vcfread.Interval]:
    """The transcript spans of the analysed genes, on ``build`` (both builds when None), with every contig name."""
    tables = classifier.tables
    intervals = []
    for gene in tables.genes.values():
        for assembly, span in gene.spans.items():
            if build not in (None, assembly):
                continue
            chromosome = tables.chromosomes.get(assembly, {}).get(span.chromosome)
            names = {span.chromosome, f"chr{span.chromosome}", f"Chr{span.chromosome}", f"CHR{span.chromosome}"}
            names |= {a for a in (chromosome.refseq, chromosome.genbank) if a} if chromosome else set()
            intervals.append(vcfread.Interval(frozenset(names), span.low, span.high))
    return intervals


def _choose_build(run: VcfRun, build: str | None) -> None:
    header = run.header
    stated = header.stated_build
    if header.conflict:
        run.warnings.append(header.conflict)
    if build is not None:
        run.build, run.build_basis = build, "--build"
        if stated and stated != build:
            run.warnings.append(f"{header.basis}, but --build {build} was given: answering on {build}")
    elif stated:
        run.build, run.build_basis = stated, f"header: {header.clues[0][1]}"
    else:
        run.build = ASSUMED_BUILD
        run.build_basis = f"assumed: {header.basis}; the GRCh37 answer is given where it differs"


def _calls(classifier, run: VcfRun, body, wanted, pass_only: bool, all_records: bool) -> Iterator[VcfCall]:
    names = run.header.samples
    intervals = None if all_records else gene_intervals(classifier, None if run.build_basis.startswith("assumed") else run.build)
    for number, raw in body:
        text = raw.decode("utf-8", errors="replace")
        record = read_record(number, text, names, wanted)
        if isinstance(record, Skipped):
            run.records += 1
            run.skipped.append(record)
            continue
        if intervals is not None and not _overlaps(record, intervals):
            continue
        run.records += 1
        if pass_only and not record.passed:
            run.filtered_out += 1
            continue
        yield from _record_calls(classifier, run, record)


def _overlaps(record: Record, intervals: list[vcfread.Interval]) -> bool:
    return any(record.chrom in i.names and record.overlaps(i.low, i.high) for i in intervals)


def _record_calls(classifier: Classifier, run: VcfRun, record: Record) -> Iterator[VcfCall]:
    calls = []
    for index, alt in enumerate(record.alts, start=1):
        kind = allele_kind(alt)
        where = f"{record.chrom.removeprefix('chr')}-{record.pos}-{record.ref}-{alt}"
        if kind == "placeholder":
            run.placeholders += 1
            continue
        if kind != "bases":
            run.skipped.append(Skipped(record.line, where, f"ALT {alt} is a {kind} allele: cptkg places only base "
                                       "changes on codons", "unsupported"))  # fmt: skip
            continue
        try:
            result, other = _classified(classifier, run, record, alt, where)
        except InputError as error:
            run.skipped.append(Skipped(record.line, where, error.reason.removeprefix(f"{where}: ")))
            return
        calls.append(VcfCall(str(run.path), record.line, record.chrom, record.pos, record.id, record.ref, alt, index,
                             record.filters, record.qual, sample_calls(record, index), run.build, run.build_basis,
                             result, other))  # fmt: skip
    for call in calls:  # a record's alleles are answered together: one bad allele skips the record
        run.calls += 1
        run.in_scope += call.result.in_scope
        yield call


def _classified(classifier: Classifier, run: VcfRun, record: Record, alt: str, where: str):
    """The allele's answer (and the other build's, when the build is assumed), shared between records
    of the same allele: answers are immutable, and the hotspot sites repeat in large files."""
    key = (where, run.build, run.build_basis.startswith("assumed"), record.chrom)
    cache = run._answers
    if key not in cache:
        if len(cache) >= 16384:
            cache.clear()
        try:
            cache[key] = _classify(classifier, run, record, alt, where)
        except InputError as error:
            cache[key] = error
    found = cache[key]
    if isinstance(found, InputError):
        raise found
    return found


def _classify(classifier: Classifier, run: VcfRun, record: Record, alt: str, where: str):
    start, end = record.pos - 1, record.pos - 1 + len(record.ref)
    result = classifier.allele(where, run.build, record.chrom, start, end, record.ref, alt)
    if result.build is None:
        result = replace(result, build=run.build)
    if not run.build_basis.startswith("assumed"):
        return result, None
    other_build = BUILDS[1] if run.build == BUILDS[0] else BUILDS[0]
    try:
        other = classifier.allele(where, other_build, record.chrom, start, end, record.ref, alt)
    except InputError:
        return result, None
    if (other.in_scope, other.hgvs_c) == (result.in_scope, result.hgvs_c):
        return result, None
    if other.build is None:
        other = replace(other, build=other_build)
    return result, other

"""Issues 16 and 19, VCFs as the world writes them: the real public files of ``tests/data/external/vcf``
(expected answers from their SOURCES.md and the reference facts), read by htslib and by the Python
reader side by side, by index, in parallel, and in the encodings files arrive in.
"""

from __future__ import annotations

import gzip
import json
import shutil
import warnings
from dataclasses import dataclass, field

import pytest

from cptkg.core.errors import InputError
from cptkg.variants import classifier, vcfparallel
from cptkg.variants.vcf import classify_vcf
from cptkg.variants.vcfread import htslib_available

from .conftest import ROOT, run_process

VCF = ROOT / "tests" / "data" / "external" / "vcf"
DERIVED = VCF / "derived"
needs_htslib = pytest.mark.skipif(not htslib_available(), reason="the vcf extra (cyvcf2) is not installed")


def raw_records(name: str) -> list[tuple[int, str, list[str]]]:
    """(line, CHROM, ALT alleles) of every record, by plain splitting: the oracle of the counts below."""
    opener = gzip.open if name.endswith(".gz") else open
    with opener(VCF / name, "rt", encoding="utf-8", newline="") as handle:
        text = handle.read().replace("\r\n", "\n")
    return [(n, line.split("\t")[0], line.split("\t")[4].split(","))
            for n, line in enumerate(text.split("\n"), start=1) if line and not line.startswith("#")]  # fmt: skip


def alleles(name: str, kinds: set[str]) -> list[tuple[int, str]]:
    """(line, ALT) of the alleles of a kind: bases, placeholder (*, <NON_REF>, .), other (symbolic, breakend)."""
    found = []
    for line, _, alts in raw_records(name):
        for alt in alts:
            kind = "placeholder" if alt in ("*", "<NON_REF>", ".") else "bases" if alt.isalpha() and "<" not in alt \
                else "other"  # fmt: skip
            if kind in kinds:
                found.append((line, alt))
    return found


@dataclass
class Expected:
    build: str
    basis: str  # a part of the build's basis
    calls: list[tuple] = field(default_factory=list)  # (line, variant, in scope, hotspot, FILTER) in the genes
    everything: dict = field(default_factory=dict)  # what --all-records must give


FILES = {
    "clinvar-20150611-grch37.excerpt.vcf": Expected("GRCh37", "##reference=GRCh37.p13", [
        (27, "1-115256536-C-T", True, None, "no filter applied"),  # c.175G>A, A59T: exon 3 (issue 22)
        (28, "1-115258747-C-T", True, "G12D", "no filter applied")]),
    "vcf2maf-muse.excerpt.vcf": Expected("GRCh37", "##contig 1 length 249250621", [
        (111, "1-115258745-C-G", True, "G13R", "failed: Tier2")], {"pass": [107, 109]}),
    "gatk4-mutect2-mc3.excerpt.vcf": Expected("GRCh37", "##contig 1 length 249250621", [], {
        "pass": [], "alleles_of_line": {146: 3}}),
    "vcf2maf-test.vcf": Expected("GRCh38", "assumed: the header names no build"),
    "vcf2maf-test-b38.vcf": Expected("GRCh38", "assumed"),
    "vcf2maf-test-pindel.vcf": Expected("GRCh37", "##reference=HG19"),
    "vcf2maf-test-delly.vcf": Expected("GRCh37", "b37"),
    "gatk-genotypegvcfs-spanningDel.combined.g.vcf": Expected("GRCh37", "##contig 1 length 249250621"),
    "gatk-haplotypecaller-NA12878-b37-chr20.excerpt.g.vcf": Expected("GRCh38", "assumed"),
    "vep-cosmic-headerless.vcf.gz": Expected("GRCh38", "assumed"),
    "vep-windows-crlf.vcf": Expected("GRCh38", "assumed"),
    "vep-test-grch38-refseq-assembly.vcf": Expected("GRCh38", "assembly=GCF_000001405.26"),
    "vrs-python-annotated-grch38.vcf": Expected("GRCh38", "##contig chr1 length 248956422", [], {"malformed": [246]}),
}  # fmt: skip


@pytest.fixture(scope="module")
def decide(kg):
    return classifier(kg)


def answers(run) -> list[tuple]:
    return [(c.line, c.input, c.in_scope, c.hotspot, c.filter_status) for c in run]


def comparable(run) -> tuple[list, list]:
    """Everything a reader gives, for comparing readers (line numbers apart: a region read has none)."""
    calls = [(c.chrom, c.pos, c.ref, c.alt, c.allele, c.filters, c.qual, c.samples, c.build, c.result.to_dict(),
              c.other_build and c.other_build.to_dict()) for c in run]  # fmt: skip
    skipped = sorted((s.where, s.reason, s.kind) for s in run.skipped)
    return calls, skipped


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_s_build_and_answers(decide, name):
    expected = FILES[name]
    run = classify_vcf(decide, VCF / name)
    assert answers(run) == expected.calls
    assert run.build == expected.build and expected.basis in run.build_basis, run.build_basis
    assert run.skipped == [], run.skipped  # records outside the genes are not read further


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_answers_every_record_with_all_records(decide, name):
    expected = FILES[name].everything
    run = classify_vcf(decide, VCF / name, all_records=True)
    calls = list(run)
    malformed = expected.get("malformed", [])
    assert [(c.line, c.alt) for c in calls] == [a for a in alleles(name, {"bases"}) if a[0] not in malformed]
    assert run.placeholders == len(alleles(name, {"placeholder"}))
    assert sorted({s.line for s in run.skipped if s.kind == "unsupported"}) == sorted(
        {line for line, _ in alleles(name, {"other"}) if line not in malformed})
    if "pass" in expected:
        assert [c.line for c in calls if c.filter_status == "PASS"] == expected["pass"]
    for line, count in expected.get("alleles_of_line", {}).items():
        assert len([c for c in calls if c.line == line]) == count
    assert sorted({s.line for s in run.skipped if s.kind == "malformed"}) == malformed
    assert not any(c.in_scope for c in calls if c.chrom not in ("1", "chr1"))


@needs_htslib
@pytest.mark.parametrize("all_records", [False, True], ids=["genes", "all"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_htslib_and_the_python_reader_give_the_same_answers(decide, name, all_records):
    python = classify_vcf(decide, VCF / name, reader="python", all_records=all_records)
    python_answers = comparable(python)
    try:
        htslib = classify_vcf(decide, VCF / name, reader="htslib", all_records=all_records)
        htslib_answers = comparable(htslib)
    except InputError as error:  # htslib refuses what is not a VCF to it: the auto reader falls back
        assert name in ("vep-cosmic-headerless.vcf.gz", "vep-windows-crlf.vcf"), str(error)
        auto = classify_vcf(decide, VCF / name, all_records=all_records)
        assert comparable(auto) == python_answers
        return
    assert htslib_answers == python_answers
    assert [c.line for c in htslib] in ([c.line for c in python], [])  # BCF has no lines


@needs_htslib
@pytest.mark.parametrize("filters", [[], ['##FILTER=<ID=PASS,Description="All filters passed">']], ids=["none", "pass"])
def test_htslib_numbers_records_as_the_file_writes_them(decide, tmp_path, filters):
    """htslib's header adds what the file's lacks (the PASS filter's line): the records are numbered from
    the file's own header, as the Python reader numbers them, and their answers and skipped lines agree."""
    path = tmp_path / "calls.vcf"
    path.write_text("\n".join([
        "##fileformat=VCFv4.2", *filters, "##contig=<ID=1,length=249250621>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        "1\t114716126\t.\tC\tT\t.\tPASS\t.",  # NRAS c.35G>A on GRCh38, line 4 or 5
        "1\t114716127\t.\tN\tT\t.\tPASS\t.",  # a REF cptkg cannot check: skipped at its line
        "1\t114716128\t.\tC\t<DEL>\t.\tPASS\t.",
    ]) + "\n")  # fmt: skip
    runs = {reader: classify_vcf(decide, path, "GRCh38", reader=reader) for reader in ("python", "htslib")}
    answers = {reader: [(c.line, c.alt) for c in run] for reader, run in runs.items()}
    first = 4 + len(filters)
    assert answers["htslib"] == answers["python"] == [(first, "T")]
    skipped = {reader: [(s.line, s.kind) for s in run.skipped] for reader, run in runs.items()}
    assert skipped["htslib"] == skipped["python"] == [(first + 1, "malformed"), (first + 2, "unsupported")]


def test_the_muse_record_s_samples(decide):
    [call] = classify_vcf(decide, VCF / "vcf2maf-muse.excerpt.vcf")
    tumour, normal = call.samples
    assert (tumour.name, tumour.gt, tumour.carried, tumour.ad, tumour.dp) == ("TUMOR", "0/1", True, (107, 10), 117)
    assert tumour.af == pytest.approx(10 / 117) and tumour.af_from == "AD"  # MuSE writes no AF
    assert (normal.name, normal.gt, normal.carried) == ("NORMAL", "0/0", False)
    assert call.verdict == "in scope of 81311, FILTER failed (Tier2)" and call.carried is True
    [only] = classify_vcf(decide, VCF / "vcf2maf-muse.excerpt.vcf", samples=["NORMAL"])
    assert [s.name for s in only.samples] == ["NORMAL"] and only.verdict.endswith("carried by no sample")
    assert list(classify_vcf(decide, VCF / "vcf2maf-muse.excerpt.vcf", pass_only=True)) == []
    with pytest.raises(InputError, match="no sample NOPE in the VCF"):
        classify_vcf(decide, VCF / "vcf2maf-muse.excerpt.vcf", samples=["NOPE"])


def test_mutect2_s_tumour_is_not_the_first_sample_and_nothing_passes(decide):
    calls = list(classify_vcf(decide, VCF / "gatk4-mutect2-mc3.excerpt.vcf", all_records=True))
    assert [s.name for s in calls[0].samples] == ["NORMAL", "TUMOR"]
    line_146 = [c for c in calls if c.line == 146]
    assert [c.alt for c in line_146] == ["G", "GT", "GTTT"] and {c.filter_status for c in line_146} == {
        "failed: artifact_in_normal;germline_risk;multiallelic;panel_of_normals"}
    assert line_146[0].samples[0].gt == "0/1/2/3" and all(c.samples[0].carried for c in line_146)
    assert {c.line: c.filter_status for c in calls if c.line in (151, 152)} == {
        151: "failed: artifact_in_normal;str_contraction", 152: "failed: artifact_in_normal;str_contraction;t_lod"}


def test_haplotypecaller_genotypes(decide):
    calls = {c.line: c for c in classify_vcf(decide, VCF / "gatk-haplotypecaller-NA12878-b37-chr20.excerpt.g.vcf",
                                              all_records=True)}  # fmt: skip
    sample = calls[98].samples[0]
    assert (calls[98].alt, sample.gt, sample.ad, sample.dp, sample.carried) == ("C", "0/1", (36, 28, 0), 64, True)
    run = classify_vcf(decide, VCF / "gatk-haplotypecaller-NA12878-b37-chr20.excerpt.g.vcf", all_records=True)
    line_118 = [c for c in run if c.line == 118]  # four ALTs with bases (and <NON_REF>), GT 2/3
    assert [(c.alt, c.samples[0].carried) for c in line_118] == [
        ("T", False), ("TTG", True), ("TTGTGTGTGTGTG", True), ("TTGTGTGTGTGTGTG", False)]
    assert all(not c.carried for c in calls.values() if c.samples[0].gt == "0/0")


@needs_htslib
@pytest.mark.parametrize("derived, same_as", [
    ("vcf2maf-muse.vcf.gz", "vcf2maf-muse.excerpt.vcf"),
    ("vcf2maf-muse.bcf", "vcf2maf-muse.excerpt.vcf"),
    ("gatk4-mutect2-mc3.vcf.gz", "gatk4-mutect2-mc3.excerpt.vcf"),
    ("gatk4-mutect2-mc3.bcf", "gatk4-mutect2-mc3.excerpt.vcf"),
])  # fmt: skip
def test_indexed_files_are_read_by_region(decide, tmp_path, derived, same_as):
    with warnings.catch_warnings():  # a contig of the header with no records is no warning (cyvcf2 gave one)
        warnings.simplefilter("error")
        run = classify_vcf(decide, DERIVED / derived)
        by_region = comparable(run)[0]
    assert run.region_read and by_region == comparable(classify_vcf(decide, VCF / same_as))[0]
    assert all(c.line is None for c in classify_vcf(decide, DERIVED / derived))
    if (DERIVED / f"{derived}.csi").exists() and derived.endswith(".vcf.gz"):  # the CSI index alone, no .tbi
        copy = tmp_path / derived
        shutil.copy(DERIVED / derived, copy)
        shutil.copy(DERIVED / f"{derived}.csi", f"{copy}.csi")
        assert comparable(classify_vcf(decide, copy))[0] == by_region


@pytest.mark.parametrize("encoding", ["bom", "cr", "crlf", "gzip", "bgzip-without-index"])
@pytest.mark.parametrize("name", ["clinvar-20150611-grch37.excerpt.vcf", "vcf2maf-muse.excerpt.vcf"])
def test_encodings_give_the_same_answers(decide, tmp_path, name, encoding):
    text = (VCF / name).read_bytes()
    data = {"bom": b"\xef\xbb\xbf" + text, "cr": text.replace(b"\n", b"\r"), "crlf": text.replace(b"\n", b"\r\n"),
            "gzip": gzip.compress(text), "bgzip-without-index": None}[encoding]  # fmt: skip
    path = tmp_path / (name + (".gz" if "gzip" in encoding else ""))
    if data is None:
        from Bio import bgzf

        with bgzf.BgzfWriter(str(path), "wb") as handle:
            handle.write(text)
    else:
        path.write_bytes(data)
    assert answers(classify_vcf(decide, path)) == answers(classify_vcf(decide, VCF / name))


@pytest.mark.parametrize("contig, position", [
    ("1", 114716126), ("chr1", 114716126), ("NC_000001.11", 114716126), ("CM000663.2", 114716126),
    ("NC_000001.10", 115258747), ("CM000663.1", 115258747),
])  # fmt: skip
def test_contig_names(decide, tmp_path, contig, position):
    """An accession names its build even where the header says nothing (G12D on GRCh37 or GRCh38)."""
    path = tmp_path / "calls.vcf"
    path.write_text(f"#CHROM\tPOS\tID\tREF\tALT\n{contig}\t{position}\t.\tC\tT\n")
    [call] = classify_vcf(decide, path)
    assert call.hotspot == "G12D" and call.line == 2


def test_build_from_the_header_or_the_option(decide, tmp_path):
    clinvar = VCF / "clinvar-20150611-grch37.excerpt.vcf"
    run = classify_vcf(decide, clinvar, build="GRCh38")
    assert list(run) == [] and run.warnings == [
        "the header says GRCh37 (##reference=GRCh37.p13), but --build GRCh38 was given: answering on GRCh38"]
    both = tmp_path / "both.vcf"
    both.write_text("##reference=hg19\n##contig=<ID=1,length=248956422>\n#CHROM\tPOS\tID\tREF\tALT\n")
    run = classify_vcf(decide, both)
    assert run.build == "GRCh38" and "assumed" in run.build_basis
    assert run.warnings and "more than one build" in run.warnings[0]


def test_a_large_plain_vcf_scanned_in_parts_gives_the_same_calls(decide, tmp_path, monkeypatch):
    """Two processes each scan half of the file; lines are numbered across the halves."""
    path = tmp_path / "cohort.vcf"
    samples = [f"S{i}" for i in range(40)]
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38", "#" + "\t".join(
        ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples])]  # fmt: skip
    genotypes = "\t".join("0/1:30,5" if i % 7 == 0 else "0/0:35,0" for i in range(40))
    for i in range(6000):
        record = ("chr1", 114716126, "C", "T") if i % 1000 == 500 else (f"chr{2 + i % 20}", 1000 + i, "A", "G")
        lines.append(f"{record[0]}\t{record[1]}\t.\t{record[2]}\t{record[3]}\t50\tPASS\t.\tGT:AD\t{genotypes}")
    path.write_text("\n".join(lines) + "\n")
    sequential = list(classify_vcf(decide, path))
    monkeypatch.setattr(vcfparallel, "SPLIT_SIZE", 0)
    [run] = list(vcfparallel.classify_vcfs(decide, [path], jobs=2))
    parallel = list(run)
    assert [(c.line, c.hotspot) for c in parallel] == [(c.line, c.hotspot) for c in sequential]
    assert [c.line for c in parallel] == [504 + 1000 * i for i in range(6)]
    assert sum(s.carried for s in parallel[0].samples) == 6


# ---------------------------------------------------------------- the command line


def test_cli_reports_skipped_records_and_exits_by_what_was_skipped(tmp_path):
    good = run_process("variant", "--vcf", str(VCF / "vcf2maf-muse.excerpt.vcf"))
    assert good.code == 0 and good.out.count("\n") == 1 and good.err.count("\n") == 1
    assert "1 allele answered (1 in scope)" in good.err and "build GRCh37" in good.err
    delly = run_process("variant", "--vcf", str(VCF / "vcf2maf-test-delly.vcf"), "--all-records")
    first, alt = alleles("vcf2maf-test-delly.vcf", {"other"})[0]
    assert delly.code == 1 and f"cptkg: note: {VCF / 'vcf2maf-test-delly.vcf'}, line {first}: ALT {alt} is a" in delly.err
    bad = tmp_path / "bad.vcf"
    bad.write_text("#CHROM\tPOS\tID\tREF\tALT\n1\t114716126\t.\tC\tT\n1\t11471612x\t.\tC\tT\n")
    run = run_process("variant", "--vcf", str(bad), "--format", "json")
    assert run.code == 2 and json.loads(run.out)["hotspot"] == "G12D"  # the good record is answered
    assert f"cptkg: error: {bad}, line 3: POS '11471612x' is not a position" in run.err
    assert run.err.strip().splitlines()[-1].startswith(f"cptkg: {bad}: 2 records read")


def test_cli_several_files_and_samples():
    run = run_process("variant", "--vcf", str(VCF / "vcf2maf-muse.excerpt.vcf"),
                      str(VCF / "clinvar-20150611-grch37.excerpt.vcf"), "--sample", "TUMOR", "--quiet")  # fmt: skip
    assert run.code == 2  # ClinVar's file has no samples
    assert run.err == f"cptkg: error: {VCF / 'clinvar-20150611-grch37.excerpt.vcf'}: no sample TUMOR in the VCF (it has none)\n"
    run = run_process("variant", "--vcf", str(VCF / "vcf2maf-muse.excerpt.vcf"),
                      str(VCF / "clinvar-20150611-grch37.excerpt.vcf"), "--jobs", "2", "--quiet")  # fmt: skip
    lines = run.out.splitlines()
    assert run.code == 0 and [line.split("\t")[0] for line in lines] == [
        f"{VCF / 'vcf2maf-muse.excerpt.vcf'}:111", f"{VCF / 'clinvar-20150611-grch37.excerpt.vcf'}:27",
        f"{VCF / 'clinvar-20150611-grch37.excerpt.vcf'}:28"]  # fmt: skip

"""Property tests for the parsers of user input added after the first pass: variant expressions, VCF
records, claim lines and mapping identifiers (CURIEs given to ``map``/``mappings --resource``).

Any input either parses to a correct answer (checked against an oracle taken from the graph: the
protein sequence, the covered codons) or fails with the package's own error and a one-line message;
never a traceback, never a wrong answer.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cptkg
from cptkg.core.errors import CptkgError, InputError
from cptkg.core.prefixes import converter
from cptkg.terminology import IDENTIFIER_PATTERNS, parse_curie
from cptkg.variants import classify, classify_vcf, three_letter

from . import strategies as s
from .hostile import RAW_CONTROLS
from .strategies import hostile_text

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
COVERED = {12, 13, 61}  # checked against the graph below, not assumed
#: the codons of the exons 81311 analyses whole (exons 2 and 3: codons 1-97, issue 22), checked below
IN_SCOPE = set(range(1, 98))
ALPHABET_20 = "ACDEFGHIKLMNPQRSTVWY"


@pytest.fixture(scope="module")
def graph() -> cptkg.KnowledgeGraph:
    return cptkg.load()


@pytest.fixture(scope="module")
def protein(graph) -> str:
    [row] = graph.sparql("SELECT ?s WHERE { cptkg:protein-NRAS cptkg:aminoAcidSequence ?s }")
    return str(row["s"])


@pytest.fixture(scope="module")
def codons(graph) -> dict[int, str]:
    """Covered codon number -> reference codon (coding strand), from the graph."""
    rows = graph.sparql(
        "SELECT ?n ?c WHERE { cptkg:code-81311 cptkg:coversCodon ?x . ?x cptkg:codonNumber ?n ; cptkg:referenceCodon ?c }"
    )
    return {int(row["n"]): str(row["c"]) for row in rows}


def assert_clean_error(error: CptkgError) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message


def test_the_oracle_agrees_with_the_graph(codons, protein):
    assert set(codons) == COVERED
    assert len(protein) == 189


def test_the_scope_oracle_agrees_with_the_graph(graph):
    rows = graph.sparql(
        "SELECT ?first ?last WHERE { cptkg:code-81311 cptkg:analysesWholeExons true ; cptkg:coversExon ?exon . "
        "?exon cptkg:firstCodon ?first ; cptkg:lastCodon ?last }"
    )
    assert {n for row in rows for n in range(int(row["first"]), int(row["last"]) + 1)} == IN_SCOPE


# ---------------------------------------------------------------- variant expressions


@SETTINGS
@given(
    text=st.one_of(
        hostile_text(60), st.text(max_size=60), st.from_regex(r"NRAS [A-Z][0-9]{1,4}[A-Z*]?", fullmatch=True)
    )
)
def test_any_variant_expression_answers_or_fails_cleanly(graph, text):
    try:
        result = classify(graph, text)
    except CptkgError as error:
        assert_clean_error(error)
        return
    assert result.input == text.strip() or result.input == text
    if result.in_scope:
        assert result.codon in IN_SCOPE and result.code == "81311"


@SETTINGS
@given(number=st.integers(min_value=-5, max_value=260), alt=st.sampled_from(ALPHABET_20), right_ref=st.booleans(),
       three=st.booleans())  # fmt: skip
@example(number=12, alt="G", right_ref=True, three=False)  # synonymous at a covered codon: found by CI
@example(number=14, alt="V", right_ref=True, three=True)  # synonymous at a codon the code does not cover
def test_protein_shorthand_scope_is_exactly_the_covered_codons(graph, protein, number, alt, right_ref, three):
    ref = protein[number - 1] if 1 <= number <= len(protein) else "G"
    if not right_ref:
        ref = "W" if ref != "W" else "C"
    name = (lambda r: three_letter(r)) if three else (lambda r: r)
    expression = f"NRAS {name(ref)}{number}{name(alt)}"
    try:
        result = classify(graph, expression)
    except InputError as error:
        assert_clean_error(error)
        # a correct shorthand of a real residue is never refused (a synonymous one neither)
        assert not (right_ref and 1 <= number <= len(protein)), str(error)
        return
    assert right_ref and 1 <= number <= len(protein), f"{expression} accepted: {result}"
    assert result.codon == number
    # any change at a codon of the analysed exons is in scope, a synonymous one too (as its c. substitutions are)
    assert result.in_scope == (number in IN_SCOPE)


@SETTINGS
@given(codon=st.sampled_from(sorted(COVERED)), base=st.integers(0, 2), alt=st.sampled_from("ACGT"))
def test_coding_substitutions_at_covered_codons_are_in_scope(graph, codons, codon, base, alt):
    ref = codons[codon][base]
    position = 3 * codon - 2 + base
    expression = f"NM_002524.5:c.{position}{ref}>{alt}"
    if alt == ref:
        with pytest.raises(InputError) as caught:
            classify(graph, expression)
        assert_clean_error(caught.value)
        return
    result = classify(graph, expression)
    assert result.in_scope and result.codon == codon and result.code == "81311"
    assert result.hgvs_c and result.hgvs_c.endswith(f"c.{position}{ref}>{alt}")


# ---------------------------------------------------------------- VCF records

VCF_HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


@SETTINGS
@given(
    lines=st.lists(
        st.one_of(
            hostile_text(50),
            st.lists(st.one_of(hostile_text(12), st.from_regex(r"(chr)?1|[0-9]{1,10}|[ACGTN.]{1,3}", fullmatch=True)),
                     min_size=1, max_size=8).map("\t".join),
        ),
        max_size=5,
    )
)  # fmt: skip
def test_any_vcf_gives_results_or_an_error_naming_file_and_line(graph, tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("vcf") / "input.vcf"
    path.write_text(VCF_HEADER + "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines) + "\n",
                    encoding="utf-8", errors="surrogatepass")  # fmt: skip
    try:
        results = list(classify_vcf(graph, path))
    except InputError as error:
        assert_clean_error(error)
        assert error.path is not None and str(path) in str(error)
        return
    for result in results:
        if result.in_scope:
            assert result.codon in IN_SCOPE


@SETTINGS
@given(
    fields=st.lists(st.one_of(s.control_text(), st.from_regex(r"(chr)?1|[0-9]{1,10}|[ACGTNX.]{1,3}", fullmatch=True)),
                    min_size=5, max_size=8),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)  # fmt: skip
def test_any_vcf_line_ending_or_control_character_gives_results_or_an_error(graph, tmp_path_factory, fields, ending):
    """Issue 17: every line ending is a line ending (CR alone ended nothing: zero records, silently),
    and a field holding a control character is refused naming the file and line, never printed raw."""
    path = tmp_path_factory.mktemp("vcf") / "input.vcf"
    path.write_text((VCF_HEADER + "\t".join(fields) + "\n").replace("\n", ending), encoding="utf-8", newline="")
    try:
        results = list(classify_vcf(graph, path))
    except InputError as error:
        assert_clean_error(error)
        assert str(path) in str(error) and not RAW_CONTROLS.search(str(error))
        return
    assert not any(RAW_CONTROLS.search(result.to_text()) for result in results)


def test_vcf_records_at_every_covered_base_are_in_scope_and_others_are_not(graph, tmp_path):
    """Oracle: the GRCh38 names of c. substitutions at covered codons, read back from their VCF form."""
    expected = {}
    records = []
    for codon, position in [(12, 34), (13, 38), (61, 182)]:
        for alt in "ACGT":
            try:
                result = classify(graph, f"NM_002524.5:c.{position}{ref_of(graph, codon, position)}>{alt}")
            except InputError:
                continue
            chrom, pos, ref, alt_g = result.grch38.split("-")
            records.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt_g}\t.\t.\t.")
            expected[result.grch38] = codon
    path = tmp_path / "hotspots.vcf"
    path.write_text(VCF_HEADER + "\n".join(records) + "\n", encoding="utf-8")
    results = list(classify_vcf(graph, path))
    assert len(results) == len(records) == 9
    assert all(r.in_scope for r in results)
    assert {r.grch38: r.codon for r in results} == expected


def ref_of(graph, codon: int, position: int) -> str:
    [row] = graph.sparql(
        f"SELECT ?c WHERE {{ ?x a cptkg:Codon ; cptkg:codonNumber {codon} ; cptkg:referenceCodon ?c ; "
        "cptkg:inExon/cptkg:exonOf/cptkg:transcriptOf cptkg:gene-NRAS }"  # the graph also holds KRAS codons
    )
    return str(row["c"])[position - (3 * codon - 2)]


# ---------------------------------------------------------------- claim lines

CLAIM_COLUMNS = ("claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units")
cell = st.one_of(
    hostile_text(20),
    st.sampled_from(["81311", "26", "C18.7", "Medicare", "81", "1", "0", "-3", "1.5", ""]),
    s.formula_cells(),  # issue 17: what a spreadsheet runs, and what a terminal acts on
    s.control_text(),
)


@SETTINGS
@given(rows=st.lists(st.fixed_dictionaries({name: cell for name in CLAIM_COLUMNS}), min_size=1, max_size=4))
@example(rows=[dict.fromkeys(CLAIM_COLUMNS, "1") | {"cpt_code": "cptkg:gene-NRAS\n} UNION {"}])  # found by CI
@example(rows=[dict.fromkeys(CLAIM_COLUMNS, "1") | {"claim_id": "A\rB", "icd10cm": "C18.7\x00"}])
def test_any_claim_lines_give_findings_never_a_crash(graph, rows):
    findings = graph.check_claims(rows)
    assert {f.line for f in findings} <= set(range(1, len(rows) + 1))
    for finding in findings:
        assert finding.message and "\n" not in finding.message
        assert finding.severity in ("error", "warning", "info")
    for row in csv.reader(io.StringIO(findings.to_csv())):
        assert not [c for c in row if c.startswith(s.FORMULA_LEADS) and not re.fullmatch(r"[+-]?[0-9.]+", c)], row
    assert not RAW_CONTROLS.search(findings.to_text()) and not RAW_CONTROLS.search(findings.to_json())


@SETTINGS
@given(units=st.one_of(hostile_text(8), st.integers(-5, 5).map(str)), fmt=st.sampled_from(["csv", "jsonl"]))
@example(units="\r0", fmt="csv")  # found by a run with another seed
def test_bad_units_are_a_finding_on_their_line(graph, tmp_path_factory, units, fmt):
    row = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "", "icd10cm": "C18.7", "payer": "Medicare",
           "place_of_service": "81", "units": units}  # fmt: skip
    path = tmp_path_factory.mktemp("claims") / f"claims.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        # all quoted: csv quotes a lone CR only when it is in the line terminator, and unquoted it ends the line
        writer = csv.DictWriter(buffer, fieldnames=CLAIM_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerow(row)
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass", newline="")
    else:
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    try:
        findings = graph.check_claims(path)
    except InputError as error:
        assert_clean_error(error)
        return
    stripped = units.strip()
    whole = stripped.isascii() and stripped.lstrip("+").isdigit()
    unreadable = [f for f in findings if f.rule == "unreadable-line"]
    assert all(f.line == 2 - (fmt == "jsonl") for f in findings)  # the header is line 1 of a CSV file
    if whole and int(stripped) >= 1:
        assert not unreadable, [f.message for f in unreadable]
    else:  # the line is refused, and the reason names the units column or the bad text
        assert unreadable, (units, [f.message for f in findings])
        assert any("units" in f.message or "UTF-8" in f.message for f in unreadable)


# ---------------------------------------------------------------- mapping identifiers (map, mappings --resource)


@SETTINGS
@given(
    text=st.one_of(
        hostile_text(30), st.builds("{}:{}".format, st.sampled_from(sorted(IDENTIFIER_PATTERNS)), hostile_text(12))
    )
)
def test_parse_curie_is_correct_or_refuses(text):
    try:
        prefix, local, iri = parse_curie(text)
    except InputError as error:
        assert_clean_error(error)
        return
    assert converter().has_prefix(prefix)
    pattern = IDENTIFIER_PATTERNS.get(prefix)
    if pattern:
        assert re.match(pattern, local)
    assert iri == converter().expand_pair(prefix, local)
    assert converter().compress(iri) in (f"{prefix}:{local}", None) or iri.endswith(local)


@SETTINGS
@given(text=hostile_text(30))
def test_map_command_answers_or_exits_2_with_one_line(cli, text):
    if text.startswith("-"):
        text = "x" + text
    run = cli("map", text)
    assert run.code in (0, 2)
    if run.code == 2:
        assert run.out == "" and run.err.count("\n") == 1

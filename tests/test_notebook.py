"""The tour notebook, run top to bottom by a real Jupyter kernel (nbclient + ipykernel).

Any cell that raises fails the test (nbclient raises ``CellExecutionError``); the outputs of the
tagged cells are then checked for what a reader should see.
"""

from __future__ import annotations

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
    steps = ["load", "sources", "catalogue", "codons", "indications", "provenance", "validate", "check",
             "variants", "diagram", "lookup", "mappings", "report"]  # fmt: skip
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

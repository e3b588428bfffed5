"""Every public name documented, and the references generated from the code committed as generated.

``python tools/docstrings.py`` lists the names without a docstring; ``python tools/reference_docs.py``
writes ``docs/api.md`` and ``docs/cli.md`` again.
"""

from __future__ import annotations

import sys

import pytest

import cptkg

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

import docstrings
import reference_docs


def test_every_public_function_class_and_method_has_a_docstring():
    missing, total = docstrings.undocumented()
    assert total > 400, "the walk found the package's public names"
    assert missing == [], "write a docstring for each (python tools/docstrings.py lists them)"


def test_the_walk_sees_a_name_without_a_docstring(tmp_path, monkeypatch):
    package = tmp_path / "undocumented_pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n\ndef shown():\n    return 1\n\n\ndef _hidden():\n    pass\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    assert docstrings.undocumented("undocumented_pkg") == (["undocumented_pkg.shown"], 2)


@pytest.mark.parametrize("name", ["api.md", "cli.md"])
def test_the_committed_reference_is_what_the_code_generates(name):
    generated = {path.name: text for path, text in reference_docs.references().items()}
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == generated[name], "run: python tools/reference_docs.py"


def test_the_reference_documents_the_whole_face_of_the_package():
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in set(cptkg.__all__) - {"__version__"}:
        assert f"### `def {name}(" in reference or f"### `class {name}(" in reference, name
    for module in ("cptkg.validation", "cptkg.checks", "cptkg.claims", "cptkg.variants", "cptkg.terminology",
                   "cptkg.report", "cptkg.report.html", "cptkg.report.diagram", "cptkg.reasoning", "cptkg.serve"):  # fmt: skip
        assert f"`{module}`" in reference, module

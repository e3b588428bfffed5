"""The built wheel carries the ontology, shapes, queries and data inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_holds_the_data_files(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("cptkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in [("ontology", ".ttl"), ("queries", ".rq"), ("data", ".ttl")]:
        expected = {
            f"cptkg/_data/{path.relative_to(ROOT).as_posix()}" for path in (ROOT / folder).rglob(f"*{pattern}")
        }
        assert expected and expected <= names, folder
    shapes = {f"cptkg/_data/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "shapes").rglob("*.ttl")}
    assert shapes <= names
    assert "cptkg/cli/__init__.py" in names
    assert not any(name.startswith(("reference/", "tests/")) for name in names)

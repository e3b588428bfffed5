"""No command modifies the packaged files, and the same input gives the same bytes in any process.

The packaged ontology, shapes, queries and data are hashed before and after each command of the
command line (every registered command has an invocation below). Outputs are compared across two
separate processes with different string-hash seeds, which is what changes the order of rdflib's
sets and so of a naive serialisation.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cptkg.core.rdfio import FORMATS
from cptkg.core.resources import FOLDERS, folder

from .conftest import CASES, FIXTURES
from .test_hardening_files import WRITERS, commands

#: One invocation of every command (those that write also write to a file, see test_hardening_files).
INVOCATIONS = {
    **WRITERS,
    "queries": ["queries", "--format", "json"],
    "validate-user-data": ["validate", "--data", str(FIXTURES / "code-81275" / "cpt-code-set.ttl")],
    "map": ["map", "HGNC:7989"],
    "completion": ["completion", "bash"],
    "variant": ["variant", "--vcf", str(FIXTURES / "variants.vcf")],
    "docs": ["docs", "--output", "{tmp}/docs"],
    "export-everything": ["export", "--format", "trig", "--include", "data,ontology,shapes"],
    "with-extra-data": ["--load", str(FIXTURES / "code-81275"), "report", "81275"],
    "rdflib": ["--backend", "rdflib", "query", "provenance", "-p", "resource=cptkg:gene-NRAS"],
    "bad-input": ["--load", str(CASES / "bad-rdf" / "syntax-error.ttl"), "report", "81311"],
}


#: Commands that run a server or need one: test_serving_and_pushing_modify_no_packaged_file covers them.
SERVED = {"serve", "push"}


def packaged_files() -> dict[str, str]:
    """SHA-256 of every file under the packaged folders, by path."""
    hashes = {}
    for name in FOLDERS:
        for path in sorted(folder(name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def test_every_command_has_an_invocation():
    names = set(commands())
    covered = {next(arg for arg in argv if arg in names) for argv in INVOCATIONS.values()}
    missing = names - covered - SERVED
    assert not missing, f"add an invocation of {sorted(missing)} to INVOCATIONS in {__file__}"


@pytest.mark.parametrize("name", sorted(INVOCATIONS))
def test_no_command_modifies_the_packaged_files(cli, tmp_path, name):
    before = packaged_files()
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in INVOCATIONS[name]]
    run = cli(*argv)
    assert run.code in (0, 1, 2)
    assert (run.code == 2) == (name == "bad-input"), run.err
    assert packaged_files() == before


#: Writes every output of one process into a folder: export in every format, report in every format, query json/csv.
WRITE_EVERYTHING = textwrap.dedent(
    """
    import sys
    from cptkg.cli import main, parser
    out = sys.argv[1]
    outputs = {}
    for fmt in sys.argv[2].split(","):
        outputs[f"export.{fmt}"] = ["export", "--format", fmt, "--include", "data,ontology,shapes"]
        outputs[f"export-data.{fmt}"] = ["export", "--format", fmt]
    for fmt in sys.argv[3].split(","):
        outputs[f"report.{fmt}"] = ["report", "81311", "--format", fmt]
    for fmt in ["json", "csv", "table"]:
        outputs[f"provenance.{fmt}"] = ["query", "provenance", "-p", "resource=cptkg:code-81311", "--format", fmt]
        outputs[f"codes.{fmt}"] = ["query", "covered-codons", "--format", fmt]
    outputs["construct.nt"] = ["sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--rdf-format", "n-triples"]
    outputs["construct.jsonld"] = ["sparql", "DESCRIBE cptkg:gene-NRAS", "--rdf-format", "json-ld"]
    for name, argv in outputs.items():
        assert main([*argv, "--output", f"{out}/{name}"]) == 0, name
    """
)


def report_formats() -> list[str]:
    report = commands()["report"]
    return list(report._option_string_actions["--format"].choices)


def test_outputs_are_byte_identical_across_processes(tmp_path):
    folders = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        out.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", WRITE_EVERYTHING, str(out), ",".join(FORMATS), ",".join(report_formats())],
            check=False, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        folders.append(out)
    first = sorted(path.name for path in folders[0].iterdir())
    assert first == sorted(path.name for path in folders[1].iterdir())
    assert len(first) >= 2 * len(FORMATS) + len(report_formats()) + 8
    different = [name for name in first if (folders[0] / name).read_bytes() != (folders[1] / name).read_bytes()]
    assert not different, f"differ between two processes: {different}"
    assert all(Path(folders[0] / name).stat().st_size for name in first)


def test_serving_and_pushing_modify_no_packaged_file(tmp_path):
    """A real ``serve`` answering queries and refused updates, and a real ``push`` into a store."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from .conftest import run_process
    from .servers import cptkg_server, oxigraph_server

    def send(url: str, data: bytes | None = None, content_type: str | None = None) -> int:
        request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type} if content_type else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    before = packaged_files()
    with cptkg_server(tmp_path) as base:
        query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
        assert send(f"{base}/sparql?{query}") == 200
        assert send(f"{base}/queries/covered-codons?code=81311") == 200
        assert send(f"{base}/sparql", b"DROP ALL", "application/sparql-update") == 403
        assert send(f"{base}/sparql", urllib.parse.urlencode({"update": "CLEAR ALL"}).encode(),
                    "application/x-www-form-urlencoded") == 403  # fmt: skip
    with oxigraph_server(tmp_path) as store:
        pushed = run_process("push", "--store", store + "/store")
        assert pushed.code == 0, pushed.err
    assert packaged_files() == before

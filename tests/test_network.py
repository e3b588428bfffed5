"""The graph never reaches out to the network while loading: no owl:imports followed, no remote JSON-LD context.

Two proofs: a child process whose Python sockets are forbidden by an audit hook (catches any
library that would open a socket from Python), and, where the test runs as root with ``unshare``,
a child in a network namespace of its own (catches native code too).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

import cptkg
from cptkg.core.errors import InputError

from .conftest import CASES

REMOTE_CONTEXT = CASES / "bad-rdf" / "remote-context.jsonld"

IMPORTS = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://example.org/my-extension> a owl:Ontology ;
    owl:imports <https://w3id.org/cptkg/>, <http://purl.obolibrary.org/obo/mondo.owl>, <http://example.org/remote.ttl> .
"""

#: Runs the command line with every Python socket forbidden; an attempt is reported and exits 99.
NO_SOCKETS = textwrap.dedent(
    """
    import sys
    def forbid(event, args):
        if event.startswith(("socket.", "urllib.", "http.", "ftplib.", "smtplib.")):
            sys.stderr.write(f"NETWORK ATTEMPT: {event} {args!r}\\n")
            sys.stderr.flush()
            import os
            os._exit(99)
    sys.addaudithook(forbid)
    from cptkg.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_without_sockets(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", NO_SOCKETS, *argv], check=False, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def imports_file(tmp_path):
    path = tmp_path / "my-extension.ttl"
    path.write_text(IMPORTS, encoding="utf-8")
    return path


def test_the_audit_hook_does_catch_a_socket():
    """The harness itself works: a child that opens a socket is stopped."""
    done = subprocess.run(
        [sys.executable, "-c", NO_SOCKETS.replace("from cptkg.cli import main", "import socket; socket.socket()")],
        check=False, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 99 and "NETWORK ATTEMPT: socket.__new__" in done.stderr


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_load_and_report_open_no_socket(imports_file, backend):
    done = run_without_sockets("--backend", backend, "--load", str(imports_file), "report", "81311", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "NETWORK ATTEMPT" not in done.stderr and '"code": "81311"' in done.stdout


def test_export_with_every_part_opens_no_socket():
    done = run_without_sockets("export", "--format", "json-ld", "--include", "data,ontology,shapes")
    assert done.returncode == 0, done.stderr
    assert "NETWORK ATTEMPT" not in done.stderr and done.stdout.startswith("{")


def test_a_remote_jsonld_context_fails_without_a_socket():
    done = run_without_sockets("--load", str(REMOTE_CONTEXT), "query", "codes")
    assert done.returncode == 2 and "NETWORK ATTEMPT" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert f"{REMOTE_CONTEXT}, line 3:" in done.stderr and "never fetches" in done.stderr


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_a_remote_jsonld_context_is_an_input_error(backend):
    with pytest.raises(InputError, match="remote @context, which cptkg never fetches") as caught:
        cptkg.load(data=[REMOTE_CONTEXT], backend=backend)
    assert caught.value.line == 3


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_owl_imports_are_data_not_instructions(imports_file, backend):
    base = cptkg.load(backend=backend)
    extended = cptkg.load(imports_file, backend=backend)
    added = sum(1 for _ in extended.backend.quads()) - sum(1 for _ in base.backend.quads())
    assert added == 4  # the three owl:imports statements and the ontology's type, nothing imported
    answer = extended.sparql("SELECT (COUNT(?o) AS ?n) WHERE { ?s owl:imports ?o }")
    assert answer.records()[0]["n"] == 3


def namespace_isolation_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], check=False, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not namespace_isolation_works(), reason="needs unshare -n (root or user namespaces)")
def test_load_and_report_in_a_network_namespace_of_their_own(imports_file):
    """No network device at all (only a down loopback): native code cannot reach out either."""
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "cptkg", "--load", str(imports_file), "report", "81311"],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "NRAS exon 2 and exon 3 variant analysis" in done.stdout
    remote = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "cptkg", "--load", str(REMOTE_CONTEXT), "query", "codes"],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert remote.returncode == 2 and "never fetches" in remote.stderr

"""Bad files are reported with file and line (exit 2, one line); every command that writes is atomic and careful.

The bad inputs are data: ``tests/cases/bad-rdf/`` holds one file per kind of problem (syntax
errors, Latin-1 and UTF-16 text, empty files, a PNG and a CSV, a remote JSON-LD context) and
``cases.json`` the line and words each must be reported with. Huge files are generated.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cptkg
from cptkg.cli import parser
from cptkg.core.errors import CptkgError, InputError, OutputExistsError
from cptkg.core.output import write_output
from cptkg.core.rdfio import FORMATS, read_quads

from . import strategies as s
from .conftest import CASES, ROOT, run_process

BAD = CASES / "bad-rdf"
BAD_CASES = json.loads((BAD / "cases.json").read_text(encoding="utf-8"))


def assert_one_error_line(err: str, path: Path | str, line: int | None, says: str = "") -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cptkg: error: "), err
    assert str(path) in lines[0] and says in lines[0], err
    if line is not None:
        assert f"{path}, line {line}:" in lines[0], err


# ------------------------------------------------------------------ reading RDF files


@pytest.mark.parametrize("case", BAD_CASES, ids=[case["file"] for case in BAD_CASES])
def test_load_data_names_the_file_and_line(case):
    path = BAD / case["file"]
    with pytest.raises(InputError) as caught:
        cptkg.load(data=[path])
    error = caught.value
    assert error.path == str(path) and error.line == case["line"]
    assert case["says"] in str(error) and "\n" not in str(error)


#: every command option that reads a user's RDF file, as argv around the path
READERS = {
    "--load": ("--load", "{path}", "query", "codes"),
    "validate --data": ("validate", "--data", "{path}"),
    "check --data": ("check", "--data", "{path}"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("case", BAD_CASES, ids=[case["file"] for case in BAD_CASES])
def test_commands_name_the_file_and_line(cli, case, reader):
    path = BAD / case["file"]
    run = cli(*[arg.replace("{path}", str(path)) for arg in READERS[reader]])
    assert run.code == 2 and run.out == ""
    assert_one_error_line(run.err, path, case["line"], case["says"])


def test_a_real_process_exits_2_with_one_line(tmp_path):
    path = BAD / "syntax-error.ttl"
    run = run_process("--load", str(path), "report", "81311")
    assert run.code == 2 and run.out == ""
    assert_one_error_line(run.err, path, 5, "not valid turtle")


def test_a_utf8_byte_order_mark_is_accepted():
    kg = cptkg.load(data=[BAD / "utf-8-bom.ttl"])
    answer = kg.sparql("SELECT ?o WHERE { <http://example.org/a> <http://example.org/p> ?o }")
    assert [str(row["o"]) for row in answer] == ["with a byte-order mark"]


def test_a_folder_and_a_missing_file(cli, tmp_path):
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    assert_one_error_line(cli("--load", str(empty), "query", "codes").err, empty, None, "holds no .ttl data files")
    with pytest.raises(InputError, match="is a directory"):
        cptkg.load(data=[empty])
    missing = tmp_path / "missing.ttl"
    run = cli("--load", str(missing), "query", "codes")
    assert run.code == 2
    assert_one_error_line(run.err, missing, None, "no such file")
    with pytest.raises(InputError, match="no such file"):
        cptkg.load(data=[missing])


HUGE = 5_000_000


@pytest.fixture(scope="module")
def huge_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("huge")
    head = '@prefix ex: <http://example.org/> .\nex:a ex:p "' + "x" * HUGE + '" .\n'
    good, bad = folder / "huge.ttl", folder / "huge-broken.ttl"
    good.write_text(head, encoding="utf-8")
    bad.write_text(head + "ex:b ex:p ex:c ex:d .\n", encoding="utf-8")
    return good, bad


def test_a_huge_literal_loads_intact(huge_files):
    kg = cptkg.load(data=[huge_files[0]])
    answer = kg.sparql("SELECT (STRLEN(?o) AS ?n) WHERE { <http://example.org/a> <http://example.org/p> ?o }")
    assert answer.records()[0]["n"] == HUGE


def test_an_error_after_a_huge_literal_names_its_line(cli, huge_files):
    bad = huge_files[1]
    with pytest.raises(InputError) as caught:
        cptkg.load(data=[bad])
    assert caught.value.line == 3
    run = cli("--load", str(bad), "query", "codes")
    assert run.code == 2
    assert_one_error_line(run.err, bad, 3)
    assert len(run.err) < 1000  # the message does not quote the literal


@settings(max_examples=40, deadline=None)
@given(fmt=s.format_names, data=st.data())
def test_read_quads_of_any_bytes_gives_quads_or_an_input_error(fmt, data):
    content = data.draw(s.rdf_bytes(fmt))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{FORMATS[fmt][0][0]}"
        path.write_bytes(content)
        try:
            quads = read_quads(path, "https://example.org/g")
        except Exception as error:  # noqa: BLE001 - the point is which kind
            assert isinstance(error, InputError), f"{type(error).__name__}: {error}"
            assert error.path == str(path) and str(error) and "\n" not in str(error)
            return
    assert all(quad.graph_name.value for quad in quads)


@settings(max_examples=30, deadline=None)
@given(document=s.entity_documents())
def test_read_quads_refuses_any_dtd_entity(document):
    """Entities of any kind (internal, nested, external, parameter) are refused before pyoxigraph,
    whose RDF/XML parser expands them (issue 17: the billion laughs)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entities.rdf"
        path.write_text(document, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_quads(path, "https://example.org/g")
    assert "entit" in str(caught.value) and "\n" not in str(caught.value)


# ------------------------------------------------------------------ reading query files


def query_file_cases(folder: Path) -> list[tuple[Path, int | None, str]]:
    """(path, line, words) for each bad query file, written into ``folder``."""
    cases = []

    def write(name: str, content: bytes, line: int | None, says: str) -> None:
        path = folder / name
        path.write_bytes(content)
        cases.append((path, line, says))

    write("syntax.rq", b"SELECT ?x WHERE {\n  ?x ?y\n", 3, "SPARQL syntax error")
    write("latin-1.rq", "SELECT ?x\nWHERE { ?x rdfs:label 'caf\u00e9' }\n".encode("latin-1"), 2, "not UTF-8")
    write("utf-16.rq", "SELECT ?x WHERE { ?x ?y ?z }".encode("utf-16"), 1, "UTF-16")
    write("picture.rq", (BAD / "picture.png").read_bytes(), 1, "not UTF-8")
    write("empty.rq", b"", 1, "SPARQL syntax error")
    (folder / "folder.rq").mkdir()
    cases.append((folder / "folder.rq", None, "is a directory"))
    cases.append((folder / "missing.rq", None, "no such file"))
    return cases


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_sparql_file_errors_name_the_file_and_line(cli, tmp_path, backend):
    for path, line, says in query_file_cases(tmp_path):
        run = cli("--backend", backend, "sparql", str(path))
        assert run.code == 2 and run.out == "", path
        if backend == "rdflib" and says == "SPARQL syntax error":
            line = None  # rdflib reports the line for some errors only
        assert_one_error_line(run.err, path, line, says)


def test_a_long_one_line_query_is_not_taken_for_a_file_name(cli):
    optional = " ".join(f"OPTIONAL {{ cptkg:gene-NRAS skos:altLabel ?alt{i} }}" for i in range(8))
    text = f"SELECT ?label WHERE {{ cptkg:gene-NRAS rdfs:label ?label . {optional} }}"
    assert len(text) > 300
    run = cli("sparql", text, "--format", "json")
    assert run.code == 0 and json.loads(run.out)[0]["label"] == "NRAS"


# ------------------------------------------------------------------ commands that write

#: A short invocation of each command that writes a file with --output (exit 0 or 1: findings).
WRITERS = {
    "report": ["report", "81311"],
    "query": ["query", "covered-codons", "-p", "code=81311", "--format", "csv"],
    "sparql": ["sparql", "SELECT ?n WHERE { cptkg:codon-NRAS-61 cptkg:codonNumber ?n }"],
    "export": ["export", "--format", "n-triples"],
    "mappings": ["mappings"],
    "check": ["check"],
    "validate": ["validate"],
    "diagram": ["diagram", "81311", "--format", "dot"],
    "claims": ["claims", str(CASES / "claims" / "mixed.csv")],
    "link": ["link", str(ROOT / "tests" / "fixtures" / "link" / "mondo-excerpt.ttl")],
}
#: Commands whose --output is a folder, not a file.
FOLDER_WRITERS = {"docs"}


def commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_that_writes_is_covered():
    writing = {name for name, command in commands().items() if "--output" in command._option_string_actions}
    missing = writing - set(WRITERS) - FOLDER_WRITERS
    assert not missing, f"add an invocation of {sorted(missing)} to WRITERS in {__file__}"


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writers_refuse_to_overwrite_and_write_atomically(cli, tmp_path, name, umask_022):
    target = tmp_path / "out.txt"
    first = cli(*WRITERS[name], "--output", str(target))
    assert first.code in (0, 1), first.err
    written = target.read_bytes()
    assert written

    target.write_bytes(b"the user's own file\n")
    refused = cli(*WRITERS[name], "--output", str(target))
    assert refused.code == 2 and refused.out == ""
    assert_one_error_line(refused.err, target, None, "already exists; use --force")
    assert target.read_bytes() == b"the user's own file\n"

    forced = cli(*WRITERS[name], "--output", str(target), "--force")
    assert forced.code in (0, 1) and target.read_bytes() == written
    assert not parts(tmp_path)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_written_files_get_the_usual_permissions(cli, tmp_path, name, umask_022):
    target = tmp_path / "out.txt"
    assert cli(*WRITERS[name], "--output", str(target)).code in (0, 1)
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


#: the writers to interrupt: the shared one (emit -> rdfio) on a text and an RDF command, and claims' own
INTERRUPTED = ["report", "export", "claims"]


@pytest.mark.parametrize("name", INTERRUPTED)
@pytest.mark.parametrize("where", [("fsync",), ("replace", "link")])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(cli, tmp_path, monkeypatch, name, where):
    """Ctrl-C after the content is written but before it is in place (fsync), or while renaming."""
    target = tmp_path / "out.txt"
    target.write_bytes(b"old content\n")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    def patch() -> None:
        for function in where:
            monkeypatch.setattr(os, function, interrupt)

    patch()
    with pytest.raises(KeyboardInterrupt):
        cli(*WRITERS[name], "--output", str(target), "--force")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content\n"
    assert not parts(tmp_path)
    new = tmp_path / "new.txt"
    patch()
    with pytest.raises(KeyboardInterrupt):
        cli(*WRITERS[name], "--output", str(new))
    monkeypatch.undo()
    assert not new.exists() and not parts(tmp_path)


@pytest.mark.parametrize("hint", ["works", "refused"])
def test_a_large_output_is_sent_to_disk_as_it_is_written(tmp_path, monkeypatch, hint):
    """atomic_output asks for the pages written so far to go to disk every WRITEBACK_BYTES (a hint the
    system may refuse: the file is the same either way)."""
    from cptkg.core import output

    monkeypatch.setattr(output, "WRITEBACK_BYTES", 1000)
    asked: list[tuple[int, int]] = []
    real = os.posix_fadvise

    def fadvise(descriptor, offset, length, advice):
        asked.append((os.fstat(descriptor).st_size, advice))
        if hint == "refused":
            raise OSError(22, "Invalid argument")
        return real(descriptor, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", fadvise)
    pieces = [bytes([65 + n % 26]) * size for n, size in enumerate([10, 999, 1, 5000, 0, 300, 700, 2])]
    target = tmp_path / "out.bin"
    with output.atomic_output(target) as handle:
        for piece in pieces:
            handle.write(piece)
    assert target.read_bytes() == b"".join(pieces)
    # after the pieces that took the count to 1000 or more: 10+999, then 5000, then 300+700
    assert asked == [(1009, os.POSIX_FADV_DONTNEED), (6010, os.POSIX_FADV_DONTNEED), (7010, os.POSIX_FADV_DONTNEED)]
    assert not parts(tmp_path)


class _FillingDisk(io.FileIO):
    """A file on a disk with ``ROOM`` bytes free: past them a write fails as a full disk's does."""

    ROOM = 5000

    def write(self, data) -> int:
        import errno

        if self.tell() + len(data) > self.ROOM:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.mark.parametrize(
    "argv",
    [
        ["claims", str(CASES / "claims" / "coder-cases.csv"), "--format", "json", "--engine", "columnar"],
        ["claims", str(CASES / "claims" / "coder-cases.csv"), "--format", "csv", "--engine", "row"],
        ["export", "--format", "n-triples"],
    ],
    ids=["claims-columnar", "claims-row", "export"],
)
def test_a_full_disk_is_one_line_naming_the_file_and_leaves_nothing(cli, tmp_path, monkeypatch, argv):
    """A write that fails (the disk fills up midway) is the one-line error of a file that cannot be
    written, exit status 2 (not 1, which says the findings hold an error), and no file is left."""
    from cptkg.core import output

    real = os.fdopen
    def filling(descriptor, *args, **kwargs):
        return _FillingDisk(descriptor, "wb") if args[:1] == ("wb",) else real(descriptor, *args, **kwargs)

    monkeypatch.setattr(output.os, "fdopen", filling)
    target = tmp_path / "out.txt"
    run = cli(*argv, "--output", str(target))
    assert run.code == 2, run.err
    assert_one_error_line(run.err, target, None, "cannot write: No space left on device")
    assert not target.exists() and not parts(tmp_path)


@pytest.mark.parametrize("argv", [["report", "81311"], ["claims", str(CASES / "claims" / "mixed.csv"), "--format", "json"]])
def test_standard_output_on_a_full_disk_is_one_line_and_status_2(argv):
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-m", "cptkg", *argv]
        done = subprocess.run(command, check=False, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "cptkg: error: No space left on device\n"


def test_a_serialiser_failing_midway_leaves_the_old_file(cli, tmp_path, monkeypatch):
    import cptkg.core.graph

    target = tmp_path / "kg.nt"
    target.write_bytes(b"old content\n")

    def broken(graph, fmt):
        raise RuntimeError("the serialiser broke")

    monkeypatch.setattr(cptkg.core.graph, "serialize", broken)
    with pytest.raises(RuntimeError):
        cli("export", "--format", "n-triples", "--output", str(target), "--force")
    assert target.read_bytes() == b"old content\n" and not parts(tmp_path)


#: A child process that writes through write_output, stopping inside the write until it is signalled.
SLOW_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from cptkg.core.output import write_output
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(60)
        real_fsync(fd)
    os.fsync = slow_fsync
    write_output(sys.argv[1], "new content\\n" * 100_000, force=True)
    """
)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_a_killed_writer_leaves_the_old_file(tmp_path, how):
    target = tmp_path / "out.txt"
    target.write_bytes(b"old content\n")
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == "writing\n"  # the new content is in the temporary file now
        assert parts(tmp_path)
        child.send_signal(how)
        child.wait(timeout=60)
    finally:
        child.kill()
        child.wait()
    assert child.returncode != 0
    assert target.read_bytes() == b"old content\n"
    if how == signal.SIGINT:  # Python unwinds and removes the temporary; SIGKILL leaves it (hidden, unread)
        assert not parts(tmp_path)


def test_write_output_never_writes_into_the_package(tmp_path):
    for folder in ["data", "ontology", "shapes", "queries"]:
        with pytest.raises(InputError, match="no command writes"):
            write_output(ROOT / folder / "written-by-a-test.ttl", "x", force=True)
        assert not (ROOT / folder / "written-by-a-test.ttl").exists()


def test_write_output_refuses_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    """Without --force, a file created between the check and the rename is not replaced."""
    target = tmp_path / "out.txt"
    real_fsync = os.fsync

    def someone_else_writes(fd):
        real_fsync(fd)
        target.write_bytes(b"written meanwhile\n")

    monkeypatch.setattr(os, "fsync", someone_else_writes)
    with pytest.raises(OutputExistsError):
        write_output(target, "ours\n")
    assert target.read_bytes() == b"written meanwhile\n" and not parts(tmp_path)


@settings(max_examples=40, deadline=None)
@given(name=s.hostile_file_names())
def test_write_output_of_any_file_name_writes_it_or_refuses_in_one_line(name):
    """Any name the file system takes is written (the temporary name is short and fixed); one it
    refuses is a one-line InputError; no temporary file stays behind either way."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / name
        try:
            write_output(target, "written\n")
        except CptkgError as error:
            assert "\n" not in str(error) and "Traceback" not in str(error)
        else:
            assert target.read_text(encoding="utf-8") == "written\n"
        assert not parts(Path(folder))


def test_a_directory_or_missing_folder_as_output(cli, tmp_path):
    run = cli("report", "81311", "--output", str(tmp_path))
    assert run.code == 2
    assert_one_error_line(run.err, tmp_path, None, "is a directory")
    nowhere = tmp_path / "no-such-folder" / "out.txt"
    run = cli("report", "81311", "--output", str(nowhere), "--force")
    assert run.code == 2
    assert_one_error_line(run.err, nowhere, None, "folder to write into does not exist")


def test_errors_are_of_the_package_family():
    assert issubclass(InputError, CptkgError) and issubclass(OutputExistsError, CptkgError)

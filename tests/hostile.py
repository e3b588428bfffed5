"""Helpers of the security tests (tests/test_security_*.py): the command line run as a real process
under resource limits, the one-line error it must give, and a loopback listener that records who
connects to it (an outbound connection the package must not open, or a store that answers badly).

Only the command line, the HTTP server and the public Python API are used, so that the tests hold
whatever the package's modules are called.
"""

from __future__ import annotations

import http.server
import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

#: Enough address space for any command on the small test data (they need about 400 MB), far less
#: than an entity or alias bomb takes: a process over it fails instead of filling the machine.
MEMORY_CAP = 1 << 30
#: Seconds any single command may take here; every command on the test data takes one or two.
PROCESS_TIMEOUT = 60

#: Control characters that must never reach a terminal raw: C0 without tab and newline, DEL, C1.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class Done:
    code: int
    out: str
    err: str
    raw_out: bytes
    raw_err: bytes


def _limits(memory: int | None):
    def apply() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind

    return apply


def cptkg(
    *argv: str | Path,
    stdin: bytes | None = None,
    memory: int | None = MEMORY_CAP,
    timeout: float = PROCESS_TIMEOUT,
    cwd: Path | None = None,
) -> Done:
    """``python -m cptkg ARGV`` as a real process, its address space capped at ``memory`` bytes."""
    done = subprocess.run(
        [sys.executable, "-m", "cptkg", *map(str, argv)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        cwd=cwd,
        preexec_fn=_limits(memory),
        check=False,
    )
    return Done(
        done.returncode,
        done.stdout.decode("utf-8", errors="replace"),
        done.stderr.decode("utf-8", errors="replace"),
        done.stdout,
        done.stderr,
    )


def assert_one_line_error(done: Done, *words: str, path: object = None, line: int | None = None) -> str:
    """Exit status 2, nothing on standard output, one line ``cptkg: error: ...`` on standard error
    that names ``path`` (and ``line``) and holds each of ``words`` (case-insensitive)."""
    assert "Traceback" not in done.err, done.err[-3000:]
    assert done.code == 2, f"exit status {done.code}\n{done.err[-3000:]}"
    assert done.out == "", done.out[:2000]
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cptkg: error: "), done.err[-3000:]
    message = lines[0]
    assert not RAW_CONTROLS.search(message), repr(message)
    if path is not None:
        assert str(path) in message, message
        if line is not None:
            assert f"{path}, line {line}:" in message, message
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    return message


def assert_no_traceback(done: Done) -> None:
    """A real exit (0, 1 or 2), never a crash, a signal or a traceback; an error is one line."""
    assert "Traceback" not in done.err, done.err[-3000:]
    assert done.code in (0, 1, 2), f"exit status {done.code} (a negative one is a signal)\n{done.err[-3000:]}"
    if done.code == 2:
        assert len(done.err.splitlines()) == 1, done.err[-3000:]


# ---------------------------------------------------------------- a listener on loopback


class Listener:
    """A SPARQL endpoint on a free loopback port that answers every request with ``body`` and
    counts the requests it gets (an endpoint the package may or may not be allowed to reach)."""

    def __init__(self, body: bytes, content_type: str = "application/sparql-results+json") -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def answer(self) -> None:
                listener.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


#: One row, ?x = "from the listener", in SPARQL JSON.
LISTENER_ROW = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"from the listener"}}]}}'


@contextmanager
def listener(body: bytes = LISTENER_ROW, content_type: str = "application/sparql-results+json") -> Iterator[Listener]:
    with Listener(body, content_type) as running:
        yield running


# ---------------------------------------------------------------- hostile data


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def turtle_code(notation: str, label: str = "a code added by a test", gene_symbol: str | None = None) -> str:
    """Turtle for one more billing code the graph describes in full (it covers exon 2 of NRAS),
    with a given notation and label (and gene symbol): the way data reaches every output."""
    gene = ""
    if gene_symbol is not None:
        gene = f" ;\n    cptkg:analyzesGene <http://example.org/gene-hostile> .\n<http://example.org/gene-hostile> cptkg:geneSymbol {turtle_string(gene_symbol)}"
    return (
        "@prefix cptkg: <https://w3id.org/cptkg/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://example.org/code-hostile> a cptkg:BillingCode ;\n"
        f"    skos:notation {turtle_string(notation)} ;\n"
        "    skos:inScheme cptkg:codesystem-cpt ;\n"
        f"    skos:prefLabel {turtle_string(label)} ;\n"
        f"    cptkg:coversExon cptkg:exon-NRAS-2{gene} .\n"
    )


def turtle_string(text: str) -> str:
    """A Turtle string literal for any text (every character outside printable ASCII escaped)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08X}")
    return '"' + "".join(out) + '"'


def package_dir() -> Path:
    """The folder of the installed ``cptkg`` package (its Python code)."""
    import cptkg

    return Path(cptkg.__file__).resolve().parent


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


def without_env(*names: str) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in names}


def argv_with(template: Sequence[str], **values: str) -> list[str]:
    return [part.format(**values) for part in template]

"""Real servers for the tests, started on a free loopback port and stopped by their own process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:  # it answers, if only to refuse
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer at {url} within {seconds} s:\n{log.read_text(errors='replace')}")


@contextmanager
def running(argv: Sequence[str], probe_url: str, log: Path, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """Run a server process until the block ends, then stop it (its whole process group)."""
    with open(log, "wb") as out:
        process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
    try:
        wait_until_up(probe_url, process, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the group: uvicorn and its query workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@contextmanager
def cptkg_server(tmp: Path, *options: str) -> Iterator[str]:
    """``cptkg serve`` on a free loopback port; yields its base URL."""
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    argv = [sys.executable, "-m", "cptkg", "serve", "--port", str(port), *options]
    with running(argv, base + "/", tmp / f"cptkg-serve-{port}.log"):
        yield base


@contextmanager
def oxigraph_server(tmp: Path) -> Iterator[str]:
    """The ``oxigraph`` server of the pip package, on a free loopback port over an empty store; yields its base URL."""
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise RuntimeError("the oxigraph server is not installed: pip install '.[test]'")
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    location = tmp / f"oxigraph-{port}"
    location.mkdir()
    argv = [str(oxigraph), "serve", "--location", str(location), "--bind", f"{LOOPBACK}:{port}"]
    with running(argv, base + "/query?query=ASK%7B%7D", tmp / f"oxigraph-{port}.log"):
        yield base

"""``cptkg serve`` hardening that tests/test_server.py and tests/test_load.py do not already cover.

Those cover: updates refused (403) and the graph unchanged, the time limit (cross product, deep
property path), the result limit, bounded concurrent load with hostile queries and clients that hang
up mid-response, and the ``--host`` default in the parser. Here: the *running* server listens on the
loopback address only, and clients that abandon slow queries do not use up the query workers.
"""

from __future__ import annotations

import json
import socket
import urllib.parse

import pytest

from tests.servers import LOOPBACK, cptkg_server
from tests.test_server import CROSS_PRODUCT, http

pytest.importorskip("starlette")

pytestmark = pytest.mark.slow

WORKERS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with cptkg_server(tmp_path_factory.mktemp("serve"), "--timeout", "2", "--workers", str(WORKERS)) as base:
        yield base


def test_the_running_server_listens_on_loopback_only(server):
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection((LOOPBACK, port), timeout=10):
        pass
    # 127.0.0.2 is this machine too: a server bound to every address (0.0.0.0) would accept it
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.2", port), timeout=10):
        pass


def abandon(base: str, query: str) -> None:
    """Send a query and hang up at once, before any answer."""
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection((LOOPBACK, port), timeout=10) as connection:
        target = "/sparql?" + urllib.parse.urlencode({"query": query})
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {LOOPBACK}\r\n\r\n".encode())
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset


def test_abandoned_slow_queries_leave_the_server_answering(server):
    for _ in range(3 * WORKERS):
        abandon(server, CROSS_PRODUCT)
    # more abandoned hostile queries than workers, and the server still answers every request rightly
    for _ in range(2 * WORKERS):
        status, _, body = http(
            server + "/sparql?" + urllib.parse.urlencode({"query": "ASK { cptkg:gene-NRAS a cptkg:Gene }"}),
            headers={"Accept": "application/sparql-results+json"},
        )
        assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = http(server + "/queries/covered-codons?code=81311", headers={"Accept": "text/csv"})
    assert status == 200 and b"61" in body

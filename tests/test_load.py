"""A bounded load test of ``cptkg serve`` on loopback: concurrent clients, hostile queries, dropped connections.

Bounded in count (CLIENTS x ROUNDS requests, a few hostile ones) and in time (every request has a
timeout). Latencies are printed (``pytest -s``) for the issue note, never asserted.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import statistics
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import LOOPBACK, cptkg_server
from tests.test_server import CROSS_PRODUCT, http

pytest.importorskip("starlette")

pytestmark = pytest.mark.slow

CLIENTS, ROUNDS, HOSTILE = 8, 12, 3
TIME_LIMIT = 2


def expected_answers(kg) -> dict[str, tuple[str, list[str]]]:
    """path -> (first column, its values), from the embedded graph."""
    answers = {}
    for name in ("covered-codons", "indications", "workflow", "payers", "sites-of-service"):
        rows = kg.query(name, code="81311")
        column = rows.variables[0]
        answers[f"/queries/{name}?code=81311"] = (column, [str(r[column]) for r in rows])
    query = "SELECT ?n WHERE { ?c cptkg:codonNumber ?n } ORDER BY ?n"
    answers["/sparql?" + urllib.parse.urlencode({"query": query})] = ("n", [str(r["n"]) for r in kg.sparql(query)])
    return answers


def drop_mid_response(base: str) -> int:
    """Ask for the whole graph as N-Triples, read a little of the answer and hang up; bytes read."""
    port = int(base.rsplit(":", 1)[1])
    query = urllib.parse.quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with socket.create_connection((LOOPBACK, port), timeout=30) as connection:
        connection.sendall(
            f"GET /sparql?query={query} HTTP/1.1\r\nHost: {LOOPBACK}\r\nAccept: application/n-triples\r\n\r\n".encode()
        )
        read = connection.recv(512)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    return len(read)


def test_concurrent_clients_hostile_queries_and_dropped_connections(tmp_path, kg):
    answers = expected_answers(kg)
    paths = list(answers)
    with cptkg_server(tmp_path, "--timeout", str(TIME_LIMIT), "--workers", "2") as base:

        def client(number: int) -> list[tuple[str, int, float, bool]]:
            outcomes = []
            for round_ in range(ROUNDS):
                path = paths[(number + round_) % len(paths)]
                started = time.perf_counter()
                status, _, body = http(base + path, headers={"Accept": "text/csv"})
                elapsed = time.perf_counter() - started
                column, values = answers[path]
                correct = (
                    status == 200 and [row[column] for row in csv.DictReader(io.StringIO(body.decode()))] == values
                )
                outcomes.append((path, status, elapsed, correct))
            return outcomes

        def hostile(_: int) -> tuple[int, bytes, float]:
            started = time.perf_counter()
            status, _, body = http(base + "/sparql?" + urllib.parse.urlencode({"query": CROSS_PRODUCT}))
            return status, body, time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS + HOSTILE + 2) as pool:
            hostile_runs = [pool.submit(hostile, i) for i in range(HOSTILE)]
            drops = [pool.submit(drop_mid_response, base) for _ in range(2)]
            runs = [pool.submit(client, i) for i in range(CLIENTS)]
            outcomes = [outcome for run in runs for outcome in run.result(timeout=300)]
            stopped = [run.result(timeout=300) for run in hostile_runs]
            dropped = [run.result(timeout=60) for run in drops]
        wall = time.perf_counter() - started

        failed = [(path, status) for path, status, _, correct in outcomes if not correct]
        assert not failed, f"requests that should have succeeded failed: {failed[:5]}"
        assert len(outcomes) == CLIENTS * ROUNDS
        for status, body, _ in stopped:
            assert status == 503 and f"time limit of {TIME_LIMIT} s".encode() in body
        assert all(count > 0 for count in dropped)  # the answers had started when the clients hung up

        # the server is healthy afterwards: the full answer of a dropped request, then a named query
        status, _, body = http(
            base + "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
            headers={"Accept": "application/sparql-results+json"},
        )
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
        assert client(0) and all(correct for *_, correct in client(1))

    latencies = sorted(elapsed for _, _, elapsed, _ in outcomes)
    print(
        f"\nload: {len(outcomes)} requests from {CLIENTS} clients plus {HOSTILE} hostile and 2 dropped, "
        f"in {wall:.2f} s ({len(outcomes) / wall:.1f} req/s); latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies)) - 1] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"hostile stopped after {', '.join(f'{s:.2f}' for *_, s in stopped)} s"
    )

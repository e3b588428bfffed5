"""What the endpoint lets a request cost, and who runs next: the limits, and a fair queue.

Every query holds one worker process while it runs. A client (an address) may have only so many
queries running or waiting, and the server only so many in all; past either bound the answer is
429 with ``Retry-After``. The waiting queries are dispatched fairly: the next free worker goes to
the client with the fewest queries running (then the one served longest ago), and no client holds
every worker at once while there are two or more, so a client with a light query gets a worker
as soon as one is free, however many heavy queries another keeps sending.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import Counter, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one query may cost, how many run at once, and what a request may hold.

    Each field is a ``cptkg serve`` option of the same name (``--max-body`` for ``max_body``...).
    """

    #: seconds a query may run
    timeout: float = 10.0
    #: bytes of one answer
    max_result_bytes: int = 50_000_000
    #: query worker processes
    workers: int = 2
    #: bytes a query may allocate in its worker, beyond the worker's own copy of the graph
    max_query_memory: int = 1_000_000_000
    #: bytes of a request body
    max_body: int = 4_000_000
    #: characters of a query
    max_query_length: int = 1_000_000
    #: queries running or waiting for one client address
    max_queries_per_client: int = 16
    #: queries running or waiting in all
    max_queries: int = 64
    #: the endpoints a SERVICE clause may reach
    allow_service: tuple[str, ...] = ()
    #: Host header names accepted besides the bound address, ``localhost`` and ``127.0.0.1``
    allow_host: tuple[str, ...] = ()

    @property
    def retry_after(self) -> int:
        """Whole seconds a refused client should wait: the time a running query may still take."""
        return max(1, math.ceil(self.timeout))

    def problems(self) -> list[str]:
        """What is wrong with the limits, as the options that are out of range (empty when none)."""
        checks = {
            "--timeout": math.isfinite(self.timeout) and self.timeout > 0,
            "--max-result-bytes": self.max_result_bytes > 0,
            "--workers": self.workers >= 1,
            "--max-query-memory": self.max_query_memory > 0,
            "--max-body": self.max_body > 0,
            "--max-query-length": self.max_query_length > 0,
            "--max-queries-per-client": self.max_queries_per_client >= 1,
            "--max-queries": self.max_queries >= 1,
        }
        return [option for option, fine in checks.items() if not fine]


class Admission:
    """Admits queries within the per-client and total bounds, and hands out workers fairly."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.free = limits.workers
        #: a client never holds every worker while there are two or more
        self.most_per_client = max(1, limits.workers - 1)
        self.admitted: Counter[str] = Counter()  # running or waiting, per client
        self.total = 0
        self.running: Counter[str] = Counter()
        self.waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self.served: dict[str, int] = {}
        self._clock = itertools.count()

    def admit(self, client: str) -> bool:
        """Whether one more query of ``client`` may run or wait (if so it counts until :meth:`leave`)."""
        if self.admitted[client] >= self.limits.max_queries_per_client or self.total >= self.limits.max_queries:
            return False
        self.admitted[client] += 1
        self.total += 1
        return True

    def leave(self, client: str) -> None:
        """A query of ``client`` admitted by :meth:`admit` is over (answered, refused or abandoned)."""
        self.total -= 1
        self.admitted[client] -= 1
        if self.admitted[client] <= 0:
            del self.admitted[client]
            self.served.pop(client, None)  # a client that comes back starts afresh

    async def worker(self, client: str) -> None:
        """Wait for a worker for ``client`` (give it back with :meth:`release`)."""
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(client, deque()).append(turn)
        self._dispatch()
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release(client)  # the worker was handed over as the client went away
            else:
                self._forget(client, turn)
            raise

    def release(self, client: str) -> None:
        """``client`` gives back the worker :meth:`worker` handed it; the next waiting query gets it."""
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]
        self.free += 1
        self._dispatch()

    def _forget(self, client: str, turn: asyncio.Future[None]) -> None:
        queue = self.waiting.get(client)
        if queue is not None and turn in queue:
            queue.remove(turn)
            if not queue:
                del self.waiting[client]

    def _dispatch(self) -> None:
        while self.free > 0:
            ready = [c for c in self.waiting if self.running[c] < self.most_per_client]
            if not ready:
                return
            client = min(ready, key=lambda c: (self.running[c], self.served.get(c, -1)))
            turn = self.waiting[client].popleft()
            if not self.waiting[client]:
                del self.waiting[client]
            if turn.done():  # cancelled while it waited
                continue
            self.running[client] += 1
            self.free -= 1
            self.served[client] = next(self._clock)
            turn.set_result(None)

"""A small closed-loop HTTP load generator: N threads, keep-alive, bounded in time.

Every thread sends its next request as soon as the previous answer is read in full; the
requests come from one shared sequence, so consecutive requests differ whenever the
sequence does. Only loopback addresses are accepted.
"""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

__all__ = ["LoadResult", "Request", "form_query", "run_load"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Request:
    """One HTTP request: method, path, body and headers."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def form_query(path: str, query: str, accept: str = "application/sparql-results+json") -> Request:
    """Return a SPARQL 1.1 Protocol query by POST form (every server takes this form)."""
    return Request(
        "POST",
        path,
        urlencode({"query": query}).encode("utf-8"),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
    )


@dataclass
class LoadResult:
    """Answers, errors and latencies (seconds) of one load run."""

    seconds: float
    latencies: list[float]
    errors: int
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Return answered requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Return the ``q``-quantile latency in milliseconds (0 when nothing answered)."""
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[min(98, max(0, round(q * 100) - 1))] * 1000


def run_load(
    host: str,
    port: int,
    requests: Sequence[Request],
    *,
    concurrency: int,
    duration: float,
    timeout: float = 60.0,
    max_requests: int | None = None,
    check: Callable[[int, bytes], bool] | None = None,
) -> LoadResult:
    """Send ``requests`` in a loop from ``concurrency`` threads for ``duration`` seconds.

    An answer counts as an error unless its status is 200 (and ``check`` accepts it).
    """
    if host not in _LOOPBACK:
        raise ValueError(f"the load generator only talks to loopback, not {host!r}")
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    first_error: list[str] = []
    deadline = time.perf_counter() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine: list[float] = []
        failed = 0
        try:
            while time.perf_counter() < deadline:
                i = next(counter)
                if max_requests is not None and i >= max_requests:
                    break
                request = requests[i % len(requests)]
                started = time.perf_counter()
                try:
                    conn.request(request.method, request.path, request.body, request.headers)
                    answer = conn.getresponse()
                    body = answer.read()
                    ok = answer.status == 200 and (check is None or check(i, body))
                    if not ok and not first_error:
                        first_error.append(f"HTTP {answer.status}: {body[:200]!r}")
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                    ok = False
                    if not first_error:
                        first_error.append(f"{type(exc).__name__}: {exc}")
                if ok:
                    mine.append(time.perf_counter() - started)
                else:
                    failed += 1
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 5)
    elapsed = time.perf_counter() - started
    return LoadResult(elapsed, latencies, errors[0], first_error[0] if first_error else "")

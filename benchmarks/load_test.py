"""A bounded load test of the SPARQL endpoint on loopback: N clients for T seconds.

    python benchmarks/load_test.py                       # 32 clients, 30 s, own server
    python benchmarks/load_test.py --clients 8 --seconds 5
    python benchmarks/load_test.py --url http://127.0.0.1:8000   # an already running server

Without ``--url`` it starts ``cakg serve`` on a free loopback port over ``--instance``
(built from ``--sources`` first if it has no build), and stops it at the end. Each client
keeps one HTTP/1.1 connection and cycles through a mix of lookups, label searches, ASK,
CONSTRUCT and the service description. Prints throughput and latency percentiles; exits
1 if any request failed (a non-2xx status or a transport error). Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]

#: Self-contained queries (own PREFIX lines), so that other servers can be measured too,
#: e.g. ``oxigraph serve-read-only --location <build>/store --union-default-graph``.
PROLOGUE = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX cakg: <https://w3id.org/cakg/ontology#> "
)

MIX: list[tuple[str, str, str]] = [
    # (label, query, Accept)
    (
        "lookup",
        "SELECT ?p ?o WHERE { <https://w3id.org/cakg/id/org/asean> ?p ?o }",
        "application/sparql-results+json",
    ),
    (
        "labels",
        "SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(CONTAINS(LCASE(?label), 'china')) } "
        "LIMIT 20",
        "application/sparql-results+json,*/*;q=0.9",
    ),
    ("ask", "ASK { ?s a cakg:Event }", "application/sparql-results+xml"),
    (
        "graphs",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "text/csv",
    ),
    (
        "construct",
        "CONSTRUCT WHERE { ?e a cakg:Event ; rdfs:label ?l }",
        "application/n-triples,*/*;q=0.9",
    ),
    ("describe", "DESCRIBE <https://w3id.org/cakg/id/org/asean>", "text/turtle"),
]


@dataclass
class Tally:
    """What one client saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def client(host: str, port: int, stop_at: float, offset: int, tally: Tally) -> None:
    """Send the mix in a loop on one keep-alive connection until ``stop_at``."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    i = offset
    while time.monotonic() < stop_at:
        label, query, accept = MIX[i % len(MIX)]
        i += 1
        path = "/sparql?" + urlencode({"query": PROLOGUE + query})
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(f"{label}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        elapsed = time.perf_counter() - started
        if not 200 <= status < 300:
            tally.errors.append(f"{label}: HTTP {status}")
        tally.latencies.setdefault(label, []).append(elapsed)
    conn.close()


def percentile(values: list[float], p: float) -> float:
    """Return the ``p``-th percentile (nearest rank) of ``values``, in milliseconds."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``cakg serve`` on a free loopback port; return it and its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from cakg.web.cli import cli; cli()",
        "--instance",
        str(args.instance),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--query-processes",
        str(args.query_processes),
        "--sources",
        str(args.sources),
        "--cache-mb",
        str(args.cache_mb),
        "--no-access-log",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAKG_")}
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return process, base
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not become healthy in 120 s")


def main(argv: list[str] | None = None) -> int:
    """Run the load test; return 0 when no request failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--url", help="an already running server (loopback only)")
    parser.add_argument("--instance", type=Path, default=None)
    parser.add_argument("--sources", type=Path, default=REPO / "sources")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--query-processes", type=int, default=8)
    parser.add_argument(
        "--cache-mb",
        type=float,
        default=0,
        help="result cache of the server started (default none: the engine answers all)",
    )
    args = parser.parse_args(argv)

    process = None
    scratch = None
    if args.url:
        base = args.url
    else:
        if args.instance is None:
            scratch = tempfile.TemporaryDirectory(prefix="cakg-load-")
            args.instance = Path(scratch.name) / "instance"
        process, base = start_server(args)
    url = urlsplit(base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load test only runs against loopback (127.0.0.1)")
    host, port = url.hostname or "127.0.0.1", url.port or 80

    try:
        tallies = [Tally() for _ in range(args.clients)]
        started = time.monotonic()
        stop_at = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(host, port, stop_at, i, tallies[i]))
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if scratch is not None:
            scratch.cleanup()

    by_label: dict[str, list[float]] = {}
    for tally in tallies:
        for label, values in tally.latencies.items():
            by_label.setdefault(label, []).extend(values)
    every = [v for values in by_label.values() for v in values]
    errors = [e for tally in tallies for e in tally.errors]
    print(
        f"{args.clients} clients, {wall:.1f} s, {len(every)} requests, "
        f"{len(every) / wall:.0f} req/s, {len(errors)} errors"
    )
    print(f"{'query':<10} {'n':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for label, values in [*sorted(by_label.items()), ("all", every)]:
        if values:
            print(
                f"{label:<10} {len(values):>7} {percentile(values, 50):>8.1f} "
                f"{percentile(values, 90):>8.1f} {percentile(values, 99):>8.1f} "
                f"{max(values) * 1000:>8.1f}"
            )
    if every:
        print(f"mean {statistics.fmean(every) * 1000:.1f} ms")
    for error in errors[:10]:
        print("error:", error)
    return 1 if errors or not every else 0


if __name__ == "__main__":
    sys.exit(main())

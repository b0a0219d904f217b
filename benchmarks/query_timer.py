"""Time queries in-process on a store, each within a time limit.

pyoxigraph cannot stop a running query, so the queries run in a child process
(``python -m benchmarks.query_timer STORE``) that reads one JSON job a line on stdin and
answers one JSON line on stdout; past the limit the parent kills it and starts another.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from dataclasses import dataclass

__all__ = ["QueryTimes", "time_queries"]


@dataclass(frozen=True)
class QueryTimes:
    """Run times (seconds) and row count of one query; ``timed_out`` past the limit."""

    name: str
    times: tuple[float, ...]
    rows: int
    timed_out: bool = False


def time_queries(
    store: str, queries: list[tuple[str, str]], *, reps: int, budget: float, limit: float
) -> list[QueryTimes]:
    """Run each ``(name, text)`` up to ``reps`` times (fewer past ``budget`` seconds).

    A query still running after ``limit`` seconds is stopped and reported as timed out.
    """
    results: list[QueryTimes] = []
    process: subprocess.Popen[bytes] | None = None
    try:
        for name, text in queries:
            if process is None:
                process = subprocess.Popen(
                    [sys.executable, "-m", "benchmarks.query_timer", store],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            assert process.stdin is not None and process.stdout is not None
            job = {"name": name, "text": text, "reps": reps, "budget": budget}
            process.stdin.write((json.dumps(job) + "\n").encode("utf-8"))
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], budget + limit)
            line = process.stdout.readline() if ready else b""
            if not line:
                _stop(process)
                process = None
                results.append(QueryTimes(name, (), 0, timed_out=True))
                continue
            answer = json.loads(line)
            results.append(
                QueryTimes(name, tuple(answer["times"]), answer["rows"], answer["timed_out"])
            )
    finally:
        if process is not None:
            _stop(process)
    return results


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the child and close its pipes."""
    process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def main() -> None:
    """Answer timing jobs on the store named on the command line."""
    import pyoxigraph as ox
    from cakg.graph.namespaces import PREFIXES
    from cakg.graph.store import needs_union_view

    store = ox.Store.read_only(sys.argv[1])
    union = needs_union_view(store)  # as the endpoint decides: a build stores the union
    store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=union)
    for line in sys.stdin:
        job = json.loads(line)
        times: list[float] = []
        rows = 0
        end = time.perf_counter() + float(job["budget"])
        while len(times) < int(job["reps"]) and (not times or time.perf_counter() < end):
            started = time.perf_counter()
            result = store.query(job["text"], prefixes=PREFIXES, use_default_graph_as_union=union)
            rows = 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)
            times.append(time.perf_counter() - started)
        answer = {"times": times, "rows": rows, "timed_out": False}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

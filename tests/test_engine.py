"""The query worker pool: hard timeouts that kill the work, recovery, and clean shutdown."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cakg.errors import QueryError, QueryTimeout, StoreError
from cakg.graph.engine import Outcome, Ping, Query, QueryEngine, Stats, read_frame, write_frame
from tests_support import servers


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("engine")
    return Path(servers.build_sample(instance).store_path)


@pytest.fixture
def engine(store: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(store, processes=2, timeout=10)
    yield engine
    engine.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child stays a zombie until reaped; count it as gone.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split()[2] != "Z"


def test_a_timeout_kills_the_worker_and_a_fresh_one_takes_its_place(engine: QueryEngine) -> None:
    engine.start()
    before = {w.process.pid for w in engine._all}
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"0\.3 s limit"):
        engine.run(Query(servers.RUNAWAY), timeout=0.3)
    assert time.monotonic() - started < 3
    deadline = time.monotonic() + 10
    after = before
    while time.monotonic() < deadline and (len(after) < 2 or after == before):
        time.sleep(0.05)
        after = {w.process.pid for w in engine._all}
    assert len(after) == 2 and after != before
    killed = before - after
    assert len(killed) == 1 and not _alive(killed.pop())
    assert engine.timeouts == 1
    assert engine.run(Ping()).kind == "ping"


def test_a_worker_that_died_while_idle_is_replaced_unseen(engine: QueryEngine) -> None:
    engine.start()
    victims = [w.process.pid for w in engine._all]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    # Nothing had started on them: the job waits for a replacement, no error is seen.
    for _ in range(6):
        assert engine.run(Ping()).kind == "ping"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
        len(engine._all) == 2 and not {w.process.pid for w in engine._all} & set(victims)
    ):
        time.sleep(0.05)
    assert engine.run(Stats()).value["quads"] > 0


def test_close_stops_every_worker(store: Path) -> None:
    engine = QueryEngine(store, processes=3, timeout=5)
    engine.start()
    pids = [w.process.pid for w in engine._all]
    assert len(pids) == 3
    engine.close()
    assert not any(_alive(pid) for pid in pids)


def test_errors_come_back_as_project_errors(engine: QueryEngine) -> None:
    with pytest.raises(QueryError, match="does not parse"):
        engine.run(Query("SELECT * WHERE {"))
    with pytest.raises(QueryError, match="valid graph IRI"):
        engine.run(Query("ASK {}", default_graphs=("not an iri",)))


def test_a_read_only_engine_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cakg build"):
        QueryEngine(tmp_path / "missing")


def test_a_query_past_the_memory_limit_stops_and_the_pool_recovers(store: Path) -> None:
    values = " ".join(str(i) for i in range(200))
    sort_of_8_million_rows = (
        f"SELECT * {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f"VALUES ?c {{ {values} }} }} ORDER BY DESC(?a) ?b ?c"
    )
    engine = QueryEngine(store, processes=1, timeout=30, memory_mb=700)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="700 MiB per query process"):
            engine.run(Query(sort_of_8_million_rows, max_rows=3))
        assert time.monotonic() - started < 10
        assert engine.run(Query("ASK {}")).kind == "ask"
    finally:
        engine.close()


@pytest.mark.parametrize(
    "message",
    [
        ("ready",),
        ("error", "query", "The SPARQL does not parse"),
        ("ok", Outcome(kind="ping")),
        ("ok", Outcome(b"x" * 3_000_000, "text/plain", rows=7, truncated=True, kind="select")),
        Query("ASK {}", base_iri=None),
    ],
)
def test_frames_carry_jobs_and_answers_whole(message: object) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as reader, os.fdopen(write_end, "wb") as writer:
        # A body larger than the pipe's buffer: the reader must run while the writer writes.
        sender = threading.Thread(target=lambda: (write_frame(writer, message), writer.flush()))
        sender.start()
        received = read_frame(reader)
        sender.join()
    assert received == message

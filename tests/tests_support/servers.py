"""Shared by the SPARQL protocol tests: the sample build, and real servers on loopback.

Loaded by path (the tests folder is not a package): see ``_load_helpers`` in each module.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import rdflib
from cakg.graph.build import Build, GraphPart, write_build
from rdflib import URIRef

HERE = Path(__file__).parent.parent / "data" / "sparql"
SAMPLE = HERE / "sample.trig"
GAZETTEER = "https://w3id.org/cakg/id/graph/gazetteer"
SRC_A = "https://w3id.org/cakg/id/graph/src-a"
SRC_B = "https://w3id.org/cakg/id/graph/src-b"

#: A query that takes far longer than any test timeout on the sample data (20^6 rows).
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?q ?r ?t FILTER(?c != ?o && ?f != ?t) }"
)


def build_sample(instance: Path, trig: Path = SAMPLE) -> Build:
    """Write ``trig`` (every triple in a named graph) as a build in ``instance``."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(trig.read_bytes(), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    parts = []
    for name, triples in sorted(by_graph.items()):
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        parts.append(
            GraphPart(URIRef(name), rdflib.Graph().parse(data=data, format="nt"), "source")
        )
    with warnings.catch_warnings():
        # rdflib's TriG serializer (used by write_build) calls its own deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        return write_build(parts, instance)


def store_with(path: Path, graphs: dict[str, Path]) -> Path:
    """Create an Oxigraph store at ``path`` holding each N-Triples file in its named graph."""
    store = ox.Store(str(path))
    for name, file in graphs.items():
        for quad in ox.parse(file.read_bytes(), format=ox.RdfFormat.N_TRIPLES, base_iri=name):
            store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(name)))
    store.flush()
    del store
    return path


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0
) -> None:
    """Wait until ``/health`` answers 200, or fail with the server's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = log.read_text("utf-8", "replace")
            raise RuntimeError(f"the server exited with {process.returncode}:\n{out}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not become healthy in {timeout} s")


@contextmanager
def running_server(instance: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``cakg --instance INSTANCE serve ARGS`` on a free port; yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from cakg.web.cli import cli; cli()",
        "--instance",
        str(instance),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        *args,
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CAKG_")}
    environment.update(env or {})
    log = instance.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
    try:
        wait_healthy(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

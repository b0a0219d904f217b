"""Write a built dataset to disk, atomically: dumps, the embedded store and a manifest.

Layout of a build directory (the ``instance`` folder by default)::

    instance/
      current -> builds/<build-id>      symlink, swapped atomically when a build succeeds
      builds/<build-id>/
        graphs/<slug>.nq                one sorted N-Quads dump per named graph (the truth)
        store/                          the Oxigraph store queries run on
        manifest.json                   what went in: sources, graphs, counts, problems
        dataset.nq                      every named graph, as sorted N-Quads (derived)
        dataset.trig                    the same, as deterministic TriG (derived)
        *.gz, graphs/<slug>.trig        gzipped dumps and per-graph TriG, written on the
                                        first download (derived, :meth:`Build.derived`)

A build is written into a fresh temporary folder; only when everything is written does
``current`` move to it, so a failed or interrupted build never touches the last good one.

The per-graph dumps are what a build *is*; the two dataset-wide dumps are derived from them
and written when first asked for (:meth:`Build.dataset_dump`, or the ``nquads`` and ``trig``
properties), into a temporary file renamed into place, so that a reader never sees half a
file and two processes asking at once at worst do the work twice. This is what keeps an
incremental build's cost proportional to the change: it hard-links the unchanged graphs'
dumps and never rewrites the whole dataset (see :mod:`cakg.graph.incremental`). A full build
writes ``dataset.nq`` at once, as it bulk-loads the store from it; ``dataset.trig`` is
always written on first use. Either way the bytes depend only on the per-graph dumps: the
same inputs give the same bytes, whichever kind of build wrote them.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from cakg.errors import BuildError, NoBuildError
from cakg.graph.namespaces import PREFIXES, slugify
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

__all__ = [
    "DATASET_DUMPS",
    "DUMP_DIGEST_KEY",
    "Build",
    "GraphPart",
    "content_digest",
    "current_build",
    "finish_build",
    "make_current",
    "nquads_lines",
    "update_union",
    "write_build",
]

KEEP_BUILDS = 2
# The dataset's own IRIs hold slashes, which prefixed names would have to escape.
_TRIG_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "id"}
#: The dataset-wide dumps, by extension: derived from the per-graph dumps on first use.
DATASET_DUMPS = {"nq": "dataset.nq", "trig": "dataset.trig"}
#: Manifest key (in each graph's row) of the SHA-256 of the graph's N-Quads dump.
DUMP_DIGEST_KEY = "dump_sha256"
# At most this many per-graph dumps are open at once while merging them (file handle limits).
_MERGE_FAN_IN = 256
# One thread of a process writes a derived dump at a time; others then find it written.
_DUMP_LOCK = threading.Lock()


@dataclass(frozen=True)
class GraphPart:
    """One named graph of the dataset, with what the manifest says about it."""

    name: URIRef
    graph: Graph
    kind: str  # "ontology", "reference", "source", "metadata"
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Build:
    """A finished build on disk."""

    path: Path

    @property
    def trig(self) -> Path:
        """Return the path of ``dataset.trig``, writing it first if need be (see ``dataset_dump``)."""
        return self.dataset_dump("trig")

    @property
    def nquads(self) -> Path:
        """Return the path of ``dataset.nq``, writing it first if need be (see ``dataset_dump``)."""
        return self.dataset_dump("nq")

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def graphs_dir(self) -> Path:
        return self.path / "graphs"

    @property
    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "manifest.json").read_text("utf-8"))
        return data

    def graph_dump(self, name: str) -> Path:
        """Return the path of the N-Quads dump of named graph ``name``."""
        return self.graphs_dir / f"{_graph_file_stem(name)}.nq"

    def graph_names(self) -> list[str]:
        """Return the names of the build's named graphs, sorted (the order of the dumps)."""
        return sorted(str(row["name"]) for row in self.manifest["graphs"])

    def dataset_dump(self, extension: str) -> Path:
        """Return the path of the dataset-wide dump ``dataset.<extension>`` (``nq`` or ``trig``).

        The first call writes it from the per-graph dumps: ``dataset.nq`` holds their lines
        merged into one sorted sequence, ``dataset.trig`` their quads graph by graph in name
        order, each graph's sorted. The file is written aside and renamed into place, so a
        concurrent reader sees no file or the whole file, and concurrent writers (threads
        or processes) write the same bytes.

        Raises:
            BuildError: ``extension`` is not ``nq`` or ``trig``, or a graph's dump is
                missing (the build is damaged: rebuild it with ``cakg build --full``).
        """
        if extension not in DATASET_DUMPS:
            raise BuildError(
                f"there is no dataset dump with the extension {extension!r}; "
                f"use one of {sorted(DATASET_DUMPS)}"
            )
        path = self.path / DATASET_DUMPS[extension]
        if path.is_file():
            return path
        with _DUMP_LOCK:
            if not path.is_file():
                paths = self._graph_dump_paths()
                write = _write_nquads if extension == "nq" else _write_trig
                _write_aside(path, lambda target: write(paths, target))
        return path

    def derived(self, relative: str, write: Callable[[Path], None]) -> Path:
        """Return the file ``relative`` to the build, written by ``write`` on first use.

        For files computed from the build's own (a gzipped dump, a graph's TriG): written
        aside and renamed into place like the dataset dumps, so readers never see a part.
        """
        path = self.path / relative
        if path.is_file():
            return path
        with _DUMP_LOCK:
            if not path.is_file():
                _write_aside(path, write)
        return path

    def dataset_dump_size(self, extension: str) -> int | None:
        """Return the size in bytes of ``dataset.<extension>`` without writing it, if known.

        The N-Quads dump's size is always known (the per-graph dumps' sizes add up to it);
        the TriG dump's only once it is written.
        """
        if extension not in DATASET_DUMPS:
            return None
        path = self.path / DATASET_DUMPS[extension]
        if path.is_file():
            return path.stat().st_size
        if extension != "nq":
            return None
        try:
            return sum(p.stat().st_size for p in self._graph_dump_paths())
        except BuildError:
            return None

    def _graph_dump_paths(self) -> list[Path]:
        paths = [self.graph_dump(name) for name in self.graph_names()]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise BuildError(
                f"build {self.path.name} lacks the dumps of some graphs ({', '.join(missing)}); "
                "rebuild it with `cakg build --full`"
            )
        return paths


def _write_aside(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write`` into a temporary file, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        tmp.touch(exist_ok=False)  # claims the name, with the usual permissions
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_nquads(paths: Sequence[Path], target: Path) -> None:
    """Write the lines of the sorted files ``paths`` to ``target`` as one sorted sequence.

    This is the order of a full build's ``sorted(lines)``: the graphs' lines interleave
    (they are sorted by subject first). At most ``_MERGE_FAN_IN`` files are open at once;
    more are merged in rounds through temporary files next to ``target``.
    """
    rounds: list[Path] = []
    try:
        while len(paths) > _MERGE_FAN_IN:
            merged = []
            for start in range(0, len(paths), _MERGE_FAN_IN):
                part = target.with_name(f".merge-{os.getpid()}-{secrets.token_hex(4)}.nq")
                rounds.append(part)
                _merge(paths[start : start + _MERGE_FAN_IN], part)
                merged.append(part)
            paths = merged
        _merge(paths, target)
    finally:
        for part in rounds:
            part.unlink(missing_ok=True)


def _merge(paths: Sequence[Path], target: Path) -> None:
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(p.open(encoding="utf-8", newline="")) for p in paths]
        with target.open("w", encoding="utf-8", newline="") as out:
            out.writelines(heapq.merge(*handles))


def _write_trig(paths: Sequence[Path], target: Path) -> None:
    """Write the quads of ``paths`` as TriG: graphs in the given order, each graph's sorted."""
    ox.serialize(_quads_of(paths), str(target), format=ox.RdfFormat.TRIG, prefixes=_TRIG_PREFIXES)


def _quads_of(paths: Sequence[Path]) -> Iterator[ox.Quad]:
    for path in paths:
        with path.open("rb") as handle:
            yield from ox.parse(handle, format=ox.RdfFormat.N_QUADS)


def content_digest(rows: Iterable[dict[str, Any]]) -> str:
    """Return the content hash of a build from its graphs' manifest rows.

    It hashes each graph's name with the SHA-256 of its dump (``DUMP_DIGEST_KEY``), in name
    order: equal dumps give equal hashes, and an incremental build computes it without
    reading the graphs it reuses.
    """
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: str(r["name"])):
        digest.update(f"{row['name']} {row[DUMP_DIGEST_KEY]}\n".encode())
    return digest.hexdigest()


def _graph_file_stem(name: str) -> str:
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{slugify(name.rsplit('/', 1)[-1])}-{digest}"


def _triple_of(nquads_line: str) -> str:
    """Return the N-Triples line of an N-Quads line written by ``nquads_lines``."""
    head, _, _ = nquads_line.rstrip("\n").rpartition(" <")
    return head + " .\n"


def nquads_lines(graph: Graph, name: URIRef) -> list[str]:
    """Return the N-Quads lines of ``graph`` in graph ``name``, sorted (deterministic)."""
    triples = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    suffix = f" <{name}> .\n"
    lines = []
    for line in triples.splitlines():
        if line.strip():
            if not line.endswith(" ."):
                raise BuildError(f"unexpected N-Triples line from rdflib: {line!r}")
            lines.append(line[:-2] + suffix)
    return sorted(set(lines))


def _canonical(part: GraphPart) -> GraphPart:
    """Return ``part`` with blank nodes named canonically, so that dumps are deterministic."""
    if not any(isinstance(term, BNode) for triple in part.graph for term in triple):
        return part
    return GraphPart(part.name, to_canonical_graph(part.graph), part.kind, part.info)


def current_build(instance_dir: str | os.PathLike[str]) -> Build:
    """Return the current build in ``instance_dir``.

    Raises:
        NoBuildError: there is no finished build yet.
    """
    link = Path(instance_dir) / "current"
    target = link.resolve() if link.is_symlink() else None
    if target is None or not (target / "manifest.json").is_file():
        raise NoBuildError(str(instance_dir))
    return Build(target)


def write_build(
    parts: Sequence[GraphPart],
    instance_dir: str | os.PathLike[str],
    *,
    info: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Build:
    """Write ``parts`` as a new build and make it current, atomically.

    Raises:
        BuildError: two parts share a graph name, or writing failed; the previous build
            stays current.
    """
    say = progress or (lambda _message: None)
    parts = [_canonical(p) for p in parts]
    names = [str(p.name) for p in parts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BuildError(f"two parts of the build have the same graph name: {duplicates}")
    root = Path(instance_dir)
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=builds))
    try:
        say("writing dumps")
        (tmp / "graphs").mkdir()
        all_lines: list[str] = []
        graph_rows = []
        for part in sorted(parts, key=lambda p: str(p.name)):
            lines = nquads_lines(part.graph, part.name)
            data = "".join(lines).encode("utf-8")
            (tmp / "graphs" / f"{_graph_file_stem(str(part.name))}.nq").write_bytes(data)
            all_lines.extend(lines)
            graph_rows.append(
                {
                    "name": str(part.name),
                    "kind": part.kind,
                    "triples": len(lines),
                    DUMP_DIGEST_KEY: hashlib.sha256(data).hexdigest(),
                    **part.info,
                }
            )
        all_lines.sort()
        # The store's bulk-load input, so written now; dataset.trig waits for its first use.
        (tmp / "dataset.nq").write_bytes("".join(all_lines).encode("utf-8"))
        say("loading the store")
        store = ox.Store(str(tmp / "store"))
        store.bulk_load(path=str(tmp / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
        # The default graph is the union of the named graphs, as a set (RDF merge): Oxigraph's
        # own union view repeats a triple once per graph holding it, so the union is stored.
        union = tmp / "union.nt"
        union.write_text("".join(sorted({_triple_of(line) for line in all_lines})), "utf-8")
        store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        union.unlink()
        store.flush()
        store.optimize()
        del store
        manifest = {
            "content_sha256": content_digest(graph_rows),
            "quads": len(all_lines),
            "default_graph": "union of the named graphs (stored)",
            "graphs": graph_rows,
            **(info or {}),
        }
        final = finish_build(tmp, manifest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    make_current(final)
    say(f"build {final.name} is current")
    return Build(final)


def finish_build(tmp: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest of the build written in ``tmp`` and give it its final name."""
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
    )
    builds = tmp.parent
    final = builds / _new_build_id(builds, str(manifest["content_sha256"]))
    os.replace(tmp, final)
    return final


def make_current(final: Path) -> None:
    """Point ``current`` at the finished build ``final`` (one atomic rename); drop old builds."""
    builds = final.parent
    _point_current(builds.parent, final)
    _prune(builds, keep=final)


def _new_build_id(builds: Path, content_hash: str) -> str:
    existing = {p.name for p in builds.iterdir()}
    serial = 1 + max(
        (int(n.split("-", 1)[0]) for n in existing if n.split("-", 1)[0].isdigit()), default=0
    )
    return f"{serial:06d}-{content_hash[:12]}"


def _point_current(root: Path, target: Path) -> None:
    """Swap the ``current`` symlink to ``target`` with one atomic rename."""
    link = root / "current"
    tmp_link = root / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(Path("builds") / target.name)
    os.replace(tmp_link, link)


def _prune(builds: Path, *, keep: Path) -> None:
    finished = sorted(p for p in builds.iterdir() if not p.name.startswith("."))
    for old in finished[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def update_union(store: ox.Store, removed: Iterable[ox.Triple], added: Iterable[ox.Triple]) -> None:
    """Keep the stored union (the default graph) in step after named graphs changed.

    ``removed`` are the triples of graphs taken out (already removed from the store),
    ``added`` those of graphs put in. The work is proportional to the change, not to the
    size of the store.
    """
    default = ox.DefaultGraph()
    for triple in removed:
        still_stated = any(
            not isinstance(q.graph_name, ox.DefaultGraph)
            for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        )
        if not still_stated:
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in added)


def iter_parts_from_dumps(build: Build) -> Iterable[tuple[str, Path]]:
    """Yield ``(graph name, dump path)`` for every named graph of ``build``."""
    for row in build.manifest["graphs"]:
        yield row["name"], build.graph_dump(row["name"])

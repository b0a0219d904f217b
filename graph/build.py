"""Write a built dataset to disk, atomically: dumps, the embedded store and a manifest.

Layout of a build directory (the ``instance`` folder by default)::

    instance/
      current -> builds/<build-id>      symlink, swapped atomically when a build succeeds
      builds/<build-id>/
        dataset.trig                    every named graph, deterministic TriG
        dataset.nq                      the same, as sorted N-Quads
        graphs/<slug>.nq                one N-Quads dump per named graph
        store/                          the Oxigraph store queries run on
        manifest.json                   what went in: sources, graphs, counts, problems

A build is written into a fresh temporary folder; only when everything is written does
``current`` move to it, so a failed or interrupted build never touches the last good one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from cakg.errors import BuildError, NoBuildError
from cakg.graph.namespaces import PREFIXES, slugify
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

__all__ = [
    "Build",
    "GraphPart",
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
        return self.path / "dataset.trig"

    @property
    def nquads(self) -> Path:
        return self.path / "dataset.nq"

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
        trig_quads: list[ox.Quad] = []
        for part in sorted(parts, key=lambda p: str(p.name)):
            lines = nquads_lines(part.graph, part.name)
            trig_quads.extend(ox.parse("".join(lines), format=ox.RdfFormat.N_QUADS))
            (tmp / "graphs" / f"{_graph_file_stem(str(part.name))}.nq").write_text(
                "".join(lines), "utf-8"
            )
            all_lines.extend(lines)
            graph_rows.append(
                {"name": str(part.name), "kind": part.kind, "triples": len(lines), **part.info}
            )
        all_lines.sort()
        (tmp / "dataset.nq").write_text("".join(all_lines), "utf-8")
        # Graphs in name order, quads sorted within each: the same inputs give the same bytes.
        ox.serialize(
            trig_quads, str(tmp / "dataset.trig"), format=ox.RdfFormat.TRIG, prefixes=_TRIG_PREFIXES
        )
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
        content_hash = hashlib.sha256("".join(all_lines).encode("utf-8")).hexdigest()
        manifest = {
            "content_sha256": content_hash,
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

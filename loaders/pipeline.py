"""From a folder of sources to a build: read, extract, write; one bad source stops only itself."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path

from cakg.errors import BuildError, CakgError, SourceError
from cakg.graph.build import Build, GraphPart, write_build
from cakg.graph.incremental import (
    CONTEXT_KEY,
    FINGERPRINT_KEY,
    build_context,
    plan_changes,
    previous_build,
    source_fingerprint,
    write_incremental_build,
)
from cakg.graph.model import ontology_graph, ontology_text
from cakg.graph.namespaces import ONTOLOGY_IRI, SHAPES_IRI
from cakg.loaders.extract import extract
from cakg.loaders.facts import EXTRACTOR_VERSION, FactSink
from cakg.loaders.gazetteer import GAZETTEER_GRAPH, Gazetteer, load_gazetteer
from cakg.loaders.sources import LOADERS, Document, Metadata, parse_metadata, read_sources
from rdflib import Graph, URIRef

__all__ = [
    "BuildReport",
    "build_from_sources",
    "extract_document",
    "extract_file",
    "metadata_from_options",
]


@dataclass
class BuildReport:
    """What a build did: the build, the sources it holds, and the problems it skipped.

    ``extracted`` are the sources extracted this time (all of them in a full build, the new
    and changed ones in an incremental build); ``plan`` says which kind of build it was.
    """

    build: Build
    sources: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    extracted: list[str] = field(default_factory=list)
    plan: str = "full build"


def extract_document(document: Document, gazetteer: Gazetteer) -> tuple[Graph, FactSink]:
    """Return the named graph of one document and the facts it holds."""
    sink = extract(document, gazetteer)
    return sink.to_graph(), sink


def extract_file(
    path: str | os.PathLike[str],
    metadata: Metadata,
    *,
    gazetteer: Gazetteer | None = None,
) -> tuple[URIRef, Graph]:
    """Run the loaders on one file outside a build; return its graph's name and the graph.

    Raises:
        SourceError: the file cannot be read or has no loader.
    """
    p = Path(path)
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        raise SourceError(
            str(p),
            f"no loader for {p.suffix or 'files without a suffix'!r}; known: {sorted(LOADERS)}",
        )
    document = loader.load(p, metadata)
    graph, sink = extract_document(document, gazetteer or load_gazetteer())
    return sink.graph_name, graph


def metadata_from_options(
    *,
    published: str | None,
    publisher: str | None,
    title: str | None,
    url: str | None,
    language: str,
    where: str,
) -> Metadata:
    """Return metadata given as command-line options, checked like a catalogue entry.

    Raises:
        SourceError: an option is missing or invalid.
    """
    raw = {
        "published": published,
        "publisher": publisher,
        "title": title,
        "url": url,
        "language": language,
    }
    return parse_metadata(raw, where=where)


def _shapes_graph() -> Graph | None:
    try:
        return ontology_graph("shapes.ttl")
    except FileNotFoundError:
        return None


def _context(gazetteer_path: str | os.PathLike[str] | None) -> str:
    """Return the fingerprint of what every source's extraction depends on.

    The extractor's code and version, the gazetteer, the ontology and the shapes: when any
    of them changes, every source must be extracted again (a full build).
    """
    code = sorted(
        (entry.name, entry.read_bytes())
        for entry in files("cakg.loaders").iterdir()
        if entry.name.endswith((".py", ".toml"))
    )
    gazetteer = Path(gazetteer_path).read_bytes() if gazetteer_path is not None else b""
    shapes = (
        ontology_text("shapes.ttl")
        if files("cakg.ontology").joinpath("shapes.ttl").is_file()
        else ""
    )
    return build_context(
        EXTRACTOR_VERSION,
        *(name + ":" + hashlib.sha256(data).hexdigest() for name, data in code),
        gazetteer,
        ontology_text(),
        shapes,
    )


def _fingerprint(document: Document) -> str:
    metadata = asdict(document.metadata)
    return source_fingerprint(Path(document.path).read_bytes(), metadata)


def build_from_sources(
    sources_dir: str | os.PathLike[str],
    instance_dir: str | os.PathLike[str],
    *,
    gazetteer_path: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> BuildReport:
    """Build the dataset from every source in ``sources_dir`` into ``instance_dir``.

    A source that cannot be read or extracted is reported and skipped; the others build.
    When the last build used the same extractor, gazetteer, ontology and shapes, only the
    new and changed sources are extracted and loaded (an incremental build, the same result
    as a full one); ``full=True`` extracts everything.

    Raises:
        BuildError: the gazetteer or the sources folder is unusable, or writing failed;
            the last good build stays current.
    """
    say = progress or (lambda _m: None)
    try:
        gazetteer = load_gazetteer(gazetteer_path)
    except CakgError as exc:
        raise BuildError(f"cannot build without a valid gazetteer: {exc}") from exc
    try:
        items = list(read_sources(Path(sources_dir)))
    except SourceError as exc:
        raise BuildError(str(exc)) from exc
    documents = [i for i in items if isinstance(i, Document)]
    problems = [str(i) for i in items if isinstance(i, SourceError)]
    context = _context(gazetteer_path)
    fingerprints = {d.source_id: _fingerprint(d) for d in documents}
    previous = None if full else previous_build(instance_dir)
    plan = plan_changes(previous, fingerprints, context=context)
    wanted = set(plan.extract)
    sources: list[str] = []
    facts: dict[str, int] = {}
    source_parts: list[GraphPart] = []
    todo = [d for d in documents if d.source_id in wanted]
    for n, document in enumerate(todo, 1):
        say(f"[{n}/{len(todo)}] extracting {document.source_id}")
        try:
            graph, sink = extract_document(document, gazetteer)
        except CakgError as exc:
            problems.append(f"{document.path}: extraction failed: {exc}")
            continue
        facts[document.source_id] = len(sink.facts)
        source_parts.append(
            GraphPart(
                sink.graph_name,
                graph,
                "source",
                {
                    "source_id": document.source_id,
                    "path": Path(document.path).name,
                    "published": document.metadata.published.isoformat(),
                    "facts": len(sink.facts),
                    FINGERPRINT_KEY: fingerprints[document.source_id],
                },
            )
        )
    if previous is not None and not plan.full:
        for row in previous.manifest["graphs"]:
            if row.get("source_id") in plan.unchanged:
                facts[row["source_id"]] = row.get("facts", 0)
    sources = sorted(facts)
    info = {
        "extractor_version": EXTRACTOR_VERSION,
        "sources": sources,
        "problems": problems,
        "built_from": str(Path(sources_dir).name),
        CONTEXT_KEY: context,
    }
    if plan.full:
        parts = [
            GraphPart(ONTOLOGY_IRI, ontology_graph(), "ontology"),
            GraphPart(
                GAZETTEER_GRAPH,
                gazetteer.to_graph(),
                "reference",
                {"entities": len(gazetteer.entities)},
            ),
        ]
        shapes = _shapes_graph()
        if shapes is not None:
            parts.append(GraphPart(SHAPES_IRI, shapes, "shapes"))
        build = write_build([*parts, *source_parts], instance_dir, info=info, progress=say)
    elif plan.changed:
        build = write_incremental_build(plan, source_parts, instance_dir, info=info, progress=say)
    else:
        assert previous is not None
        say("no source changed: the current build stays")
        build = previous
    extracted = sorted(str(p.info["source_id"]) for p in source_parts)
    return BuildReport(build, sources, facts, problems, extracted, plan.reason)

"""Synthetic scale data shaped like the real graph, seeded and reproducible.

Two generators, both driven by the real loaders' output so that the shapes stay the real
ones as the extractors evolve:

- :func:`write_synthetic_build` writes a build (the layout of :mod:`cakg.graph.build`:
  per-graph N-Quads dumps, ``dataset.nq``, the Oxigraph store bulk-loaded by Oxigraph's
  own parser, ``manifest.json``, the ``current`` link) of about N triples. Each synthetic
  source graph is one of the seed articles' graphs (agreements, versions, instruments,
  people and tenures, events with participants, quotes, statistics, the document with its
  sentence provenance) re-issued under a new source id, with its people drawn from a pool
  shared by all sources, its events shared by a few sources, and its dates moved within
  two decades. The ontology, gazetteer and shapes graphs are the real ones.
- :func:`write_synthetic_articles` writes a sources folder of article texts (the seed
  articles with other people, dates and figures) for measuring build throughput through
  the real loaders.

Same ``seed`` and size, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from cakg.graph.build import Build
from cakg.graph.incremental import CONTEXT_KEY, FINGERPRINT_KEY

__all__ = [
    "SIZES",
    "SYNTHETIC_CONTEXT",
    "SynthBuild",
    "Templates",
    "load_templates",
    "person_name",
    "write_synthetic_articles",
    "write_synthetic_build",
]

#: The context fingerprint synthetic builds record (see cakg.graph.incremental).
SYNTHETIC_CONTEXT = "synthetic"

#: Benchmark sizes by name: target triple counts.
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}

_ID = "https://w3id.org/cakg/id/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_EXTRACTED = "<https://w3id.org/cakg/ontology#extracted>"
_DATED = re.compile(
    r'"(\d{4})(-\d{2})?(-\d{2})?(T[^"]*)?"\^\^<'
    + re.escape(_XSD)
    + r"(date|gYear|gYearMonth|dateTime)>"
)
_YEAR_IN_TEXT = re.compile(r"\b(19[89]\d|20[0-3]\d)\b")
_PERSON_LABEL = re.compile(
    r"^<" + re.escape(_ID) + r"person/([a-z0-9-]+)> " + re.escape(_LABEL) + r' "([^"]+)"', re.M
)

#: Subjects worth looking up one by one: the entities of a source, not its provenance.
_LOOKUP = re.compile(
    r"^<(" + re.escape(_ID) + r"(?:person|event|statement|statistic|tenure)/[^>#]+)> ", re.M
)

_SURNAMES = tuple(
    [
        "Wang",
        "Li",
        "Zhang",
        "Liu",
        "Chen",
        "Yang",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Guo",
        "He",
        "Gao",
        "Lin",
        "Luo",
        "Nguyen",
        "Tran",
        "Le",
        "Pham",
        "Hoang",
        "Tan",
        "Lim",
        "Lee",
        "Ong",
        "Goh",
        "Santos",
        "Reyes",
        "Cruz",
        "Abdullah",
        "Rahman",
        "Ibrahim",
        "Hassan",
        "Suharto",
        "Wijaya",
        "Siriwan",
    ]
)
_GIVEN = tuple(
    [
        "Ming",
        "Wei",
        "Jian",
        "Hua",
        "Xiao",
        "Yi",
        "Jun",
        "Hong",
        "Lei",
        "Tao",
        "Feng",
        "Bin",
        "Hai",
        "Qiang",
        "Ying",
        "Mei",
        "Lan",
        "Fang",
        "Yu",
        "Chen",
        "Dong",
        "Zhi",
        "Kai",
        "Rui",
        "Xin",
        "An",
        "Bo",
        "Hao",
        "Ning",
        "Shan",
    ]
)


def person_name(index: int) -> str:
    """Return the ``index``-th synthetic person name (distinct for ~36,000 indexes)."""
    s = _SURNAMES[index % len(_SURNAMES)]
    rest = index // len(_SURNAMES)
    first = _GIVEN[rest % len(_GIVEN)]
    second = _GIVEN[(rest // len(_GIVEN)) % len(_GIVEN)].lower()
    return f"{s} {first}{second}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Templates:
    """The real loaders' output for the seed articles: fixed graphs and source graphs."""

    fixed: dict[str, tuple[str, str]]  # graph name -> (kind, N-Quads)
    sources: list[tuple[str, str]]  # (source id, N-Quads of its graph)
    articles: list[tuple[str, dict[str, object]]]  # (text, catalogue entry)
    people: list[dict[str, str]]  # per source: slug -> label of the people it describes


def load_templates(sources_dir: Path, work: Path) -> Templates:
    """Build ``sources_dir`` with the real pipeline into ``work`` and read its graphs."""
    from cakg.loaders import build_from_sources

    report = build_from_sources(sources_dir, work)
    if report.problems:
        raise RuntimeError(f"the seed sources do not build cleanly: {report.problems}")
    build = report.build
    fixed: dict[str, tuple[str, str]] = {}
    sources: list[tuple[str, str]] = []
    people: list[dict[str, str]] = []
    for row in build.manifest["graphs"]:
        text = build.graph_dump(row["name"]).read_text("utf-8")
        if row["kind"] == "source":
            sources.append((row["source_id"], text))
            described = {}
            for slug, label in _PERSON_LABEL.findall(text):
                if f"<{_ID}person/{slug}> {_EXTRACTED}" in text:
                    described[slug] = label
            people.append(described)
        else:
            fixed[row["name"]] = (row["kind"], text)
    catalogue = json.loads((sources_dir / "sources.json").read_text("utf-8"))
    articles = [
        ((sources_dir / name).read_text("utf-8"), entry)
        for name, entry in sorted(catalogue.items())
    ]
    return Templates(fixed, sources, articles, people)


def _shift_dates(text: str, years: int) -> str:
    def move(match: re.Match[str]) -> str:
        year, month, day, rest, kind = match.groups()
        if month == "-02" and day == "-29":
            day = "-28"
        value = f"{int(year) - years:04d}{month or ''}{day or ''}{rest or ''}"
        return f'"{value}"^^<{_XSD}{kind}>'

    return _DATED.sub(move, text)


@dataclass
class SynthBuild:
    """A synthetic build and what the benchmark needs to know about it."""

    build: Build
    quads: int
    sources: int
    load_seconds: float
    entities: list[str] = field(default_factory=list)  # subjects to look up, shuffled
    source_graphs: list[str] = field(default_factory=list)


def _source_graph(
    templates: Templates, k: int, rng: random.Random, *, pool: int, buckets: int
) -> tuple[str, str, list[str]]:
    """Return (source id, N-Quads, entity IRIs it introduces) of synthetic source ``k``."""
    t = k % len(templates.sources)
    template_id, text = templates.sources[t]
    source_id = f"syn{k:06d}_{rng.getrandbits(32):08x}"
    text = text.replace(template_id, source_id)
    entities: list[str] = []
    described = templates.people[t]
    picks = rng.sample(range(pool), k=len(described))
    for (slug, label), index in zip(sorted(described.items()), picks, strict=True):
        name = person_name(index)
        new_slug = _slug(name)
        text = text.replace(f"/{slug}", f"/{new_slug}").replace(label, name)
        entities.append(f"{_ID}person/{new_slug}")
    bucket = f"b{k % buckets:05d}"
    text = text.replace(f"<{_ID}event/", f"<{_ID}event/{bucket}/")
    text = _shift_dates(text, k % 20)
    # Sorted, as the dumps of a real build are.
    lines = sorted({line for line in text.splitlines(keepends=True) if line.strip()})
    body = "".join(lines)
    entities.extend(dict.fromkeys(_LOOKUP.findall(body)))
    return source_id, body, entities


def write_synthetic_build(
    instance: Path, templates: Templates, *, triples: int, seed: int = 1
) -> SynthBuild:
    """Write a build of about ``triples`` triples into ``instance`` and make it current."""
    rng = random.Random(seed)
    fixed_size = sum(text.count("\n") for _, text in templates.fixed.values())
    per_source = sum(text.count("\n") for _, text in templates.sources) / len(templates.sources)
    count = max(1, round((triples - fixed_size) / per_source))
    pool = max(20, 2 * count)
    buckets = max(1, count // 2)
    builds = instance / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=builds))
    (tmp / "graphs").mkdir()
    probe = Build(tmp)
    rows: list[dict[str, object]] = []
    entities: list[str] = []
    graphs: list[str] = []
    total = 0
    digest = hashlib.sha256()
    with (tmp / "dataset.nq").open("w", encoding="utf-8") as dataset:
        for name, (kind, text) in sorted(templates.fixed.items()):
            probe.graph_dump(name).write_text(text, "utf-8")
            dataset.write(text)
            digest.update(text.encode("utf-8"))
            n = text.count("\n")
            total += n
            rows.append({"name": name, "kind": kind, "triples": n})
        for k in range(count):
            source_id, text, found = _source_graph(templates, k, rng, pool=pool, buckets=buckets)
            name = f"{_ID}graph/{source_id}"
            probe.graph_dump(name).write_text(text, "utf-8")
            dataset.write(text)
            digest.update(text.encode("utf-8"))
            n = text.count("\n")
            total += n
            rows.append(
                {
                    "name": name,
                    "kind": "source",
                    "triples": n,
                    "source_id": source_id,
                    FINGERPRINT_KEY: hashlib.sha256(text.encode("utf-8")).hexdigest(),
                }
            )
            graphs.append(name)
            entities.extend(found)
    started = time.perf_counter()
    store = ox.Store(str(tmp / "store"))
    store.bulk_load(path=str(tmp / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    # As write_build does: the default graph holds the union of the named graphs, as a set.
    union = tmp / "union.nt"
    with (tmp / "dataset.nq").open(encoding="utf-8") as quads:
        union_lines = {line.rstrip("\n").rpartition(" <")[0] + " .\n" for line in quads}
    union.write_text("".join(sorted(union_lines)), "utf-8")
    del union_lines
    store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    union.unlink()
    store.flush()
    store.optimize()
    del store
    load_seconds = time.perf_counter() - started
    content = digest.hexdigest()
    manifest = {
        "content_sha256": content,
        "quads": total,
        "graphs": rows,
        "sources": [r["source_id"] for r in rows if r["kind"] == "source"],
        "synthetic": {"seed": seed, "target_triples": triples},
        CONTEXT_KEY: SYNTHETIC_CONTEXT,
        "default_graph": "union of the named graphs (stored)",
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    final = builds / f"000001-{content[:12]}"
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    link = instance / "current"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path("builds") / final.name)
    unique = list(dict.fromkeys(entities))
    random.Random(seed + 1).shuffle(unique)
    return SynthBuild(Build(final), total, count, load_seconds, unique, graphs)


def _year_shifter(years: int) -> Callable[[re.Match[str]], str]:
    return lambda match: str(int(match.group(1)) - years)


def write_synthetic_articles(
    target: Path, templates: Templates, *, count: int, seed: int = 1
) -> list[str]:
    """Write ``count`` article texts and their ``sources.json`` into ``target``.

    Each is a seed article with its people renamed, its years moved back by up to two
    decades (with its publication date) and its figures changed, so that every file
    is distinct but reads like the real ones to the extractors.
    """
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    catalogue: dict[str, dict[str, object]] = {}
    names: list[str] = []
    for k in range(count):
        t = k % len(templates.articles)
        text, entry = templates.articles[t]
        for label, index in zip(
            sorted(templates.people[t].values()),
            rng.sample(range(max(20, 2 * count)), k=len(templates.people[t])),
            strict=True,
        ):
            text = text.replace(label, person_name(index))
        text = _YEAR_IN_TEXT.sub(_year_shifter(k % 20), text)
        text = re.sub(
            r"\b(\d+)\.(\d) (percent|trillion|billion)\b",
            lambda m: f"{m.group(1)}.{rng.randint(0, 9)} {m.group(3)}",
            text,
        )
        published = str(entry["published"])
        year = int(published[:4]) - k % 20
        day = published[5:]
        if day == "02-29":
            day = "02-28"
        name = f"syn{k:06d}_{rng.getrandbits(32):08x}.txt"
        (target / name).write_text(text, "utf-8")
        catalogue[name] = {**entry, "published": f"{year:04d}-{day}"}
        names.append(name)
    (target / "sources.json").write_text(
        json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )
    return names

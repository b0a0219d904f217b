"""Benchmark the knowledge graph at several sizes and print one table.

Run from the repository root::

    .venv/bin/python -m benchmarks.run                 # 10k, 100k and 1M triples (~15 min)
    .venv/bin/python -m benchmarks.run --quick         # 10k only, short runs (~1 min)
    .venv/bin/python -m benchmarks.run --sizes 100k --json out.json

At each size: build throughput through the real loaders (articles/s) and Oxigraph's bulk
loader (quads/s); SHACL validation of the whole graph and of one changed source; p50 / p99
of every competency query in-process; and, over HTTP on loopback, throughput and latency
at concurrency 1 and 8 of the competency mix and of single-entity lookups for ``cakg
serve``, ``oxigraph serve`` and rdflib-endpoint, loaded with the same data and asked the
same queries, with the ratios. All traffic goes to 127.0.0.1 and every step is bounded in
time. Lookups ask for a different entity each time; the endpoint has no response cache.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from cakg.graph.catalog import CatalogQuery, list_queries
from cakg.graph.namespaces import PREFIXES
from cakg.graph.store import open_build_store

from benchmarks.http_load import LoadResult, Request, form_query, run_load
from benchmarks.query_timer import time_queries
from benchmarks.servers import (
    Server,
    cakg_server,
    minimal_flask_server,
    oxigraph_server,
    rdflib_server,
)
from benchmarks.synth import (
    SIZES,
    SYNTHETIC_CONTEXT,
    SynthBuild,
    Templates,
    load_templates,
    write_synthetic_articles,
    write_synthetic_build,
)

ROOT = Path(__file__).resolve().parent.parent
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@dataclass
class Settings:
    """How long and how much to measure."""

    quick: bool
    http_seconds: float  # per lookup measurement
    mix_cap: float  # seconds at most per mix measurement
    query_reps: int
    query_budget: float  # seconds per in-process query
    query_limit: float  # seconds one in-process query may run before it is stopped
    mix_query_limit: float  # slower queries (in-process p50) stay out of the HTTP mix
    article_cap: int  # articles through the loaders at most
    validation_sample: int  # source graphs validated for the whole-graph figure at most
    rdflib_max: int  # largest size (triples) served by rdflib-endpoint
    rdflib_timeout: float


@dataclass
class SizeResult:
    """Every figure measured at one size."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    queries: dict[str, dict[str, float]] = field(default_factory=dict)
    http: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def say(message: str) -> None:
    """Print progress on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


# -- build throughput -------------------------------------------------------------------


def measure_build(
    work: Path, templates: Templates, sources: int, settings: Settings, result: SizeResult
) -> None:
    """Build synthetic articles through the real pipeline; time extraction and loading."""
    from cakg.loaders import build_from_sources

    count = max(1, min(sources, settings.article_cap))
    folder = work / "articles"
    write_synthetic_articles(folder, templates, count=count, seed=7)
    marks: list[tuple[float, str]] = []

    def progress(message: str) -> None:
        marks.append((time.perf_counter(), message))

    started = time.perf_counter()
    report = build_from_sources(folder, work / "article-build", progress=progress)
    total = time.perf_counter() - started
    extracted = next((t for t, m in marks if m.startswith("writing dumps")), started + total)
    loading = next((t for t, m in marks if m.startswith("loading the store")), extracted)
    done = next((t for t, m in marks if m.endswith("is current")), started + total)
    quads = int(report.build.manifest["quads"])
    result.figures.update(
        articles=count,
        articles_built=len(report.sources),
        article_problems=len(report.problems),
        extract_articles_s=len(report.sources) / max(1e-9, extracted - started),
        build_articles_s=len(report.sources) / total,
        build_quads=quads,
        build_store_quads_s=quads / max(1e-9, done - loading),
    )
    if count < sources:
        result.notes.append(
            f"build throughput measured on {count} of {sources} articles (a rate; "
            "--article-cap to change)"
        )


# -- validation -------------------------------------------------------------------------


def measure_validation(
    build: Any, graphs: Sequence[str], settings: Settings, result: SizeResult
) -> None:
    """Time SHACL validation of one changed source, and of all sources (sampled if many)."""
    from cakg.graph.validation import validate_build

    ids = [g.rsplit("/", 1)[-1] for g in graphs]
    validate_build(build, sources=ids[:1])  # shapes and background read once, as a server would
    started = time.perf_counter()
    one = validate_build(build, sources=[ids[len(ids) // 2]])
    result.figures["validate_one_s"] = time.perf_counter() - started
    sample = (
        ids
        if len(ids) <= settings.validation_sample
        else ids[:: max(1, len(ids) // settings.validation_sample)][: settings.validation_sample]
    )
    started = time.perf_counter()
    report = validate_build(build, sources=sample)
    spent = time.perf_counter() - started
    result.figures["validate_all_s"] = spent * len(ids) / len(sample)
    result.figures["validate_all_estimated"] = len(sample) < len(ids)
    result.figures["validate_violations"] = sum(
        1 for r in report.results if r.severity_name == "Violation"
    )
    result.figures["validate_one_conforms"] = one.conforms
    if len(sample) < len(ids):
        result.notes.append(
            f"whole-graph validation extrapolated from {len(sample)} of {len(ids)} source "
            "graphs (each is validated on its own, so the time is a sum)"
        )


# -- incremental rebuild ----------------------------------------------------------------


def measure_incremental(instance: Path, synth: SynthBuild, result: SizeResult) -> None:
    """Rebuild after one source changed: reuse every other graph, replace one in the store."""
    from cakg.graph.build import GraphPart
    from cakg.graph.incremental import FINGERPRINT_KEY, plan_changes, write_incremental_build
    from rdflib import Graph, URIRef

    previous = synth.build
    rows = [r for r in previous.manifest["graphs"] if r["kind"] == "source"]
    row = rows[len(rows) // 2]
    name, source_id = row["name"], row["source_id"]
    text = previous.graph_dump(name).read_text("utf-8")
    # The corrected article yields one changed label; the rest of its graph is the same.
    changed = text.replace('"@en', ' (corrected)"@en', 1).replace(f" <{name}> .\n", " .\n")
    fingerprints = {r["source_id"]: r[FINGERPRINT_KEY] for r in rows}
    fingerprints[source_id] = "corrected"
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    plan = plan_changes(previous, fingerprints, context=SYNTHETIC_CONTEXT)
    if plan.extract != [source_id]:
        raise RuntimeError(f"the plan should re-extract one source, not {plan.extract}")
    part = GraphPart(
        URIRef(name),
        Graph().parse(data=changed, format="nt"),
        "source",
        {"source_id": source_id, FINGERPRINT_KEY: "corrected"},
    )
    build = write_incremental_build(
        plan, [part], instance, progress=lambda m: marks.append((time.perf_counter(), m))
    )
    total = time.perf_counter() - started
    dumps = next(t for t, m in marks if m.startswith("writing dumps"))
    store = next(t for t, m in marks if m.startswith("updating the store"))
    done = next(t for t, m in marks if m.endswith(")") and "is current" in m)
    if build.manifest["quads"] != synth.quads:
        raise RuntimeError("the incremental build lost or gained quads")
    result.figures.update(
        incremental_s=total,
        incremental_dataset_dumps_s=store - dumps,
        incremental_store_s=done - store,
    )


# -- queries in-process -----------------------------------------------------------------


def _consume(result: Any) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def measure_queries(
    store_path: Path, queries: Sequence[CatalogQuery], settings: Settings, result: SizeResult
) -> list[CatalogQuery]:
    """Time each competency query in-process (p50 / p99); return those fit for the HTTP mix.

    A query slower than ``settings.mix_query_limit`` in-process would only measure the
    engine, the same one in ``cakg serve`` and ``oxigraph serve``, for minutes: it is left
    out of the HTTP mix, and said so.
    """
    started = time.perf_counter()
    store = open_build_store(store_path)
    store.raw.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)
    result.figures["open_store_s"] = time.perf_counter() - started
    result.figures["query_limit_s"] = settings.query_limit
    del store
    timings = time_queries(
        str(store_path),
        [(q.name, q.text) for q in queries],
        reps=settings.query_reps,
        budget=settings.query_budget,
        limit=settings.query_limit,
    )
    fit: list[CatalogQuery] = []
    slow: list[str] = []
    for query, timing in zip(queries, timings, strict=True):
        load = LoadResult(sum(timing.times), list(timing.times), 0)
        result.queries[query.name] = {
            "rows": timing.rows,
            "n": len(timing.times),
            "p50_ms": load.percentile(0.5),
            "p99_ms": load.percentile(0.99),
            "timed_out": timing.timed_out,
        }
        if timing.timed_out or load.percentile(0.5) > settings.mix_query_limit * 1000:
            slow.append(query.name)
        else:
            fit.append(query)
    if slow:
        result.notes.append(
            f"left out of the HTTP mix (over {settings.mix_query_limit:g} s in-process): "
            + ", ".join(slow)
        )
    return fit


# -- HTTP -------------------------------------------------------------------------------


def _lookup_requests(path: str, entities: Sequence[str]) -> list[Request]:
    return [form_query(path, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}") for iri in entities]


def measure_server(
    server: Server,
    queries: Sequence[CatalogQuery],
    entities: Sequence[str],
    settings: Settings,
    *,
    timeout: float = 120.0,
    mix_cap: float | None = None,
) -> dict[str, dict[str, float]]:
    """Measure the competency mix and lookups at concurrency 1 and 8 on ``server``."""
    mix = [form_query(server.query_path, PROLOGUE + q.text) for q in queries]
    lookups = _lookup_requests(server.query_path, entities)
    out: dict[str, dict[str, float]] = {}
    # Lookups first: a server that cannot stop a query (rdflib-endpoint) stays busy with
    # a timed-out mix query after the client gave up, which would fail the lookups too.
    run_load(
        "127.0.0.1",
        server.port,
        lookups[:3],
        concurrency=1,
        duration=5,
        max_requests=3,
        timeout=timeout,
    )
    for concurrency in (1, 8):
        load = run_load(
            "127.0.0.1",
            server.port,
            lookups,
            concurrency=concurrency,
            duration=settings.http_seconds,
            timeout=timeout,
        )
        out[f"lookup c{concurrency}"] = _figures(load, None)
        say(f"    {server.name} lookups c{concurrency}: {load.throughput:.0f}/s")
    # One pass of the mix first, not counted, on every server alike: each server's first
    # run of a query reads its data into that process's caches.
    run_load(
        "127.0.0.1",
        server.port,
        mix,
        concurrency=1,
        duration=min(settings.mix_cap if mix_cap is None else mix_cap, 60.0),
        max_requests=len(mix),
        timeout=timeout,
    )
    for concurrency in (1, 8):
        passes = 2
        load = run_load(
            "127.0.0.1",
            server.port,
            mix,
            concurrency=concurrency,
            duration=settings.mix_cap if mix_cap is None else mix_cap,
            max_requests=len(mix) * passes,
            timeout=timeout,
        )
        out[f"mix c{concurrency}"] = _figures(load, len(mix) * passes)
        say(f"    {server.name} mix c{concurrency}: {load.throughput:.1f}/s")
    return out


def _figures(load: LoadResult, planned: int | None) -> dict[str, float]:
    figures = {
        "rps": load.throughput,
        "p50_ms": load.percentile(0.5),
        "p99_ms": load.percentile(0.99),
        "requests": float(load.requests),
        "errors": float(load.errors),
        "seconds": load.seconds,
    }
    if planned is not None:
        figures["planned"] = float(planned)
    if load.first_error:
        say(f"      first error: {load.first_error}")
    return figures


def measure_http(
    work: Path,
    instance: Path,
    build: Any,
    queries: Sequence[CatalogQuery],
    entities: Sequence[str],
    triples: int,
    settings: Settings,
    result: SizeResult,
) -> None:
    """Run each server in turn on the same data and measure it."""
    candidates: list[tuple[str, Callable[[], AbstractContextManager[Server]], float]] = [
        ("cakg", lambda: cakg_server(instance, work / "cakg.log"), 120.0),
        (
            "cakg_cache",
            lambda: cakg_server(instance, work / "cakg-cache.log", cache_mb=256),
            120.0,
        ),
        ("flask", lambda: minimal_flask_server(build.store_path, work / "flask.log"), 120.0),
        ("oxigraph", lambda: oxigraph_server(build.store_path, work / "oxigraph.log"), 120.0),
    ]
    if triples <= settings.rdflib_max:
        candidates.append(
            (
                "rdflib",
                lambda: rdflib_server(build.nquads, work / "rdflib.log"),
                settings.rdflib_timeout,
            )
        )
    elif settings.rdflib_max == 0:
        result.notes.append("rdflib-endpoint not run (--no-rdflib)")
    else:
        result.notes.append(
            f"rdflib-endpoint not run at {result.name}: loading that many quads into rdflib "
            "takes minutes and gigabytes (--rdflib-max to change)"
        )
    for name, start, timeout in candidates:
        say(f"  HTTP: {name}")
        with start() as server:
            result.figures[f"{name}_startup_s"] = server.startup_seconds
            result.http[name] = measure_server(
                server,
                queries,
                entities,
                settings,
                timeout=timeout,
                # rdflib-endpoint cannot stop a query: cap the time spent waiting on it
                mix_cap=min(settings.mix_cap, 60.0) if name == "rdflib" else None,
            )


# -- the table --------------------------------------------------------------------------


def settings_limit(result: SizeResult) -> str:
    """Return the in-process query time limit used for ``result``."""
    return f"{result.figures.get('query_limit_s', 0):g}"


def _ratio(a: float, b: float) -> str:
    if b <= 0:
        return "n/a" if a <= 0 else "inf"
    return f"{a / b:.2f}x"


def _row(cells: Sequence[str], columns: Sequence[tuple[str, int]]) -> str:
    """Return ``cells`` padded to the widths of ``columns`` (negative: left-aligned)."""
    return " ".join(
        f"{c:<{-w}}" if w < 0 else f"{c:>{w}}" for c, (_, w) in zip(cells, columns, strict=True)
    )


def render(results: Sequence[SizeResult], queries: Sequence[CatalogQuery]) -> str:
    """Return the results as plain-text tables."""
    lines: list[str] = []
    add = lines.append
    add("== Build, validation, store ==")
    columns = (
        ("size", 6), ("quads", 9), ("sources", 7), ("bulk load q/s", 13),
        ("articles/s extract", 18), ("articles/s build", 16), ("build store q/s", 15),
        ("validate all s", 14), ("validate one s", 14), ("rebuild one s", 13),
        ("open store s", 12), ("serve start s", 13),
    )  # fmt: skip
    add(" ".join(f"{name:>{width}}" for name, width in columns))
    for r in results:
        f = r.figures
        estimated = "~" if f.get("validate_all_estimated") else ""
        cells = (
            r.name,
            str(f["quads"]),
            str(f["sources"]),
            f"{f['bulk_load_quads_s']:,.0f}",
            f"{f.get('extract_articles_s', 0):.2f}",
            f"{f.get('build_articles_s', 0):.2f}",
            f"{f.get('build_store_quads_s', 0):,.0f}",
            estimated + f"{f.get('validate_all_s', 0):.2f}",
            f"{f.get('validate_one_s', 0):.2f}",
            f"{f.get('incremental_s', 0):.2f}",
            f"{f.get('open_store_s', 0):.3f}",
            f"{f.get('cakg_startup_s', 0):.2f}",
        )
        add(" ".join(f"{c:>{w}}" for c, (_, w) in zip(cells, columns, strict=True)))
    add("rebuild one: a build after one source changed (cakg.graph.incremental); of which")
    add(
        "dataset-wide dumps s: "
        + ", ".join(
            f"{r.name} {r.figures.get('incremental_dataset_dumps_s', 0):.2f}"
            f" (store update {r.figures.get('incremental_store_s', 0):.2f})"
            for r in results
        )
    )
    add("")
    add("== Competency queries in-process (pyoxigraph), ms: p50 / p99 (rows) ==")
    header = f"{'query':28}" + "".join(f" {r.name:>24}" for r in results)
    add(header)
    for q in queries:
        row = f"{q.name:28}"
        for r in results:
            m = r.queries.get(q.name)
            if m is None:
                cell = "-"
            elif m.get("timed_out"):
                cell = f"> {settings_limit(r)} s"
            else:
                cell = f"{m['p50_ms']:.1f} / {m['p99_ms']:.1f} ({int(m['rows'])})"
            row += f" {cell:>24}"
        add(row)
    add("")
    add("== HTTP on loopback: throughput req/s, latency p50 / p99 ms ==")
    http_columns = (
        ("size", 6), ("workload", -12), ("cakg serve", 22), ("cakg + cache", 22),
        ("minimal Flask", 22), ("oxigraph serve", 22), ("rdflib-endpoint", 22),
        ("cakg/Flask", 10), ("cakg/oxigraph", 13), ("cakg/rdflib", 11),
        ("cache/oxigraph", 14),
    )  # fmt: skip
    add(_row([name for name, _ in http_columns], http_columns))
    for r in results:
        for workload in ("mix c1", "mix c8", "lookup c1", "lookup c8"):
            served: list[str] = []
            for server in ("cakg", "cakg_cache", "flask", "oxigraph", "rdflib"):
                m = r.http.get(server, {}).get(workload)
                if m is None:
                    served.append("not run")
                    continue
                extra = f" e{int(m['errors'])}" if m["errors"] else ""
                served.append(f"{m['rps']:.1f} | {m['p50_ms']:.1f}/{m['p99_ms']:.0f}{extra}")
            ours = r.http.get("cakg", {}).get(workload, {}).get("rps", 0.0)
            ox_ = r.http.get("oxigraph", {}).get(workload, {}).get("rps", 0.0)
            flask = r.http.get("flask", {}).get(workload, {}).get("rps", 0.0)
            rdf = r.http.get("rdflib", {}).get(workload)
            rdf_ratio = "not run"
            if rdf is not None:
                if rdf["rps"] > 0:
                    rdf_ratio = _ratio(ours, rdf["rps"])
                else:
                    rdf_ratio = f">{ours * rdf['seconds']:.0f}x"
            cached = r.http.get("cakg_cache", {}).get(workload, {}).get("rps", 0.0)
            ratios = [_ratio(ours, flask), _ratio(ours, ox_), rdf_ratio, _ratio(cached, ox_)]
            add(_row([r.name, workload, *served, *ratios], http_columns))
    add("")
    add("cells: req/s | p50/p99 ms; eN = N requests failed or timed out; ratios are throughput")
    add("ratios (cakg serve / other, higher is better for cakg serve). cakg serve: no result")
    add("cache, the engine answers every request; cakg + cache: the same with a 256 MiB result")
    add("cache per server process (mix queries repeat after the warm-up pass, lookups never do).")
    add("minimal Flask: the baseline app (benchmarks/minimal_flask.py: in-process store,")
    add("no limits, under gunicorn).")
    notes = [f"{r.name}: {n}" for r in results for n in r.notes]
    if notes:
        add("")
        add("Notes:")
        lines.extend(f"- {n}" for n in notes)
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------


def run_size(
    name: str, templates: Templates, queries: Sequence[CatalogQuery], work: Path, settings: Settings
) -> SizeResult:
    """Measure everything at one size."""
    result = SizeResult(name)
    triples = SIZES[name]
    say(f"== {name}: generating ~{triples} triples")
    instance = work / "instance"
    synth = write_synthetic_build(instance, templates, triples=triples, seed=1)
    result.figures.update(
        quads=synth.quads,
        sources=synth.sources,
        bulk_load_s=synth.load_seconds,
        bulk_load_quads_s=synth.quads / synth.load_seconds,
    )
    say(f"  {synth.quads} quads, {synth.sources} sources, bulk load {synth.load_seconds:.2f} s")
    say("  build throughput through the loaders")
    measure_build(work, templates, synth.sources, settings, result)
    say("  SHACL validation")
    measure_validation(synth.build, synth.source_graphs, settings, result)
    say("  competency queries in-process")
    mix = measure_queries(synth.build.store_path, queries, settings, result)
    measure_http(work, instance, synth.build, mix, synth.entities, triples, settings, result)
    say("  incremental rebuild of one changed source")
    measure_incremental(instance, synth, result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run every size, print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k, 100k, 1M")
    parser.add_argument("--quick", action="store_true", help="10k only, short measurements")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument(
        "--rdflib-max", default="100k", help="largest size served by rdflib-endpoint"
    )
    parser.add_argument(
        "--article-cap", type=int, default=None, help="articles built at most per size"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--work", type=Path, default=None, help="keep the generated data here")
    parser.add_argument("--sources", type=Path, default=ROOT / "sources", help="seed articles")
    args = parser.parse_args(argv)
    sizes = ["10k"] if args.quick else [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; use {', '.join(SIZES)}")
    settings = Settings(
        quick=args.quick,
        http_seconds=0.5 if args.quick else 5.0,
        mix_cap=10.0 if args.quick else 90.0,
        query_reps=3 if args.quick else 20,
        query_budget=0.3 if args.quick else 3.0,
        query_limit=10.0 if args.quick else 30.0,
        mix_query_limit=2.0 if args.quick else 10.0,
        article_cap=args.article_cap or (2 if args.quick else 40),
        validation_sample=2 if args.quick else 12,
        rdflib_max=0 if args.no_rdflib else SIZES.get(args.rdflib_max, 100_000),
        rdflib_timeout=10.0 if args.quick else 20.0,
    )
    queries = list_queries()
    if not queries:
        parser.error("no competency queries in queries/*.rq")
    work = args.work or Path(tempfile.mkdtemp(prefix="cakg-bench-"))
    started = time.perf_counter()
    results: list[SizeResult] = []
    try:
        templates = load_templates(args.sources, work / "templates")
        for name in sizes:
            folder = work / name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            results.append(run_size(name, templates, queries, folder, settings))
            if args.work is None:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(render(results, queries))
    print(f"\n(total {time.perf_counter() - started:.0f} s on {_machine()})")
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ for r in results], indent=1, default=str) + "\n", "utf-8"
        )
    return 0


def _machine() -> str:
    import os
    import platform

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, pyoxigraph {ox.__version__}"
    )


if __name__ == "__main__":
    sys.exit(main())

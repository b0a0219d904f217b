"""CLI commands for the graph: ``build``, ``query``, ``stats``, ``extract``.

Registered on the ``cakg`` group by ``cakg.web.cli``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
from cakg.errors import CakgError, SourceError
from cakg.graph.build import Build, current_build, nquads_lines
from cakg.graph.catalog import get_query, list_queries
from cakg.graph.namespaces import PREFIXES
from cakg.graph.remote import push_build
from cakg.graph.store import needs_union_view, open_build_store
from cakg.loaders.pipeline import build_from_sources, extract_file, metadata_from_options
from cakg.loaders.sources import parse_metadata

COMMANDS: list[click.Command] = []
# The dataset's own IRIs hold slashes, which prefixed names would have to escape.
_PLAIN_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "id"}

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _instance(ctx: click.Context) -> Path:
    path: Path = ctx.obj["instance_dir"]
    return path


def _build(ctx: click.Context) -> Build:
    try:
        return current_build(_instance(ctx))
    except CakgError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="sources",
    show_default=True,
    help="Folder of source documents with their sources.json catalogue.",
)
@click.option(
    "--gazetteer",
    "gazetteer_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A gazetteer TOML file to use instead of the packaged one.",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not show progress.")
@click.option(
    "--full",
    is_flag=True,
    help="Extract every source again, even those unchanged since the last build.",
)
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    default=None,
    help="Then push every named graph to the SPARQL store at URL (Graph Store PUT; graphs of "
    "removed sources are deleted there). See docs/REMOTE-STORES.md.",
)
@click.pass_context
def build(
    ctx: click.Context,
    sources_dir: Path,
    gazetteer_path: Path | None,
    quiet: bool,
    full: bool,
    store_url: str | None,
) -> None:
    """Build the dataset from the sources: TriG and N-Quads dumps and the Oxigraph store.

    The build is atomic: it is written aside and becomes current only when complete, so a
    failed build leaves the last good one in place. Sources that cannot be used are
    reported on stderr and skipped; the others build (exit code 1 then, 0 when all built).
    Builds are incremental: only new and changed sources are extracted and loaded, unless
    the extractor, gazetteer, ontology or shapes changed (or --full is given).
    """

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    try:
        report = build_from_sources(
            sources_dir, _instance(ctx), gazetteer_path=gazetteer_path, progress=progress, full=full
        )
    except CakgError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    manifest = report.build.manifest
    click.echo(
        f"built {report.build.path.name}: {manifest['quads']} quads in {len(manifest['graphs'])} graphs "
        f"from {len(report.sources)} sources ({sum(report.facts.values())} facts); "
        f"extracted {len(report.extracted)} of {len(report.sources)} sources ({report.plan})"
    )
    if report.extracted and not full and report.plan != "there is no previous build":
        changed = " ".join(f"--source {s}" for s in report.extracted)
        click.echo(f"validate what changed with: cakg validate {changed}", err=True)
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)
    if store_url:
        try:
            pushed = push_build(report.build, store_url, prune=True, progress=progress)
        except CakgError as exc:
            click.echo(f"Error: the build is done but pushing it failed: {exc}", err=True)
            ctx.exit(2)
        click.echo(
            f"pushed {len(pushed.pushed)} graphs ({pushed.triples} triples) to {pushed.store}"
            + (f", deleted {len(pushed.deleted)}" if pushed.deleted else "")
        )
    ctx.exit(1 if report.problems else 0)


COMMANDS.append(build)


def _print_table(result: ox.QuerySolutions) -> None:
    names = [v.value for v in result.variables]
    rows = [[_short(solution[n]) for n in names] for solution in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = [min(w, 80) for w in widths]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)))
    click.echo(f"({len(rows)} rows)", err=True)


def _short(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(term.value)
    return str(term)


@click.command()
@click.argument("query", required=False)
@click.option(
    "--file",
    "-f",
    "query_file",
    type=click.File("r"),
    help="Read the query from a file ('-' for stdin).",
)
@click.option(
    "--format",
    "-o",
    "output",
    type=click.Choice(["table", *_RESULT_FORMATS, *_GRAPH_FORMATS]),
    default="table",
    show_default=True,
    help="Output: a table, SPARQL results (json, xml, csv, tsv) or RDF (turtle, ntriples, jsonld, rdfxml).",
)
@click.option(
    "--list", "list_names", is_flag=True, help="List the named competency queries and exit."
)
@click.pass_context
def query(
    ctx: click.Context, query: str | None, query_file: Any, output: str, list_names: bool
) -> None:
    """Run a SPARQL query, or a named query from queries/, against the current build.

    QUERY is either SPARQL text or the name of a competency question (see --list). The
    project's prefixes are predeclared; the default graph is the union of all named graphs.
    """
    if list_names:
        for q in list_queries():
            click.echo(f"{q.name:32} {q.summary}")
        return
    if query_file is not None:
        text = query_file.read()
    elif query is None:
        raise click.UsageError("give a query, a query name (see --list) or --file")
    else:
        try:
            text = get_query(query).text if " " not in query.strip() else query
        except CakgError as exc:
            raise click.ClickException(f"{exc} (run `cakg query --list` for the names)") from exc
    store = _open_store(ctx)
    try:
        result = store.raw.query(
            text, prefixes=PREFIXES, use_default_graph_as_union=needs_union_view(store.raw)
        )
    except SyntaxError as exc:
        raise click.ClickException(f"the query does not parse: {exc}") from exc
    out = sys.stdout.buffer
    if isinstance(result, ox.QuerySolutions):
        if output == "table":
            _print_table(result)
        elif output in _RESULT_FORMATS:
            out.write(result.serialize(format=_RESULT_FORMATS[output]) or b"")
        else:
            raise click.UsageError(
                f"--format {output} is for CONSTRUCT / DESCRIBE; use table, json, xml, csv or tsv"
            )
    elif isinstance(result, ox.QueryBoolean):
        if output in ("json", "xml"):
            out.write(result.serialize(format=_RESULT_FORMATS[output]) or b"")
        else:
            click.echo("true" if bool(result) else "false")
    else:
        fmt = _GRAPH_FORMATS.get(output, ox.RdfFormat.TURTLE)
        out.write(ox.serialize(list(result), format=fmt) or b"")


COMMANDS.append(query)


def _open_store(ctx: click.Context) -> Any:
    build_ = _build(ctx)
    try:
        return open_build_store(build_.store_path)
    except CakgError as exc:
        raise click.ClickException(str(exc)) from exc


_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(cakg:)))
  FILTER(STRSTARTS(STR(?s), STR(id:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""
_FACTS_BY_SOURCE = """
SELECT ?g (COUNT(DISTINCT ?st) AS ?facts) (COUNT(DISTINCT ?span) AS ?sentences) WHERE {
  GRAPH ?g { ?st a rdf:Statement ; cakg:evidence ?span . }
} GROUP BY ?g ORDER BY ?g
"""


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Print counts: quads, graphs, entities by class, facts by source."""
    build_ = _build(ctx)
    store = _open_store(ctx)
    manifest = build_.manifest
    classes = {_short(r["class"]): int(r["n"].value) for r in store.select(_CLASS_COUNTS)}
    facts = {
        _short(r["g"]): {"facts": int(r["facts"].value), "sentences": int(r["sentences"].value)}
        for r in store.select(_FACTS_BY_SOURCE)
    }
    figures = {
        "build": build_.path.name,
        "quads": manifest["quads"],
        "graphs": len(manifest["graphs"]),
        "sources": len(manifest.get("sources", [])),
        "entities_by_class": classes,
        "facts_by_source": facts,
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(
        f"build {figures['build']}: {figures['quads']} quads, {figures['graphs']} graphs, {figures['sources']} sources"
    )
    click.echo("\nentities by class:")
    for name, n in classes.items():
        click.echo(f"  {n:6}  {name}")
    click.echo("\nfacts by source (distinct evidence sentences):")
    for name, row in facts.items():
        click.echo(f"  {row['facts']:6}  {name}  ({row['sentences']} sentences)")


COMMANDS.append(stats)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--published", help="Publication date, YYYY-MM-DD (relative dates resolve against it)."
)
@click.option("--publisher", help="Who published it, e.g. 'Xinhua'.")
@click.option("--title", help="The article's title.")
@click.option("--url", help="Where it was published.")
@click.option("--language", default="en", show_default=True, help="BCP 47 language tag.")
@click.option(
    "--format",
    "-o",
    "output",
    type=click.Choice(["trig", "turtle", "json-ld", "nquads"]),
    default="trig",
    show_default=True,
)
def extract(
    file: Path,
    published: str | None,
    publisher: str | None,
    title: str | None,
    url: str | None,
    language: str,
    output: str,
) -> None:
    """Run the loaders on one document and print the graph it yields (no build needed).

    Metadata comes from a sidecar FILE.json when there is one, otherwise from the options
    (--published and --publisher are required then). This is how to try the extractors on
    a new article before adding it to sources/.
    """
    sidecar = file.with_name(file.name + ".json")
    try:
        if sidecar.exists() and published is None:
            metadata = parse_metadata(json.loads(sidecar.read_text("utf-8")), where=str(sidecar))
        else:
            metadata = metadata_from_options(
                published=published,
                publisher=publisher,
                title=title,
                url=url,
                language=language,
                where="options",
            )
        name, graph = extract_file(file, metadata)
    except (SourceError, json.JSONDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    quads = list(ox.parse("".join(nquads_lines(graph, name)), format=ox.RdfFormat.N_QUADS))
    if output == "turtle":
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PLAIN_PREFIXES)
    else:
        formats = {
            "trig": ox.RdfFormat.TRIG,
            "json-ld": ox.RdfFormat.JSON_LD,
            "nquads": ox.RdfFormat.N_QUADS,
        }
        data = ox.serialize(quads, format=formats[output], prefixes=_PLAIN_PREFIXES)
    sys.stdout.buffer.write(data or b"")


COMMANDS.append(extract)

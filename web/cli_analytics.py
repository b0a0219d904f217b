"""``cakg network ...``: network analytics and exports of the current build.

Every subcommand works on one view of the graph: ``--view entities`` (all entities and
their relations) or ``--view actors`` (people, organisations and countries linked through
the events they took part in), narrowed with ``--class`` and ``--source`` and, for the
entity view, widened with ``--provenance``. Entities are named by IRI, by local id
(``person/wang-wentao``) or by label (any case). Tables go to stdout; ``--json`` gives JSON.
Exit codes: 0 success, 2 an error (the message says what to do).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import networkx as nx
from cakg.errors import CakgError
from cakg.graph import analytics
from cakg.graph.build import current_build
from cakg.graph.export import FORMATS, decorate, export_bytes
from cakg.graph.projection import ACTOR_GROUPS, GROUPS, actor_network, entity_graph, store_quads
from cakg.graph.store import open_build_store

__all__ = ["COMMANDS", "network"]

F = TypeVar("F", bound=Callable[..., Any])


class NetworkError(click.ClickException):
    """An error of ``cakg network``: exit code 2, the message on stderr."""

    exit_code = 2


def view_options(function: F) -> F:
    """Add the options that choose the graph: view, classes, sources, provenance."""
    options = [
        click.option(
            "--view",
            type=click.Choice(["entities", "actors"]),
            default="actors",
            show_default=True,
            help="All entities and relations, or actors linked through shared events.",
        ),
        click.option(
            "--class",
            "classes",
            multiple=True,
            metavar="CLASS",
            help=f"Keep only these groups or cakg: classes (repeatable; all for every "
            f"group): {', '.join(GROUPS)}.",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="ID",
            help="Use only the facts of these sources (repeatable; see `cakg network stats`).",
        ),
        click.option(
            "--provenance/--no-provenance",
            default=False,
            help="Add source documents as nodes (entity view).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def load_view(
    instance_dir: Path,
    *,
    view: str,
    classes: tuple[str, ...] = (),
    sources: tuple[str, ...] = (),
    provenance: bool = False,
) -> nx.Graph:
    """Return the chosen view of the current build in ``instance_dir``.

    Raises:
        NetworkError: there is no build, or an option names an unknown class or source.
    """
    try:
        build = current_build(instance_dir)
        quads = store_quads(open_build_store(build.store_path))
        if view == "actors":
            unknown = sorted({c for c in classes if c.lower() not in GROUPS})
            if unknown:
                raise NetworkError(
                    f"Unknown group {', '.join(unknown)} for the actor view: use groups "
                    f"such as {', '.join(ACTOR_GROUPS)}."
                )
            return actor_network(
                entity_graph(quads, sources=sources or None),
                actor_groups=[c.lower() for c in classes] or ACTOR_GROUPS,
            )
        return entity_graph(
            quads, classes=classes or None, sources=sources or None, provenance=provenance
        )
    except CakgError as exc:
        raise NetworkError(str(exc)) from exc


def _graph(ctx: click.Context, **options: Any) -> nx.Graph:
    instance_dir: Path = ctx.obj["instance_dir"] if ctx.obj else Path("instance")
    return load_view(instance_dir, **options)


def _emit(data: Any, as_json: bool, table: Callable[[], None]) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        table()


def _resolve(graph: nx.Graph, text: str) -> Any:
    try:
        return analytics.resolve(graph, text)
    except CakgError as exc:
        raise NetworkError(str(exc)) from exc


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def network() -> None:
    """Analyse the graph as a network: centrality, paths, neighbours, communities, exports."""


@network.command()
@view_options
@json_option
@click.pass_context
def stats(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """Print the size and shape of the network: nodes, edges, components, communities."""
    graph = _graph(ctx, **options)
    result = analytics.network_stats(graph)
    result["sources"] = graph.graph.get("sources", [])

    def table() -> None:
        for key, value in result.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            elif isinstance(value, list):
                value = ", ".join(map(str, value))
            click.echo(f"{key.replace('_', ' '):32} {value}")

    _emit(result, as_json, table)


@network.command()
@view_options
@click.option(
    "--measure",
    type=click.Choice(analytics.MEASURES),
    default="pagerank",
    show_default=True,
    help="What to rank by.",
)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--among",
    multiple=True,
    metavar="GROUP",
    help="Rank only nodes of these groups (repeatable), measured on the whole view.",
)
@json_option
@click.pass_context
def centrality(
    ctx: click.Context,
    /,
    measure: str,
    top: int,
    among: tuple[str, ...],
    as_json: bool,
    **options: Any,
) -> None:
    """Rank the nodes by degree, betweenness or PageRank centrality."""
    graph = _graph(ctx, **options)
    rows = analytics.most_central(graph, measure=measure, count=top, groups=among or None)

    def table() -> None:
        click.echo(f"{'rank':>4}  {'label':32} {'group':13} {'degree':>6} {'betweenness':>11} "
                   f"{'pagerank':>9}")  # fmt: skip
        for rank, row in enumerate(rows, 1):
            click.echo(
                f"{rank:>4}  {row['label'][:32]:32} {row['group']:13} {row['degree']:>6} "
                f"{row['betweenness']:>11.4f} {row['pagerank']:>9.4f}"
            )

    _emit(rows, as_json, table)


@network.command()
@click.argument("source")
@click.argument("target")
@view_options
@click.option("--all", "all_paths", is_flag=True, help="List every simple path up to --cutoff.")
@click.option("--cutoff", type=click.IntRange(min=1, max=8), default=4, show_default=True)
@click.option("--evidence", is_flag=True, help="Quote the sentences each step comes from.")
@json_option
@click.pass_context
def path(
    ctx: click.Context,
    /,
    source: str,
    target: str,
    all_paths: bool,
    cutoff: int,
    evidence: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Show how SOURCE and TARGET are connected (shortest path, or all up to a length)."""
    graph = _graph(ctx, **options)
    a, b = _resolve(graph, source), _resolve(graph, target)
    try:
        paths = (
            analytics.simple_paths(graph, a, b, cutoff=cutoff)
            if all_paths
            else [analytics.shortest_path(graph, a, b)]
        )
    except CakgError as exc:
        raise NetworkError(str(exc)) from exc
    if not paths:
        raise NetworkError(f"No path of at most {cutoff} steps: raise --cutoff.")
    described = [analytics.describe_path(graph, p) for p in paths]

    def table() -> None:
        for number, hops in enumerate(described, 1):
            if len(described) > 1:
                click.echo(f"path {number} ({len(hops)} steps)")
            click.echo(hops[0]["from_label"] if hops else graph.nodes[a].get("label", a))
            for hop in hops:
                click.echo(f"  {' / '.join(hop['relations']) or '-'}  {hop['to_label']}")
                if evidence:
                    for sentence in hop["evidence"]:
                        click.echo(f"      “{sentence}”")

    _emit([{"nodes": p, "hops": h} for p, h in zip(paths, described, strict=True)], as_json, table)


@network.command()
@click.argument("entity")
@view_options
@click.option("--radius", type=click.IntRange(min=1, max=4), default=1, show_default=True)
@json_option
@click.pass_context
def neighbours(
    ctx: click.Context, /, entity: str, radius: int, as_json: bool, **options: Any
) -> None:
    """List the neighbours of ENTITY within --radius steps (its ego network)."""
    graph = _graph(ctx, **options)
    centre = _resolve(graph, entity)
    ego = analytics.ego_network(graph, centre, radius=radius)
    rows = sorted(
        (
            {
                "id": node,
                "label": data.get("label", node),
                "group": data.get("group", ""),
                "hops": data["hops"],
            }
            for node, data in ego.nodes(data=True)
            if node != centre
        ),
        key=lambda r: (r["hops"], str(r["label"]).casefold()),
    )

    def table() -> None:
        click.echo(f"{graph.nodes[centre].get('label', centre)}: {len(rows)} neighbours")
        for row in rows:
            click.echo(f"  {row['hops']}  {row['label']:40} {row['group']}")

    _emit({"centre": centre, "neighbours": rows}, as_json, table)


@network.command()
@view_options
@json_option
@click.pass_context
def communities(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """List the communities (greedy modularity) and the connected components."""
    graph = _graph(ctx, **options)
    found = analytics.communities(graph)
    result = {
        "modularity": round(analytics.modularity(graph, found), 6),
        "communities": [
            [{"id": n, "label": graph.nodes[n].get("label", n)} for n in c] for c in found
        ],
        "components": [len(c) for c in analytics.components(graph)],
    }

    def table() -> None:
        click.echo(f"{len(found)} communities, modularity {result['modularity']}")
        for number, members in enumerate(found):
            labels = sorted(str(graph.nodes[n].get("label", n)) for n in members)
            click.echo(f"  {number}: {', '.join(labels)}")

    _emit(result, as_json, table)


@network.command("export")
@view_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    required=True,
    help="; ".join(f"{k}: {v.description}" for k, v in FORMATS.items()),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout).",
)
@click.pass_context
def export(ctx: click.Context, /, fmt: str, output: Path | None, **options: Any) -> None:
    """Export the network for Gephi, Cytoscape, yEd or a script, with centrality attributes."""
    graph = decorate(_graph(ctx, **options))
    data = export_bytes(graph, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(
            f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
            err=True,
        )


COMMANDS: list[click.Command] = [network]

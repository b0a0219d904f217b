"""The ``validate`` command: SHACL validation of the current build, one graph at a time.

Registered on the ``cakg`` group by ``cakg.web.cli``. Exit codes follow pySHACL's:
0 the data conforms (warnings allowed), 1 violations were found, 2 an error occurred.
"""

from __future__ import annotations

import sys

import click
from cakg.errors import CakgError
from cakg.graph.build import current_build
from cakg.graph.validation import FORMATS, build_source_graphs, validate_build

__all__ = ["COMMANDS", "EXIT_CONFORMS", "EXIT_ERROR", "EXIT_VIOLATIONS", "validate"]

EXIT_CONFORMS = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: readable text, a SHACL validation report in Turtle, or JSON.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="ID",
    help="Validate only this source (its id, e.g. 000_28ddfdb37133726e, or 'gazetteer'); "
    "repeatable.",
)
@click.pass_context
def validate(ctx: click.Context, fmt: str, sources: tuple[str, ...]) -> None:
    """Validate the current build against the SHACL shapes, one named graph at a time.

    Each source's graph is checked with the ontology and the gazetteer as background, and the
    gazetteer with the ontology. The report goes to stdout; exit code 0 means it conforms (warnings allowed), 1 that there
    are violations, 2 an error (message on stderr).
    """
    try:
        build = current_build(ctx.obj["instance_dir"])
        names = [str(n) for n in build_source_graphs(build, sources or None)]
        if len(names) > 1 and sys.stderr.isatty():
            with click.progressbar(
                length=len(names), label="Validating source graphs", file=sys.stderr
            ) as bar:
                report = validate_build(build, sources=names, progress=lambda _: bar.update(1))
        else:
            report = validate_build(build, sources=names)
    except CakgError as error:
        click.echo(f"Error: {error}", err=True)
        ctx.exit(EXIT_ERROR)
    click.echo(report.render(fmt), nl=False)  # type: ignore[arg-type]
    if fmt != "text":
        click.echo(report.summary(), err=True)
    ctx.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)


COMMANDS: list[click.Command] = [validate]

"""The ``cakg`` command line: one click group, verb subcommands composed with ``add_command``.

Exit codes: 0 success; 1 validation found violations (``validate``); 2 an error, with a
message on stderr that says what to do. Data goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from cakg import __version__
from cakg.web import cli_analytics, cli_graph, cli_serve, cli_validate

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cakg")
@click.option(
    "--instance",
    "instance_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("CAKG_INSTANCE", "instance"),
    show_default="instance (or $CAKG_INSTANCE)",
    help="Folder holding the builds; `current` in it points at the last good build.",
)
@click.pass_context
def cli(ctx: click.Context, instance_dir: Path) -> None:
    """Build, validate, query and serve the China–ASEAN knowledge graph."""
    ctx.obj = {"instance_dir": instance_dir}


for _module in (cli_graph, cli_validate, cli_serve, cli_analytics):
    for _command in _module.COMMANDS:
        cli.add_command(_command)

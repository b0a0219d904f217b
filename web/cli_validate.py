"""CLI commands; registered on the `cakg` group by `cakg.web.cli`."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

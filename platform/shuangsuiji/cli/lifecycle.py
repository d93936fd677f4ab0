"""Plans, tasks, records, publication and deadlines."""

from __future__ import annotations

import click

commands: list[click.Command] = []

"""`ssj draw`, `ssj draw export`, `ssj verify`."""

from __future__ import annotations

import click

commands: list[click.Command] = []

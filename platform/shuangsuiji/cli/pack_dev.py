"""`ssj pack new|check|diff`: the plugin developer kit."""

from __future__ import annotations

import click

commands: list[click.Command] = []

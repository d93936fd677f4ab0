"""`ssj import targets|inspectors|experts|items`."""

from __future__ import annotations

import click

commands: list[click.Command] = []

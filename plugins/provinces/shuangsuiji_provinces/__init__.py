"""Declarative provinces: one TOML file per province's 实施细则, read as a policy pack."""

from __future__ import annotations

from shuangsuiji.packs import Pack


def load_packs() -> list[Pack]:
    """Every province pack shipped in this package's ``provinces/`` folder."""
    return []

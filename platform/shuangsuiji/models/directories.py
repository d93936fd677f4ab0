"""Directories (名录库): targets, inspectors, experts; the item list (随机抽查事项清单) and its versions."""

from __future__ import annotations

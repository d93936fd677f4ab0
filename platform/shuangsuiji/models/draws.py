"""Draws (抽取): committed once, never updated; voids and recusals are appended."""

from __future__ import annotations

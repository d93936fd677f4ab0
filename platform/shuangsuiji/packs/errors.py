"""Errors raised while loading packs or asking them for rules."""

from __future__ import annotations

from shuangsuiji.errors import UserError


class PackError(UserError):
    """A pack cannot be loaded or used; the message names the pack and the problem."""

    def __init__(self, pack: str, problem: str) -> None:
        super().__init__(f"policy pack {pack!r}: {problem}")
        self.pack = pack
        self.problem = problem


class NoVersionInForce(PackError):
    """Rules were asked for a date on which a pack in the chain had no version in force."""

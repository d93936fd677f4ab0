"""Errors raised while loading packs or asking them for rules."""

from __future__ import annotations

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg


class PackError(UserError):
    """A pack cannot be loaded or used; the message names the pack and the problem.

    ``problem`` is English text, usually a :func:`~shuangsuiji.messages.msg` (translated
    where it is shown).
    """

    def __init__(self, pack: str, problem: str) -> None:
        super().__init__(msg("policy pack %(pack)r: %(problem)s", pack=pack, problem=problem))
        self.pack = pack
        self.problem = problem


class NoVersionInForce(PackError):
    """Rules were asked for a date on which a pack in the chain had no version in force."""

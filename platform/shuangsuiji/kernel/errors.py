"""Errors the kernel raises: each says what is wrong, where, and what to do about it."""

from __future__ import annotations

from shuangsuiji.messages import msg


class KernelError(Exception):
    """Base class: the kernel refused its input. The message is meant for the user."""


class InvalidInput(KernelError):
    """An input value is malformed (a bad ratio, a tab in a name, a duplicate credit code)."""


class EmptyPool(KernelError):
    """No target is left after the exclusions: there is nothing to draw from."""


class NotEnoughPeople(KernelError):
    """Fewer eligible inspectors or experts than the draw needs."""

    def __init__(self, message: str, *, needed: int, available: int) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available

    @property
    def missing(self) -> int:
        """How many more eligible people the draw would need."""
        return self.needed - self.available


class RuleRefused(KernelError):
    """The pack's rules forbid what was asked (a recusal mode, a batch order, a ratio)."""


class RecusalImpossible(KernelError):
    """A recusal cannot be carried out: no replacement or no swap partner is left."""


class BundleFormatError(KernelError):
    """A bundle field is missing or of the wrong type; ``path`` says which.

    ``problem`` is a translatable message; the path is the JSON path as it is.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(msg("%(where)s: %(message)s", where=path, message=problem))
        self.path = path
        self.problem = problem

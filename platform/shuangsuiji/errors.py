"""Errors a user can act on: what is wrong, where, and what to do.

The CLI and the web layer show these as plain messages, never as tracebacks.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. ``where`` locates it; ``hint`` says what to do."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  → {self.hint}" if self.hint else text


class NotFound(UserError):
    """The object does not exist in the current tenant."""


class Conflict(UserError):
    """The action conflicts with the current state (e.g. a task already drawn)."""

"""Errors a user can act on: what is wrong, where, and what to do.

The CLI and the web layer show these as plain messages, never as tracebacks. ``message``,
``where`` and ``hint`` are English text, usually a :class:`~shuangsuiji.messages.Message`
(made with :func:`~shuangsuiji.messages.msg`), which the web pages and the API translate
into the language of the request; ``str()`` of the error is always English (the CLI, logs).
A plain ``str`` is shown as it is: field names and values need no translation.
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


class Forbidden(UserError):
    """The caller may not do this to this object (e.g. a tenant admin and an account that
    holds roles in other tenants too)."""

"""The error a file that cannot be read at all raises."""

from __future__ import annotations

from shuangsuiji.errors import UserError


class TabularError(UserError):
    """The file cannot be read as a table (bad encoding, not an XLSX, no such sheet)."""

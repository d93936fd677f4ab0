"""Errors of a holiday-notice import, each pointing at the file, line and column or field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an imported calendar file.

    ``column`` is a CSV header as written in the file (``"日期"``); ``field`` is a TOML key
    path (``"festival[2].to"``). ``line`` is 1-based, ``None`` when it cannot be known.
    """

    file: str
    line: int | None
    message: str
    column: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class CalendarImportError(ValueError):
    """A calendar file could not be imported; ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[ImportIssue]) -> None:
        self.issues: tuple[ImportIssue, ...] = tuple(issues)
        count = len(self.issues)
        head = (
            f"{count} problem{'s' if count != 1 else ''} in the holiday calendar; nothing imported"
        )
        super().__init__("\n".join([head, *(str(i) for i in self.issues)]))

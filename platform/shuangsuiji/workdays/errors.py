"""Errors of a holiday-notice import, each pointing at the file, line and column or field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shuangsuiji.messages import Message, msg


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
        return str(self.text)

    @property
    def text(self) -> Message:
        """The problem with its place, as a translatable message (``str()`` is its English)."""
        where: str = self.file
        if self.line is not None:
            where = msg("%(where)s line %(line)s", where=where, line=self.line)
        if self.column is not None:
            where = msg("%(where)s, column %(column)s", where=where, column=self.column)
        if self.field is not None:
            where = msg("%(where)s, field %(field)s", where=where, field=self.field)
        return msg("%(where)s: %(message)s", where=where, message=self.message)


class CalendarImportError(ValueError):
    """A calendar file could not be imported; ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[ImportIssue]) -> None:
        self.issues: tuple[ImportIssue, ...] = tuple(issues)
        count = len(self.issues)
        head = (
            msg("1 problem in the holiday calendar; nothing imported")
            if count == 1
            else msg("%(count)d problems in the holiday calendar; nothing imported", count=count)
        )
        # the whole report as one message: the web page shows it translated, str() is English
        super().__init__(lines([head, *(i.text for i in self.issues)]))


def lines(parts: Sequence[str]) -> str:
    """``parts`` one per line, as one message whose parts are translated where they are
    messages. Split in halves, so a long list nests only as deep as its logarithm."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return msg("%(above)s\n%(below)s", above=lines(parts[:half]), below=lines(parts[half:]))

"""The results of reading an import file, shared by the import pipeline
(:mod:`shuangsuiji.services.imports`) and the writers it hands them to
(:mod:`~shuangsuiji.services.directories`, :mod:`~shuangsuiji.services.items`).

In a module of their own so that the writers need not import the pipeline that calls them
(no import circle among those three).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shuangsuiji.errors import UserError
from shuangsuiji.messages import Message, msg
from shuangsuiji.services.import_columns import Schema

#: How many problems a CLI or page shows before "and N more" (the exception holds all).
SHOWN_PROBLEMS = 50

class RowSink(Protocol):
    """Where :func:`~shuangsuiji.services.imports.parse_rows` sends checked rows instead of
    keeping them (the targets' staging table)."""

    count: int

    def open(self, fields: tuple[str, ...], extras: tuple[str, ...]) -> None:
        """Called once, before any row, with the file's stored fields and other columns."""

    def add(self, rows: list[tuple[object, ...]]) -> None:
        """A chunk of checked rows: (row number, stored values…, other columns' values…)."""


#: ``progress(phase, done, total)``: phase is "reading" or "writing"; total may be None.
Progress = Callable[[str, int, int | None], None]

@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in a file: where (row, column heading as written), what, why.

    ``reason`` is English text, usually a :class:`~shuangsuiji.messages.Message` that pages
    show translated.
    """

    row: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}"
        if self.column:
            where += f", column {self.column}"
        if self.value:
            shown = self.value if len(self.value) <= 40 else self.value[:39] + "…"
            where += f" ({shown!r})"
        return f"{where}: {self.reason}"


class ImportFailed(UserError):
    """The file has problems; nothing was written. ``problems`` holds every one of them."""

    def __init__(self, filename: str, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        message: Message = (
            msg("1 problem found; nothing was imported") if count == 1
            else msg("%(count)d problems found; nothing was imported", count=count))
        super().__init__(message, where=filename,
                         hint=msg("correct the rows listed and import the whole file again"))

    def __str__(self) -> str:
        lines = [f"{self.where}: {self.message}"]
        lines += [f"  {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  … and {len(self.problems) - SHOWN_PROBLEMS} more")
        lines.append(f"  → {self.hint}")
        return "\n".join(lines)


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    filename: str
    sha256: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0  # fields changed on existing rows (directory_changes written)
    batch_id: int | None = None
    item_list_version: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    dry_run: bool = False

    def summary(self) -> str:
        """One line for a person."""
        verb = "would import" if self.dry_run else "imported"
        text = (f"{verb} {self.rows} {self.kind} rows from {self.filename}: "
                f"{self.inserted} new, {self.updated} updated, {self.unchanged} unchanged")
        if self.item_list_version is not None:
            text += f"; item list is now version {self.item_list_version}"
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text


@dataclass
class ParsedFile:
    """The validated rows of a file, ready to write.

    ``fields`` are the stored fields whose columns the file has (a column left out of the file
    leaves that field alone on re-import); ``records[i]`` holds their values for the data row
    numbered ``rows[i]``. ``extras[i]`` holds values of non-stored columns (risk flags).
    With a :class:`RowSink`, ``records``, ``rows`` and ``extras`` stay empty and ``count``
    says how many rows the sink took.
    """

    schema: Schema
    fields: tuple[str, ...]
    headings: dict[str, str]  # field → heading as written in the file
    records: list[tuple[object, ...]]
    rows: list[int]
    extras: dict[str, list[object]]
    ignored_columns: list[str]
    sunk: int | None = None  # rows sent to a sink (None: none was used)

    @property
    def count(self) -> int:
        """The number of checked rows."""
        return len(self.records) if self.sunk is None else self.sunk

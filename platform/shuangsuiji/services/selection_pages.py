"""One page of a draw's selected targets, searchable by credit code or name.

The public draw page shows a draw of 50,000 targets a page at a time (``PAGE_SIZE``), read
from the ``draw_selections`` rows with their names, instead of every selected code from the
bundle: the page stays small and is answered without parsing the bundle. The search matches
a credit code by its beginning and a name anywhere in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.services import names

PAGE_SIZE = 100


@dataclass(frozen=True)
class SelectedRow:
    position: int  # 0-based, in the order drawn
    credit_code: str
    name: str | None  # None: no longer in the directory
    stratum: str


@dataclass(frozen=True)
class SelectionPage:
    rows: list[SelectedRow]
    total: int  # rows matching the search (all selected without one)
    page: int
    pages: int
    query: str


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _clamped(total: int, page: int, size: int) -> tuple[int, int]:
    """The page asked for, brought within 1 … pages, and how many pages ``total`` rows fill."""
    pages = max((total + size - 1) // size, 1)
    return min(max(page, 1), pages), pages


def _name_matches(query: str) -> ColumnElement[bool]:
    """A target's name holding ``query`` anywhere (LIKE wildcards in it taken literally)."""
    return Target.name.like(f"%{_like(query)}%", escape="\\")


def selection_page(session: Session, draw_id: int, *, page: int = 1, query: str = "",
                   size: int | None = None) -> SelectionPage:
    """Page ``page`` (from 1) of draw ``draw_id``'s selections in the current tenant.

    Without a search, a page is the rows whose ``position`` falls in its range (positions
    are 0 … n − 1), so it costs the same on page 1 or 500 of a draw of 50,000; a search
    counts and pages the matching rows."""
    size = size or PAGE_SIZE
    query = query.strip()[:100]
    where = [DrawSelection.draw_id == draw_id]
    if query:
        # one pass over the draw's rows: the matching positions (small integers) are the
        # count and the pages; the shown page is then read by position
        matching = list(session.scalars(
            select(DrawSelection.position)
            .outerjoin(Target, Target.id == DrawSelection.target_id)
            .where(*where, or_(DrawSelection.credit_code.like(f"{_like(query).upper()}%",
                                                              escape="\\"),
                               _name_matches(query)))
            .order_by(DrawSelection.position)))
        total = len(matching)
    else:
        total = session.scalar(select(func.count()).select_from(DrawSelection)
                               .where(*where)) or 0
    page, pages = _clamped(total, page, size)
    if query:
        where.append(DrawSelection.position.in_(matching[(page - 1) * size:page * size]))
    else:
        where += [DrawSelection.position >= (page - 1) * size,
                  DrawSelection.position < page * size]
    rows_of = (select(DrawSelection.position, DrawSelection.credit_code, Target.name,
                      DrawSelection.stratum)
               .outerjoin(Target, Target.id == DrawSelection.target_id)
               .where(*where).order_by(DrawSelection.position))
    rows = [SelectedRow(pos, code, name, stratum)
            for pos, code, name, stratum in session.execute(rows_of)]
    return SelectionPage(rows, total, page, pages, query)

def group_page(session: Session, draw_id: int, targets: Sequence[str], *, page: int = 1,
               query: str = "", size: int | None = None) -> SelectionPage:
    """Page ``page`` of one inspection group's ``targets`` (in the group's order), searchable
    like :func:`selection_page`; ``position`` is the target's place in the group."""
    size = size or PAGE_SIZE
    query = query.strip()[:100]
    indexed = list(enumerate(targets))
    if query:
        by_name = set(session.scalars(
            select(DrawSelection.credit_code)
            .join(Target, Target.id == DrawSelection.target_id)
            .where(DrawSelection.draw_id == draw_id, _name_matches(query))))
        prefix = query.upper()
        indexed = [(i, c) for i, c in indexed if c.startswith(prefix) or c in by_name]
    page, pages = _clamped(len(indexed), page, size)
    shown = indexed[(page - 1) * size:page * size]
    known = names.target_names(session, [c for _, c in shown])
    rows = [SelectedRow(i, c, known.get(c), "") for i, c in shown]
    return SelectionPage(rows, len(indexed), page, pages, query)

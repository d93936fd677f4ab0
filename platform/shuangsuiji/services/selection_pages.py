"""One page of a draw's selected targets, searchable by credit code or name.

The public draw page shows a draw of 50,000 targets a page at a time (``PAGE_SIZE``), read
from the ``draw_selections`` rows with their names, instead of every selected code from the
bundle: the page stays small and is answered without parsing the bundle. The search matches
a credit code by its beginning and a name anywhere in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection

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


def selection_page(session: Session, draw_id: int, *, page: int = 1, query: str = "",
                   size: int | None = None) -> SelectionPage:
    """Page ``page`` (from 1) of draw ``draw_id``'s selections in the current tenant.

    Without a search, a page is the rows whose ``position`` falls in its range (positions
    are 0 … n − 1), so it costs the same on page 1 or 500 of a draw of 50,000; a search
    counts and pages the matching rows."""
    size = size or PAGE_SIZE
    query = query.strip()[:100]
    columns = (DrawSelection.position, DrawSelection.credit_code, Target.name,
               DrawSelection.stratum)
    if not query:
        total = session.scalar(select(func.count()).select_from(DrawSelection)
                               .where(DrawSelection.draw_id == draw_id)) or 0
        pages = max((total + size - 1) // size, 1)
        page = min(max(page, 1), pages)
        found = session.execute(
            select(*columns).outerjoin(Target, Target.id == DrawSelection.target_id)
            .where(DrawSelection.draw_id == draw_id,
                   DrawSelection.position >= (page - 1) * size,
                   DrawSelection.position < page * size)
            .order_by(DrawSelection.position))
        rows = [SelectedRow(pos, code, name, stratum) for pos, code, name, stratum in found]
        return SelectionPage(rows, total, page, pages, query)
    escaped = _like(query)
    where = [DrawSelection.draw_id == draw_id,
             or_(DrawSelection.credit_code.like(f"{escaped.upper()}%", escape="\\"),
                 Target.name.like(f"%{escaped}%", escape="\\"))]
    base = select(DrawSelection).outerjoin(Target, Target.id == DrawSelection.target_id)
    total = session.scalar(
        select(func.count()).select_from(base.where(*where).subquery())) or 0
    pages = max((total + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    found = session.execute(
        select(*columns).outerjoin(Target, Target.id == DrawSelection.target_id)
        .where(*where).order_by(DrawSelection.position)
        .limit(size).offset((page - 1) * size))
    rows = [SelectedRow(pos, code, name, stratum) for pos, code, name, stratum in found]
    return SelectionPage(rows, total, page, pages, query)


def names_of(session: Session, draw_id: int, codes: Sequence[str]) -> dict[str, str]:
    """The directory names of draw ``draw_id``'s selected targets ``codes`` (a few pages'
    worth: asked in slices, so no statement carries thousands of parameters)."""
    names: dict[str, str] = {}
    wanted = sorted(set(codes))
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(DrawSelection.credit_code, Target.name)
            .join(Target, Target.id == DrawSelection.target_id)
            .where(DrawSelection.draw_id == draw_id,
                   DrawSelection.credit_code.in_(wanted[start:start + 500])))
        names.update((code, name) for code, name in rows)
    return names


def group_page(session: Session, draw_id: int, targets: Sequence[str], *, page: int = 1,
               query: str = "", size: int | None = None) -> SelectionPage:
    """Page ``page`` of one inspection group's ``targets`` (in the group's order), searchable
    like :func:`selection_page`; ``position`` is the target's place in the group."""
    size = size or PAGE_SIZE
    query = query.strip()[:100]
    order = list(targets)
    if query:
        escaped = _like(query)
        by_name = set(session.scalars(
            select(DrawSelection.credit_code)
            .join(Target, Target.id == DrawSelection.target_id)
            .where(DrawSelection.draw_id == draw_id,
                   Target.name.like(f"%{escaped}%", escape="\\"))))
        prefix = query.upper()
        order = [c for c in order if c.startswith(prefix) or c in by_name]
    total = len(order)
    pages = max((total + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    codes = order[start:start + size]
    names = names_of(session, draw_id, codes)
    position = {c: i for i, c in enumerate(targets)} if query else None
    rows = [SelectedRow(position[c] if position else start + i, c, names.get(c), "")
            for i, c in enumerate(codes)]
    return SelectionPage(rows, total, page, pages, query)

"""The portal's results page: published results filtered by task, item, result and a
name or credit code, a page at a time, newest publication first.

Reads published rows only (like :mod:`shuangsuiji.services.publication`, whose row shape
:class:`~shuangsuiji.services.publication.PublicResult` it returns): nothing unpublished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.inspections import Publication, PublishedResult
from shuangsuiji.models.plans import Task
from shuangsuiji.services.publication import PublicResult, _public, _results_query


@dataclass(frozen=True)
class ResultFilter:
    """What a reader narrowed the results to; empty strings mean "any"."""

    task: str = ""  # a task code
    item: str = ""  # an item code
    result: str = ""  # a result code
    q: str = ""  # part of a company name, or the start of a credit code

    def __post_init__(self) -> None:
        for name in ("task", "item", "result", "q"):
            object.__setattr__(self, name, (getattr(self, name) or "").strip()[:100])

    @property
    def any(self) -> bool:
        return bool(self.task or self.item or self.result or self.q)

    def args(self) -> dict[str, str]:
        """The non-empty filters as URL query arguments (for the pager's links)."""
        return {k: v for k, v in (("task", self.task), ("item", self.item),
                                  ("result", self.result), ("q", self.q)) if v}


@dataclass(frozen=True)
class Choices:
    """What the filter form offers: only values some published result has."""

    tasks: list[tuple[str, str]]  # (code, title), newest publication first
    items: list[tuple[str, str]]  # (code, name)
    results: list[str]  # result codes


def _where(query: Any, found: ResultFilter) -> Any:
    if found.task:
        query = query.where(Task.code == found.task)
    if found.item:
        query = query.where(PublishedResult.item_code == found.item)
    if found.result:
        query = query.where(PublishedResult.result == found.result)
    if found.q:
        if len(found.q) < 2:
            raise UserError(msg("search for at least two characters of a name or credit code"),
                            where="q")
        # Escape LIKE wildcards so a user's "%" or "_" is matched literally.
        text = found.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(PublishedResult.target_name.like(f"%{text}%", escape="\\"),
                                PublishedResult.credit_code.like(f"{text.upper()}%",
                                                                 escape="\\")))
    return query


def find(session: Session, found: ResultFilter, *, limit: int,
         offset: int = 0) -> tuple[list[PublicResult], int]:
    """One page of the published results ``found`` selects, and how many it selects in all
    (newest publication first, then by task, credit code and item)."""
    return page(session, found, limit=limit, offset=offset), count(session, found)


def page(session: Session, found: ResultFilter, *, limit: int,
         offset: int = 0) -> list[PublicResult]:
    """One page of the published results ``found`` selects (the order of :func:`find`)."""
    query = _where(_results_query(), found)
    rows = session.execute(
        query.order_by(Publication.published_on.desc(), Publication.id.desc(), Task.code,
                       PublishedResult.credit_code, PublishedResult.item_code)
        .limit(limit).offset(offset))
    return _public(session, rows)


def count(session: Session, found: ResultFilter) -> int:
    """How many published results ``found`` selects."""
    query = _where(_results_query(), found)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def choices(session: Session) -> Choices:
    """The tasks, items and results that published results have, for the filter form."""
    tasks = session.execute(
        select(Task.code, Task.title).join(Publication, Publication.task_id == Task.id)
        .order_by(Publication.published_on.desc(), Task.code)).all()
    codes = sorted(session.scalars(select(PublishedResult.item_code).distinct()))
    names = {code: name for code, name in session.execute(
        select(Item.code, Item.name).where(Item.code.in_(codes)))} if codes else {}
    results = sorted(session.scalars(select(PublishedResult.result).distinct()))
    return Choices([(c, t) for c, t in tasks], [(c, names.get(c, "")) for c in codes],
                   list(results))

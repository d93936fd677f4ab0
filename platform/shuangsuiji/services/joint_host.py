"""The host's own publication of a joint task (联合抽查), as its deadline board and its
statistics count it.

Each participant publishes its own items' results by its own deadline (MIIT 第十五条, CQ
第十四条; services/joint_results.py). The task's publication row is made by whichever
participant publishes first, since the published results hang from it; but the host's
obligation, the one its deadline board watches and its "published on time" counts, is met
only when **its own** participants — its units (kind ``unit``) — have all published: another
tenant's publication is that tenant's. Where the host brings no unit of its own, its
publication is the whole task's (every participant's). Until then the task is *pending* for
the host, and once it is met the row carries the host's date and whether it was on time.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.inspections import Publication
from shuangsuiji.models.joint import ParticipantPublication, TaskParticipant


def own_codes(parts: Iterable[tuple[str, str]]) -> set[str]:
    """The participants whose publication is the host's, of ``(code, kind)`` pairs: its
    units, or every participant where it has none."""
    parts = list(parts)
    units = {code for code, kind in parts if kind == "unit"}
    return units or {code for code, _ in parts}


def pending(session: Session) -> set[int]:
    """Joint tasks (of the current tenant) with a publication row whose host has not yet
    published its own part: not published, for the host's board and statistics."""
    rows = session.execute(
        select(TaskParticipant.task_id, TaskParticipant.code, TaskParticipant.kind)
        .where(TaskParticipant.task_id.in_(select(Publication.task_id)))).all()
    parts: dict[int, list[tuple[str, str]]] = {}
    for task_id, code, kind in rows:
        parts.setdefault(task_id, []).append((code, kind))
    done: dict[int, set[str]] = {}
    for task_id, code in session.execute(
            select(ParticipantPublication.task_id, ParticipantPublication.participant_code)
            .where(ParticipantPublication.task_id.in_(list(parts)))):
        done.setdefault(task_id, set()).add(code)
    return {t for t, p in parts.items() if not own_codes(p) <= done.get(t, set())}


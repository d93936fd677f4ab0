"""Joint tasks in statistics and on the portal (issue #15 item 6): each joint task once,
with every participant, its items and the results of each participant."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.services.joint_results import ParticipantView, views


def overview(session: Session, *, year: int | None = None
             ) -> list[tuple[Task, list[ParticipantView]]]:
    """The tenant's joint tasks (those with participants) with their participants, by code;
    ``year``: the tasks starting in it."""
    query = select(Task).where(Task.id.in_(select(TaskParticipant.task_id))).order_by(Task.code)
    if year is not None:
        query = query.where(Task.starts_on >= date(year, 1, 1),
                            Task.starts_on <= date(year, 12, 31))
    return [(task, views(session, task)) for task in session.scalars(query)]

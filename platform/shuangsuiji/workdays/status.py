"""Where a publication stands against its deadline, for dashboards and overdue alerts."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shuangsuiji.messages import msg
from shuangsuiji.workdays.deadline import Deadline

PublicationStatus = Literal["on_time", "late", "due_soon", "overdue", "pending"]


def status(
    deadline: Deadline,
    published_on: date | None,
    today: date,
    due_soon_days: int = 5,
) -> PublicationStatus:
    """Classify a publication.

    Published: ``"on_time"`` if on or before the due date, else ``"late"``. Not published:
    ``"overdue"`` after the due date; ``"due_soon"`` when at most ``due_soon_days`` counted
    working days remain, today included; otherwise ``"pending"``. Working days, not calendar
    days, so a deadline just after a seven-day holiday is not flagged a week early. A
    provisional deadline is classified by its provisional due date; show
    ``deadline.provisional`` next to the status.
    """
    if due_soon_days < 0:
        raise ValueError(msg("due_soon_days must not be negative, got %(days)s",
                             days=due_soon_days))
    if published_on is not None:
        return "on_time" if published_on <= deadline.due else "late"
    if today > deadline.due:
        return "overdue"
    remaining = sum(1 for d in deadline.counted if d >= today)
    return "due_soon" if remaining <= due_soon_days else "pending"

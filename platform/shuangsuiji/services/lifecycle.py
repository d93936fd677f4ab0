"""Shared pieces of the inspection lifecycle: rule refusals, the task lookup, the clock.

The lifecycle runs plan → task → draw → notice → on-site record → result → report →
publication → follow-up. Its services live in small modules (:mod:`.plans`,
:mod:`.notices`, :mod:`.records`, :mod:`.deadlines`, :mod:`.publication`,
:mod:`.followup`, :mod:`.statistics`, :mod:`.calendars`); this module holds what they share.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.draws import Draw, DrawSelection
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs.ruleset import RuleSet
from shuangsuiji.platform import Platform
from shuangsuiji.rules import Citation
from shuangsuiji.services import bundlefiles
from shuangsuiji.services import draws as draw_service

#: The regulations count days in China's calendar (architecture brief: dates and zones).
CHINA = ZoneInfo("Asia/Shanghai")

#: A task's status in words, for messages that name it (the same words as the pages).
STATUS_WORDS: dict[str, str] = {
    "planned": msg("planned"),
    "drawn": msg("drawn"),
    "in_progress": msg("in progress"),
    "work_ended": msg("work ended"),
    "published": msg("published"),
    "closed": msg("closed"),
}


def status_word(status: str) -> str:
    """``status`` (a task status code) in words, as a message."""
    return STATUS_WORDS.get(status, status)


class RuleRefused(UserError):
    """An action the tenant's rules forbid; carries the :class:`Citation` it rests on."""

    def __init__(self, message: str, *, cite: Citation, where: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(msg("%(message)s (%(cite)s)", message=message, cite=str(cite)),
                         where=where, hint=hint)
        self.cite = cite


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_in_china(at: datetime | None = None) -> date:
    """The calendar day in Asia/Shanghai of ``at`` (default: now)."""
    return (at or now_utc()).astimezone(CHINA).date()


def not_in_future(day: date, today: date | None, *, where: str, what: str) -> None:
    """Refuse a record dated after today in China (Asia/Shanghai): what is written down
    happened, it is not planned."""
    today = today or today_in_china()
    if day > today:
        raise UserError(msg("%(what)s %(day)s is after today (%(today)s, Asia/Shanghai): a "
                            "record states what happened", what=what, day=day.isoformat(),
                            today=today.isoformat()), where=where,
                        hint=msg("write the record on or after the day of the inspection"))


def tenant_of(session: Session) -> Tenant:
    """The session's current tenant (set by the CLI command or the request)."""
    tenant = session.get(Tenant, require_tenant(session))
    if tenant is None:  # pragma: no cover - set_tenant is only called with real ids
        raise NotFound(msg("the current tenant no longer exists"))
    return tenant


def get_task(session: Session, task_id: int | str) -> Task:
    """A task of the current tenant by code or id (see :func:`draws.find_task`)."""
    return draw_service.find_task(session, task_id)


def task_rules(platform: Platform, tenant: Tenant, task: Task) -> RuleSet:
    """The rules governing a task: those in force on its start date."""
    return platform.policy_for(tenant).rules(task.starts_on)


def live_draw(session: Session, task: Task) -> Draw:
    """The task's committed, non-voided draw; the lifecycle after the draw needs one."""
    draw = draw_service.live_draw(session, task)
    if draw is None:
        raise Conflict(msg("task %(task)s has no committed draw", task=task.code),
                       hint=msg("draw it first: ssj draw --tenant T --task %(task)s",
                                task=task.code))
    return draw


@dataclass(frozen=True)
class DrawnTarget:
    """A target selected by the live draw, with the inspectors assigned to it."""

    credit_code: str
    target_id: int | None
    position: int
    batch_no: int | None
    group_no: int | None
    leader: str | None
    inspectors: tuple[str, ...]  # person ids of the group, leader first


def drawn_targets(session: Session, task: Task) -> list[DrawnTarget]:
    """The targets of the task's live draw and their groups, after recusals.

    Groups come from the draw service (:mod:`shuangsuiji.services.draws`), which replays
    the recusal steps; this module never re-derives them, so the two cannot disagree.
    """
    draw = live_draw(session, task)
    selections = list(session.scalars(
        select(DrawSelection).where(DrawSelection.draw_id == draw.id)
        .order_by(DrawSelection.position)
    ))
    groups = _groups_by_target(session, task)
    out = []
    for sel in selections:
        group_no, leader, members = groups.get(sel.credit_code, (None, None, ()))
        out.append(DrawnTarget(sel.credit_code, sel.target_id, sel.position, sel.batch_no,
                               group_no, leader, members))
    return out


def _groups_by_target(
    session: Session, task: Task
) -> dict[str, tuple[int | None, str | None, tuple[str, ...]]]:
    draw = live_draw(session, task)
    found: dict[str, tuple[int | None, str | None, tuple[str, ...]]] = {}
    for group in bundlefiles.current_result(draw).final_groups:
        for code in group.targets:
            found[code] = (group.number, group.leader, tuple(group.members))
    return found


@dataclass(frozen=True)
class GroupProgress:
    """A group of a draw that an inspector is in: whether they lead it, how many targets it
    has and how many of them have their on-site record."""

    number: int
    leader: bool
    targets: int
    recorded: int


def group_progress(session: Session, task_id: int, record: Draw,
                   codes: Collection[str]) -> list[GroupProgress]:
    """The groups of ``record`` after every recusal step that one of the person ids
    ``codes`` is in (as the draw names them), with their records so far."""
    mine = set(codes)
    found = []
    for group in bundlefiles.current_result(record).final_groups:
        if mine.isdisjoint(group.members):
            continue
        recorded = session.scalar(select(func.count()).select_from(InspectionRecord).where(
            InspectionRecord.task_id == task_id,
            InspectionRecord.credit_code.in_(group.targets)))
        found.append(GroupProgress(group.number, group.leader in mine, len(group.targets),
                                   recorded or 0))
    return found

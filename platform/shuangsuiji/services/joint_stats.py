"""Joint tasks in statistics and on the portal (issue #15 item 6): each joint task once,
with every participant, its items and the results of each participant — the tasks the
tenant hosts and those of other tenants it takes part in (read through
:mod:`shuangsuiji.services.joint_guest`, by its own tenant id)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import joint_guest
from shuangsuiji.services.joint_results import ParticipantView, views
from shuangsuiji.tabular import Sheet


def overview(session: Session, *, year: int | None = None
             ) -> list[tuple[Task, list[ParticipantView]]]:
    """The tenant's joint tasks (those with participants) with their participants, by code;
    ``year``: the tasks starting in it."""
    query = select(Task).where(Task.id.in_(select(TaskParticipant.task_id))).order_by(Task.code)
    if year is not None:
        query = query.where(Task.starts_on >= date(year, 1, 1),
                            Task.starts_on <= date(year, 12, 31))
    return [(task, views(session, task)) for task in session.scalars(query)]


@dataclass(frozen=True)
class JointTaskRow:
    """One joint task as a tenant's statistics show it: whose task it is (``host``), and
    every participant with its items and results. ``own``: the participant that is the
    tenant reading, when the task is another tenant's (else None)."""

    host: Tenant
    task: Task
    participants: list[ParticipantView]
    own: str | None = None


def rows_for(session: Session, tenant: Tenant, year: int) -> list[JointTaskRow]:
    """The joint tasks of ``year`` that ``tenant`` hosts (by code), then those of other
    tenants it takes part in (accepted; by host and code): each once."""
    hosted = [JointTaskRow(tenant, task, parts) for task, parts in overview(session, year=year)]
    joined = [JointTaskRow(host, task, parts, tenant.slug)
              for host, task, parts in joint_guest.portal_rows(session, tenant)
              if task.starts_on.year == year]
    return hosted + joined


#: The joint sheet's headings in Chinese (the export's default language).
JOINT_COLUMNS_ZH: dict[str, str] = {
    "host": "牵头辖区", "task": "任务编号", "title": "任务名称", "starts_on": "开始日期",
    "participant": "参与单位", "kind": "参与方", "items": "抽查事项", "quota": "每组人数下限",
    "results": "检查结果数", "problems": "发现问题数", "published_on": "公开日期",
    "on_time": "按期公开",
}
#: What the ``kind`` and ``on_time`` cells say, in Chinese.
JOINT_VALUES_ZH: dict[str, str] = {
    "unit": "本辖区单位", "tenant": "其他辖区", "yes": "是", "no": "否",
}


def joint_sheet(rows: Sequence[JointTaskRow], *, headings: Mapping[str, str] | None = None,
                values: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None,
                title: str = "联合抽查") -> Sheet:
    """The joint tasks as one worksheet: a row per participant, the task's cells on its
    first participant's row only (each task shown once). ``headings``/``values``: another
    language's; ``names``: tenant slug → name."""
    heads = {**JOINT_COLUMNS_ZH, **(headings or {})}
    said = {**JOINT_VALUES_ZH, **(values or {})}
    shown = names or {}
    out: list[list[object]] = []
    for row in rows:
        for n, p in enumerate(row.participants):
            first = n == 0
            on_time = "" if p.on_time is None else said["yes" if p.on_time else "no"]
            out.append([
                shown.get(row.host.slug, row.host.name) if first else "",
                row.task.code if first else "", row.task.title if first else "",
                row.task.starts_on.isoformat() if first else "",
                shown.get(p.code, p.name) if p.kind == "tenant" else p.name, said[p.kind],
                "、".join(p.item_codes), p.quota,
                p.results, p.problems, p.published_on.isoformat() if p.published_on else "",
                on_time])
    return Sheet(title, [heads[k] for k in JOINT_COLUMNS_ZH], out)


"""The hand-over to the credit publicity system (信用信息公示系统).

MIIT 第十五条 (在工业和信息化部门户网站、有关信用信息公示系统予以公开) and CQ 第十四条 publish
each task on the portal and on the credit publicity system. The platform has no connection
to that system: it produces the file the system takes (one row per target and public item,
with the Chinese headings below, CSV or XLSX through :mod:`shuangsuiji.tabular.writer`),
records when and by whom the file was handed over, and shows the channel as pending until a
user confirms the results were published there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.inspections import CreditPublicityHandover, Publication, PublishedResult
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit
from shuangsuiji.services.lifecycle import get_task, now_utc, today_in_china
from shuangsuiji.tabular.writer import write_table

#: The columns the credit publicity system takes, in its order.
HEADINGS: tuple[str, ...] = ("统一社会信用代码", "企业名称", "抽查事项", "检查日期", "检查结果",
                             "检查实施机关")
FORMATS: tuple[str, ...] = ("csv", "xlsx")


@dataclass(frozen=True)
class HandoverFile:
    """The file to hand over and its record."""

    filename: str
    data: bytes
    record: CreditPublicityHandover


def handover_rows(session: Session, tenant: Tenant, task_id: int | str) -> list[list[object]]:
    """One row per target and public item of the task's publication, by credit code."""
    task = get_task(session, task_id)
    publication = session.scalar(select(Publication).where(Publication.task_id == task.id))
    if publication is None:
        raise UserError(msg("task %(task)s is not published yet: the credit publicity system "
                            "takes published results only", task=task.code),
                        hint=msg("publish the task first"))
    names = {i.code: i.name for i in session.scalars(select(Item))}
    results = session.scalars(select(PublishedResult)
                              .where(PublishedResult.publication_id == publication.id)
                              .order_by(PublishedResult.credit_code, PublishedResult.item_code))
    return [[r.credit_code, r.target_name, names.get(r.item_code, r.item_code),
             r.inspected_on.isoformat(), r.result_name or r.result, tenant.name]
            for r in results]


def hand_over(session: Session, tenant: Tenant, task_id: int | str, file_format: str, *,
              actor: str) -> HandoverFile:
    """Write the hand-over file and record that ``actor`` handed it over now."""
    if file_format not in FORMATS:
        raise UserError(msg("unknown file format %(format)r", format=file_format),
                        hint=msg("use one of: %(choices)s", choices=FORMATS))
    task = get_task(session, task_id)
    rows = handover_rows(session, tenant, task.id)
    filename = f"{task.code}-信用信息公示.{file_format}"
    data = write_table(filename, HEADINGS, rows, sheet_title="抽查结果", freeze_header=True)
    publication = session.scalar(select(Publication).where(Publication.task_id == task.id))
    assert publication is not None  # handover_rows refused otherwise
    record = CreditPublicityHandover(
        task_id=task.id, publication_id=publication.id, file_format=file_format,
        rows=len(rows), digest=hashlib.sha256(data).hexdigest(), handed_over_at=now_utc(),
        handed_over_by=actor)
    session.add(record)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="credit_publicity.handover",
                 object_type="task", object_id=task.code, actor=actor,
                 payload={"format": file_format, "rows": len(rows), "digest": record.digest})
    return HandoverFile(filename, data, record)


def confirm(session: Session, tenant: Tenant, task_id: int | str, *, actor: str,
            published_on: date | None = None, today: date | None = None
            ) -> CreditPublicityHandover:
    """Record that the handed-over results were published on the credit publicity system."""
    task = get_task(session, task_id)
    last = latest(session, task.id)
    if last is None:
        raise UserError(msg("task %(task)s was never handed over to the credit publicity "
                            "system", task=task.code),
                        hint=msg("hand the file over first"))
    if last.confirmed_at is not None:
        raise Conflict(msg("publication of task %(task)s on the credit publicity system was "
                           "already confirmed", task=task.code))
    today = today or today_in_china()
    published_on = published_on or today
    if published_on > today:
        raise UserError(msg("%(day)s is after today (%(today)s, Asia/Shanghai)",
                            day=published_on.isoformat(), today=today.isoformat()),
                        where="published_on")
    last.confirmed_at, last.confirmed_by, last.confirmed_on = now_utc(), actor, published_on
    audit.record(session, tenant_id=tenant.id, action="credit_publicity.confirm",
                 object_type="task", object_id=task.code, actor=actor,
                 payload={"handover": last.id, "digest": last.digest,
                          "published_on": published_on})
    return last


def latest(session: Session, task_id: int) -> CreditPublicityHandover | None:
    """The task's latest hand-over, or None."""
    return session.scalar(select(CreditPublicityHandover)
                          .where(CreditPublicityHandover.task_id == task_id)
                          .order_by(CreditPublicityHandover.id.desc()).limit(1))


def status(session: Session, task_id: int) -> str:
    """``not_handed_over`` | ``pending`` (handed over, not confirmed) | ``confirmed``."""
    last = latest(session, task_id)
    if last is None:
        return "not_handed_over"
    return "confirmed" if last.confirmed_at is not None else "pending"

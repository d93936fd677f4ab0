"""Statistics per tenant and year, a cross-tenant comparison, and their XLSX export.

Every query here filters by tenant id explicitly, so the same code serves a tenant's own
view (under the automatic tenant filter) and the central admin's comparison (inside an
explicit :func:`~shuangsuiji.db.cross_tenant` block, which is logged in the audit chain).
The joint tasks of other tenants a tenant takes part in are read through
:mod:`shuangsuiji.services.joint_tenants`, by the tenant's own id as a participant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.db import cross_tenant
from shuangsuiji.models.draws import DrawSelection, DrawVoid
from shuangsuiji.models.inspections import InspectionResult, Publication, Transfer
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit, joint_host, joint_tenants
from shuangsuiji.tabular import Sheet, write_sheets


@dataclass(frozen=True)
class YearStats:
    """One tenant's year: tasks, targets drawn, problems found, publication on time."""

    tenant: str
    year: int
    tasks: int
    targets_drawn: int
    results: int
    problems_found: int
    problem_share_permille: int  # of results; integer per mille, no floats
    published: int
    published_on_time: int
    on_time_share_permille: int  # of published tasks
    transfers: int
    joint_hosted: int = 0  # its joint tasks (联合抽查), counted in ``tasks`` too
    joint_joined: int = 0  # other tenants' joint tasks it takes part in (theirs, not counted)


def _share(part: int, whole: int) -> int:
    # round half up in integers, so the same counts give the same share on every database
    return (part * 1000 * 2 + whole) // (whole * 2) if whole else 0


def year_stats(session: Session, tenant: Tenant, year: int) -> YearStats:
    """The statistics of ``tenant`` for tasks starting in ``year``."""
    task_ids = select(Task.id).where(Task.tenant_id == tenant.id,
                                     Task.starts_on >= date(year, 1, 1),
                                     Task.starts_on <= date(year, 12, 31))

    def count(stmt: object) -> int:
        return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]

    tasks = count(select(func.count()).select_from(task_ids.subquery()))
    drawn = count(select(func.count()).select_from(DrawSelection).where(
        DrawSelection.tenant_id == tenant.id, DrawSelection.task_id.in_(task_ids),
        DrawSelection.draw_id.not_in(select(DrawVoid.draw_id))))
    results = count(select(func.count()).select_from(InspectionResult).where(
        InspectionResult.tenant_id == tenant.id, InspectionResult.task_id.in_(task_ids)))
    problems = count(select(func.count()).select_from(InspectionResult).where(
        InspectionResult.tenant_id == tenant.id, InspectionResult.task_id.in_(task_ids),
        InspectionResult.problem_found.is_(True)))
    # a joint task counts once the host has published its own part (services/joint_host.py)
    publications = (Publication.tenant_id == tenant.id, Publication.task_id.in_(task_ids),
                    Publication.task_id.not_in(joint_host.pending(session)))
    published = count(select(func.count()).select_from(Publication).where(*publications))
    on_time = count(select(func.count()).select_from(Publication).where(
        *publications, Publication.on_time.is_(True)))
    transfers = count(select(func.count()).select_from(Transfer).where(
        Transfer.tenant_id == tenant.id, Transfer.task_id.in_(task_ids)))
    hosted = count(select(func.count(func.distinct(TaskParticipant.task_id))).where(
        TaskParticipant.tenant_id == tenant.id, TaskParticipant.task_id.in_(task_ids)))
    joined = sum(1 for _, task, own in joint_tenants.invitations(session, tenant)
                 if own.state == "accepted" and task.starts_on.year == year)
    return YearStats(tenant.slug, year, tasks, drawn, results, problems,
                     _share(problems, results), published, on_time,
                     _share(on_time, published), transfers, hosted, joined)


def compare_tenants(session: Session, admin: Tenant, year: int,
                    tenants: Sequence[Tenant] | None = None) -> list[YearStats]:
    """Central admin: every tenant's statistics for ``year``, side by side.

    An explicit cross-tenant read: it is recorded in ``admin``'s audit chain, with the
    tenants read, before any row of theirs is touched.
    """
    with cross_tenant(session):
        chosen = list(tenants) if tenants is not None else list(
            session.scalars(select(Tenant).order_by(Tenant.id)))
        audit.record(session, tenant_id=admin.id, action="stats.cross_tenant_read",
            object_type="statistics", object_id=year,
            payload={"tenants": [t.slug for t in chosen], "year": year})
        return [year_stats(session, t, year) for t in chosen]


COLUMNS_ZH: dict[str, str] = {
    "tenant": "辖区", "year": "年度", "tasks": "抽查任务数", "targets_drawn": "抽取检查对象数",
    "results": "已有结果数", "problems_found": "发现问题数",
    "problem_share_permille": "问题发现率(‰)",
    "published": "已公开任务数", "published_on_time": "按期公开数",
    "on_time_share_permille": "按期公开率(‰)", "transfers": "移送案件数",
    "joint_hosted": "牵头联合抽查任务数", "joint_joined": "参加其他辖区联合抽查任务数",
}


def to_xlsx(rows: Sequence[YearStats], *, headings: Mapping[str, str] | None = None,
            names: Mapping[str, str] | None = None, sheet_title: str = "抽查统计",
            joint: Sheet | None = None) -> bytes:
    """An XLSX workbook of the statistics (one row per tenant and year): zh_CN headings
    unless ``headings`` gives others (the page's language); the tenant column shows
    ``names`` (slug → name) where given. ``joint``: a second sheet, the joint tasks
    (:func:`shuangsuiji.services.joint_stats.joint_sheet`)."""
    heads = {**COLUMNS_ZH, **(headings or {})}
    keys = list(COLUMNS_ZH)
    data = [asdict(row) for row in rows]
    for d in data:
        d["tenant"] = (names or {}).get(d["tenant"], d["tenant"])
    main = Sheet(sheet_title, [heads[k] for k in keys], [[d[k] for k in keys] for d in data])
    return write_sheets([main] if joint is None else [main, joint])

"""A tenant's earlier inspections in joint tasks hosted by other tenants (联合抽查 across
tenants), for the once-a-year rule of its own later draws.

MIIT/CQ 第十条第一款: "在同一年度内因同一事项对同一检查对象的抽查次数，原则上不超过1次". When
tenant A brought its item to a joint task hosted by tenant C and C's draw selected a
target, A inspected that target for that item that year: a later draw of A for the same
item (its own, or its part of another joint task) must see it. The rows are C's (the
task, its participants, its draw's selections), so they are read here across the tenant
line, by A's tenant id as a participant only — nothing else of C.

Each such task is one :class:`kernel.TaskInspections` of A's history: the task id
``<host slug>/<task code>`` (the trigger an excluded row names, so a reader sees which
tenant's task it was), A's own item codes (its items inside C's task are
``<A's slug>/<code>``), the task's start date and status, and as its 司局 the host's slug:
the task is of no 司局 of A, so it never triggers A's same-quarter exclusion (MIIT
第十条第二款 binds the 处室 of one 司局; a joint inspection is its alternative).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.db.tenancy import cross_tenant, require_tenant
from shuangsuiji.models.draws import Draw, DrawSelection, DrawVoid
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import COMPLETED_STATUSES, Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services.joint_tenants import joint_code, own_code


def taken_part(session: Session, since: date, until: date,
               exclude_task_id: int = -1) -> Iterator[kernel.TaskInspections]:
    """The current tenant's inspections from ``since`` to ``until`` (by the tasks' start
    dates) in joint tasks of other tenants it accepted and whose draw stands (not voided),
    special tasks left out (MIIT 第十九条第三款, CQ 第十七条第二款). ``exclude_task_id``: a
    task (its id) not to count, the one being drawn."""
    tid = require_tenant(session)
    with cross_tenant(session):  # read by this tenant's id as a participant only
        rows = session.execute(
            select(Task.id, Task.code, Task.starts_on, Task.status, Task.division,
                   Task.department, Tenant.slug, TaskParticipant.item_codes)
            .join(TaskParticipant, TaskParticipant.task_id == Task.id)
            .join(Tenant, Tenant.id == Task.tenant_id)
            .where(TaskParticipant.kind == "tenant",
                   TaskParticipant.participant_tenant_id == tid,
                   TaskParticipant.state == "accepted",
                   TaskParticipant.tenant_id == Task.tenant_id,
                   Task.tenant_id != tid, Task.id != exclude_task_id,
                   Task.special.is_(False),
                   Task.starts_on >= since, Task.starts_on <= until)
            .order_by(Tenant.slug, Task.code)).all()
        if not rows:
            return
        own = session.get(Tenant, tid)
        assert own is not None
        codes: dict[int, list[str]] = {r[0]: [] for r in rows}
        for task_id, code in session.execute(
                select(DrawSelection.task_id, DrawSelection.credit_code)
                .join(Draw, Draw.id == DrawSelection.draw_id)
                .where(DrawSelection.task_id.in_(list(codes)),
                       Draw.id.not_in(select(DrawVoid.draw_id)))):
            codes[task_id].append(code)
    for task_id, task_code, starts_on, status, division, department, host, items in rows:
        if not codes[task_id]:
            continue
        yield kernel.TaskInspections(
            joint_code(host, task_code),
            tuple(sorted(own_code(own.slug, i) for i in items)),
            starts_on, joint_code(host, division or department or "-"),
            "completed" if status in COMPLETED_STATUSES else "ongoing",
            sorted(codes[task_id]), host)

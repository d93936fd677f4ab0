"""Joint tasks of two tenants (联合抽查 across tenants): who may be invited, the invitation's
answer from the other tenant's own login, and the narrow reads across the tenant line.

The task, its participants, results and publications live in the **host** tenant (the
tenant whose task it is). Another tenant at the same level takes part as a participant of
``kind`` ``tenant``: it is ``invited`` when planned, and accepts or refuses from its own
login. Two tenants are at the **same level** when they have the same ``level`` and the same
parent tenant (siblings: two departments of one province under the province, two districts
of one city), or both have none (two top-level tenants).

Everything the other tenant reads of the host goes through this module, each read by the
other tenant's id (``participant_tenant_id``): its invitations and the joint tasks it takes
part in, nothing else of the host. Its items, inspectors and history are read in its own
tenant scope (:func:`in_tenant`), so the ORM filter still applies to every statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import TENANT_KEY, cross_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit

#: Prefix of a tenant participant in a plan line (``@yuzhong:SX-001:1``).
TENANT_MARK = "@"
#: Separator of a tenant participant's item codes and inspector ids in the host's task,
#: the kernel and the bundle: ``<slug>/<code>`` (the two tenants' codes may clash).
SEP = "/"


def joint_code(slug: str, code: str) -> str:
    """The code of another tenant's item or person inside the host's joint task."""
    return f"{slug}{SEP}{code}"


def task_item_code(part: TaskParticipant, item_code: str) -> str:
    """The code under which participant ``part``'s item ``item_code`` (its own code) is
    recorded and published in the host's task: prefixed for another tenant's item."""
    return joint_code(part.code, item_code) if part.kind == "tenant" else item_code


def own_code(slug: str, code: str) -> str:
    """The other tenant's own code of ``code`` (inverse of :func:`joint_code`)."""
    return code.removeprefix(f"{slug}{SEP}")


@contextmanager
def in_tenant(session: Session, tenant_id: int) -> Iterator[None]:
    """Read (and write) as ``tenant_id`` inside the block: the ORM filter scopes every
    statement to that tenant. Flushed before the block ends, so rows made inside are
    stamped with it."""
    session.flush()  # rows made before the block keep the tenant they were made in
    before = session.info.get(TENANT_KEY)
    session.info[TENANT_KEY] = tenant_id
    try:
        yield
        session.flush()
    finally:
        session.info[TENANT_KEY] = before


def same_level(a: Tenant, b: Tenant) -> bool:
    """Whether two tenants are at the same level: same ``level``, same parent (or none)."""
    return a.id != b.id and a.level == b.level and a.parent_id == b.parent_id


def partner(session: Session, host: Tenant, slug: str) -> Tenant:
    """The tenant ``slug`` a joint task of ``host`` may invite; refused by name otherwise."""
    found = session.scalar(select(Tenant).where(Tenant.slug == slug))
    where = msg("participant %(code)s", code=TENANT_MARK + slug)
    if found is None:
        raise UserError(msg("no tenant %(slug)r in this deployment", slug=slug), where=where,
                        hint=msg("`ssj tenants list` lists the tenants"))
    if found.id == host.id:
        raise UserError(msg("%(slug)s is the task's own tenant: name its units instead",
                            slug=slug), where=where)
    if not same_level(host, found):
        parent = host.parent.slug if host.parent is not None else "-"
        other = found.parent.slug if found.parent is not None else "-"
        raise UserError(msg("tenant %(slug)s (%(level)s under %(parent)s) is not at the level "
                            "of %(host)s (%(host_level)s under %(host_parent)s): a joint task "
                            "joins tenants of one level under one parent", slug=slug,
                            level=found.level, parent=other, host=host.slug,
                            host_level=host.level, host_parent=parent), where=where,
                        hint=msg("invite a sibling tenant, e.g. another department of the same "
                                 "province"))
    return found


def invitations(session: Session, tenant: Tenant) -> list[tuple[Tenant, Task, TaskParticipant]]:
    """The joint tasks of other tenants that ``tenant`` is a participant of: (host, task,
    its participant row), by host and task code. Read across tenants by the participant's
    tenant id only."""
    with cross_tenant(session):
        rows = session.execute(
            select(Tenant, Task, TaskParticipant)
            .join(Task, Task.id == TaskParticipant.task_id)
            .join(Tenant, Tenant.id == Task.tenant_id)
            .where(TaskParticipant.kind == "tenant",
                   TaskParticipant.participant_tenant_id == tenant.id,
                   TaskParticipant.tenant_id == Task.tenant_id)
            .order_by(Tenant.slug, Task.code)).all()
    return [(h, t, p) for h, t, p in rows]


def invitation(session: Session, tenant: Tenant, task_code: str,
               host_slug: str | None = None) -> tuple[Tenant, Task, TaskParticipant]:
    """One joint task ``tenant`` takes part in, by its host's task code (and the host's
    slug when two hosts use that code)."""
    found = [(h, t, p) for h, t, p in invitations(session, tenant)
             if t.code == task_code and (host_slug is None or h.slug == host_slug)]
    if not found:
        raise NotFound(msg("%(tenant)s is invited to no joint task %(task)s", tenant=tenant.slug,
                           task=task_code), where="task",
                       hint=msg("`ssj joint invitations --tenant %(tenant)s` lists them",
                                tenant=tenant.slug))
    if len(found) > 1:
        raise UserError(msg("tenants %(hosts)s each have a joint task %(task)s: name the host",
                            hosts=", ".join(h.slug for h, _, _ in found), task=task_code),
                        where="host", hint=msg("add --host SLUG"))
    return found[0]


def answer(session: Session, tenant: Tenant, task_code: str, *, accept: bool, note: str = "",
           actor: str, host_slug: str | None = None) -> TaskParticipant:
    """``tenant`` (from its own login) accepts or refuses to take part in another tenant's
    joint task; a refusal says why. Audited in both tenants' chains."""
    host, task, row = invitation(session, tenant, task_code, host_slug)
    if task.status != "planned":
        raise Conflict(msg("task %(task)s of %(host)s is already drawn", task=task.code,
                           host=host.slug), where="task")
    if not accept and not note.strip():
        raise UserError(msg("a refusal needs a reason"), where="note",
                        hint=msg("say why %(code)s does not take part", code=tenant.slug))
    with in_tenant(session, host.id):
        row.state = "accepted" if accept else "refused"
        row.answer_note, row.answered_by = note.strip(), actor
        row.answered_at = datetime.now(UTC)
    payload = {"host": host.slug, "task": task.code, "participant": row.code,
               "state": row.state, "note": row.answer_note}
    audit.record(session, tenant_id=host.id, action="task.participant_answer",
                 object_type="task", object_id=task.code, payload=payload, actor=actor)
    audit.record(session, tenant_id=tenant.id, action="joint.invitation_answer",
                 object_type="task", object_id=f"{host.slug}/{task.code}", payload=payload,
                 actor=actor)
    return row


def tenant_ids(rows: list[TaskParticipant]) -> dict[str, int]:
    """Participant code → tenant id, for the participants that are other tenants."""
    return {r.code: r.participant_tenant_id for r in rows
            if r.kind == "tenant" and r.participant_tenant_id is not None}

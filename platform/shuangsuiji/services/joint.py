"""Joint tasks (联合抽查): planning the participants, their answers, and what the draw needs.

A joint task's participants (参与单位) are units of the tenant's organisation tree (处室,
司局) or other tenants at the same level; each brings its own items of the task and sets
its inspector quota per group (default 1). A unit takes part once planned; another tenant
is invited and accepts or refuses. Before any draw (dry run, announcement, draw) every
participant must have accepted and have enough eligible inspectors for its quota; the draw
hands the kernel the participants (docs/draw-spec.md §6.5) and the bundle carries them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel.orgtree import OrgTree
from shuangsuiji.kernel.people import canonical_inspectors, eligible_inspectors
from shuangsuiji.kernel.quotas import sides
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, joint_sources, joint_tenants
from shuangsuiji.services import items as item_service
from shuangsuiji.services import units as unit_service
from shuangsuiji.services.joint_tenants import TENANT_MARK

WHERE = "participants"


@dataclass(frozen=True)
class ParticipantPlan:
    """A participant as planned: a unit code of the tenant's tree, its items, its quota."""

    code: str
    item_codes: tuple[str, ...]
    quota: int = 1


def get_task(session: Session, ref: int | str) -> Task:
    """The task of code (or id) ``ref`` in the session's tenant."""
    found = session.scalar(select(Task).where(Task.code == str(ref)))
    if found is None and isinstance(ref, int):
        found = session.get(Task, ref)
    if found is None:
        raise NotFound(msg("no task %(task)r in this tenant", task=ref),
                       hint=msg("`ssj tasks list --tenant T` lists the tasks"))
    return found


def participants(session: Session, task: Task) -> list[TaskParticipant]:
    """The task's participants, by code."""
    return list(session.scalars(select(TaskParticipant).where(TaskParticipant.task_id == task.id)
                                .order_by(TaskParticipant.code)))


def parse_plan(text: str, where: str = WHERE) -> ParticipantPlan:
    """``CODE:ITEM[,ITEM…][:QUOTA]`` (the CLI's and the form's line) as a plan."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise UserError(msg("participant %(text)r: write UNIT:ITEM[,ITEM…][:QUOTA], e.g. "
                            "电子信息处:SX-002:1", text=text), where=where)
    quota = 1
    if len(parts) == 3:
        if not parts[2].isdigit():
            raise UserError(msg("participant %(code)s: the quota %(quota)r is not a whole "
                                "number", code=parts[0], quota=parts[2]), where=where)
        quota = int(parts[2])
    items = tuple(dict.fromkeys(i.strip() for i in parts[1].split(",") if i.strip()))
    return ParticipantPlan(parts[0], items, quota)


def plan(session: Session, tenant: Tenant, task_ref: int | str,
         plans: Sequence[ParticipantPlan], platform: Platform | None = None
         ) -> list[TaskParticipant]:
    """Set the participants of a task (the whole list); the task becomes joint.

    Refused, nothing written: a task already drawn, fewer than two participants, a unit
    not in the tree (or named twice), a quota below 1, an item not of the task, an item
    brought by two participants, an item of the task brought by none. A participant
    ``@slug`` is another tenant at the same level (services/joint_tenants.py) bringing items
    of its own item list; it is ``invited`` until it answers, and the packs' rules that
    cannot both hold are refused by name (services/joint_rules.py; needs ``platform``).
    """
    task = get_task(session, task_ref)
    if task.status != "planned":
        raise Conflict(msg("task %(task)s is %(status)s: its participants are fixed once it is "
                           "drawn", task=task.code, status=task.status), where=WHERE,
                       hint=msg("void the draw first to change the participants"))
    if len(plans) < 2:
        raise UserError(msg("a joint inspection (联合抽查) needs at least two participants; "
                            "%(n)s given", n=len(plans)), where=WHERE,
                        hint=msg("name each unit taking part with its items"))
    tree = unit_service.load_tree(session)
    task_items = {ti.item_id for ti in task.items}
    by_code = {i.code: i for i in session.scalars(select(Item).where(Item.id.in_(task_items)))}
    owner: dict[str, str] = {}
    seen: set[str] = set()
    names: dict[str, str] = {}
    guests: dict[str, tuple[Tenant, list[str], list[Item]]] = {}
    for p in plans:
        where = msg("participant %(code)s", code=p.code)
        if p.code.startswith(TENANT_MARK):  # another tenant of the deployment
            invited = _guest(session, tenant, task, p, seen, tree)
            guests[invited[0].slug] = invited
            names[invited[0].slug] = invited[0].name
            continue
        if p.code in seen:
            raise UserError(msg("participant %(code)s is named twice", code=p.code), where=where)
        seen.add(p.code)
        if tree is not None and len(tree) and p.code not in tree:
            raise UserError(msg("participant %(code)s is not a unit of the organisation tree",
                                code=p.code), where=where,
                            hint=msg("`ssj units list --tenant T` lists the units"))
        names[p.code] = tree.units[p.code].name if tree is not None and p.code in tree else p.code
        _quota_and_items(p, where)
        for item in p.item_codes:
            if item not in by_code:
                raise UserError(msg("participant %(code)s: item %(item)s is not an item of task "
                                    "%(task)s (%(items)s)", code=p.code, item=item,
                                    task=task.code, items=", ".join(sorted(by_code))),
                                where=where)
            if item in owner:
                raise UserError(msg("item %(item)s is brought by both %(a)s and %(b)s: each "
                                    "item belongs to one participant", item=item,
                                    a=owner[item], b=p.code), where=where)
            owner[item] = p.code
    if tree is not None:
        _no_nesting(tree, [p.code for p in plans if p.code in tree])
    if guests:
        if platform is None:
            raise TypeError("planning another tenant as a participant needs the platform")
        joint_sources.check_rules(platform, tenant, task,
                                  [(g, items) for g, _, items in guests.values()])
    missing = sorted(set(by_code) - set(owner))
    if missing:
        raise UserError(msg("no participant brings item(s) %(items)s of task %(task)s",
                            items=", ".join(missing), task=task.code), where=WHERE,
                        hint=msg("give each item of the task to one participant"))
    for row in participants(session, task):
        session.delete(row)
    session.flush()
    rows = []
    for p in plans:
        slug = p.code.removeprefix(TENANT_MARK)
        if slug in guests and p.code.startswith(TENANT_MARK):
            rows.append(TaskParticipant(
                task_id=task.id, code=slug, name=names[slug], kind="tenant",
                participant_tenant_id=guests[slug][0].id, item_codes=guests[slug][1],
                quota=p.quota, state="invited", answer_note=""))
        else:
            rows.append(TaskParticipant(
                task_id=task.id, code=p.code, name=names[p.code], kind="unit",
                item_codes=sorted(p.item_codes), quota=p.quota, state="accepted",
                answer_note=""))
    session.add_all(rows)
    task.joint = True
    task.joint_divisions = [r.code for r in rows if r.kind == "unit" and r.code != task.division]
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="task.participants", object_type="task",
                 object_id=task.code,
                 payload={"participants": [{"code": r.code, "kind": r.kind, "items": r.item_codes,
                                            "quota": r.quota, "state": r.state} for r in rows]})
    for guest, codes, _ in guests.values():  # the invited tenant's chain says so too
        audit.record(session, tenant_id=guest.id, action="joint.invited", object_type="task",
                     object_id=f"{tenant.slug}/{task.code}",
                     payload={"host": tenant.slug, "task": task.code, "items": codes})
    return rows


def _quota_and_items(p: ParticipantPlan, where: str) -> None:
    """A participant's quota is at least 1 and it brings an item."""
    if p.quota < 1:
        raise UserError(msg("participant %(code)s: the quota %(quota)s must be at least 1 "
                            "(each participant has at least one inspector in every group)",
                            code=p.code, quota=p.quota), where=where)
    if not p.item_codes:
        raise UserError(msg("participant %(code)s brings no item", code=p.code), where=where)


def _guest(session: Session, host: Tenant, task: Task, p: ParticipantPlan, seen: set[str],
           tree: OrgTree | None) -> tuple[Tenant, list[str], list[Item]]:
    """Another tenant as a participant: at the host's level, named once, not a unit code of
    the host, bringing items of its own published item list (kernel codes ``slug/code``)."""
    slug = p.code.removeprefix(TENANT_MARK)
    where = msg("participant %(code)s", code=p.code)
    guest = joint_tenants.partner(session, host, slug)
    if slug in seen or (tree is not None and slug in tree):
        raise UserError(msg("participant %(code)s is named twice (or is also a unit code of "
                            "%(host)s)", code=p.code, host=host.slug), where=where)
    seen.add(slug)
    _quota_and_items(p, where)
    found = joint_sources.guest_items(session, guest, p.item_codes)
    unknown = sorted(set(p.item_codes) - {i.code for i in found})
    if unknown:
        raise UserError(msg("participant %(code)s: item(s) %(items)s are not in the item list "
                            "of %(slug)s", code=p.code, items=", ".join(unknown), slug=slug),
                        where=where, hint=msg("name items of %(slug)s's own item list",
                                              slug=slug))
    with joint_tenants.in_tenant(session, guest.id):
        item_service.require_published(session, found)
    return guest, sorted(joint_tenants.joint_code(slug, i.code) for i in found), found


def _no_nesting(tree: OrgTree, codes: list[str]) -> None:
    """Participants side by side: none is a unit below another (its inspectors would be the
    other's too)."""
    for code in codes:
        for other in codes:
            if other != code and tree.within(code, other):
                raise UserError(msg("participant %(code)s is a unit of participant %(other)s: "
                                    "their inspectors cannot be told apart", code=code,
                                    other=other), where=msg("participant %(code)s", code=code),
                                hint=msg("name units side by side, e.g. two 处室 of one 司局"))


def answer(session: Session, tenant: Tenant, task_ref: int | str, code: str, *,
           accept: bool, note: str = "", actor: str) -> TaskParticipant:
    """A participant accepts or refuses to take part (a refusal says why)."""
    task = get_task(session, task_ref)
    row = next((p for p in participants(session, task) if p.code == code), None)
    if row is None:
        raise UserError(msg("%(code)s is not a participant of task %(task)s", code=code,
                            task=task.code), where=WHERE)
    if row.kind == "tenant":
        raise Conflict(msg("%(code)s is another tenant: it answers from its own login", code=code),
                       where=WHERE, hint=msg("its tenant admin or operator answers on its "
                                             "invitations page, or with `ssj joint answer "
                                             "--tenant %(code)s`", code=code))
    if task.status != "planned":
        raise Conflict(msg("task %(task)s is already drawn", task=task.code), where=WHERE)
    if not accept and not note.strip():
        raise UserError(msg("a refusal needs a reason"), where="note",
                        hint=msg("say why %(code)s does not take part", code=code))
    row.state = "accepted" if accept else "refused"
    row.answer_note, row.answered_by, row.answered_at = note.strip(), actor, datetime.now(UTC)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="task.participant_answer",
                 object_type="task", object_id=task.code,
                 payload={"participant": code, "state": row.state, "note": row.answer_note})
    return row


def kernel_participants(session: Session, task: Task) -> tuple[kernel.Participant, ...]:
    """The kernel's participants of a task (none: a task without planned participants);
    a unit's inspectors are those of the unit and every unit below it."""
    rows = participants(session, task)
    if not rows:
        return ()
    tree = unit_service.load_tree(session)
    tenant = session.get(Tenant, task.tenant_id)
    slug = tenant.slug if tenant is not None else ""
    out = []
    for r in rows:
        if r.kind == "tenant":  # another tenant: its people are of department <slug>
            out.append(kernel.Participant(r.code, r.name, r.code, (r.code,),
                                          tuple(r.item_codes), r.quota))
            continue
        owned = tree.descendants(r.code) if tree is not None and r.code in tree else {r.code}
        out.append(kernel.Participant(r.code, r.name, slug, tuple(sorted(owned)),
                                      tuple(r.item_codes), r.quota))
    return tuple(out)


def joint_params(session: Session, task: Task, params: kernel.DrawParams,
                 min_size: int) -> kernel.DrawParams:
    """A joint task's groups are at least as large as its quotas add up to."""
    total = sum(p.quota for p in participants(session, task))
    if total > max(params.group_size or 0, min_size):
        return replace(params, group_size=total)
    return params


def check_ready(session: Session, task: Task, setup_task: kernel.Task,
                params: kernel.DrawParams, rules: kernel.DrawRules,
                inspectors: Sequence[kernel.Inspector]) -> None:
    """Before any draw: every participant accepted, and each has enough eligible inspectors
    for its quota in every group. The message names the participant."""
    rows = participants(session, task)
    if not rows:
        return
    for r in rows:
        if r.state != "accepted":
            word = msg("refused") if r.state == "refused" else msg("not answered yet")
            raise Conflict(msg("participant %(code)s (%(name)s) of joint task %(task)s has "
                               "%(state)s%(note)s: no draw until every participant takes part",
                               code=r.code, name=r.name, task=task.code, state=word,
                               note=f" ({r.answer_note})" if r.answer_note else ""),
                           where=WHERE,
                           hint=msg("change the participants, or ask %(code)s to accept",
                                    code=r.code))
    joint = kernel_participants(session, task)
    directory = canonical_inspectors(inspectors)
    side = sides(directory, joint)
    eligible = eligible_inspectors(directory, setup_task, params, rules)
    groups = params.group_count or 1
    for p in joint:
        have = sum(1 for x in eligible if side.get(x) == p.code)
        need = groups * p.quota
        if have < need:
            raise UserError(msg("participant %(code)s (%(name)s) has %(have)s eligible "
                                "inspector(s); %(groups)s group(s) with %(quota)s each need "
                                "%(need)s: %(missing)s missing", code=p.code, name=p.name,
                                have=have, groups=groups, quota=p.quota, need=need,
                                missing=need - have),
                            where=WHERE,
                            hint=msg("add inspectors of %(code)s with a valid credential, lower "
                                     "its quota or form fewer groups", code=p.code))

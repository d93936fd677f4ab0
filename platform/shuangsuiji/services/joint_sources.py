"""What the draw of a joint task of two tenants reads from the other tenants.

One pool (docs/organisations.md §"Joint tasks of two tenants"): the targets are the host's
directory; each other tenant brings its items (codes ``<slug>/<code>`` in the kernel and the
bundle), its earlier inspections (the once-a-year exclusion of its items, matched by credit
code) and its inspectors (ids ``<slug>/<id>``, department ``<slug>``: its participant's only
unit), each read in that tenant's own scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs import RuleSet
from shuangsuiji.platform import Platform
from shuangsuiji.rules import ExclusionRule, RecusalRule
from shuangsuiji.services import directories, joint_rules
from shuangsuiji.services.joint_tenants import in_tenant, joint_code, own_code


def guests(session: Session, task: Task) -> list[tuple[Tenant, TaskParticipant]]:
    """The other tenants taking part in ``task``, with their participant rows, by code."""
    rows = session.scalars(select(TaskParticipant).where(
        TaskParticipant.task_id == task.id, TaskParticipant.kind == "tenant")
        .order_by(TaskParticipant.code))
    out = []
    for r in rows:
        tenant = session.get(Tenant, r.participant_tenant_id)
        if tenant is not None:
            out.append((tenant, r))
    return out


def guest_items(session: Session, guest: Tenant, codes: Iterable[str]) -> list[Item]:
    """The other tenant's items of ``codes`` (its own codes), read in its scope."""
    wanted = [own_code(guest.slug, c) for c in codes]
    with in_tenant(session, guest.id):
        return list(session.scalars(select(Item).where(Item.code.in_(wanted))
                                    .order_by(Item.code)))


def guest_item_codes(session: Session, task: Task) -> tuple[str, ...]:
    """The kernel codes (``<slug>/<code>``) of the other tenants' items of ``task``."""
    return tuple(c for _, r in guests(session, task) for c in r.item_codes)


def inspectors(session: Session, task: Task, own: list[kernel.Inspector]
               ) -> list[kernel.Inspector]:
    """The draw's inspector directory: the host's ``own``, then every other participant
    tenant's, each person as ``<slug>/<id>`` of department ``<slug>`` (so two tenants'
    people never share an id, and each is of its tenant's participant)."""
    out = list(own)
    for guest, _ in guests(session, task):
        with in_tenant(session, guest.id):
            rows = directories.load_inspectors(session)
        for r in rows:
            out.append(kernel.Inspector(
                joint_code(guest.slug, r.draw_id), r.name, guest.slug,
                joint_code(guest.slug, r.division or r.department), False,
                credentials=tuple(kernel.Credential(c.kind, c.expires) for c in r.credentials)))
    return out


def directory_rows(session: Session, task: Task) -> dict[str, Any]:
    """Person id → directory row (name, credentials) of every participant tenant, as the
    on-site record checks the credentials shown (MIIT/CQ 第十三条)."""
    out: dict[str, Any] = {r.draw_id: r for r in directories.load_inspectors(session)}
    for guest, _ in guests(session, task):
        with in_tenant(session, guest.id):
            rows = directories.load_inspectors(session)
        out.update({joint_code(guest.slug, r.draw_id): r for r in rows})
    return out


def history(session: Session, task: Task, since: date, until: date,
            load: Callable[[Session, date, date, int], Iterable[kernel.TaskInspections]]
            ) -> Iterator[kernel.TaskInspections]:
    """The other tenants' earlier inspections for their items, by credit code: each of its
    tasks as ``<slug>/<task>`` with its items as ``<slug>/<item>`` (the once-a-year exclusion
    of its items; a guest's task is never of the host's 司局, so never a same-quarter
    trigger). ``load`` reads one tenant's history (draws/reading.py ``load_history``)."""
    for guest, _ in guests(session, task):
        with in_tenant(session, guest.id):
            # the joint task being drawn is not an earlier one (ids are global)
            records = list(load(session, since, until, task.id))
        for r in records:
            yield replace(r, task_id=joint_code(guest.slug, r.task_id),
                          item_codes=tuple(joint_code(guest.slug, i) for i in r.item_codes),
                          division=joint_code(guest.slug, r.division or "-"),
                          department=guest.slug)


def check_rules(platform: Platform, host: Tenant, task: Task,
                guests: Sequence[tuple[Tenant, Sequence[Item]]]) -> None:
    """Refuse every rule of a participating pack that cannot hold with the host's for this
    task (services/joint_rules.py), naming the rule and each pack's article; at planning,
    before any write, and again before any draw (a pack version may have come into force)."""
    facts = joint_rules.TaskFacts(task.code, task.ratio_permille, tuple(task.methods),
                                  task.inspector_scope, task.special)
    host_rules = platform.policy_for(host).rules(task.starts_on)
    found: list[str] = []
    for guest, items in guests:
        found += joint_rules.conflicts(
            host.slug, host_rules, guest.slug, platform.policy_for(guest).rules(task.starts_on),
            facts, [joint_rules.ItemFacts(i.code, i.category, i.cap_permille) for i in items])
    if found:
        raise UserError("; ".join(found), where="participants",
                        hint=msg("plan the joint task so every pack's rules hold, or inspect "
                                 "separately"))


@dataclass(frozen=True)
class GuestSetup:
    """What the other tenants add to a joint task's draw inputs."""

    items: tuple[str, ...] = ()  # kernel codes <slug>/<code>
    extra_exclusions: tuple[ExclusionRule, ...] = ()  # of their packs, for their items
    min_size: int = 0  # the largest minimum group size of their packs


def setup(session: Session, platform: Platform, host: Tenant, task: Task) -> GuestSetup:
    """The other tenants' part of the draw inputs, their rules rechecked first; an empty
    :class:`GuestSetup` for a joint task of one tenant."""
    found = guests(session, task)
    if not found:
        return GuestSetup()
    pairs = [(g, guest_items(session, g, r.item_codes)) for g, r in found]
    check_rules(platform, host, task, pairs)
    extra: list[ExclusionRule] = []
    sizes = []
    for guest, items in pairs:
        rules = platform.policy_for(guest).rules(task.starts_on)
        categories = {i.category for i in items}
        extra += [r for r in rules.extra_exclusions if r.applies_to(categories) and r not in extra]
        sizes.append(rules.group_rule.min_size)
    return GuestSetup(tuple(c for _, r in found for c in r.item_codes), tuple(extra),
                      max(sizes))


def since(session: Session, platform: Platform, task: Task,
          first_day: Callable[[RuleSet, date], date]) -> date:
    """The earliest day the other tenants' packs look back to for their exclusions."""
    days = [first_day(platform.policy_for(g).rules(task.starts_on), task.starts_on)
            for g, _ in guests(session, task)]
    return min(days, default=task.starts_on)


def recusal_rule(session: Session, platform: Platform, task_id: int, rule: RecusalRule,
                 on: date) -> RecusalRule:
    """The host's recusal rule for the draw of task ``task_id``, narrowed to the modes every
    participating tenant's pack allows too (one group, one recusal: the stricter reading;
    planning refuses a joint task with no common mode)."""
    task = session.get(Task, task_id)
    found = guests(session, task) if task is not None else []
    if not found:
        return rule
    allowed = [set(platform.policy_for(g).rules(on).recusal_rule.modes) for g, _ in found]
    return replace(rule, modes=tuple(m for m in rule.modes if all(m in a for a in allowed)))

"""A task's draw inputs: the task and its items, the pack's rules and the draw's parameters,
checked (:func:`setup`), and its pool frozen (:func:`prepare`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import NotFound, UserError
from shuangsuiji.kernel.orgtree import OrgTree
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.plans import Task, TaskItem
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs import RuleSet
from shuangsuiji.platform import Platform
from shuangsuiji.rules import ExclusionRule
from shuangsuiji.services import credit_classes, joint, joint_sources, provisions, units
from shuangsuiji.services import items as item_service
from shuangsuiji.services.draw_units import task_units
from shuangsuiji.services.draws.reading import load_candidates, load_history, load_inspectors

Progress = Callable[[str, int, int], None]


def noop(_stage: str, _done: int, _total: int) -> None:
    return None


def find_task(session: Session, task: int | str) -> Task:
    """A task of the current tenant by id or code; another tenant's task is not found."""
    stmt = select(Task).where(Task.id == task) if isinstance(task, int) else select(Task).where(
        Task.code == task
    )
    found = session.scalar(stmt)
    if found is None and isinstance(task, str) and task.isdigit():
        found = session.scalar(select(Task).where(Task.id == int(task)))
    if found is None:
        raise NotFound(msg("no task %(task)r in this tenant", task=task),
                       hint=msg("`ssj tasks list --tenant T` lists the tasks"))
    return found


def _item_codes(session: Session, task: Task) -> list[Item]:
    items = list(
        session.scalars(
            select(Item).join(TaskItem, TaskItem.item_id == Item.id).where(
                TaskItem.task_id == task.id
            ).order_by(Item.code)
        )
    )
    if not items:
        raise UserError(msg("task %(task)s has no items", task=task.code),
                        hint=msg("add at least one item to the task"))
    return items


def _kernel_task(task: Task, items: list[Item], tree: OrgTree | None = None) -> kernel.Task:
    # with an organisation tree: the task's unit and its 司局 (MIIT 第十条第二款)
    department, division = task_units(tree, task.department, task.division)
    return kernel.Task(
        task_id=task.code,
        item_codes=tuple(i.code for i in items),
        start_date=task.starts_on,
        department=department,
        division=division,
        special=task.special,
        joint=task.joint,
    )


def applicable_exclusions(rules: RuleSet, items: list[Item]) -> tuple[ExclusionRule, ...]:
    """The extra exclusions that apply to a task of ``items``: a rule limited to item
    categories (param ``categories``) applies only when an item is of one of them. Only
    these enter the pool's rules (and its digest), so a bundle lists the rules applied."""
    categories = {i.category for i in items}
    return tuple(r for r in rules.extra_exclusions if r.applies_to(categories))


def history_since(rules: RuleSet, starts_on: date) -> date:
    """The first day whose inspections can exclude a target from a task starting on
    ``starts_on``: 1 January of its year (once a year per item, same quarter), or earlier
    when a ``recently_inspected`` rule looks further back (180 days from 1 March reach into
    the year before)."""
    days = [int(r.param("days")) for r in rules.extra_exclusions
            if r.kind == "recently_inspected"]
    return min(date(starts_on.year, 1, 1), starts_on - timedelta(days=max(days, default=0)))


def _category(rules: RuleSet, items: list[Item]) -> Any:
    """The category governing batches: key if any item is key (the strictest reading).

    Where the ratio counts as high (CQ 第五条 "抽查比例高的") is the item list's setting:
    the highest threshold the task's items of that category set, else the pack's default.
    """
    codes = {i.category for i in items}
    for cat in rules.item_categories:
        if cat.code in codes and cat.batch_order:
            own = [i.batch_order_min_permille for i in items
                   if i.category == cat.code and i.batch_order_min_permille is not None]
            return replace(cat, batch_order_min_permille=max(own)) if own else cat
    return rules.category(items[0].category)


def check_task_ratios(rules: RuleSet, task: Task, items: list[Item]) -> None:
    """Refuse a task whose ratio breaks a pack or item cap, citing the article."""
    if task.special:
        return
    for item in items:
        problem = kernel.check_ratio(rules.category(item.category), task.ratio_permille,
                                     item.cap_permille)
        if problem:
            raise UserError(problem, where=msg("task %(task)s, item %(item)s", task=task.code,
                                               item=item.code))


@dataclass(frozen=True)
class Prepared:
    """What the kernel needs for one task, loaded once."""

    task: Task
    rules: RuleSet
    pool: kernel.FrozenPool
    draw_rules: kernel.DrawRules
    params: kernel.DrawParams


@dataclass(frozen=True)
class Setup:
    """A task's draw inputs except the pool: what the announcement fixes beside it."""

    task: Task
    items: list[Item]
    rules: RuleSet
    kernel_task: kernel.Task
    sampling: kernel.Sampling
    pool_rules: kernel.PoolRules
    draw_rules: kernel.DrawRules
    params: kernel.DrawParams


def setup(session: Session, platform: Platform, tenant: Tenant, task_ref: int | str) -> Setup:
    """The task, its items, the pack's rules and the draw's parameters, checked."""
    task = find_task(session, task_ref)
    items = _item_codes(session, task)
    item_service.require_published(session, items)  # no draft or unapproved change
    rules = platform.policy_for(tenant).rules(task.starts_on)
    check_task_ratios(rules, task, items)
    draw_rules = kernel.DrawRules(
        item_category=_category(rules, items),
        group_rule=rules.group_rule,
        eligibility=rules.eligibility,
    )
    params = kernel.DrawParams(
        scope=task.inspector_scope,
        group_count=task.group_count or None,
        experts_count=task.experts_count,
        batch_count=task.batch_count if task.batch_count > 1 else None,
        inspection_date=task.starts_on,
    )
    if params.scope not in rules.group_rule.scopes:
        raise UserError(
            msg("inspector scope %(scope)r is not allowed by %(cite)s", scope=params.scope,
                cite=str(rules.group_rule.cite)),
            where=msg("task %(task)s", task=task.code),
            hint=msg("use one of: %(choices)s", choices=rules.group_rule.scopes),
        )
    kernel_task = _kernel_task(task, items, units.load_tree(session))
    extra = applicable_exclusions(rules, items)
    min_size = rules.group_rule.min_size
    if task.joint:  # 联合抽查: the participants' quotas, checked before any draw
        guests = joint_sources.setup(session, platform, tenant, task)  # other tenants' parts
        kernel_task = replace(kernel_task, item_codes=kernel_task.item_codes + guests.items)
        extra += tuple(r for r in guests.extra_exclusions if r not in extra)
        min_size = max(min_size, guests.min_size)
        params = joint.joint_params(session, task, params, min_size)
        joint.check_ready(session, task, kernel_task, params, draw_rules,
                          joint_sources.inspectors(session, task, load_inspectors(session)))
    return Setup(
        task, items, rules, kernel_task,
        kernel.Sampling(task.ratio_permille, task.min_count, task.max_count),
        kernel.PoolRules(
            # CQ 第十条第一款 国家及我市另有规定的，从其规定: a provision in force for the
            # items replaces the frequency rule, and the pool rules cite it
            exclusion_policy=provisions.exclusion_policy(
                session, rules.exclusion_policy, task.starts_on, [i.code for i in items]),
            extra_exclusions=extra,
            # 信用风险分类 after the risk flags (docs/draw-spec.md §3.2)
            risk_rules=rules.risk_rules + credit_classes.pool_rules(rules.credit_classes),
        ),
        draw_rules, params,
    )


def prepare(
    session: Session, platform: Platform, tenant: Tenant, task_ref: int | str,
    progress: Progress = noop,
) -> Prepared:
    """Freeze the pool of a task (and its digest) without drawing."""
    got = setup(session, platform, tenant, task_ref)
    task = got.task
    progress("load", 0, 3)
    # only inspections dated up to the start can exclude (docs/draw-spec.md §3.1)
    since = history_since(got.rules, task.starts_on)
    if task.joint:  # the other tenants' inspections, for the exclusions of their items
        since = min(since, joint_sources.since(session, platform, task, history_since))
    history: Iterable[kernel.TaskInspections] = chain(
        load_history(session, since, task.starts_on, task.id),
        list(joint_sources.history(session, task, since, task.starts_on, load_history))
        if task.joint else ())
    progress("freeze", 1, 3)
    # closed before an error leaves: the reader's thread is done with the connection then
    classes = [c.code for c in got.rules.credit_classes]
    with closing(load_candidates(session, task.starts_on, classes)) as candidates:
        pool = kernel.freeze_pool(candidates, history, got.kernel_task, got.sampling,
                                  got.pool_rules)
    progress("frozen", 2, 3)
    return Prepared(task, got.rules, pool, got.draw_rules, got.params)

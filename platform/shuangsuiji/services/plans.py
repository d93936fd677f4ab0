"""Annual plans (年度抽查工作计划) and tasks (抽查任务).

A plan is made in the pack's window (MIIT Art. 7, CQ Art. 7: the first quarter). A plan
made late is still created, because refusing it would leave the year with no plan at all;
it is marked ``in_window=False`` and carries a warning citing the article, shown wherever
the plan appears.

A task is checked against the rules in force on its start date: methods (MIIT Art. 12,
CQ Art. 12), ratio caps per item category (CQ Art. 5), inspector scopes (MIIT Art. 8),
special-inspection triggers (MIIT Art. 19 ¶3, CQ Art. 17 ¶2). Every refusal cites the rule.
"""

# whole-module: one job, a plan and its tasks checked against the rules in force on one
# date; each check sits beside the refusal citing its article, and a split would put the
# task's checks in one file and the task they guard in another.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.plans import LOCKED_STATUSES, AnnualPlan, Task, TaskItem
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs.ruleset import RuleSet
from shuangsuiji.platform import Platform
from shuangsuiji.rules import PlanWindow
from shuangsuiji.services import audit, units
from shuangsuiji.services import items as item_service
from shuangsuiji.services.lifecycle import (
    RuleRefused,
    drawn_targets,
    get_task,
    status_word,
    today_in_china,
)
from shuangsuiji.services.records import gaps


@dataclass
class PlanOutcome:
    """A created plan and the warnings to show with it (e.g. made outside the window)."""

    plan: AnnualPlan
    window: PlanWindow
    warnings: list[str] = field(default_factory=list)  # messages (shuangsuiji.messages)


def window_warning(year: int, made_on: date, window: PlanWindow) -> str | None:
    """The warning for a plan made on ``made_on`` outside ``window``; None inside it."""
    if window.start <= made_on <= window.end:
        return None
    return msg("the annual plan for %(year)s was made on %(made_on)s, outside the window "
               "%(start)s–%(end)s (%(cite)s)", year=year, made_on=made_on.isoformat(),
               start=window.start.isoformat(), end=window.end.isoformat(), cite=str(window.cite))


def plan_warning(platform: Platform, tenant: Tenant, plan: AnnualPlan) -> str | None:
    """The warning of a plan made outside its window, as a translatable message.

    The plan keeps its warning as English text, as it was given when the plan was made; the
    message is made again from the plan's year, date and window so that pages can show it
    in their language, and the stored text is returned instead should the two ever differ
    (a pack version that changed the window later).
    """
    if plan.window_warning is None:
        return None
    again = window_warning(plan.year, plan.made_on, platform.policy_for(tenant)
                           .plan_window(plan.year))
    return again if again == plan.window_warning else plan.window_warning


def create_plan(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    year: int,
    *,
    title: str,
    scope: str = "",
    inspector_requirements: str = "",
    made_on: date | None = None,
) -> PlanOutcome:
    """Create the tenant's annual plan for ``year`` (one per year)."""
    if not 2000 <= year <= 2100:
        raise UserError(msg("year %(year)s is out of range", year=year), where="year",
                        hint=msg("e.g. 2026"))
    if not title.strip():
        raise UserError(msg("a plan needs a title"), where="title")
    made_on = made_on or today_in_china()
    if session.scalar(select(AnnualPlan).where(AnnualPlan.year == year)) is not None:
        raise Conflict(msg("tenant %(tenant)s already has an annual plan for %(year)s",
                           tenant=tenant.slug, year=year),
                       hint=msg("add tasks to it: ssj tasks create --plan-year ..."))
    policy = platform.policy_for(tenant)
    window = policy.plan_window(year)
    warning = window_warning(year, made_on, window)
    pack, version = policy.rules(date(year, 1, 1)).governing
    plan = AnnualPlan(year=year, title=title.strip(), scope=scope,
                      inspector_requirements=inspector_requirements, made_on=made_on,
                      in_window=warning is None,
                      window_warning=None if warning is None else str(warning),
                      rules_pack=pack, rules_version=version)
    session.add(plan)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="plan.create", object_type="annual_plan",
                 object_id=plan.id,
                 payload={"year": year, "title": plan.title, "made_on": made_on,
                          "in_window": plan.in_window, "window_cite": str(window.cite),
                          "rules": [pack, version]})
    return PlanOutcome(plan, window, [warning] if warning else [])


def get_plan(session: Session, year: int) -> AnnualPlan:
    plan = session.scalar(select(AnnualPlan).where(AnnualPlan.year == year))
    if plan is None:
        raise NotFound(msg("no annual plan for %(year)s in this tenant", year=year),
                       hint=msg("create it: ssj plans create --tenant T --year %(year)s "
                                "--title ...", year=year))
    return plan


def list_plans(session: Session) -> list[AnnualPlan]:
    return list(session.scalars(select(AnnualPlan).order_by(AnnualPlan.year)))


def list_tasks(session: Session, *, year: int | None = None) -> list[Task]:
    query = select(Task).order_by(Task.starts_on, Task.id)
    if year is not None:
        query = query.join(AnnualPlan, Task.plan_id == AnnualPlan.id).where(AnnualPlan.year == year)
    return list(session.scalars(query))


def task_items(session: Session, task: Task) -> list[Item]:
    """The items a task inspects, in the order they were given."""
    return list(session.scalars(
        select(Item).join(TaskItem, TaskItem.item_id == Item.id)
        .where(TaskItem.task_id == task.id).order_by(TaskItem.id)
    ))


def create_task(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    *,
    plan_year: int,
    code: str,
    title: str,
    department: str,
    item_codes: Sequence[str],
    starts_on: date,
    ends_on: date,
    methods: Sequence[str],
    ratio_permille: int,
    departments: Sequence[str] = (),
    division: str = "",
    joint: bool = False,
    joint_divisions: Sequence[str] = (),
    special: bool = False,
    special_trigger: str | None = None,
    min_count: int = 0,
    max_count: int | None = None,
    group_count: int = 1,
    experts_count: int = 0,
    batch_count: int = 1,
    inspector_scope: str | None = None,
) -> Task:
    """Create a task under the annual plan of ``plan_year``; refuse what the rules forbid.

    ``departments`` lists every department of a joint (cross-department) task; ``department``
    is its lead and is added to the list if missing. A task is joint (联合抽查) only when it
    is declared so (``joint``, or other departments or ``joint_divisions`` named), and a
    joint task needs at least two participants (divisions or departments): several items
    of one division are not a joint inspection (MIIT 第十条第二款).

    ``ratio_permille`` is checked against each item's cap and its category's cap, unless the
    task is special (专项检查), which the regulations put outside the sampling rules.
    """
    code = code.strip()
    if not code:
        raise UserError(msg("a task needs a code"), where="code", hint=msg("e.g. 2026-CQ-01"))
    if not title.strip():
        raise UserError(msg("a task needs a title"), where="title")
    department = units.task_department(session, department, division, departments, joint_divisions)
    if not department.strip():
        raise UserError(msg("a task needs a lead department"), where="department")
    if ends_on < starts_on:
        raise UserError(msg("ends_on %(ends_on)s is before starts_on %(starts_on)s",
                            ends_on=ends_on.isoformat(), starts_on=starts_on.isoformat()),
                        where="ends_on", hint=msg("a task ends on or after the day it starts"))
    plan = get_plan(session, plan_year)
    if starts_on.year != plan.year:
        raise UserError(msg("starts_on %(starts_on)s is not in the plan's year %(year)s",
                            starts_on=starts_on.isoformat(), year=plan.year),
                        where="starts_on")
    if session.scalar(select(Task).where(Task.code == code)) is not None:
        raise Conflict(msg("task %(task)s already exists", task=code), where="code")

    rules = platform.policy_for(tenant).rules(starts_on)
    items = _items_by_code(session, item_codes)
    item_service.require_published(session, items)  # MIIT 第五条, CQ 第四条
    methods = _check_methods(rules, items, methods)
    _check_special(rules, special, special_trigger)
    if not 1 <= ratio_permille <= 1000:
        raise UserError(msg("ratio %(ratio)s‰ is out of range", ratio=ratio_permille),
                        where="ratio_permille",
                        hint=msg("a ratio is per mille, 1–1000 (100 = 10 %)"))
    caps = {} if special else _check_ratio(rules, items, ratio_permille)
    scope = inspector_scope or rules.group_rule.scopes[0]
    if scope not in rules.group_rule.scopes:
        raise RuleRefused(msg("inspector scope %(scope)r is not allowed; allowed: %(allowed)s",
                              scope=scope, allowed=rules.group_rule.scopes),
                          cite=rules.group_rule.cite, where="inspector_scope")
    if group_count < 1 or batch_count < 1 or experts_count < 0 or min_count < 0:
        raise UserError(msg("group_count and batch_count must be at least 1; experts_count "
                            "and min_count must not be negative"), where="counts")
    if max_count is not None and max_count < min_count:
        raise UserError(msg("max_count %(max_count)s is below min_count %(min_count)s",
                            max_count=max_count, min_count=min_count),
                        where="max_count")
    all_departments = list(dict.fromkeys([department.strip(), *(d.strip() for d in departments
                                                                  if d.strip())]))
    participating = joint_participants(department.strip(), division.strip(), joint,
                                       all_departments, joint_divisions)
    pack, version = rules.governing
    task = Task(plan_id=plan.id, code=code, title=title.strip(), department=department.strip(),
                division=division, departments=all_departments,
                joint=participating is not None, joint_divisions=participating or [],
                special=special, special_trigger=special_trigger,
                methods=methods, ratio_permille=ratio_permille, min_count=min_count,
                max_count=max_count, group_count=group_count, experts_count=experts_count,
                batch_count=batch_count, inspector_scope=scope, starts_on=starts_on,
                ends_on=ends_on, status="planned", rules_pack=pack, rules_version=version)
    task.items = [TaskItem(item_id=item.id) for item in items]
    session.add(task)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="task.create", object_type="task",
                 object_id=task.code, payload=_task_payload(task, items, caps))
    return task


def joint_participants(department: str, division: str, joint: bool,
                       departments: Sequence[str], divisions: Sequence[str]) -> list[str] | None:
    """The other divisions of a declared joint task, or None for a task that is not joint.

    Joint is declared: by ``joint``, or by naming other departments or divisions; a
    declaration needs at least two participants in all (the task's own division or, without
    one, its department, and those named). Refused otherwise, naming what is missing.
    """
    own = division or department
    others = [d for d in dict.fromkeys(d.strip() for d in divisions if d.strip()) if d != own]
    declared = joint or len(departments) > 1 or bool(others)
    if not declared:
        return None
    if len(departments) < 2 and not others:
        raise UserError(msg("a joint inspection (联合抽查) needs at least two participants; "
                            "only %(own)s takes part", own=own), where="joint_divisions",
                        hint=msg("name the other participating divisions (处室), or create "
                                 "the task as not joint: several items of one division are "
                                 "not a joint inspection (MIIT 第十条第二款)"))
    return others


def end_work(session: Session, tenant: Tenant, task_id: int | str, ended_on: date, *,
             missing_confirmed: Sequence[str] = (), today: date | None = None) -> Task:
    """Mark the end of the task's work (抽查工作结束): the publication deadline counts from it.

    The day cannot be after today (Asia/Shanghai). Drawn targets still without an on-site
    record are named, and the end is refused unless ``missing_confirmed`` names every one of
    them: ending the work without them is a decision someone takes explicitly, and the
    audit event keeps who left out whom.
    """
    task = get_task(session, task_id)
    today = today or today_in_china()
    if ended_on > today:
        raise UserError(msg("work cannot end on %(ended_on)s, after today (%(today)s, Asia/"
                            "Shanghai)", ended_on=ended_on.isoformat(),
                            today=today.isoformat()), where="ended_on",
                        hint=msg("record the end of the work on or after the day it ends"))
    if task.status in LOCKED_STATUSES:
        raise Conflict(msg("task %(task)s is already %(status)s; its end date is fixed",
                           task=task.code, status=status_word(task.status)))
    if ended_on < task.starts_on:
        raise UserError(msg("work cannot end (%(ended_on)s) before the task starts "
                            "(%(starts_on)s)", ended_on=ended_on.isoformat(),
                            starts_on=task.starts_on.isoformat()), where="ended_on")
    missing = [g.credit_code for g in gaps(session, task) if g.missing == "record"]
    confirmed = {c.strip().upper() for c in missing_confirmed if c.strip()}
    unconfirmed = [c for c in missing if c not in confirmed]
    if unconfirmed:
        shown = ", ".join(unconfirmed[:20]) + (" …" if len(unconfirmed) > 20 else "")
        raise UserError(msg("%(count)s of %(drawn)s drawn targets have no on-site record: "
                            "%(codes)s", count=len(missing),
                            drawn=len(drawn_codes(session, task)), codes=shown),
                        where=msg("task %(task)s", task=task.code),
                        hint=msg("write their records first, or confirm that the work ends "
                                 "without them by naming each (--confirm-missing CODE)"))
    before = task.work_ended_on
    task.work_ended_on = ended_on
    task.status = "work_ended"
    audit.record(session, tenant_id=tenant.id, action="task.work_end", object_type="task",
                 object_id=task.code, payload={"before": before, "work_ended_on": ended_on,
                                               "missing_confirmed": missing})
    return task


def drawn_codes(session: Session, task: Task) -> list[str]:
    """The credit codes the task's live draw selected."""
    return [t.credit_code for t in drawn_targets(session, task)]


def _items_by_code(session: Session, codes: Sequence[str]) -> list[Item]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise UserError(msg("a task needs at least one item"), where="items",
                        hint=msg("give item codes from the item list (随机抽查事项清单)"))
    found = {i.code: i for i in session.scalars(select(Item).where(Item.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFound(msg("no item %(codes)s in the item list", codes=missing), where="items",
                       hint=msg("`ssj items list --tenant T` shows the item list"))
    retired = [c for c in wanted if not getattr(found[c], "active", True)]
    if retired:
        raise UserError(msg("item %(codes)s is retired from the item list", codes=retired),
                        where="items",
                        hint=msg("only items on the current list can be inspected"))
    return [found[c] for c in wanted]


def _check_methods(rules: RuleSet, items: list[Item], methods: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(m.strip() for m in methods if m.strip()))
    if not chosen:
        raise UserError(msg("a task needs at least one method"), where="methods",
                        hint=msg("allowed: %(allowed)s", allowed=rules.methods.methods))
    for method in chosen:
        if method not in rules.methods.methods:
            raise RuleRefused(msg("method %(method)r is not allowed; allowed: %(allowed)s",
                                  method=method, allowed=rules.methods.methods),
                              cite=rules.methods.cite, where="methods")
    for method in chosen:
        declared = [i for i in items if _item_methods(i)]
        if declared and not any(method in _item_methods(i) for i in declared):
            raise UserError(msg("method %(method)r is not listed for item(s) %(codes)s in the "
                                "item list", method=method,
                                codes=tuple(i.code for i in declared)),
                            where="methods", hint=msg("use a method the item list names"))
    return chosen


def _item_methods(item: Item) -> list[str]:
    value: Any = getattr(item, "methods", None) or []
    return list(value)


def _check_special(rules: RuleSet, special: bool, trigger: str | None) -> None:
    sp = rules.special_inspections
    if special:
        if trigger not in sp.triggers:
            raise RuleRefused(msg("a special inspection (专项检查) needs one of the triggers "
                                  "%(triggers)s; got %(trigger)r", triggers=sp.triggers,
                                  trigger=trigger),
                              cite=sp.cite, where="special_trigger")
    elif trigger is not None:
        raise UserError(msg("a trigger is only given for a special inspection"),
                        where="special_trigger", hint=msg("add --special or drop the trigger"))


def _check_ratio(rules: RuleSet, items: list[Item], ratio: int) -> dict[str, int | None]:
    """The effective cap of each item; refuse a ratio above one, or a general item with none."""
    caps: dict[str, int | None] = {}
    for item in items:
        category = rules.category(item.category)
        own: int | None = getattr(item, "cap_permille", None)
        if category.cap_required and own is None:
            raise RuleRefused(msg("item %(item)s is a %(category_en)s (%(category_zh)s) and has "
                                  "no ratio cap set in the item list", item=item.code,
                                  category_en=category.name_en, category_zh=category.name_zh),
                              cite=category.cite, where="items",
                              hint=msg("set the item's cap (上限) in the item list first"))
        limits = [c for c in (category.cap_permille, own) if c is not None]
        cap = min(limits) if limits else None
        caps[item.code] = cap
        if cap is not None and ratio > cap:
            raise RuleRefused(msg("ratio %(ratio)s‰ exceeds the cap of %(cap)s‰ for item "
                                  "%(item)s (%(category)s)", ratio=ratio, cap=cap,
                                  item=item.code, category=category.name_zh),
                              cite=category.cite, where="ratio_permille")
    return caps


def _task_payload(task: Task, items: list[Item], caps: dict[str, int | None]) -> dict[str, Any]:
    return {
        "code": task.code, "title": task.title, "plan_id": task.plan_id,
        "department": task.department, "departments": task.departments, "joint": task.joint,
        "joint_divisions": task.joint_divisions,
        "special": task.special, "special_trigger": task.special_trigger,
        "methods": task.methods, "ratio_permille": task.ratio_permille, "caps": caps,
        "items": [i.code for i in items], "starts_on": task.starts_on, "ends_on": task.ends_on,
        "inspector_scope": task.inspector_scope, "rules": [task.rules_pack, task.rules_version],
    }

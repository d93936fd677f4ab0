"""Annual plans (年度抽查工作计划) and tasks (抽查任务)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import ADMINS, INSPECTORS, OPERATORS, VIEWERS, allow
from shuangsuiji.api.pagination import SelectPage
from shuangsuiji.api.resources.common import get_in_tenant, tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.models.plans import AnnualPlan, Task
from shuangsuiji.services import plans as plan_service

blp = tenant_blueprint("plans", "Annual plans (年度抽查工作计划) and tasks (抽查任务)")


@blp.route("/plans")
@allow(*VIEWERS)
@cached
@blp.response(200, schemas.PlanOut(many=True))
def list_plans() -> Any:
    """The tenant's annual plans, by year (one per year: never more than a few dozen)."""
    return [_shown(p) for p in plan_service.list_plans(context.session())]


@blp.route("/plans", methods=["POST"])
@allow(*ADMINS)
@blp.arguments(schemas.PlanIn)
@blp.response(201, schemas.PlanCreatedOut)
def create_plan(data: dict[str, Any]) -> Any:
    """Make the annual plan for a year. A plan made outside the pack's window (Q1) is still
    made, flagged, with the warning citing the article."""
    session = context.session()
    outcome = plan_service.create_plan(session, context.platform(), context.tenant(),
                                       data["year"], title=data["title"], scope=data["scope"],
                                       inspector_requirements=data["inspector_requirements"],
                                       made_on=data["made_on"])
    session.commit()
    return {"plan": _shown(outcome.plan), "warnings": outcome.warnings}


@blp.route("/plans/<int:year>")
@allow(*VIEWERS)
@cached
@blp.response(200, schemas.PlanOut)
def get_plan(year: int) -> Any:
    """The annual plan of ``year``."""
    return _shown(plan_service.get_plan(context.session(), year))


_PLAN_FIELDS = tuple(name for name in schemas.PlanOut().fields if name != "window_warning")


def _shown(plan: AnnualPlan) -> dict[str, Any]:
    """A plan as :class:`schemas.PlanOut` shows it: its warning (kept as English text) made
    again as a message, shown in the client's language."""
    shown = {name: getattr(plan, name) for name in _PLAN_FIELDS}
    shown["window_warning"] = plan_service.plan_warning(context.platform(), context.tenant(),
                                                        plan)
    return shown


@blp.route("/tasks")
@allow(*VIEWERS)
@cached
@blp.arguments(schemas.TaskQuery, location="query")
@blp.response(200, schemas.TaskOut(many=True))
@blp.paginate(SelectPage)
def list_tasks(query: dict[str, Any]) -> Any:
    """The tenant's tasks, by start date."""
    stmt = select(Task)
    if query.get("year"):
        stmt = stmt.join(AnnualPlan, Task.plan_id == AnnualPlan.id).where(
            AnnualPlan.year == query["year"])
    if query.get("status"):
        stmt = stmt.where(Task.status == query["status"])
    return stmt.order_by(Task.starts_on, Task.id)


@blp.route("/tasks", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.TaskIn)
@blp.response(201, schemas.TaskDetailOut)
def create_task(data: dict[str, Any]) -> Any:
    """Create a task under the plan of ``plan_year``; the pack in force on ``starts_on``
    checks its methods, ratio caps, inspector scope and special trigger (400 citing the
    article when it refuses)."""
    session = context.session()
    fields = dict(data)
    item_codes = fields.pop("items")
    task = plan_service.create_task(session, context.platform(), context.tenant(),
                                    item_codes=item_codes, **fields)
    session.commit()
    return task


@blp.route("/tasks/<int:task_id>")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, schemas.TaskDetailOut)
def get_task(task_id: int) -> Any:
    """One task with the codes of its items."""
    return get_in_tenant(Task, task_id, "task")


@blp.route("/tasks/<int:task_id>/work-end", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.EndWorkIn)
@blp.response(200, schemas.TaskDetailOut)
def end_work(data: dict[str, Any], task_id: int) -> Any:
    """Record the day the task's work ended; the publication deadline counts from it."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    plan_service.end_work(session, context.tenant(), task.id, data["work_ended_on"],
                          missing_confirmed=data["missing_confirmed"])
    session.commit()
    return task

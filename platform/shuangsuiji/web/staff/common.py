"""What the staff views share: the blueprint, role groups, and task access checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from shuangsuiji.access import current_caller, current_tenant, db_session, has_role, lookup
from shuangsuiji.errors import Conflict, Forbidden, UserError
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, lifecycle, units
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.web.errors import render_error
from shuangsuiji.web.refusals import for_browser

bp = Blueprint("staff", __name__, url_prefix="/t/<tenant_slug>")

#: Who may read a tenant's working pages (inspectors see only their own assignments).
READERS = ("tenant_admin", "operator", "viewer")
#: Who may change directories, the item list and plans.
EDITORS = ("tenant_admin", "operator")


def platform() -> Platform:
    return current_app.extensions["shuangsuiji"]


def tenant() -> Any:
    found = current_tenant()
    assert found is not None  # set by @allow for every view of this blueprint
    return found


def actor() -> str:
    caller = current_caller()
    assert caller is not None  # every staff write is behind @allow
    return caller.username


def split(text: str | None) -> list[str]:
    """Comma- (or 、/，-) separated values, trimmed, empty ones dropped."""
    if not text:
        return []
    for sep in ("，", "、", "\n"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def may_act_for(task: Task, role: str = "operator") -> bool:
    """Whether the current user may act on ``task``: admins always; an operator only for the
    tasks of its own department(s) (joint tasks: any of their departments)."""
    caller = current_caller()
    if caller is None:
        return False
    if has_role("tenant_admin"):
        return True
    if not has_role(role):
        return False
    depts = acting_units(role)
    if depts is None:
        return True
    return bool(depts & ({task.department, task.division} | set(task.departments or ())
                         | set(task.joint_divisions or ())))


def acting_units(role: str = "operator") -> frozenset[str] | None:
    """The departments or units the current user acts for in ``role`` (None: all): its
    grants' units and, where the tenant says so, the units below them (organisation tree)."""
    caller = current_caller()
    if caller is None:
        return frozenset()
    depts = accounts.departments_in(caller, tenant().id, role)
    s = db_session()
    return units.acting_units(units.load_tree(s), depts, units.subunits(s))


def require_act(task: Task) -> None:
    if not may_act_for(task):
        abort(403)


def inspector_codes() -> frozenset[str]:
    caller = current_caller()
    assert caller is not None
    return accounts.inspector_codes_in(caller, tenant().id)


def assigned(task: Task) -> bool:
    """Whether the current inspector account is in a group of the task's live draw."""
    codes = inspector_codes()
    if not codes:
        return False
    try:
        targets = lifecycle.drawn_targets(db_session(), task)
    except UserError:
        return False
    return any(codes & set(t.inspectors) for t in targets)


def may_see(task: Task) -> bool:
    if has_role("tenant_admin", "operator", "viewer"):
        return True
    return assigned(task)


def task_or_404(task_id: int) -> Task:
    task: Task = lookup(Task, task_id)
    if not may_see(task):
        abort(404)  # an inspector is not told about tasks they are not part of
    return task


def draw_or_404(draw_id: int) -> tuple[Draw, Task]:
    record: Draw = lookup(Draw, draw_id)
    task = task_or_404(record.task_id)
    return record, task


def problem_page(exc: Exception) -> tuple[str, int]:
    """A refused action, shown with what was wrong, where and what to do."""
    shown = for_browser(exc)  # a kernel refusal: its message, translated
    return render_error(409 if isinstance(exc, Conflict) else 400, shown.message,
                        where=shown.where, hint=shown.hint)


def task_deadline(task: Task) -> tuple[Any, UserError | None]:
    """The task's publication deadline once its work has ended (None before), or why it
    cannot be counted (e.g. a holiday calendar missing)."""
    if task.work_ended_on is None:
        return None, None
    try:
        return deadline_service.task_deadline(db_session(), platform(), tenant(), task.id), None
    except UserError as exc:
        return None, exc


def refusal_status(exc: UserError) -> int:
    """409 for a conflict with the current state, 403 for an action the caller may not take,
    422 for input a form sent back."""
    if isinstance(exc, Forbidden):
        return 403
    return 409 if isinstance(exc, Conflict) else 422


def act(run: Callable[[], object], *, done: str, to: str,
        refused: Callable[[UserError], ResponseReturnValue] = problem_page
        ) -> ResponseReturnValue:
    """Run a service call in the request's transaction. Refused (a UserError): roll back and
    show why (``refused``); otherwise commit, say ``done`` and go to ``to``."""
    s = db_session()
    try:
        run()
    except UserError as exc:
        s.rollback()
        return refused(exc)
    s.commit()
    flash(done, "info")
    return redirect(to)


def status_for(method: str) -> int:
    """200 for a page shown, 422 for a form sent back with its problems."""
    return 422 if method == "POST" else 200


#: Rectification states (整改) for people.
RECTIFICATION_STATES: dict[str, Any] = {
    "open": _l("ordered"),
    "followed_up": _l("followed up"),
    "closed": _l("closed"),
}

#: Kinds of period left out of a Chongqing deadline (检验、检测、鉴定).
PERIOD_KINDS: dict[str, Any] = {
    "testing": _l("Testing"),
    "inspection": _l("Inspection (检验)"),
    "appraisal": _l("Appraisal"),
}

"""Each participant's publication deadline of a joint task, in its own working days.

MIIT 第十五条 (30 个工作日) and CQ 第十四条 (20 个工作日, 需要检验、检测、鉴定的除外) bind the
unit that publishes: each participant publishes its own items' results "在每次随机抽查工作
结束后 N 个工作日内" by its own pack. A unit of the host counts in the host's calendar; another
tenant counts in **its own** — its pack's rule and its tenant's calendar (its imported State
Council notices, else its ancestors', else the package: holidays and 调休). A year that no
calendar of that tenant covers makes the deadline *provisional* (only weekends are skipped
there, never guessed as anything else): it is given with its warning, stored with the
publication and shown wherever the deadline is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services.calendars import work_calendar
from shuangsuiji.services.deadlines import compute
from shuangsuiji.services.joint_tenants import in_tenant
from shuangsuiji.workdays import Deadline


def participant_deadline(session: Session, platform: Platform, host: Tenant, task: Task,
                         owner: Tenant) -> Deadline:
    """The deadline of participant tenant ``owner`` (the host itself for its units) for
    the joint task ``task`` of ``host``, whose work has ended: ``owner``'s pack's rule
    counted in ``owner``'s working-day calendar (read in its own tenant scope). The task's
    recorded testing periods (the host's rows) are left out where the rule allows it."""
    assert task.work_ended_on is not None  # checked by the callers
    with in_tenant(session, owner.id):
        calendar = work_calendar(session)
    return compute(session, platform, owner, task.work_ended_on, task=task, calendar=calendar)

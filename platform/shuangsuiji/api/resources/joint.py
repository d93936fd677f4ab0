"""Joint tasks (联合抽查): each participant's items and their results at every target
visited — the host's task by id, and another tenant's joint task this tenant takes part in
(its own items' results only)."""

from __future__ import annotations

from typing import Any

from shuangsuiji.api import context
from shuangsuiji.api.auth import VIEWERS, allow
from shuangsuiji.api.joint_schemas import JointItemResultsOut
from shuangsuiji.api.resources.common import get_in_tenant, tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.models.plans import Task
from shuangsuiji.services import joint_item_results

blp = tenant_blueprint("joint", "Joint tasks (联合抽查): results per item and participant")


@blp.route("/tasks/<int:task_id>/joint/results")
@allow(*VIEWERS)
@cached
@blp.response(200, JointItemResultsOut)
def task_item_results(task_id: int) -> Any:
    """A joint task of this tenant: every participant with its items, and at each target
    visited each participant's items with their results (null while not entered). 404 for
    another tenant's task id and for a task that is not joint."""
    task = get_in_tenant(Task, task_id, "task")
    return joint_item_results.of_host_task(context.session(), context.tenant(), task)


@blp.route("/joint/<host_slug>/<task_code>/results")
@allow(*VIEWERS)
@blp.response(200, JointItemResultsOut)
def joined_item_results(host_slug: str, task_code: str) -> Any:
    """A joint task of tenant ``host_slug`` that this tenant takes part in: every participant
    with its items and counts, and at each target visited the results of this tenant's own
    items. 404 unless this tenant is a participant. Not cached: the host's record of a
    visit is in the host's audit chain, not this tenant's."""
    return joint_item_results.of_joined_task(context.session(), context.tenant(), host_slug,
                                             task_code)

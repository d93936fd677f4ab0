"""Recusals of an announced draw in two steps over the API (docs/draw-spec.md §12): declare
the conflict of interest (logged before its randomness exists, naming a later beacon
round), then apply the step once that round is out.

The same service as the web ceremony (:mod:`shuangsuiji.services.recusal_steps`) and the
same access rules as its routes (``web/staff/draws.py``): a tenant admin, or an operator
of the task's department, declares and applies; an inspector declares only their own
conflicts. A step out of order is refused: a second declaration while one waits (409),
applying with nothing declared (404) or before the round is produced (409).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields as F
from marshmallow import validate

from shuangsuiji import access
from shuangsuiji.api import context
from shuangsuiji.api.auth import INSPECTORS, OPERATORS, allow
from shuangsuiji.api.resources.common import get_in_tenant, tenant_blueprint
from shuangsuiji.api.schemas import RecusalIn, RecusalOut
from shuangsuiji.errors import Forbidden
from shuangsuiji.messages import msg
from shuangsuiji.models.draws import Draw, RecusalDeclaration
from shuangsuiji.models.plans import Task
from shuangsuiji.services import accounts, recusal_steps

blp = tenant_blueprint("recusals", "Recusals (回避) of announced draws: declare, then apply")


class DeclareIn(RecusalIn):
    """The conflict to declare: the same fields as an immediate recusal (``RecusalIn``)."""


class DeclarationOut(ma.Schema):
    draw_id = F.Integer(required=True)
    step = F.Integer(required=True)
    person_id = F.String(required=True)
    credit_code = F.String(required=True)
    mode = F.String(required=True)
    reason = F.String(required=True)
    declared_at = F.String(required=True, metadata={"description": "YYYY-MM-DDTHH:MM:SSZ"})
    beacon_round = F.Integer(required=True, metadata={
        "description": "the drand quicknet round after the declaration whose value the step "
                       "mixes with the draw's seed"})
    applied = F.Boolean(required=True)


class ApplyIn(ma.Schema):
    beacon_signature = F.String(load_default=None, allow_none=True,
                                validate=validate.Length(equal=96),
                                metadata={"description": "the round's signature, pasted; left "
                                          "out: fetched from the drand relays"})


def _acts_for(task: Task) -> bool:
    """As the web's ``may_act_for``: a tenant admin always; an operator for the tasks of its
    own department(s) (a joint task: any of its departments)."""
    if access.has_role("tenant_admin"):
        return True
    caller = access.current_caller()
    if caller is None or not access.has_role("operator"):
        return False
    depts = accounts.departments_in(caller, context.tenant().id, "operator")
    return depts is None or bool(depts & ({task.department} | set(task.departments or ())))


def _draw_and_task(draw_id: int) -> tuple[Draw, Task]:
    record = get_in_tenant(Draw, draw_id, "draw")
    return record, get_in_tenant(Task, record.task_id, "task")


@blp.route("/draws/<int:draw_id>/recusals/declarations", methods=["POST"])
@allow(*OPERATORS, *INSPECTORS)
@blp.arguments(DeclareIn)
@blp.response(201, DeclarationOut)
def declare(data: dict[str, Any], draw_id: int) -> Any:
    """Declare a recusal of an announced draw (step 1 of 2): logged with its reason before
    its randomness exists; it names the first beacon round after now. An inspector declares
    only their own conflicts."""
    record, task = _draw_and_task(draw_id)
    if not _acts_for(task):
        caller = access.current_caller()
        own = (accounts.inspector_codes_in(caller, context.tenant().id)
               if caller is not None and access.has_role("inspector") else frozenset())
        if data["person_id"] not in own:
            raise Forbidden(msg("an inspector declares only their own conflicts; an operator "
                                "only for the tasks of their department"), where="person_id")
    session = context.session()
    entry: RecusalDeclaration = recusal_steps.declare(
        session, context.tenant(), record.id, person=data["person_id"],
        credit_code=data["credit_code"], mode=data["mode"], reason=data["reason"],
        platform=context.platform())
    session.commit()
    return entry


@blp.route("/draws/<int:draw_id>/recusals/apply", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(ApplyIn)
@blp.response(201, RecusalOut)
def apply(data: dict[str, Any], draw_id: int) -> Any:
    """Apply the declared recusal step (step 2 of 2) with its beacon round's value: 409
    while the round is not yet produced, 404 when nothing is declared."""
    record, task = _draw_and_task(draw_id)
    if not _acts_for(task):
        raise Forbidden(msg("only a tenant admin, or an operator of the task's department, "
                            "applies a recusal step"))
    session = context.session()
    row = recusal_steps.apply(session, context.tenant(), record.id,
                              platform=context.platform(),
                              beacon_signature=data["beacon_signature"])
    session.commit()
    return row

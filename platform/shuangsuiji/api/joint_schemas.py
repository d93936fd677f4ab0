"""API schemas of joint tasks (联合抽查): each participant's items and their results at every
target visited (services/joint_item_results.py)."""

import marshmallow as ma

from shuangsuiji.api.schema_fields import F


class JointParticipantOut(ma.Schema):
    code = F.String(required=True, metadata={
        "description": "a unit code of the host, or the other tenant's slug"})
    name = F.String()
    kind = F.String(metadata={"description": "unit (of the host) or tenant (another tenant)"})
    state = F.String(metadata={"description": "invited, accepted or refused"})
    item_codes = F.List(F.String(), metadata={
        "description": "its items; another tenant's as <slug>/<code>"})
    quota = F.Integer(metadata={"description": "the least number of its inspectors per group"})
    results = F.Integer(metadata={"description": "item results entered"})
    problems = F.Integer(metadata={"description": "item results that found a problem"})
    published_on = F.Date(allow_none=True)
    due_on = F.Date(allow_none=True)
    on_time = F.Boolean(allow_none=True)


class JointItemOut(ma.Schema):
    item_code = F.String(required=True)
    result = F.String(allow_none=True, metadata={"description": "null: not entered yet"})
    problem_found = F.Boolean(allow_none=True)
    handling = F.String()
    decided_on = F.Date(allow_none=True)


class JointParticipantItemsOut(ma.Schema):
    code = F.String(required=True)
    items = F.List(F.Nested(JointItemOut))


class JointTargetOut(ma.Schema):
    credit_code = F.String(required=True)
    name = F.String()
    inspected_on = F.Date()
    participants = F.List(F.Nested(JointParticipantItemsOut))


class JointItemResultsOut(ma.Schema):
    host = F.String(required=True, metadata={"description": "the slug of the task's tenant"})
    task_code = F.String(required=True)
    title = F.String()
    status = F.String()
    participants = F.List(F.Nested(JointParticipantOut))
    targets = F.List(F.Nested(JointTargetOut), metadata={
        "description": "every target visited (with its on-site record), by credit code"})

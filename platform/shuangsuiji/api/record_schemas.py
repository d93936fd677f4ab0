"""API schemas after the draw: inspection records and results, reports, publication,
deadlines, the audit chain, and the public portal's results.
"""


import marshmallow as ma
from marshmallow import validate

from shuangsuiji.api.schema_fields import ID_RANGE, F, Localised, UtcDateTime

# -- after the draw ---------------------------------------------------------------------


class RecordOut(ma.Schema):
    id = F.Integer(required=True)
    credit_code = F.String(required=True)
    method = F.String()
    inspected_on = F.Date()
    inspectors = F.List(F.Dict())
    findings = F.String()
    acknowledgement = F.String()
    refusal_reason = F.String(allow_none=True)
    inspectors_signed = F.Boolean()
    witness = F.String(allow_none=True)
    actor = F.String()
    recorded_at = UtcDateTime()


class ResultOut(ma.Schema):
    id = F.Integer(required=True)
    credit_code = F.String(required=True)
    result = F.String(required=True)
    problem_found = F.Boolean()
    handling = F.String()
    decided_on = F.Date()
    actor = F.String()


class InspectorPresentIn(ma.Schema):
    id = F.String(required=True, validate=validate.Length(min=1, max=64))
    credential = F.String(required=True, validate=validate.OneOf(
        ("enforcement_certificate", "work_id")))


class RecordIn(ma.Schema):
    credit_code = F.String(required=True, validate=validate.Length(equal=18))
    method = F.String(required=True, validate=validate.Length(min=1, max=32))
    inspected_on = F.Date(required=True)
    inspectors = F.List(F.Nested(InspectorPresentIn), required=True,
                        validate=validate.Length(min=1, max=50))
    findings = F.String(load_default="", validate=validate.Length(max=20000))
    acknowledgement = F.String(required=True, validate=validate.OneOf(
        ("signature", "seal", "refused")))
    refusal_reason = F.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=2000))
    inspectors_signed = F.Boolean(load_default=False)
    witness = F.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class ResultIn(ma.Schema):
    credit_code = F.String(required=True, validate=validate.Length(equal=18))
    result = F.String(required=True, validate=validate.Length(min=1, max=64),
                      metadata={"description": "a result code of the pack in force"})
    handling = F.String(load_default="", validate=validate.Length(max=5000))
    decided_on = F.Date(load_default=None, allow_none=True)


class ReportIn(ma.Schema):
    # A declared field named like Schema.fields (the instance's field map): marshmallow
    # collects it at class creation and sets the instance attribute in __init__, so both
    # work; only the type checker sees one name for two things.
    fields = F.Dict(keys=F.String(validate=validate.Length(min=1, max=64)),  # type: ignore[assignment]
                    values=F.String(validate=validate.Length(max=20000)), required=True)


class PublishIn(ma.Schema):
    directed_to = F.List(F.String(validate=validate.Length(min=1, max=120)),
                         load_default=list, metadata={"description":
                         "departments receiving the results of non-public items"})
    include_targets = F.Boolean(load_default=True)


class PublicationOut(ma.Schema):
    task_id = F.Integer(required=True)
    published_at = UtcDateTime()
    published_on = F.Date()
    work_ended_on = F.Date()
    due_on = F.Date()
    working_days = F.Integer()
    excluded_days = F.Integer()
    provisional = F.Boolean()
    on_time = F.Boolean()
    channels = F.List(F.String())
    per_target_results = F.Boolean()
    deadline_cite = F.String()
    rules_pack = F.String()
    rules_version = F.String()


class DeadlineOut(ma.Schema):
    task_id = F.Integer(required=True)
    task_code = F.String(required=True)
    title = F.String()
    work_ended_on = F.Date()
    due = F.Date(required=True)
    status = F.String(required=True, validate=validate.OneOf(
        ("on_time", "late", "due_soon", "overdue", "pending")))
    provisional = F.Boolean()
    warning = Localised(allow_none=True)  # a provisional deadline's (no calendar yet)
    published_on = F.Date(allow_none=True)
    cite = F.String()


class DeadlineQuery(ma.Schema):
    alerts_only = F.Boolean(load_default=False,
                            metadata={"description": "only overdue or due-soon tasks"})


class AuditStatusOut(ma.Schema):
    tenant = F.String(required=True)
    ok = F.Boolean(required=True)
    count = F.Integer(required=True)
    first_bad_seq = F.Integer(allow_none=True)
    problem = F.String(allow_none=True)
    head_hash = F.String(allow_none=True, metadata={"description": "hash of the last event"})


class AuditEventOut(ma.Schema):
    seq = F.Integer(required=True)
    at = UtcDateTime(required=True)
    actor = F.String()
    action = F.String(required=True)
    object_type = F.String()
    object_id = F.String()
    payload_digest = F.String()
    prev_hash = F.String()
    hash = F.String(required=True)


# -- public -----------------------------------------------------------------------------


class PublishedResultOut(ma.Schema):
    task_code = F.String(required=True)
    task_title = F.String()
    item_code = F.String(required=True)
    credit_code = F.String(required=True)
    target_name = F.String()
    result = F.String(required=True)
    problem_found = F.Boolean()
    handling = F.String()
    inspected_on = F.Date()
    published_on = F.Date()
    on_time = F.Boolean()


class PublishedTaskOut(ma.Schema):
    task_id = F.Integer(required=True)
    task_code = F.String(required=True)
    title = F.String()
    department = F.String()
    work_ended_on = F.Date()
    published_at = UtcDateTime()
    published_on = F.Date()
    due_on = F.Date()
    on_time = F.Boolean(allow_none=True, metadata={
        "description": "null while a joint task's host has not published its own part"})
    provisional = F.Boolean()
    deadline_cite = F.String()
    targets = F.Integer()
    problems_found = F.Integer()
    directed_items = F.List(F.String())
    host_published = F.Boolean(metadata={
        "description": "false for a joint task (联合抽查) whose other participants published "
                       "and whose host has not yet: published_on is theirs"})


class PublishedTaskQuery(ma.Schema):
    year = F.Integer(validate=validate.Range(min=2000, max=2100))


class PublicResultQuery(ma.Schema):
    q = F.String(validate=validate.Length(min=2, max=200),
                 metadata={"description": "part of a target's name, or the beginning of a "
                           "credit code (at least two characters)"})
    task = F.Integer(validate=ID_RANGE,
                     metadata={"description": "only this task's results (task id)"})
    item = F.String(validate=validate.Length(min=1, max=100),
                    metadata={"description": "only this item's results (item code)"})
    result = F.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "only this result (a result code, e.g. "
                                "no_problem)"})

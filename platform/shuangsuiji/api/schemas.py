"""marshmallow schemas of the API: field names are the glossary's, the same as the models'.

Output schemas are ``*Out``; request bodies and query strings are ``*In`` / ``*Query``. Input
schemas raise on unknown fields (marshmallow's default) so a misspelt field is a 422 naming
it, not a silently ignored value.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from shuangsuiji.models.accounts import ROLES
from shuangsuiji.models.tenants import LEVELS

F = fields



#: An id query argument: an id column is INTEGER (32-bit on PostgreSQL and MariaDB), so a
#: larger number is refused (422) rather than overflowing in the driver (a 500).
ID_RANGE = validate.Range(min=1, max=2**31 - 1)

class UtcDateTime(fields.DateTime):
    """An instant as RFC 3339 with its offset. Instants are stored in UTC, but SQLite hands
    them back without a zone; a bare ``2026-04-01T08:00:00`` would not be a valid
    ``date-time`` and a client could read it as local (Beijing) time."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)

# -- tenants, callers -------------------------------------------------------------------


class TenantOut(ma.Schema):
    id = F.Integer(required=True)
    slug = F.String(required=True)
    name = F.String(required=True)
    name_en = F.String(allow_none=True)
    level = F.String(required=True, validate=validate.OneOf(LEVELS))
    pack = F.String(allow_none=True, metadata={"description": "None: the parent's rules"})
    parent = F.Function(lambda t: t.parent.slug if t.parent else None, allow_none=True)
    pack_chain = F.Function(lambda t: t.pack_chain(), metadata={"description":
                            "packs in force, most general first"})


class GrantOut(ma.Schema):
    role = F.String(required=True, validate=validate.OneOf(ROLES))
    tenant = F.String(allow_none=True)
    department = F.String()


class MeOut(ma.Schema):
    username = F.String(required=True)
    display_name = F.String()
    grants = F.List(F.Nested(GrantOut))
    tenants = F.List(F.String(), metadata={"description": "slugs the caller may act in"})


# -- directories ------------------------------------------------------------------------


class ItemOut(ma.Schema):
    id = F.Integer(required=True)
    code = F.String(required=True)
    name = F.String(required=True)
    content = F.String()
    legal_basis = F.String()
    subject = F.String()
    methods = F.List(F.String())
    frequency = F.String()
    category = F.String()
    cap_permille = F.Integer(allow_none=True)
    publication_mode = F.String()
    departments = F.List(F.String())
    active = F.Boolean()


class ItemQuery(ma.Schema):
    active = F.Boolean(metadata={"description": "only active (true) or retired (false) items"})
    category = F.String(validate=validate.Length(max=32))


class ItemListVersionOut(ma.Schema):
    number = F.Integer(required=True)
    created_at = UtcDateTime(required=True)
    actor = F.String()
    note = F.String()
    digest = F.String(required=True)
    item_count = F.Function(lambda v: len(v.snapshot or []))


class ItemListVersionDetailOut(ItemListVersionOut):
    snapshot = F.List(F.Dict())


class TargetOut(ma.Schema):
    id = F.Integer(required=True)
    credit_code = F.String(required=True)
    name = F.String(required=True)
    region_code = F.String()
    industry = F.String()
    credit_rating = F.String()
    address = F.String()


class TargetQuery(ma.Schema):
    name = F.String(validate=validate.Length(min=1, max=200),
                    metadata={"description": "part of the name"})
    credit_code = F.String(validate=validate.Length(min=1, max=18),
                           metadata={"description": "the credit code, or its beginning"})


class InspectorOut(ma.Schema):
    id = F.Integer(required=True)
    name = F.String(required=True)
    department = F.String()
    division = F.String()
    region = F.String()
    expertise = F.String()
    subordinate = F.Boolean()
    certificate_no = F.String(allow_none=True)
    certificate_expiry = F.Date(allow_none=True)
    work_id = F.String(allow_none=True)


class InspectorQuery(ma.Schema):
    department = F.String(validate=validate.Length(max=120))


# -- plans and tasks --------------------------------------------------------------------


class PlanOut(ma.Schema):
    id = F.Integer(required=True)
    year = F.Integer(required=True)
    title = F.String(required=True)
    scope = F.String()
    inspector_requirements = F.String()
    made_on = F.Date(required=True)
    in_window = F.Boolean()
    window_warning = F.String(allow_none=True)
    rules_pack = F.String()
    rules_version = F.String()


class PlanIn(ma.Schema):
    year = F.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = F.String(required=True, validate=validate.Length(min=1, max=200))
    scope = F.String(load_default="", validate=validate.Length(max=5000))
    inspector_requirements = F.String(load_default="", validate=validate.Length(max=5000))
    made_on = F.Date(load_default=None, allow_none=True)


class PlanCreatedOut(ma.Schema):
    plan = F.Nested(PlanOut, required=True)
    warnings = F.List(F.String())


class TaskOut(ma.Schema):
    id = F.Integer(required=True)
    code = F.String(required=True)
    title = F.String(required=True)
    plan_year = F.Function(lambda t: t.plan.year if t.plan else None, allow_none=True)
    department = F.String()
    division = F.String()
    departments = F.List(F.String())
    joint = F.Boolean()
    joint_divisions = F.List(F.String())
    special = F.Boolean()
    special_trigger = F.String(allow_none=True)
    methods = F.List(F.String())
    ratio_permille = F.Integer()
    min_count = F.Integer()
    max_count = F.Integer(allow_none=True)
    group_count = F.Integer()
    experts_count = F.Integer()
    batch_count = F.Integer()
    inspector_scope = F.String()
    starts_on = F.Date()
    ends_on = F.Date()
    work_ended_on = F.Date(allow_none=True)
    status = F.String()
    rules_pack = F.String()
    rules_version = F.String()


def _task_item_codes(task: object) -> list[str]:
    from shuangsuiji.api import context
    from shuangsuiji.services.plans import task_items

    return [i.code for i in task_items(context.session(), task)]  # type: ignore[arg-type]


class TaskDetailOut(TaskOut):
    items = F.Function(_task_item_codes, metadata={"description": "item codes"})


class TaskQuery(ma.Schema):
    year = F.Integer(validate=validate.Range(min=2000, max=2100))
    status = F.String(validate=validate.Length(max=16))


_CODE = validate.Length(min=1, max=64)


class TaskIn(ma.Schema):
    plan_year = F.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    code = F.String(required=True, validate=_CODE)
    title = F.String(required=True, validate=validate.Length(min=1, max=300))
    department = F.String(required=True, validate=validate.Length(min=1, max=120))
    items = F.List(F.String(validate=_CODE), required=True, validate=validate.Length(min=1),
                   metadata={"description": "item codes from the item list"})
    starts_on = F.Date(required=True)
    ends_on = F.Date(required=True)
    methods = F.List(F.String(validate=validate.Length(min=1, max=32)), required=True,
                     validate=validate.Length(min=1))
    ratio_permille = F.Integer(required=True, validate=validate.Range(min=1, max=1000),
                               metadata={"description": "share of the pool drawn, per mille"})
    departments = F.List(F.String(validate=validate.Length(max=120)), load_default=list)
    division = F.String(load_default="", validate=validate.Length(max=120))
    joint = F.Boolean(load_default=False,
                      metadata={"description": "declared joint inspection (联合抽查)"})
    joint_divisions = F.List(F.String(validate=validate.Length(max=120)), load_default=list,
                             metadata={"description": "other divisions taking part"})
    min_count = F.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    max_count = F.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=1, max=100000))
    group_count = F.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    experts_count = F.Integer(load_default=0, validate=validate.Range(min=0, max=1000))
    batch_count = F.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    inspector_scope = F.String(load_default="across_departments",
                               validate=validate.Length(min=1, max=32))
    special = F.Boolean(load_default=False)
    special_trigger = F.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=64))

    @ma.validates_schema
    def _dates_in_order(self, data: dict, **_: object) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("must not be before starts_on", "ends_on")


class EndWorkIn(ma.Schema):
    work_ended_on = F.Date(required=True)
    missing_confirmed = F.List(F.String(validate=validate.Length(max=64)), load_default=list,
                               metadata={"description": "credit codes of drawn targets left "
                                         "without an on-site record, confirmed"})


# -- draws ------------------------------------------------------------------------------


class StratumOut(ma.Schema):
    name = F.String(required=True)
    ratio_permille = F.Integer()
    pool_size = F.Integer(required=True, metadata={"description": "targets in the stratum"})
    size = F.Integer(required=True, metadata={"description": "targets to draw from it"})


class ExclusionOut(ma.Schema):
    credit_code = F.String(required=True)
    name = F.String()
    rule_code = F.String(required=True)
    citation = F.String()
    trigger_task_id = F.String(allow_none=True)


class PoolPreviewOut(ma.Schema):
    task_id = F.Integer(required=True)
    task = F.String(required=True, metadata={"description": "task code"})
    pool_digest = F.String(required=True, metadata={"description":
                           "SHA-256 of the frozen pool; publish it before the draw"})
    pool_size = F.Integer(required=True)
    excluded_count = F.Integer(required=True)
    strata = F.List(F.Nested(StratumOut))
    excluded = F.List(F.Nested(ExclusionOut), metadata={"description":
                      "targets left out, each with the rule that excluded it"})
    rules_pack = F.String()
    rules_version = F.String()


class DrawIn(ma.Schema):
    seed = F.String(load_default=None, allow_none=True,
                    validate=validate.Length(min=1, max=500),
                    metadata={"description": "the seed from a public ceremony (dice, a lottery "
                              "number); leave out to have a CSPRNG generate one"})
    witnesses = F.List(F.String(validate=validate.Length(min=1, max=120)), load_default=list,
                       validate=validate.Length(max=20))
    expected_pool_digest = F.String(load_default=None, allow_none=True,
                                    validate=validate.Length(equal=64),
                                    metadata={"description": "the pool_digest published before "
                                              "the draw; refused (409) if the pool changed"})
    beacon_signature = F.String(load_default=None, allow_none=True,
                                validate=validate.Length(equal=96),
                                metadata={"description": "announced draws: the drand round's "
                                          "signature, pasted; left out: fetched"})


class AnnounceIn(ma.Schema):
    procedure = F.String(required=True, validate=validate.OneOf((
        "commit_reveal+beacon", "beacon", "commit_reveal", "ceremony", "generated")),
        metadata={"description": "how the seed will be made (docs/draw-spec.md §11); "
                  "ceremony and generated are weaker"})
    parties = F.List(F.String(validate=validate.Length(min=1, max=120)), load_default=list,
                     validate=validate.Length(max=20),
                     metadata={"description": "commit–reveal parties (at least two)"})
    beacon_round = F.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(min=1, max=2**40))
    beacon_after_minutes = F.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(min=0, max=10080))
    conflicts = F.List(F.List(F.String(validate=validate.Length(min=1, max=64)),
                              validate=validate.Length(equal=2)),
                       load_default=list, validate=validate.Length(max=1000),
                       metadata={"description": "declared conflicts [person id, credit code]"})


class AnnouncementOut(ma.Schema):
    id = F.Integer(required=True)
    number = F.Integer(required=True)
    digest = F.String(required=True)
    procedure = F.String(required=True)
    announcement = F.Dict(required=True)
    superseded = F.Boolean()
    draw_id = F.Integer(allow_none=True)


class CommitIn(ma.Schema):
    party = F.String(required=True, validate=validate.Length(min=1, max=120))
    commitment = F.String(required=True, validate=validate.Length(equal=64),
                          metadata={"description": "SHA-256 (hex) of the party's secret"})


class RevealIn(ma.Schema):
    party = F.String(required=True, validate=validate.Length(min=1, max=120))
    secret = F.String(required=True, validate=validate.Length(min=1, max=500))


class SeedPartyOut(ma.Schema):
    party = F.String(required=True)
    commitment = F.String(required=True)
    revealed = F.Boolean(required=True)


class SelectionOut(ma.Schema):
    credit_code = F.String(required=True)
    stratum = F.String()
    position = F.Integer()
    batch_no = F.Integer(allow_none=True)


class RecusalOut(ma.Schema):
    step = F.Integer(required=True)
    person_id = F.String(required=True)
    credit_code = F.String(required=True)
    mode = F.String(required=True)
    reason = F.String()
    outcome = F.Dict()
    actor = F.String()
    at = UtcDateTime()


class DrawOut(ma.Schema):
    id = F.Integer(required=True)
    task_id = F.Integer(required=True)
    attempt = F.Integer(required=True)
    replaces_draw_id = F.Integer(allow_none=True)
    seed = F.String(required=True)
    seed_source = F.String(required=True)
    witnesses = F.List(F.String())
    inspection_date = F.Date()
    pool_digest = F.String(required=True)
    bundle_digest = F.String(required=True)
    pool_size = F.Integer()
    excluded_count = F.Integer()
    selected_count = F.Integer()
    rules_pack = F.String()
    rules_version = F.String()
    item_list_version = F.Integer(allow_none=True)
    actor = F.String()
    drawn_at = UtcDateTime()
    void = F.Function(lambda d: None if d.void is None else {
        "reason": d.void.reason, "actor": d.void.actor, "at": d.void.at.isoformat()},
        allow_none=True)
    recusals = F.List(F.Nested(RecusalOut))


class DrawQuery(ma.Schema):
    task = F.Integer(validate=ID_RANGE, metadata={"description": "task id"})


class VoidIn(ma.Schema):
    reason = F.String(required=True, validate=validate.Length(min=5, max=2000),
                      metadata={"description": "why the draw is void; published with it"})


class RecusalIn(ma.Schema):
    person_id = F.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the inspector or expert who recuses"})
    credit_code = F.String(required=True, validate=validate.Length(equal=18))
    mode = F.String(required=True, validate=validate.OneOf(("swap", "withdraw")))
    reason = F.String(required=True, validate=validate.Length(min=1, max=2000))


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
    warning = F.String(allow_none=True)
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
    on_time = F.Boolean()
    provisional = F.Boolean()
    deadline_cite = F.String()
    targets = F.Integer()
    problems_found = F.Integer()
    directed_items = F.List(F.String())


class PublishedTaskQuery(ma.Schema):
    year = F.Integer(validate=validate.Range(min=2000, max=2100))


class PublicResultQuery(ma.Schema):
    q = F.String(validate=validate.Length(min=2, max=200),
                 metadata={"description": "part of a target's name, or the beginning of a "
                           "credit code (at least two characters)"})
    task = F.Integer(validate=ID_RANGE,
                     metadata={"description": "only this task's results (task id)"})

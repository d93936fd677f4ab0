"""marshmallow schemas of the API: field names are the glossary's, the same as the models'.

Output schemas are ``*Out``; request bodies and query strings are ``*In`` / ``*Query``. Input
schemas raise on unknown fields (marshmallow's default) so a misspelt field is a 422 naming
it, not a silently ignored value.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from shuangsuiji.api.draw_schemas import (
    AnnounceIn,
    AnnouncementOut,
    CommitIn,
    DrawIn,
    DrawOut,
    DrawQuery,
    ExclusionOut,
    PoolPreviewOut,
    RecusalIn,
    RecusalOut,
    RevealIn,
    SeedPartyOut,
    SelectionOut,
    StratumOut,
    VoidIn,
)
from shuangsuiji.api.record_schemas import (
    AuditEventOut,
    AuditStatusOut,
    DeadlineOut,
    DeadlineQuery,
    InspectorPresentIn,
    PublicationOut,
    PublicResultQuery,
    PublishedResultOut,
    PublishedTaskOut,
    PublishedTaskQuery,
    PublishIn,
    RecordIn,
    RecordOut,
    ReportIn,
    ResultIn,
    ResultOut,
)
from shuangsuiji.api.schema_fields import _CODE, ID_RANGE, F, Localised, UtcDateTime
from shuangsuiji.models.accounts import ROLES
from shuangsuiji.models.tenants import LEVELS

#: every schema, also those defined in draw_schemas and record_schemas (callers use
#: ``schemas.<Name>``)
__all__ = [
    "ID_RANGE",
    "AnnounceIn",
    "AnnouncementOut",
    "AuditEventOut",
    "AuditStatusOut",
    "CommitIn",
    "DeadlineOut",
    "DeadlineQuery",
    "DrawIn",
    "DrawOut",
    "DrawQuery",
    "EndWorkIn",
    "ExclusionOut",
    "GrantOut",
    "InspectorOut",
    "InspectorPresentIn",
    "InspectorQuery",
    "ItemListVersionDetailOut",
    "ItemListVersionOut",
    "ItemOut",
    "ItemQuery",
    "MeOut",
    "PlanCreatedOut",
    "PlanIn",
    "PlanOut",
    "PoolPreviewOut",
    "PublicResultQuery",
    "PublicationOut",
    "PublishIn",
    "PublishedResultOut",
    "PublishedTaskOut",
    "PublishedTaskQuery",
    "RecordIn",
    "RecordOut",
    "RecusalIn",
    "RecusalOut",
    "ReportIn",
    "ResultIn",
    "ResultOut",
    "RevealIn",
    "SeedPartyOut",
    "SelectionOut",
    "StratumOut",
    "TargetOut",
    "TargetQuery",
    "TaskDetailOut",
    "TaskIn",
    "TaskOut",
    "TaskQuery",
    "TenantOut",
    "UtcDateTime",
    "VoidIn",
]


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
    window_warning = Localised(allow_none=True)
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
    warnings = F.List(Localised())


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

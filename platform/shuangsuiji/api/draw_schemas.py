"""API schemas of the draw: the pool preview, the draw and its ceremony (announcement,
commitments, reveals), selections, recusals and voids.
"""


import marshmallow as ma
from marshmallow import validate

from shuangsuiji.api.schema_fields import ID_RANGE, F, UtcDateTime

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
    credit_code = F.String(required=True, validate=validate.Length(equal=18),
                           metadata={"description": "the target they have a conflict with"})
    mode = F.String(required=True, validate=validate.OneOf(("swap", "withdraw")))
    reason = F.String(required=True, validate=validate.Length(min=1, max=2000),
                      metadata={"description": "the conflict of interest (利害关系), logged"})

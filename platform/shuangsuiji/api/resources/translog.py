"""The transparency log in public (docs/transparency-log.md §5): the latest signed
checkpoint as its exact note text, stored checkpoints by size, inclusion and consistency
proofs between any sizes, the leaves' public fields, the deployment's public keys."""

from __future__ import annotations

import base64
from typing import Any

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from shuangsuiji.api import context
from shuangsuiji.api.auth import allow_public
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.errors import NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.services import translog

blp = Blueprint("api_public_log", __name__, url_prefix="/api/v1/public/log",
                description="Public: the deployment's log signing keys")
scoped = tenant_blueprint("public_tenant_log", "Public: one tenant's transparency log",
                          prefix="/api/v1/public/t/<tenant_slug>/log")

_RANGE = validate.Range(min=0, max=2**62)


class SizeQuery(ma.Schema):
    size = fields.Integer(required=True, validate=_RANGE)


class InclusionQuery(ma.Schema):
    index = fields.Integer(validate=_RANGE, metadata={"description": "leaf index (event seq − 1)"})
    seq = fields.Integer(validate=_RANGE, metadata={"description": "or the event's seq"})
    size = fields.Integer(validate=_RANGE, metadata={"description": "tree size (default: current)"})


class ConsistencyQuery(ma.Schema):
    from_ = fields.Integer(required=True, data_key="from", validate=_RANGE)
    to = fields.Integer(validate=_RANGE, metadata={"description": "default: the current size"})


class RangeQuery(ma.Schema):
    start = fields.Integer(required=True, validate=_RANGE)
    end = fields.Integer(required=True, validate=_RANGE)


class InclusionOut(ma.Schema):
    index = fields.Integer()
    size = fields.Integer()
    leaf_hash = fields.String()
    root = fields.String()
    proof = fields.List(fields.String())


class ConsistencyOut(ma.Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    old_root = fields.String()
    new_root = fields.String()
    proof = fields.List(fields.String())


class LeafOut(ma.Schema):
    index = fields.Integer()
    seq = fields.Integer()
    tenant = fields.String()
    at = fields.String()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    payload_digest = fields.String()
    leaf_hash = fields.String()


class EvidenceEntryOut(ma.Schema):
    index = fields.Integer()
    fields_ = fields.Dict(data_key="fields")
    proof = fields.List(fields.String())


class EvidenceOut(ma.Schema):
    format = fields.String()
    checkpoint = fields.String()
    entries = fields.List(fields.Nested(EvidenceEntryOut))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain", content_type="text/plain; charset=utf-8")


@blp.route("/keys")
@allow_public
@blp.response(200, {"type": "string"}, content_type="text/plain")
def log_keys() -> Response:
    """The deployment's log verifier keys (C2SP signed-note vkeys), current first."""
    keys = context.platform().log_keys
    return _text("".join(f"{v.vkey}\n" for v in keys.verifiers()))


@scoped.route("/checkpoint")
@allow_public
@cached
@scoped.response(200, {"type": "string"}, content_type="text/plain")
def latest_checkpoint() -> Response:
    """The latest signed checkpoint of the tenant's log (C2SP tlog-checkpoint), exactly."""
    session = context.session()
    text = translog.checkpoint(session, context.tenant().id)
    session.commit()
    return _text(text)


@scoped.route("/checkpoints")
@allow_public
@cached
@scoped.arguments(SizeQuery, location="query")
@scoped.response(200, {"type": "string"}, content_type="text/plain")
def checkpoint_of_size(query: dict[str, Any]) -> Response:
    """A checkpoint issued earlier for one tree size."""
    text = translog.stored_checkpoint(context.session(), context.tenant().id, query["size"])
    if text is None:
        raise NotFound(msg("no checkpoint of size %(size)s was issued", size=query["size"]),
                       where="size")
    return _text(text)


@scoped.route("/proof/inclusion")
@allow_public
@cached
@scoped.arguments(InclusionQuery, location="query")
@scoped.response(200, InclusionOut)
def inclusion_proof(query: dict[str, Any]) -> dict[str, Any]:
    """RFC 9162 inclusion proof of one leaf (``index``, or the event's ``seq``)."""
    session, tid = context.session(), context.tenant().id
    if ("index" in query) == ("seq" in query):
        raise UserError(msg("give either index or seq"), where="index")
    index = query["index"] if "index" in query else query["seq"] - 1
    size = query.get("size", translog.size(session, tid))
    proof = translog.inclusion(session, tid, index, size)
    return {"index": index, "size": size, "leaf_hash": b64(translog.leaf_hash(session, tid, index)),
            "root": b64(translog.root(session, tid, size)), "proof": [b64(p) for p in proof]}


@scoped.route("/proof/consistency")
@allow_public
@cached
@scoped.arguments(ConsistencyQuery, location="query")
@scoped.response(200, ConsistencyOut)
def consistency_proof(query: dict[str, Any]) -> dict[str, Any]:
    """RFC 9162 consistency proof from tree size ``from`` to ``to``."""
    session, tid = context.session(), context.tenant().id
    to = query.get("to", translog.size(session, tid))
    proof = translog.consistency(session, tid, query["from_"], to)
    return {"from_": query["from_"], "to": to,
            "old_root": b64(translog.root(session, tid, query["from_"])),
            "new_root": b64(translog.root(session, tid, to)), "proof": [b64(p) for p in proof]}


@scoped.route("/leaves")
@allow_public
@cached
@scoped.arguments(RangeQuery, location="query")
@scoped.response(200, LeafOut(many=True))
def leaves(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The leaves ``[start, end)``: each event's public fields and its leaf hash."""
    rows = translog.leaves(context.session(), context.tenant().id, query["start"], query["end"])
    for row in rows:
        row["leaf_hash"] = b64(row["leaf_hash"])
    return rows


@scoped.route("/draws/<int:draw_id>/evidence")
@allow_public
@cached
@scoped.response(200, EvidenceOut)
def draw_evidence(draw_id: int) -> dict[str, Any]:
    """Log evidence for one draw: the signed checkpoint, and the announcement's, the seed
    steps', the commit's (and any void's and recusal's) events with inclusion proofs."""
    from shuangsuiji.api.resources.common import get_in_tenant
    from shuangsuiji.models.draws import Draw

    session, tid = context.session(), context.tenant().id
    get_in_tenant(Draw, draw_id, "draw")
    found = translog.evidence(session, tid, translog.draw_event_seqs(session, tid, draw_id))
    session.commit()
    for entry in found["entries"]:
        entry["fields_"] = entry.pop("fields")
    return found

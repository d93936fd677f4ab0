"""Recusals of an announced (v2) draw in two steps: declare, then apply (docs/draw-spec.md
§12).

The declaration (person, target, mode, reason) is logged before its randomness exists: it
names the first drand round after it. Once that round is out, the step is applied with a
stream keyed by the draw's seed mixed with the round's randomness, so neither the order
nor the choice of declarations can pick the replacement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel import announce as fixing
from shuangsuiji.kernel import beacon
from shuangsuiji.messages import msg
from shuangsuiji.models.draws import Draw, Recusal, RecusalDeclaration
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import announcements, audit, joint_sources
from shuangsuiji.services import draws as draw_service


def _live_v2(session: Session, tenant: Tenant, draw_id: int) -> Draw:
    record = session.get(Draw, draw_id)
    if record is None or record.tenant_id != tenant.id:
        raise NotFound(msg("no draw #%(draw)s in this tenant", draw=draw_id))
    if record.void is not None:
        raise Conflict(msg("draw #%(draw)s is void; recusals apply to the live draw",
                           draw=draw_id))
    if not draw_service.is_v2(record):
        raise UserError(msg("draw #%(draw)s was not announced: its recusals are applied at "
                            "once (`ssj draw recuse`)", draw=draw_id))
    return record


def pending(session: Session, record: Draw) -> RecusalDeclaration | None:
    """The draw's declared recusal not yet applied, if any."""
    return session.scalar(select(RecusalDeclaration).where(
        RecusalDeclaration.draw_id == record.id, RecusalDeclaration.applied.is_(False)))


def declare(
    session: Session, tenant: Tenant, draw_id: int, *, person: str, credit_code: str,
    mode: str, reason: str, platform: Platform, after_minutes: int = 0,
    now: datetime | None = None,
) -> RecusalDeclaration:
    """Declare a recusal of a v2 draw; it is applied once its beacon round is out."""
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    record = _live_v2(session, tenant, draw_id)
    if not reason.strip():
        raise UserError(msg("a recusal needs the conflict of interest stated"), where="reason")
    waiting = pending(session, record)
    if waiting is not None:
        raise Conflict(msg("recusal step %(step)s is declared and not yet applied; apply it "
                           "first", step=waiting.step))
    rules = platform.policy_for(tenant).rules(record.inspection_date)
    rule = joint_sources.recusal_rule(session, platform, record.task_id, rules.recusal_rule,
                                      record.inspection_date)  # 联合抽查: every pack's modes
    if mode not in rule.modes:
        raise UserError(msg("recusal by %(mode)s is not allowed: %(cite)s allows only "
                            "%(allowed)s", mode=mode, cite=str(rule.cite),
                            allowed=", ".join(rule.modes)), where="mode")
    round_no = beacon.first_round_after(beacon.QUICKNET,
                                        int(when.timestamp()) + 60 * max(after_minutes, 0))
    entry = RecusalDeclaration(
        draw_id=record.id, step=len(record.recusals) + 1,
        person_id=kernel.canonical_text(person), credit_code=kernel.canonical_text(credit_code),
        mode=mode, reason=reason.strip(), declared_at=announcements.utc_stamp(when),
        beacon_round=round_no, actor=session.info.get(audit.ACTOR_KEY, "system"),
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(msg("another recusal was declared at the same time; try again")) from None
    audit.record(session, tenant_id=tenant.id, action="draw.recusal_declared",
                 object_type="draw", object_id=record.id,
                 payload={"step": entry.step, "person": entry.person_id,
                          "target": entry.credit_code, "mode": mode, "reason": entry.reason,
                          "declared_at": entry.declared_at, "beacon_round": round_no})
    return entry


def apply(
    session: Session, tenant: Tenant, draw_id: int, *, platform: Platform,
    beacon_signature: str | None = None, fetch: announcements.Fetch | None = None,
    now: datetime | None = None,
) -> Recusal:
    """Apply the declared step with its beacon round's value (fetched or pasted)."""
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    record = _live_v2(session, tenant, draw_id)
    entry = pending(session, record)
    if entry is None:
        raise NotFound(msg("draw #%(draw)s has no declared recusal to apply", draw=draw_id))
    value = announcements.beacon_value(beacon.QUICKNET, entry.beacon_round,
                                       signature=beacon_signature, fetch=fetch, now=when)
    declaration = {"person_id": entry.person_id, "target_id": entry.credit_code,
                   "mode": entry.mode, "reason": entry.reason, "declared_at": entry.declared_at}
    key = kernel.recusal_seed(record.seed, entry.step, declaration, value["randomness"])
    result = draw_service.current_result(record)
    conflicts = [(r.person_id, r.credit_code) for r in record.recusals]
    rule = joint_sources.recusal_rule(
        session, platform, record.task_id,
        platform.policy_for(tenant).rules(record.inspection_date).recusal_rule,
        record.inspection_date)
    outcome = kernel.apply_recusal(result, record.seed, entry.step, entry.person_id,
                                   entry.credit_code, entry.mode, rule,
                                   [*conflicts, (entry.person_id, entry.credit_code)],
                                   stream_seed=key)
    step: dict[str, Any] = kernel.make_bundle(outcome.result)["recusals"][-1]
    step |= {"reason": entry.reason, "declared_at": entry.declared_at,
             "beacon": {"chain_hash": beacon.QUICKNET["chain_hash"], **value}}
    row = Recusal(draw_id=record.id, step=entry.step, person_id=entry.person_id,
                  credit_code=entry.credit_code, mode=entry.mode, reason=entry.reason,
                  outcome=step, actor=session.info.get(audit.ACTOR_KEY, "system"))
    session.add(row)
    entry.applied = True
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="draw.recusal", object_type="draw",
                 object_id=record.id,
                 payload={"step": entry.step, "person": entry.person_id,
                          "target": entry.credit_code, "mode": entry.mode,
                          "reason": entry.reason, "beacon_round": entry.beacon_round,
                          "outcome_digest": fixing.sha256_json(step)})
    session.refresh(record)
    return row

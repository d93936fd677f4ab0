"""What happens to a committed draw afterwards: a void, and recusal steps (回避) replayed
over its stored result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.canonical import digest
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.draws import Draw, DrawVoid, Recusal
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, joint_sources
from shuangsuiji.services.draws.storage import full_bundle


def void(session: Session, tenant: Tenant, draw_id: int, reason: str) -> DrawVoid:
    """Void a committed draw: a new, visible event with a reason; the draw stays as it was."""
    if not reason.strip():
        raise UserError(msg("a void needs a reason"), hint=msg("say why the draw is voided"))
    record = session.get(Draw, draw_id)
    if record is None or record.tenant_id != tenant.id:
        raise NotFound(msg("no draw #%(draw)s in this tenant", draw=draw_id))
    if record.void is not None:
        raise Conflict(msg("draw #%(draw)s is already void (%(reason)s)", draw=draw_id,
                           reason=record.void.reason))
    entry = DrawVoid(draw_id=record.id, reason=reason.strip(),
                     actor=session.info.get(audit.ACTOR_KEY, "system"))
    session.add(entry)
    task = session.get(Task, record.task_id)
    assert task is not None
    task.status = "planned"
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="draw.void", object_type="draw",
                 object_id=record.id, payload={"task": task.code, "reason": entry.reason})
    return entry


def recuse(
    session: Session,
    tenant: Tenant,
    draw_id: int,
    *,
    person: str,
    credit_code: str,
    mode: str,
    reason: str,
    platform: Platform,
) -> Recusal:
    """Declare a conflict of interest (回避) and apply the pack's mode as a seeded step."""
    record = session.get(Draw, draw_id)
    if record is None or record.tenant_id != tenant.id:
        raise NotFound(msg("no draw #%(draw)s in this tenant", draw=draw_id))
    if record.void is not None:
        raise Conflict(msg("draw #%(draw)s is void; recusals apply to the live draw",
                           draw=draw_id))
    if not reason.strip():
        raise UserError(msg("a recusal needs the conflict of interest stated"), where="reason")
    if is_v2(record):
        raise UserError(msg("draw #%(draw)s was announced: a recusal is declared first and "
                            "applied once its beacon round is out", draw=draw_id),
                        hint=msg("`ssj draw recuse` declares it; `ssj draw recuse-apply` "
                                 "applies it"))
    rules = platform.policy_for(tenant).rules(record.inspection_date)
    result = current_result(record)
    step = len(record.recusals) + 1
    conflicts = [(r.person_id, r.credit_code) for r in record.recusals]
    conflicts.append((person, credit_code))
    rule = joint_sources.recusal_rule(session, platform, record.task_id, rules.recusal_rule,
                                      record.inspection_date)  # 联合抽查: every pack's modes
    outcome = kernel.apply_recusal(
        result, record.seed, step, person, credit_code, mode, rule, conflicts
    )
    step_data = kernel.make_bundle(outcome.result)["recusals"][-1]
    entry = Recusal(
        draw_id=record.id, step=step, person_id=person, credit_code=credit_code, mode=mode,
        reason=reason.strip(), outcome=step_data,
        actor=session.info.get(audit.ACTOR_KEY, "system"),
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(msg("another recusal was recorded at the same time; try again")) from None
    audit.record(session, tenant_id=tenant.id, action="draw.recusal", object_type="draw",
                 object_id=record.id,
                 payload={"step": step, "person": person, "target": credit_code, "mode": mode,
                          "reason": entry.reason, "outcome_digest": digest(step_data)})
    return entry


def current_result(record: Draw) -> kernel.DrawResult:
    """The draw's result after every recusal step, replayed from the stored bundle."""
    result = kernel.result_from_bundle(full_bundle(record))
    for r in record.recusals:
        step = r.outcome
        result = kernel.apply_recusal(
            result, record.seed, r.step, r.person_id, r.credit_code, r.mode,
            kernel.recusal_rule_from_plain(step["rule"]),
            [tuple(pair) for pair in step["conflicts"]],
            stream_seed=step_key(record, step),
        ).result
    return result


def is_v2(record: Draw) -> bool:
    """Whether the draw was announced (its bundle is ``shuangsuiji-draw/2``)."""
    return bool(record.bundle.get("format") == kernel.FORMAT_V2)


def step_key(record: Draw, step: dict[str, Any]) -> str | None:
    """The stream key of a v2 recusal step (docs/draw-spec.md §12); None for v1."""
    if not is_v2(record):
        return None
    declaration = {k: step[k] for k in ("person_id", "target_id", "mode", "reason",
                                        "declared_at")}
    return kernel.recusal_seed(record.seed, int(step["step"]), declaration,
                               step["beacon"]["randomness"])

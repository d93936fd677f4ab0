"""On-site records (现场检查记录), testing periods, results and the task report.

MIIT Art. 13 / CQ Art. 13: on site, at least two inspectors, each showing an accepted
credential (MIIT: enforcement certificate or work ID; CQ: enforcement certificate only);
the target signs or seals the record, or, if it refuses, the inspectors note why and sign,
with a witness where there is one. Inspectors must come from the task's drawn groups
(after recusals), so the record cannot name someone the draw did not choose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import rules as rules_module
from shuangsuiji.canonical import digest
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.inspections import (
    ACKNOWLEDGEMENTS,
    ExcludedPeriodRecord,
    InspectionRecord,
    InspectionResult,
    TaskReport,
)
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import LOCKED_STATUSES, Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.rules import EXCLUDABLE_PERIODS, STANDARD_RESULTS
from shuangsuiji.services import audit, joint_records, joint_sources
from shuangsuiji.services.lifecycle import (
    DrawnTarget,
    RuleRefused,
    drawn_targets,
    get_task,
    live_draw,
    not_in_future,
    status_word,
    today_in_china,
)

#: Standard results that mean a problem was found (the share the statistics report).
PROBLEM_RESULTS: frozenset[str] = rules_module.PROBLEM_RESULTS


@dataclass(frozen=True)
class InspectorPresent:
    """An inspector on site and the credential shown (``enforcement_certificate``, ``work_id``)."""

    id: str
    credential: str


def _open_task(session: Session, task_id: int | str) -> Task:
    task = get_task(session, task_id)
    if task.status in LOCKED_STATUSES:
        raise Conflict(msg("task %(task)s is %(status)s; its records can no longer change",
                           task=task.code, status=status_word(task.status)))
    return task


def _drawn(session: Session, task: Task, credit_code: str) -> DrawnTarget:
    for target in drawn_targets(session, task):
        if target.credit_code == credit_code:
            return target
    raise NotFound(msg("%(code)s was not selected by the draw of task %(task)s",
                       code=credit_code, task=task.code),
                   where="credit_code", hint=msg("records are kept only for drawn targets"))


def record_on_site(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_id: int | str,
    credit_code: str,
    *,
    method: str,
    inspected_on: date,
    inspectors: Sequence[InspectorPresent],
    findings: str,
    acknowledgement: str,
    refusal_reason: str | None = None,
    inspectors_signed: bool = False,
    witness: str | None = None,
    today: date | None = None,
    acting: Tenant | None = None,
) -> InspectionRecord:
    """Write (or, before publication, rewrite) the record of one drawn target.

    ``acting``: the other tenant of a joint task writing from its own login; when the
    task's own tenant rewrites that tenant's record, its chain says so too.

    Refuses, citing the rule: a method the pack or the task does not allow; fewer inspectors
    on site than the pack's minimum; a credential the pack does not accept; an inspector not
    in the target's drawn group; a refusal without reason or without the inspectors'
    signatures.
    """
    task = _open_task(session, task_id)
    credit_code = credit_code.strip().upper()
    target = _drawn(session, task, credit_code)
    rules = platform.policy_for(tenant).rules(inspected_on)
    where = _task_target(task, credit_code)
    if method not in rules.methods.methods:
        raise RuleRefused(msg("method %(method)r is not allowed; allowed: %(allowed)s",
                              method=method, allowed=rules.methods.methods),
                          cite=rules.methods.cite, where=where)
    if method not in task.methods:
        raise UserError(msg("method %(method)r is not one of the task's methods (%(methods)s)",
                            method=method, methods=tuple(task.methods)), where=where)
    if inspected_on < task.starts_on:
        raise UserError(msg("inspected_on %(inspected_on)s is before the task starts "
                            "(%(starts_on)s)", inspected_on=inspected_on.isoformat(),
                            starts_on=task.starts_on.isoformat()), where=where)
    not_in_future(inspected_on, today, where=where, what="inspected_on")
    present = _check_inspectors(rules, method, inspectors, target, where)
    if method == "on_site":
        _check_credentials_held(session, rules, present, inspected_on, where, task)
    if acknowledgement not in ACKNOWLEDGEMENTS:
        raise UserError(msg("acknowledgement %(acknowledgement)r is not one of %(allowed)s",
                            acknowledgement=acknowledgement, allowed=ACKNOWLEDGEMENTS),
                        where=where)
    reason = (refusal_reason or "").strip() or None
    if acknowledgement == "refused":
        if reason is None:
            raise RuleRefused(msg("the target refused to sign or seal: the inspectors must "
                                  "note the reason"), cite=rules.on_site_rule.cite, where=where)
        if not inspectors_signed:
            raise RuleRefused(msg("the target refused to sign or seal: the inspectors must "
                                  "sign the record"), cite=rules.on_site_rule.cite, where=where)
    elif reason is not None:
        raise UserError(msg("a refusal reason is given but the target signed or sealed"),
                        where=where, hint=msg("use acknowledgement=refused, or drop the reason"))

    draw = live_draw(session, task)
    pack, version = rules.governing
    row = session.scalar(select(InspectionRecord).where(
        InspectionRecord.task_id == task.id, InspectionRecord.credit_code == credit_code))
    before = None if row is None else digest(_record_dict(row))
    if row is None:
        row = InspectionRecord(task_id=task.id, credit_code=credit_code)
        session.add(row)
    row.draw_id = draw.id
    row.method, row.inspected_on, row.inspectors = method, inspected_on, present
    row.findings, row.acknowledgement, row.refusal_reason = findings, acknowledgement, reason
    row.inspectors_signed, row.witness = inspectors_signed, (witness or "").strip() or None
    row.rules_pack, row.rules_version = pack, version
    row.actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    if task.status in ("planned", "drawn"):
        task.status = "in_progress"
    session.flush()
    after = _record_dict(row)
    audit.record(session, tenant_id=tenant.id,
                 action="record.update" if before else "record.create",
                 object_type="inspection_record", object_id=f"{task.code}/{credit_code}",
                 payload={"before": before, "record": after})
    if before is not None and acting is None:
        joint_records.note_host_rewrite(session, tenant, task, credit_code, before,
                                        digest(after))
    return row


def _task_target(task: Task, credit_code: str) -> str:
    """Where a problem with one drawn target's record or result is."""
    return msg("task %(task)s, target %(code)s", task=task.code, code=credit_code)


def _check_inspectors(rules: Any, method: str, inspectors: Sequence[InspectorPresent],
                      target: DrawnTarget, where: str) -> list[dict[str, str]]:
    rule = rules.on_site_rule
    seen: dict[str, str] = {}
    for person in inspectors:
        pid = str(person.id).strip()
        if pid in seen:
            raise UserError(msg("inspector %(id)s is listed twice", id=pid), where=where)
        seen[pid] = person.credential
    # The minimum and the credentials are rules of on-site inspection (采取现场检查的);
    # a written or network check still needs someone responsible for the record.
    minimum = rule.min_inspectors if method == "on_site" else 1
    if len(seen) < minimum:
        raise RuleRefused(msg("%(count)s inspector(s) recorded; at least %(minimum)s must be "
                              "present on site", count=len(seen), minimum=minimum),
                          cite=rule.cite, where=where)
    for pid, credential in seen.items():
        if method == "on_site" and credential not in rule.credentials:
            raise RuleRefused(msg("inspector %(id)s showed %(credential)r; accepted "
                                  "credentials: %(accepted)s", id=pid, credential=credential,
                                  accepted=rule.credentials), cite=rule.cite, where=where)
        if target.inspectors and pid not in target.inspectors:
            raise UserError(msg("inspector %(id)s is not in the group drawn for this target "
                                "(%(group)s)", id=pid, group=target.inspectors), where=where,
                            hint=msg("only inspectors drawn for the target (after recusals) "
                                     "may sign its record"))
    return [{"id": pid, "credential": c} for pid, c in seen.items()]


def _check_credentials_held(session: Session, rules: Any, present: list[dict[str, str]],
                            on: date, where: str, task: Task) -> None:
    """Each inspector's credential is one the inspector directory says they hold, valid on
    the inspection date (MIIT 第十三条 出示行政执法证件或者工作证, CQ 第十三条 出示行政执法证):
    claiming a certificate one does not hold, or showing an expired one, is refused."""
    # a joint task of two tenants: the other tenants' people too, as <slug>/<id>
    directory = joint_sources.directory_rows(session, task)
    cite = rules.on_site_rule.cite
    for person in present:
        pid, credential = person["id"], person["credential"]
        found = directory.get(pid)
        if found is None:
            raise UserError(msg("inspector %(id)s is not in the inspector directory", id=pid),
                            where=where, hint=msg("add the inspector to the directory first"))
        held = [c for c in found.credentials if c.kind == credential]
        if not held:
            raise RuleRefused(msg("inspector %(id)s (%(name)s) holds no %(credential)r in the "
                                  "inspector directory; held: %(held)s", id=pid,
                                  name=found.name, credential=credential,
                                  held=tuple(c.kind for c in found.credentials)),
                              cite=cite, where=where)
        if not any(c.valid_on(on) for c in held):
            expiry = max(c.expires for c in held if c.expires is not None)
            raise RuleRefused(msg("the %(credential)r of inspector %(id)s (%(name)s) expired "
                                  "on %(expiry)s, before the inspection on %(on)s",
                                  credential=credential, id=pid, name=found.name,
                                  expiry=expiry.isoformat(), on=on.isoformat()),
                              cite=cite, where=where)


def _record_dict(row: InspectionRecord) -> dict[str, Any]:
    return {"task_id": row.task_id, "credit_code": row.credit_code, "draw_id": row.draw_id,
            "method": row.method, "inspected_on": row.inspected_on,
            "inspectors": row.inspectors, "findings": row.findings,
            "acknowledgement": row.acknowledgement, "refusal_reason": row.refusal_reason,
            "inspectors_signed": row.inspectors_signed, "witness": row.witness,
            "rules": [row.rules_pack, row.rules_version]}


def add_excluded_period(
    session: Session,
    tenant: Tenant,
    task_id: int | str,
    *,
    kind: str,
    starts_on: date,
    ends_on: date,
    credit_code: str | None = None,
    note: str = "",
) -> ExcludedPeriodRecord:
    """Record a testing, inspection or appraisal period (检验、检测、鉴定) of the task's work."""
    task = _open_task(session, task_id)
    if kind not in EXCLUDABLE_PERIODS:
        raise UserError(msg("period kind %(kind)r is not one of %(allowed)s", kind=kind,
                            allowed=EXCLUDABLE_PERIODS), where="kind")
    if ends_on < starts_on:
        raise UserError(msg("ends_on %(ends_on)s is before starts_on %(starts_on)s",
                            ends_on=ends_on.isoformat(), starts_on=starts_on.isoformat()),
                        where="ends_on")
    code = credit_code.strip().upper() if credit_code else None
    if code is not None:
        _drawn(session, task, code)
    row = ExcludedPeriodRecord(task_id=task.id, credit_code=code, kind=kind,
                               starts_on=starts_on, ends_on=ends_on, note=note,
                               actor=str(session.info.get(audit.ACTOR_KEY) or "system"))
    session.add(row)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="period.create",
                 object_type="excluded_period", object_id=row.id,
                 payload={"task": task.code, "credit_code": code, "kind": kind,
                          "starts_on": starts_on, "ends_on": ends_on, "note": note})
    return row


def problem_found(platform: Platform, tenant: Tenant, as_of: date, result: str) -> bool:
    """Whether ``result`` means a problem was found (pack-added results say so themselves)."""
    if result in STANDARD_RESULTS:
        return result in PROBLEM_RESULTS
    rules = platform.policy_for(tenant).rules(as_of)
    return any(r.problem_found for r in rules.result_types if r.code == result)


def record_result(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_id: int | str,
    credit_code: str,
    result: str,
    *,
    handling: str = "",
    decided_on: date | None = None,
    today: date | None = None,
) -> InspectionResult:
    """Set the result of one drawn target; it needs its on-site record first. A joint task
    with participants takes a result per item instead (services/joint_results.py)."""
    task = _open_task(session, task_id)
    credit_code = credit_code.strip().upper()
    if task.joint and session.scalar(select(TaskParticipant.id).where(
            TaskParticipant.task_id == task.id).limit(1)) is not None:
        raise Conflict(msg("task %(task)s is a joint task (联合抽查): each item takes its own "
                           "result, entered for the participant bringing it; the target's "
                           "result follows from them", task=task.code),
                       where=_task_target(task, credit_code),
                       hint=msg("enter the items' results on the records page or with "
                                "`ssj joint result`"))
    _drawn(session, task, credit_code)
    decided_on = decided_on or today_in_china()
    not_in_future(decided_on, today, where=_task_target(task, credit_code), what="decided_on")
    rules = platform.policy_for(tenant).rules(task.starts_on)
    codes = rules.result_codes()
    if result not in codes:
        raise UserError(msg("result %(result)r is not one of %(allowed)s", result=result,
                            allowed=codes),
                        where=_task_target(task, credit_code),
                        hint=msg("the rules of %(packs)s define these results",
                                 packs=" → ".join(p for p, _ in rules.versions)))
    record = session.scalar(select(InspectionRecord).where(
        InspectionRecord.task_id == task.id, InspectionRecord.credit_code == credit_code))
    if record is None:
        raise Conflict(msg("%(code)s has no on-site record yet", code=credit_code),
                       where=msg("task %(task)s", task=task.code),
                       hint=msg("write the record first"))
    row = session.scalar(select(InspectionResult).where(
        InspectionResult.task_id == task.id, InspectionResult.credit_code == credit_code))
    before = None if row is None else {"result": row.result, "handling": row.handling}
    if row is None:
        row = InspectionResult(task_id=task.id, credit_code=credit_code)
        session.add(row)
    row.result, row.handling, row.decided_on = result, handling, decided_on
    row.problem_found = problem_found(platform, tenant, task.starts_on, result)
    row.actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="result.set",
                 object_type="inspection_result", object_id=f"{task.code}/{credit_code}",
                 payload={"before": before, "result": result, "handling": handling,
                          "problem_found": row.problem_found, "decided_on": decided_on})
    return row


def write_report(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_id: int | str,
    fields: Mapping[str, Any],
) -> TaskReport:
    """Write the task report (抽查情况报告); every field the pack requires must be filled."""
    task = _open_task(session, task_id)
    rules = platform.policy_for(tenant).rules(task.work_ended_on or task.starts_on)
    rule = rules.report_rule
    clean = {k: v for k, v in fields.items() if v not in (None, "")}
    missing = [f for f in rule.fields if f not in clean]
    if missing:
        raise RuleRefused(msg("the report lacks %(missing)s", missing=missing), cite=rule.cite,
                          where=msg("task %(task)s report", task=task.code),
                          hint=msg("a report has: %(fields)s", fields=rule.fields))
    pack, version = rules.governing
    row = session.scalar(select(TaskReport).where(TaskReport.task_id == task.id))
    before = None if row is None else digest(row.fields)
    if row is None:
        row = TaskReport(task_id=task.id)
        session.add(row)
    row.fields, row.rules_pack, row.rules_version = dict(clean), pack, version
    row.actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="report.write", object_type="task_report",
                 object_id=task.code, payload={"before": before, "fields": dict(clean)})
    return row


@dataclass(frozen=True)
class Gap:
    """What a drawn target still lacks before the task can be published."""

    credit_code: str
    missing: str  # record | result


def gaps(session: Session, task: Task) -> list[Gap]:
    """Every drawn target without a record or without a result."""
    recorded = set(session.scalars(select(InspectionRecord.credit_code)
                                   .where(InspectionRecord.task_id == task.id)))
    resulted = set(session.scalars(select(InspectionResult.credit_code)
                                   .where(InspectionResult.task_id == task.id)))
    out = []
    for target in drawn_targets(session, task):
        if target.credit_code not in recorded:
            out.append(Gap(target.credit_code, "record"))
        elif target.credit_code not in resulted:
            out.append(Gap(target.credit_code, "result"))
    return out

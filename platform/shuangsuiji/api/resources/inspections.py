"""After the draw: on-site records, results, the report, publication."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import ADMINS, INSPECTORS, OPERATORS, VIEWERS, allow
from shuangsuiji.api.resources.common import get_in_tenant, tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.errors import NotFound
from shuangsuiji.models.inspections import InspectionRecord, InspectionResult, Publication
from shuangsuiji.models.plans import Task
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import records as record_service

blp = tenant_blueprint("inspections", "On-site records, results and publication (公开)")


@blp.route("/tasks/<int:task_id>/records")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, schemas.RecordOut(many=True))
def list_records(task_id: int) -> Any:
    """The on-site records of a task (one per drawn target at most)."""
    task = get_in_tenant(Task, task_id, "task")
    return context.session().scalars(select(InspectionRecord)
                                     .where(InspectionRecord.task_id == task.id)
                                     .order_by(InspectionRecord.credit_code)).all()


@blp.route("/tasks/<int:task_id>/records", methods=["POST"])
@allow(*OPERATORS, *INSPECTORS)
@blp.arguments(schemas.RecordIn)
@blp.response(201, schemas.RecordOut)
def record_on_site(data: dict[str, Any], task_id: int) -> Any:
    """Write the on-site record of one drawn target; the pack in force checks the method,
    the number of inspectors and their credentials (400 citing the article)."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    fields = dict(data)
    credit_code = fields.pop("credit_code")
    fields["inspectors"] = [record_service.InspectorPresent(**p) for p in fields["inspectors"]]
    row = record_service.record_on_site(session, context.platform(), context.tenant(),
                                        task.id, credit_code, **fields)
    session.commit()
    return row


@blp.route("/tasks/<int:task_id>/results")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, schemas.ResultOut(many=True))
def list_results(task_id: int) -> Any:
    """The results (检查结果) of a task's targets."""
    task = get_in_tenant(Task, task_id, "task")
    return context.session().scalars(select(InspectionResult)
                                     .where(InspectionResult.task_id == task.id)
                                     .order_by(InspectionResult.credit_code)).all()


@blp.route("/tasks/<int:task_id>/results", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.ResultIn)
@blp.response(201, schemas.ResultOut)
def record_result(data: dict[str, Any], task_id: int) -> Any:
    """Set the result of one drawn target (it needs its on-site record first)."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    row = record_service.record_result(session, context.platform(), context.tenant(), task.id,
                                       data["credit_code"], data["result"],
                                       handling=data["handling"], decided_on=data["decided_on"])
    session.commit()
    return row


@blp.route("/tasks/<int:task_id>/report", methods=["PUT"])
@allow(*OPERATORS)
@blp.arguments(schemas.ReportIn)
@blp.response(204)
def write_report(data: dict[str, Any], task_id: int) -> Any:
    """Write the task report (抽查情况报告) with every field the pack requires."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    record_service.write_report(session, context.platform(), context.tenant(), task.id,
                                data["fields"])
    session.commit()
    return None


@blp.route("/tasks/<int:task_id>/publication")
@allow(*VIEWERS)
@cached
@blp.response(200, schemas.PublicationOut)
def get_publication(task_id: int) -> Any:
    """The task's publication: when, its deadline, and whether it was on time."""
    task = get_in_tenant(Task, task_id, "task")
    pub = context.session().scalar(select(Publication).where(Publication.task_id == task.id))
    if pub is None:
        raise NotFound(f"task {task.code} is not published", where="task",
                       hint="POST .../publication once every record and result is in")
    return pub


@blp.route("/tasks/<int:task_id>/publication", methods=["POST"])
@allow(*ADMINS)
@blp.arguments(schemas.PublishIn)
@blp.response(201, schemas.PublicationOut)
def publish(data: dict[str, Any], task_id: int) -> Any:
    """Publish the task's results (公开); refused while a drawn target lacks a record or a
    result, or a report the pack requires is missing."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    pub = publication_service.publish(session, context.platform(), context.tenant(), task.id,
                                      directed_to=data["directed_to"],
                                      include_targets=data["include_targets"])
    session.commit()
    return pub

"""What each kind of background job does: :data:`HANDLERS`, which
:func:`shuangsuiji.services.jobs.run` calls with its :class:`~shuangsuiji.services.jobs.JobContext`
(this module does not import :mod:`~shuangsuiji.services.jobs`: no circle).

* ``import`` — ``params``: ``directory`` (targets, inspectors, experts, items); input file
  ``input``. The same :func:`shuangsuiji.services.imports.import_file` as ``ssj import`` and
  the page's direct upload, in the job's one transaction: every row or none.
* ``export`` — ``params``: ``directory``, ``format`` (csv or xlsx), ``lang`` (zh or en);
  writes the file as the job's ``output``, downloaded from the job page.
* ``draw`` — ``params``: ``task_id``, ``seed`` (typed at a ceremony, or None),
  ``witnesses``, ``expected_pool_digest`` (the digest the page showed), ``beacon_signature``.
  The same :func:`shuangsuiji.services.draws.draw` as the page's direct draw, for a pool too
  large to freeze and draw inside one request; the draw and ``succeeded`` are committed
  together, so a retried draw job draws once.
* ``credit_classes`` — input file ``input``: a class file (信用风险分类), the same
  :func:`shuangsuiji.services.credit_class_import.import_classes` as ``ssj credit-classes
  import`` and the page's direct upload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shuangsuiji.errors import UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.messages import msg, reason
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import exports, imports, lifecycle

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def run_import(ctx: Any) -> tuple[list[Any], dict[str, Any]]:
    kind = ctx.job.params["directory"]
    upload = ctx.inputs.get("input")
    if upload is None:
        raise UserError(msg("the job's file is missing"), hint=msg("upload the file again"))
    categories = methods = None
    if kind == "items":
        tenant = ctx.session.get(Tenant, ctx.job.tenant_id)
        rules = ctx.platform.policy_for(tenant).rules(lifecycle.today_in_china())
        categories, methods = rules.item_categories, rules.methods
    ctx.progress("reading", 0, None)
    report = imports.import_file(ctx.session, ctx.job.tenant_id, kind, bytes(upload.data),
                                 upload.filename, actor=ctx.job.actor, categories=categories,
                                 methods=methods, progress=ctx.progress)
    summary = msg("Imported %(rows)d rows: %(inserted)d new, %(updated)d changed, "
                  "%(unchanged)d unchanged.", rows=report.rows, inserted=report.inserted,
                  updated=report.updated, unchanged=report.unchanged)
    return [summary], {"batch_id": report.batch_id, "rows": report.rows,
                       "inserted": report.inserted, "updated": report.updated,
                       "unchanged": report.unchanged, "directory": kind}


def run_export(ctx: Any) -> tuple[list[Any], dict[str, Any]]:
    kind = ctx.job.params["directory"]
    fmt = ctx.job.params.get("format", "xlsx")
    lang = ctx.job.params.get("lang", "zh")
    if fmt not in CONTENT_TYPES:
        raise UserError(msg("unknown file format %(format)r", format=fmt),
                        hint=msg("use csv or xlsx"))
    filename = f"{kind}.{fmt}"
    ctx.progress("writing", 0, None)
    data = exports.export_file(ctx.session, kind, filename, lang)
    ctx.save_output(filename, data, CONTENT_TYPES[fmt])
    return [msg("Exported %(kind)s as %(file)s (%(size)d bytes).", kind=kind, file=filename,
                size=len(data))], {"file": filename, "bytes": len(data)}


def run_draw(ctx: Any) -> tuple[list[Any], dict[str, Any]]:
    from shuangsuiji.services import draws

    params = ctx.job.params
    tenant = ctx.session.get(Tenant, ctx.job.tenant_id)
    try:
        record = draws.draw(ctx.session, ctx.platform, tenant, int(params["task_id"]),
                            seed=params.get("seed"),
                            witnesses=tuple(params.get("witnesses") or ()),
                            expected_pool_digest=params.get("expected_pool_digest"),
                            beacon_signature=params.get("beacon_signature"),
                            progress=ctx.progress)
    except KernelError as exc:  # an empty pool, too few inspectors: the user's to fix
        raise UserError(reason(exc)) from None
    return [msg("Draw #%(id)d committed: %(selected)d of %(pool)d targets selected.",
                id=record.id, selected=record.selected_count, pool=record.pool_size)], {
        "draw_id": record.id, "task_id": record.task_id}


def run_credit_classes(ctx: Any) -> tuple[list[Any], dict[str, Any]]:
    """A class file (信用风险分类), checked whole and written in the job's transaction."""
    from shuangsuiji.services import credit_classes
    from shuangsuiji.services.credit_class_import import import_classes

    upload = ctx.inputs.get("input")
    if upload is None:
        raise UserError(msg("the job's file is missing"), hint=msg("upload the file again"))
    tenant = ctx.session.get(Tenant, ctx.job.tenant_id)
    ctx.progress("reading", 0, None)
    report = import_classes(ctx.session, tenant.id, bytes(upload.data), upload.filename,
                            credit_classes.declared_for(ctx.platform, tenant),
                            actor=ctx.job.actor)
    return [msg("Imported %(rows)d credit-risk class rows for %(targets)d targets.",
                rows=report.rows, targets=report.targets)], {
        "rows": report.rows, "targets": report.targets, "replaced": report.replaced}


#: ``kind -> handler(context) -> (message lines, result)``; a handler raises UserError to fail.
HANDLERS: dict[str, Callable[[Any], tuple[list[Any], dict[str, Any]]]] = {
    "import": run_import,
    "export": run_export,
    "draw": run_draw,
    "credit_classes": run_credit_classes,
}

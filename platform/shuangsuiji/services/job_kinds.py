"""What each kind of background job does (registered with :func:`jobs.handler`).

* ``import`` — ``params``: ``directory`` (targets, inspectors, experts, items); input file
  ``input``. The same :func:`shuangsuiji.services.imports.import_file` as ``ssj import`` and
  the page's direct upload, in the job's one transaction: every row or none.
* ``export`` — ``params``: ``directory``, ``format`` (csv or xlsx), ``lang`` (zh or en);
  writes the file as the job's ``output``, downloaded from the job page.
"""

from __future__ import annotations

from typing import Any

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import exports, imports, lifecycle
from shuangsuiji.services.jobs import JobContext, handler

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@handler("import")
def run_import(ctx: JobContext) -> tuple[list[Any], dict[str, Any]]:
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


@handler("export")
def run_export(ctx: JobContext) -> tuple[list[Any], dict[str, Any]]:
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

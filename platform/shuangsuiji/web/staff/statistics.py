"""Statistics per year, their XLSX export, and the central admin's comparison of tenants."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session
from shuangsuiji.services import class_coverage, joint_stats, lifecycle
from shuangsuiji.services import statistics as stats_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web.charts import Series, bar_chart, percent
from shuangsuiji.web.context import tenant_name
from shuangsuiji.web.i18n import current_language
from shuangsuiji.web.staff.common import READERS, bp, platform, tenant

#: How many years the trend chart shows, ending with the chosen year.
TREND_YEARS = 5


def _year() -> int:
    text = request.args.get("year", "")
    if not text:
        return lifecycle.today_in_china().year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        abort(404)
    return int(text)


#: The export's headings in English (the Chinese ones are the service's).
HEADINGS_EN = {
    "tenant": "Jurisdiction", "year": "Year", "tasks": "Tasks",
    "targets_drawn": "Targets drawn", "results": "Results", "problems_found": "Problems found",
    "problem_share_permille": "Share with a problem (‰)", "published": "Tasks published",
    "published_on_time": "Published on time", "on_time_share_permille": "Share on time (‰)",
    "transfers": "Cases transferred", "joint_hosted": "Joint tasks led",
    "joint_joined": "Joint tasks of other jurisdictions joined",
}
#: The joint tasks' sheet in English (the Chinese one is the service's).
JOINT_HEADINGS_EN = {
    "host": "Lead jurisdiction", "task": "Task", "title": "Title", "starts_on": "Starts on",
    "participant": "Participant", "kind": "Participant kind", "items": "Items",
    "quota": "Inspectors per group (at least)", "results": "Results",
    "problems": "Problems found", "published_on": "Published on", "on_time": "On time",
}
JOINT_VALUES_EN = {"unit": "unit of the jurisdiction", "tenant": "other jurisdiction",
                   "yes": "yes", "no": "no"}


def _xlsx(rows: list[stats_service.YearStats], filename: str,
          joint: list[joint_stats.JointTaskRow] | None = None) -> Response:
    """The statistics as XLSX in the page's language: headings, and tenants by name;
    ``joint``: a second sheet of the joint tasks, each once with every participant."""
    names = {t.slug: tenant_name(t) for t in tenant_service.all_tenants(db_session())}
    english = current_language() != "zh_CN"
    sheet = None if joint is None else joint_stats.joint_sheet(
        joint, headings=JOINT_HEADINGS_EN if english else None,
        values=JOINT_VALUES_EN if english else None, names=names,
        title="Joint inspections" if english else "联合抽查")
    data = stats_service.to_xlsx(rows, headings=HEADINGS_EN if english else None, names=names,
                                 sheet_title="Statistics" if english else "抽查统计",
                                 joint=sheet)
    response = Response(data, mimetype=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/statistics")
@allow(*READERS)
def statistics() -> str:
    """The year's figures, and a chart of the last years: drawn, problems, transfers."""
    s = db_session()
    year = _year()
    trend = [stats_service.year_stats(s, tenant(), y)
             for y in range(year - TREND_YEARS + 1, year + 1)]
    chart = bar_chart(
        [str(t.year) for t in trend],
        [Series(_("Targets drawn"), [t.targets_drawn for t in trend]),
         Series(_("Problems found"), [t.problems_found for t in trend]),
         Series(_("Cases transferred"), [t.transfers for t in trend])],
        title=_("Targets drawn and problems found, by year"), empty=_("no data"))
    return render_template("staff/statistics.html", year=year, stats=trend[-1], chart=chart,
                           joint=joint_stats.rows_for(s, tenant(), year))


@bp.get("/statistics.xlsx")
@allow(*READERS)
def statistics_xlsx() -> Response:
    """The year's figures, and the joint tasks led or joined (a second sheet)."""
    s = db_session()
    year = _year()
    row = stats_service.year_stats(s, tenant(), year)
    return _xlsx([row], f"statistics-{tenant().slug}-{year}.xlsx",
                 joint=joint_stats.rows_for(s, tenant(), year))


def _comparison(year: int) -> list[stats_service.YearStats]:
    # The service logs the cross-tenant read in the current tenant's audit chain.
    return stats_service.compare_tenants(db_session(), tenant(), year)


@bp.get("/statistics/compare")
@allow("central_admin")
def statistics_compare() -> str:
    """Central admin: every tenant's year side by side (a logged cross-tenant read)."""
    s = db_session()
    year = _year()
    rows = _comparison(year)
    coverage = class_coverage.compare_coverage(s, platform(), tenant(), year,
                                               lifecycle.today_in_china())
    s.commit()  # keep the audit events of the reads
    names = {t.slug: tenant_name(t) for t in tenant_service.all_tenants(s)}
    chart = bar_chart(
        [names.get(r.tenant, r.tenant) for r in rows],
        [Series(_("Share of results with a problem"),
                [r.problem_share_permille for r in rows]),
         Series(_("Share published on time"), [r.on_time_share_permille for r in rows])],
        title=_("Tenants compared"), show=percent, empty=_("no data"))
    return render_template("staff/statistics_compare.html", year=year, rows=rows,
                           names=names, chart=chart, coverage=coverage)


@bp.get("/statistics/compare.xlsx")
@allow("central_admin")
def statistics_compare_xlsx() -> Response:
    year = _year()
    rows = _comparison(year)
    db_session().commit()
    return _xlsx(rows, f"statistics-compare-{year}.xlsx")

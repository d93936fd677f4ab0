"""Holiday calendars (tenant admin): import the State Council notice for a year the package
does not know yet, and see which source decides each year."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.services import calendars as calendar_service
from shuangsuiji.services import lifecycle
from shuangsuiji.web import forms
from shuangsuiji.web.staff.common import bp, status_for, tenant


def coverage_rows() -> list[tuple[int, str, str]]:
    """(year, package | tenant | none, source) from the earliest covered year to two years
    ahead, so the years nobody covers yet show as gaps."""
    lines = {line.year: line for line in calendar_service.coverage(db_session())}
    this_year = lifecycle.today_in_china().year
    first = min([*lines, this_year])
    last = max([*lines, this_year + 2])
    return [(y, lines[y].coverage, lines[y].source
             + (f" ({lines[y].from_tenant})" if lines[y].from_tenant else ""))
            if y in lines else (y, "none", "") for y in range(first, last + 1)]


@bp.route("/calendars", methods=["GET", "POST"])
@allow("tenant_admin")
def calendars() -> ResponseReturnValue:
    """Upload a CSV/TOML holiday notice: the whole file is checked first; any bad line is
    listed with its line and column and nothing is saved."""
    s = db_session()
    form = forms.CalendarForm()
    problem: UserError | None = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            imported = calendar_service.import_calendar(
                s, tenant(), upload.read(), upload.filename or "calendar",
                source=(form.source.data or "").strip() or None)
        except UserError as exc:
            s.rollback()
            problem = exc
        else:
            s.commit()
            flash(_("Imported the calendar of %(years)s.",
                    years="、".join(str(y.year) for y in imported)), "info")
            return redirect(url_for("staff.calendars"))
    return render_template("staff/calendars.html", form=form, problem=problem,
                           coverage=coverage_rows(),
                           imported=calendar_service.tenant_years(s)), status_for(request.method)

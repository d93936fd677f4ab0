"""The organisation tree (tenant admin): see it, import it whole, add, change or remove a
unit, and say whether operators act for their sub-units. Every change is checked whole and
saved as a new version, or nothing is saved (services/units.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.services import units as unit_service
from shuangsuiji.web.staff.common import actor, bp, status_for
from shuangsuiji.web.unit_forms import SubunitsForm, UnitForm, UnitImportForm, UnitRemoveForm


def _rows() -> list[tuple[int, object]]:
    """The units in tree order with their depth."""
    tree = unit_service.load_tree(db_session())
    if tree is None:
        return []
    children: dict[str | None, list[str]] = {}
    for code, unit in tree.units.items():
        children.setdefault(unit.parent, []).append(code)
    out: list[tuple[int, object]] = []

    def walk(code: str, depth: int) -> None:
        out.append((depth, tree.units[code]))
        for child in children.get(code, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return out


def _page(problem: UserError | None = None, **forms: object) -> ResponseReturnValue:
    s = db_session()
    subunits = SubunitsForm(formdata=None, subunits=unit_service.subunits(s))
    context = {"import_form": UnitImportForm(formdata=None), "unit_form": UnitForm(formdata=None),
               "remove_form": UnitRemoveForm(formdata=None), "subunits_form": subunits,
               **forms}
    return render_template("staff/units.html", rows=_rows(), problem=problem,
                           versions=list(reversed(unit_service.versions(s)))[:10],
                           **context), status_for(request.method)


def _done(report: unit_service.TreeReport) -> ResponseReturnValue:
    db_session().commit()
    if report.version is None:
        flash(_("The tree is unchanged."), "info")
    else:
        flash(_("Saved: %(units)s units; the tree is now version %(version)s.",
                units=report.units, version=report.version), "info")
    return redirect(url_for("staff.units"))


@bp.route("/units", methods=["GET", "POST"])
@allow("tenant_admin")
def units() -> ResponseReturnValue:
    """The tree; POST: import a file as the whole tree."""
    form = UnitImportForm()
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        try:
            report = unit_service.import_units(db_session(), upload.read(),
                                               upload.filename or "units.csv", actor=actor())
        except UserError as exc:
            db_session().rollback()
            return _page(exc, import_form=form)
        return _done(report)
    return _page(import_form=form)


@bp.route("/units/save", methods=["POST"])
@allow("tenant_admin")
def unit_save() -> ResponseReturnValue:
    form = UnitForm()
    if not form.validate_on_submit():
        return _page(unit_form=form)
    try:
        report = unit_service.save_unit(
            db_session(), code=form.code.data or "", name=form.name.data or "",
            kind=form.kind.data or "", parent=form.parent.data or None, actor=actor())
    except UserError as exc:
        db_session().rollback()
        return _page(exc, unit_form=form)
    return _done(report)


@bp.route("/units/remove", methods=["POST"])
@allow("tenant_admin")
def unit_remove() -> ResponseReturnValue:
    form = UnitRemoveForm()
    if not form.validate_on_submit():
        return _page(remove_form=form)
    try:
        report = unit_service.remove_unit(db_session(), form.code.data or "", actor=actor())
    except UserError as exc:
        db_session().rollback()
        return _page(exc, remove_form=form)
    return _done(report)


@bp.route("/units/subunits", methods=["POST"])
@allow("tenant_admin")
def units_subunits() -> ResponseReturnValue:
    form = SubunitsForm()
    if form.validate_on_submit():
        unit_service.set_subunits(db_session(), bool(form.subunits.data), actor=actor())
        db_session().commit()
        flash(_("Saved."), "info")
    return redirect(url_for("staff.units"))

"""The item list (随机抽查事项清单): browse, edit, retire; every change is a new version."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from shuangsuiji.access import allow, db_session, lookup
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.models.directories import DirectoryChange, Item, ItemListVersion
from shuangsuiji.services import items as item_service
from shuangsuiji.services import lifecycle
from shuangsuiji.services.lifecycle import today_in_china
from shuangsuiji.web import forms
from shuangsuiji.web.i18n import current_language
from shuangsuiji.web.labels import label
from shuangsuiji.web.refusals import for_browser, on_form
from shuangsuiji.web.staff.common import (
    EDITORS,
    READERS,
    actor,
    bp,
    platform,
    split,
    status_for,
    tenant,
)


def _list_page(problem: UserError | None = None, status: int = 200,
               approve_form: forms.ApproveItemListForm | None = None) -> tuple[str, int]:
    s = db_session()
    rows = s.scalars(select(Item).order_by(Item.code)).all()
    versions = s.scalars(select(ItemListVersion).order_by(ItemListVersion.number.desc())).all()
    return render_template("staff/items.html", items=rows, versions=versions,
                           form=forms.UploadForm(), retire_form=forms.RetireForm(),
                           approve_form=approve_form or forms.ApproveItemListForm(formdata=None),
                           publish_form=forms.PublishItemListForm(),
                           published=item_service.published_version(s),
                           problem=on_form(approve_form, problem) if approve_form is not None
                           else for_browser(problem) if problem else None), status


@bp.post("/items/versions/<int:number>/approve")
@allow("tenant_admin")
def item_list_approve(number: int) -> ResponseReturnValue:
    """Record the approval of a draft version: approver, date, document number."""
    s = db_session()
    form = forms.ApproveItemListForm()
    if not form.validate_on_submit():  # what is missing is said under each field
        return _list_page(None, 422, approve_form=form)
    try:
        item_service.approve_version(s, number, approver=form.approver.data or "",
                                     approved_on=form.approved_on.data,  # type: ignore[arg-type]
                                     document=form.document.data or "", actor=actor())
    except UserError as exc:
        s.rollback()
        return _list_page(exc, 409 if isinstance(exc, Conflict) else 422, approve_form=form)
    s.commit()
    flash(_("Version %(n)d of the item list was approved.", n=number), "info")
    return redirect(url_for("staff.items"))


@bp.post("/items/versions/<int:number>/publish")
@allow("tenant_admin")
def item_list_publish(number: int) -> ResponseReturnValue:
    """Publish an approved version: tasks, draws and the portal use it from now on."""
    s = db_session()
    if not forms.PublishItemListForm().validate_on_submit():
        abort(400)
    try:
        item_service.publish_version(s, number, actor=actor())
    except UserError as exc:
        s.rollback()
        return _list_page(exc, 409 if isinstance(exc, Conflict) else 422)
    s.commit()
    flash(_("Version %(n)d of the item list was published.", n=number), "info")
    return redirect(url_for("staff.items"))


@bp.get("/items")
@allow(*READERS)
def items() -> ResponseReturnValue:
    return _list_page()


@bp.get("/items/<int:item_id>")
@allow(*READERS)
def item(item_id: int) -> str:
    """One item and its history: every field change, and the list versions it appears in."""
    s = db_session()
    row: Item = lookup(Item, item_id)
    changes = s.scalars(select(DirectoryChange).where(
        DirectoryChange.kind == "items", DirectoryChange.key == row.code
    ).order_by(DirectoryChange.at.desc(), DirectoryChange.id.desc())).all()
    return render_template("staff/item.html", item=row, changes=changes,
                           retire_form=forms.RetireForm(), batch_default=_batch_default(row))


def _batch_default(row: Item) -> int | None:
    """The pack's default threshold of a "high" ratio for the item's category (CQ 第五条),
    shown where the item list sets none; None where batch order is not allowed."""
    try:
        cat = platform().policy_for(tenant()).rules(today_in_china()).category(row.category)
    except UserError:  # no pack version in force today, or a category the pack lacks
        return None
    return cat.batch_order_min_permille if cat.batch_order else None


@bp.post("/items/<int:item_id>/retire")
@allow(*EDITORS)
def item_retire(item_id: int) -> ResponseReturnValue:
    """Take an item off the list: a new list version; the item stays for its old tasks."""
    s = db_session()
    row: Item = lookup(Item, item_id)
    form = forms.RetireForm()
    if not form.validate_on_submit():
        return _list_page(UserError(_("Say why the item is retired."), where=row.code), 422)
    try:
        version = item_service.retire_item(s, row.code, actor=actor(),
                                           note=form.note.data or "")
    except UserError as exc:
        s.rollback()
        return _list_page(exc, 409)
    s.commit()
    flash(_("Item %(code)s was retired: version %(n)d of the item list.",
            code=row.code, n=version.number), "info")
    return redirect(url_for("staff.item", item_id=row.id))


@bp.route("/items/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def item_edit(item_id: int | None) -> ResponseReturnValue:
    """Create or change an item; every save makes a new version of the item list."""
    s = db_session()
    row: Item | None = lookup(Item, item_id) if item_id is not None else None
    form = forms.ItemForm(obj=row) if request.method == "GET" else forms.ItemForm()
    _item_choices(form, row)
    if request.method == "GET" and row is not None:
        form.methods.data = list(row.methods or ())
        form.departments.data = ", ".join(row.departments or ())
        form.note.data = ""
    problem: Any = None
    if form.validate_on_submit():
        values = {
            "code": (form.code.data or "").strip(), "name": (form.name.data or "").strip(),
            "category": (form.category.data or "general").strip(),
            "subject": form.subject.data or "", "content": form.content.data or "",
            "legal_basis": form.legal_basis.data or "", "methods": list(form.methods.data or ()),
            "frequency": form.frequency.data or "", "cap_permille": form.cap_permille.data,
            "batch_order_min_permille": form.batch_order_min_permille.data,
            "publication_mode": form.publication_mode.data or "public",
            "departments": split(form.departments.data),
        }
        if row is not None and values["code"] != row.code:
            problem = UserError(_("An item's code cannot change."), where="code",
                                hint=_("Create a new item and retire this one."))
        else:
            try:
                version = item_service.save_item(s, values, actor=actor(),
                                                 note=form.note.data or "")
            except UserError as exc:
                s.rollback()
                problem = exc
            else:
                s.commit()
                if version is None:
                    flash(_("Nothing changed."), "info")
                else:
                    flash(_("Saved as version %(n)d of the item list.", n=version.number),
                          "info")
                saved = item_service.get_item(s, values["code"])
                return redirect(url_for("staff.item", item_id=saved.id))
    return render_template("staff/item_edit.html", form=form, item=row,
                           problem=on_form(form, problem)), status_for(request.method)


def _item_choices(form: forms.ItemForm, row: Item | None) -> None:
    """The pack's categories and methods as choices, labelled (and the item's own, kept)."""
    rules = platform().policy_for(tenant()).rules(lifecycle.today_in_china())
    categories = [(c.code, c.name_en if current_language() != "zh_CN" and c.name_en
                   else c.name_zh or label(c.code, "category")) for c in rules.item_categories]
    methods = list(rules.methods.methods)
    if row is not None:
        if row.category not in {code for code, _ in categories}:
            categories.append((row.category, label(row.category, "category")))
        methods += [m for m in row.methods or () if m not in methods]
    form.category.choices = categories
    form.methods.choices = [(m, label(m, "method")) for m in methods]

"""User management: a tenant admin manages the accounts of their tenant; the central admin
(``/central/users``, same views with no tenant) every account.

A tenant admin manages only what an account holds in their tenant: roles there, and tokens
made for it (scoped: they carry only the roles there). The password, the enabling and the
unscoped tokens of an account holding roles in other tenants too are refused to them (403,
:func:`shuangsuiji.services.accounts.check_manages`): they belong to the central admin or
the holder.

An API token is shown once, in the response to the request that issued it, and never again
(it is not put in the flash, which lives in the session cookie).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from shuangsuiji.access import allow, current_user, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.models.accounts import User
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import accounts, names
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web import forms
from shuangsuiji.web.context import tenant_name
from shuangsuiji.web.refusals import for_browser, on_form
from shuangsuiji.web.staff.common import act, bp, refusal_status, tenant


def _users_in(scope: Tenant | None) -> list[User]:
    everyone = accounts.all_users(db_session())
    if scope is None:
        return everyone
    return [u for u in everyone if accounts.grants_in(u, scope.id)]


def _user_or_404(user_id: int, scope: Tenant | None) -> User:
    """An account the administrator of ``scope`` may manage: one with a role in the tenant
    and not a central admin (whose account is the central level's business)."""
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    if scope is not None and (not accounts.grants_in(user, scope.id)
                              or accounts.is_central_admin(user)):
        abort(404)
    return user


def _with_choices(form: Any, scope: Tenant | None) -> Any:
    form.role.choices = forms.role_choices(central=scope is None)
    if scope is None:
        form.tenant.choices = [SelectChoice("", _("(none: central administrator)"))] + [
            SelectChoice(t.slug, tenant_name(t))
            for t in tenant_service.all_tenants(db_session())]
    else:
        form.tenant.choices = [SelectChoice(scope.slug, tenant_name(scope))]
    return form


def _tenant_slug(form: Any, scope: Tenant | None) -> str | None:
    if scope is not None:
        return str(scope.slug)  # a tenant admin gives roles in their own tenant only
    return form.tenant.data or None


def _page(scope: Tenant | None, *, problem: UserError | None = None, status: int = 200,
          create_form: Any = None, new_token: accounts.IssuedToken | None = None,
          token_user: User | None = None) -> tuple[str, int]:
    users = _users_in(scope)
    return render_template(
        "staff/users.html", users=users, scope=scope, new_token=new_token,
        problem=on_form(create_form, problem) if create_form is not None else (
            for_browser(problem) if problem is not None else None),
        token_user=token_user,
        tokens_of={u.id: accounts.tokens_visible_to(u, scope) for u in users},
        managed_elsewhere={u.id for u in users
                           if scope is not None and accounts.holds_roles_elsewhere(u, scope.id)},
        create_form=create_form or _with_choices(forms.UserForm(formdata=None), scope),
        grant_form=_with_choices(forms.GrantForm(formdata=None), scope),
        token_form=forms.TokenForm(formdata=None), revoke_form=forms.RevokeForm(formdata=None),
        action_form=forms.ActionForm(formdata=None),
        password_form=forms.PasswordResetForm(formdata=None),
        endpoint=_endpoints(scope), me=current_user(),
        people=names.people_names(db_session()) if scope is not None else {},
    ), status


def _endpoints(scope: Tenant | None) -> dict[str, str]:
    prefix = "central" if scope is None else "staff"
    return {name: f"{prefix}.{name}" for name in
            ("users", "user_grant", "user_token", "user_token_revoke", "user_disable",
             "user_enable", "user_password")}


def _act(scope: Tenant | None, run: Callable[[], object], *, done: str) -> ResponseReturnValue:
    """A change to an account: refused, the users page with the problem; else back to it."""
    return act(run, done=done, to=url_for(_endpoints(scope)["users"]),
               refused=lambda exc: _page(scope, problem=exc, status=refusal_status(exc)))


def users_page(scope: Tenant | None) -> ResponseReturnValue:
    """GET: the accounts. POST: create one with its first role."""
    if request.method == "GET":
        return _page(scope)
    form = _with_choices(forms.UserForm(), scope)
    if not form.validate_on_submit():
        return _page(scope, create_form=form, status=422)
    s = db_session()
    try:
        user = accounts.create_user(
            s, username=form.username.data or "", password=form.password.data or "",
            role=form.role.data or "", tenant=_tenant_slug(form, scope),
            display_name=(form.display_name.data or "").strip(),
            department=(form.department.data or "").strip(),
            inspector_code=(form.inspector_code.data or "").strip() or None)
    except UserError as exc:
        s.rollback()
        return _page(scope, problem=exc, create_form=form, status=refusal_status(exc))
    s.commit()
    flash(_("The account %(name)s was created.", name=user.username), "info")
    return redirect(url_for(_endpoints(scope)["users"]))


def grant_role(scope: Tenant | None, user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id, scope)
    form = _with_choices(forms.GrantForm(), scope)
    if not form.validate_on_submit():
        return _page(scope, problem=UserError(_("Choose a role."), where="role"), status=422)
    return _act(scope, lambda: accounts.grant(
        db_session(), user, role=form.role.data or "", tenant=_tenant_slug(form, scope),
        department=(form.department.data or "").strip(),
        inspector_code=(form.inspector_code.data or "").strip() or None),
        done=_("%(name)s was given a new role.", name=user.username))


def issue_token(scope: Tenant | None, user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id, scope)
    form = forms.TokenForm()
    if not form.validate_on_submit():
        return _page(scope, problem=UserError(_("The form is incomplete.")), status=422)
    s = db_session()
    try:
        issued = accounts.issue_token(s, user, (form.name.data or "").strip(), admin_of=scope)
    except UserError as exc:
        s.rollback()
        return _page(scope, problem=exc, status=refusal_status(exc))
    s.commit()
    # Shown in this response only; the page says it will not be shown again.
    return _page(scope, new_token=issued, token_user=user)


def revoke_token(scope: Tenant | None, user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id, scope)
    form = forms.RevokeForm()
    if not form.validate_on_submit():
        return _page(scope, problem=UserError(_("The form is incomplete.")), status=422)
    return _act(scope, lambda: accounts.revoke_token(db_session(), user, form.prefix.data or "",
                                                          admin_of=scope),
                done=_("The token %(prefix)s… was revoked.", prefix=form.prefix.data))


def set_active(scope: Tenant | None, user_id: int, active: bool) -> ResponseReturnValue:
    """Disable an account (no sign-in, sessions end, tokens stop) or enable it again."""
    user = _user_or_404(user_id, scope)
    if not forms.ActionForm().validate_on_submit():
        return _page(scope, problem=UserError(_("The form is incomplete.")), status=422)
    return _act(scope, lambda: accounts.set_active(db_session(), user, active, by=current_user(),
                                                        admin_of=scope),
                done=_("The account %(name)s was enabled.", name=user.username) if active else
                _("The account %(name)s was disabled.", name=user.username))


def reset_password(scope: Tenant | None, user_id: int) -> ResponseReturnValue:
    """Set a new password for someone (their sessions end; they change it after signing in)."""
    user = _user_or_404(user_id, scope)
    form = forms.PasswordResetForm()
    if not form.validate_on_submit():
        return _page(scope, problem=UserError(
            _("Type the new password twice, at least 10 characters."), where="new"), status=422)
    return _act(scope, lambda: accounts.set_password(db_session(), user, form.new.data or "",
                                                          admin_of=scope),
                done=_("The password of %(name)s was changed; their sessions have ended.",
                       name=user.username))


# --- the tenant admin's routes ------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@allow("tenant_admin")
def users() -> ResponseReturnValue:
    """The accounts holding a role in this tenant; create one."""
    return users_page(tenant())


@bp.post("/users/<int:user_id>/grant")
@allow("tenant_admin")
def user_grant(user_id: int) -> ResponseReturnValue:
    return grant_role(tenant(), user_id)


@bp.post("/users/<int:user_id>/tokens")
@allow("tenant_admin")
def user_token(user_id: int) -> ResponseReturnValue:
    return issue_token(tenant(), user_id)


@bp.post("/users/<int:user_id>/tokens/revoke")
@allow("tenant_admin")
def user_token_revoke(user_id: int) -> ResponseReturnValue:
    return revoke_token(tenant(), user_id)


@bp.post("/users/<int:user_id>/disable")
@allow("tenant_admin")
def user_disable(user_id: int) -> ResponseReturnValue:
    return set_active(tenant(), user_id, False)


@bp.post("/users/<int:user_id>/enable")
@allow("tenant_admin")
def user_enable(user_id: int) -> ResponseReturnValue:
    return set_active(tenant(), user_id, True)


@bp.post("/users/<int:user_id>/password")
@allow("tenant_admin")
def user_password(user_id: int) -> ResponseReturnValue:
    return reset_password(tenant(), user_id)

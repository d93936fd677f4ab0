"""Signing in and out, the language switch, the tenant switcher, one's own account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from shuangsuiji import access
from shuangsuiji.access import allow_public, allow_signed_in, current_user, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.services import accounts
from shuangsuiji.web import forms, i18n
from shuangsuiji.web.i18n import LANGUAGES, SESSION_LANG
from shuangsuiji.web.security import check_csrf, csrf
from shuangsuiji.web.throttle import LoginThrottle

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths: ``?next=https://evil.example`` must not send users away."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def home_for_user() -> str:
    """Where a signed-in user lands: their (first) tenant's dashboard."""
    user = current_user()
    if user is None:
        return url_for("portal.index")
    mine = accounts.tenants_for(db_session(), user)
    if len(mine) == 1 or (mine and not accounts.is_central_admin(user)):
        return url_for("staff.dashboard", tenant_slug=mine[0].slug)
    return url_for("auth.choose_tenant")


@bp.get("/")
@allow_public
def index() -> Response:
    return redirect(home_for_user())


@bp.route("/login", methods=["GET", "POST"])
@allow_public
def login() -> ResponseReturnValue:
    form = forms.LoginForm()
    if form.validate_on_submit():
        throttle: LoginThrottle = current_app.extensions["ssj_login_throttle"]
        address = request.remote_addr or "unknown"
        username = form.username.data or ""
        if throttle.blocked(username, address):
            flash(_("Too many failed sign-in attempts. Wait a quarter of an hour and try "
                    "again."), "error")
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(db_session(), username, form.password.data or "")
        if user is None:
            throttle.failed(username, address)
            flash(_("The user name or password is wrong."), "error")
            return render_template("auth/login.html", form=form), 200
        throttle.succeeded(username, address)
        db_session().commit()  # ends the read: nothing of the request's is written
        accounts.record_sign_in(current_app.extensions["shuangsuiji"].db.engine, user,
                                form.password.data or "")
        lang = session.get(SESSION_LANG)
        access.login_user(user)
        if lang:
            session[SESSION_LANG] = lang
        return redirect(safe_next(request.args.get("next"), home_for_user()))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@allow_signed_in
def logout() -> Response:
    lang = session.get(SESSION_LANG)
    message = _("You have signed out.")  # in the user's language, before the session goes
    access.logout_user()
    flash(message, "info")
    response = redirect(url_for("portal.index"))
    if lang in LANGUAGES:  # the language outlives the session, as the visitor's cookie
        i18n.remember_language(response, lang)
    return response


@bp.post("/language")
@allow_public
@csrf.exempt
def language() -> Response:
    """Switch the interface language.

    Signed in: kept in the session, and the form carries the session's CSRF token as every
    form of theirs does. Not signed in: a cookie, and no token is needed: the switch only
    changes the visitor's own display preference, and asking for a token would make every
    public page create a session. Both get the cookie, so the language outlives a sign-out.
    """
    signed_in = current_user() is not None
    if signed_in:
        check_csrf()
    code = request.form.get("lang", "")
    if code not in LANGUAGES:
        abort(400)
    if signed_in:
        session[SESSION_LANG] = code
    response = redirect(safe_next(request.form.get("next"), url_for("auth.index")))
    return i18n.remember_language(response, code)


@bp.get("/tenants")
@allow_signed_in
def choose_tenant() -> str:
    user = current_user()
    assert user is not None
    return render_template("auth/tenants.html",
                           tenants=accounts.tenants_for(db_session(), user))


@bp.post("/tenants/switch")
@allow_signed_in
def switch_tenant() -> Response:
    """The switcher in the header. The audit event is written when the target tenant's first
    page is opened (see :mod:`shuangsuiji.access`), so typing a URL is logged the same way."""
    user = current_user()
    assert user is not None
    form = forms.TenantSwitchForm()
    slug = form.tenant.data or ""
    allowed = {t.slug for t in accounts.tenants_for(db_session(), user)}
    if not form.validate_on_submit() or slug not in allowed:
        abort(403)
    return redirect(url_for("staff.dashboard", tenant_slug=slug))


@bp.route("/account", methods=["GET", "POST"])
@allow_signed_in
def account() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    form = forms.PasswordForm()
    if form.validate_on_submit():
        s = db_session()
        if accounts.authenticate(s, user.username, form.current.data or "") is None:
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                accounts.set_password(s, user, form.new.data or "")
            except UserError as exc:
                form.new.errors.append(exc.message)
            else:
                s.commit()
                access.login_user(user)  # the nonce changed: keep this session, end others
                flash(_("Your password was changed. Other sessions have been signed out."),
                      "info")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, user=user,
                           tenants=accounts.tenants_for(db_session(), user))

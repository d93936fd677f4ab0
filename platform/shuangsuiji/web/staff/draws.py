"""The draw ceremony (抽取): prepare, draw, result, recusals, void (the bundle: bundles.py)."""

# whole-module: the pages of one draw in the order a ceremony runs (prepare, draw, the
# result with its paged groups, recusal, void), sharing its form and result helpers.

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji import kernel
from shuangsuiji.access import allow, db_session, has_role, lookup
from shuangsuiji.errors import UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.services import (
    announcements,
    bundlefiles,
    class_strata,
    recusal_steps,
    selection_pages,
)
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services.names import people_names, target_names
from shuangsuiji.web import forms
from shuangsuiji.web.refusals import Shown, for_browser, on_form
from shuangsuiji.web.staff import conflicts
from shuangsuiji.web.staff import jobs as jobs_view
from shuangsuiji.web.staff.common import (
    act,
    assigned,
    bp,
    draw_or_404,
    inspector_codes,
    may_act_for,
    platform,
    refusal_status,
    require_act,
    split,
    status_for,
    tenant,
)


@bp.route("/tasks/<int:task_id>/draw", methods=["GET", "POST"])
@allow("tenant_admin", "operator")
def draw(task_id: int) -> ResponseReturnValue:
    """The ceremony: announce (freezing the pool once) → commitments and reveals → draw.

    GET without an announcement: freeze the pool and show its digest, with the announcement
    form (and the draw without announcement, labelled weaker). With an open announcement:
    show it, its commitments and reveals, and the draw form; the pool is not frozen again.
    POST: draw, once confirmed (the box ticked); refused if anything differs from the
    announcement (or, without one, if the pool changed since its digest was shown)."""
    s = db_session()
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.DrawForm()
    problem: Any = None
    status = status_for(request.method)
    announced = announcements.open_announcement(s, row)
    kind = announced.procedure if announced is not None else None
    if form.validate_on_submit():
        typed = (form.seed.data or "").strip() if form.seed_source.data == "ceremony" else None
        if kind is not None and kind != "ceremony":
            typed = None
        if (kind == "ceremony" or (kind is None and form.seed_source.data == "ceremony")) \
                and not typed:
            form.seed.errors.append(_("Type the seed announced at the ceremony, or choose a "
                                      "generated seed."))
        elif jobs_view.draw_as_job():
            return jobs_view.start_draw(
                row.id, seed=typed, witnesses=split(form.witnesses.data),
                expected_pool_digest=form.pool_digest.data or None,
                beacon_signature=(form.beacon_signature.data or "").strip() or None)
        else:
            try:
                record = draw_service.draw(
                    s, platform(), tenant(), row.id, seed=typed,
                    witnesses=tuple(split(form.witnesses.data)),
                    expected_pool_digest=form.pool_digest.data or None,
                    beacon_signature=(form.beacon_signature.data or "").strip() or None)
            except (UserError, KernelError) as exc:
                s.rollback()
                problem = on_form(form, exc)
                if isinstance(exc, UserError):
                    status = refusal_status(exc)  # e.g. 409: the task is drawn already
            else:
                s.commit()
                flash(_("The draw was committed. Its bundle can now be downloaded and "
                        "verified."), "info")
                return redirect(url_for("staff.draw_result", draw_id=record.id))
    elif request.method == "GET":
        problem = _refused_job(row, form)
    if form.pool_digest.errors and problem is None:  # a hidden field: said above the form
        problem = Shown(_("The page did not send the pool's digest. Reload the draw page, "
                          "check the digest shown, and draw again."))
    return draw_page(row, form=form, problem=problem, status=status)


def _refused_job(row: Task, form: forms.DrawForm) -> Shown | None:
    """A refused draw job of the task, shown back on the draw form with its input (seed,
    witnesses, beacon signature) kept: not only on the job page."""
    found = jobs_view.last_failed_draw(row.id)
    if found is None or draw_service.live_draw(db_session(), row) is not None:
        return None
    params = found.params or {}
    if params.get("seed"):
        form.seed_source.data, form.seed.data = "ceremony", params["seed"]
    form.witnesses.data = "\n".join(params.get("witnesses") or ())
    form.beacon_signature.data = params.get("beacon_signature") or ""
    return jobs_view.failed_draw_shown(found)


def draw_page(row: Task, *, status: int = 200, problem: Any = None,
              form: forms.DrawForm | None = None, announce_form: Any = None,
              commit_form: Any = None, reveal_form: Any = None,
              conflict_rows: list[conflicts.ConflictRow] | None = None) -> ResponseReturnValue:
    """The draw page, with the form that was sent (its input kept) and why it was refused."""
    s = db_session()
    problem_at = ("announce" if announce_form is not None else "commit" if commit_form
                  is not None else "reveal" if reveal_form is not None else "draw")
    form = form or forms.DrawForm(formdata=None)
    announced = announcements.open_announcement(s, row)
    prepared = None
    if announced is None:
        try:
            prepared = draw_service.prepare(s, platform(), tenant(), row.id)
        except (UserError, KernelError) as exc:
            s.rollback()
            problem = problem or for_browser(exc)
    digest = (announced.announcement["pool"]["digest"] if announced is not None
              else prepared.pool.digest if prepared is not None else None)
    if digest is not None and not form.pool_digest.data:
        form.pool_digest.data = digest
    parties = _party_choices(announced)
    commit_form = commit_form or forms.CommitForm(formdata=None)
    reveal_form = reveal_form or forms.RevealForm(formdata=None)
    commit_form.party.choices = reveal_form.party.choices = parties
    return render_template(
        "staff/draw.html", task=row, prepared=prepared, form=form, problem=problem,
        problem_at=problem_at,
        announced=announced, announce_form=announce_form or forms.AnnounceForm(formdata=None),
        commit_form=commit_form, reveal_form=reveal_form,
        conflict_rows=conflict_rows or conflicts.shown_rows([]),
        people_choices=conflicts.person_choices() if prepared is not None else [],
        round_due=announcements.round_due(announced) if announced is not None else None,
    ), status


def _party_choices(announced: Any) -> list[tuple[str, str]]:
    if announced is None:
        return []
    return [(p, p) for p in announced.announcement["seed_procedure"]["parties"]]


@bp.post("/tasks/<int:task_id>/announce")
@allow("tenant_admin", "operator")
def announce(task_id: int) -> ResponseReturnValue:
    """Announce the draw (抽取公告): logged, published on the portal, before any randomness."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.AnnounceForm()
    rows = conflicts.typed_rows(request.form)
    if "more" in request.form:  # "Add a row" without JavaScript: the form again, one row more
        return draw_page(row, announce_form=form, conflict_rows=conflicts.shown_rows(
            rows, more=True))
    if not form.validate_on_submit():
        return draw_page(row, status=422, announce_form=form,
                         conflict_rows=conflicts.shown_rows(rows))
    pairs = conflicts.resolve(rows)
    if pairs is None:
        return draw_page(row, status=422, announce_form=form,
                         conflict_rows=conflicts.shown_rows(rows))
    kind = form.procedure.data or ""

    def run() -> None:
        announcements.announce(
            db_session(), platform(), tenant(), row.id, procedure=kind,
            parties=split(form.parties.data) if kind.startswith("commit_reveal") else (),
            beacon_after_minutes=(form.beacon_after_minutes.data or 0)
            if kind.endswith("beacon") else None,
            conflicts=pairs)

    return act(run, done=_("The draw was announced. It is on the portal; nothing random "
                           "exists yet."), to=url_for("staff.draw", task_id=row.id),
               refused=lambda exc: draw_page(row, status=refusal_status(exc),
                                             announce_form=form, problem=on_form(form, exc),
                                             conflict_rows=conflicts.shown_rows(rows)))


def _party_step(task_id: int, form: forms.CommitForm | forms.RevealForm, value: str,
                step: Callable[..., object], done: str) -> ResponseReturnValue:
    """A named party's step of commit–reveal: the form offers the announcement's parties;
    ``step`` (the service) is given the party and the form's ``value`` field."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form.party.choices = _party_choices(announcements.open_announcement(db_session(), row))
    sent = {"commit_form" if isinstance(form, forms.CommitForm) else "reveal_form": form}
    if not form.validate_on_submit():
        return draw_page(row, status=422, **sent)
    return act(lambda: step(db_session(), tenant(), row.id, form.party.data or "",
                            getattr(form, value).data or ""),
               done=done, to=url_for("staff.draw", task_id=row.id),
               refused=lambda exc: draw_page(row, status=refusal_status(exc),
                                             problem=on_form(form, exc), **sent))


@bp.post("/tasks/<int:task_id>/commit")
@allow("tenant_admin", "operator")
def commit_seed(task_id: int) -> ResponseReturnValue:
    """A party registers its commitment (SHA-256 of its secret)."""
    return _party_step(task_id, forms.CommitForm(), "commitment", announcements.commit,
                       _("The commitment was registered."))


@bp.post("/tasks/<int:task_id>/reveal")
@allow("tenant_admin", "operator")
def reveal_seed(task_id: int) -> ResponseReturnValue:
    """A party reveals its secret; refused unless it matches the commitment."""
    return _party_step(task_id, forms.RevealForm(), "secret", announcements.reveal,
                       _("The secret was revealed and matches its commitment."))


@bp.get("/draws/<int:draw_id>")
@allow("tenant_admin", "operator", "viewer", "inspector")
def draw_result(draw_id: int) -> ResponseReturnValue:
    record, row = draw_or_404(draw_id)
    draw_service.check_stored_pool(db_session(), record)  # changed outside the platform: 409
    return result_page(record, row)


#: Targets shown in each group's card; the whole list of a group is paged (``?group=N``).
GROUP_PREVIEW = 20
#: Up to this many selected targets the recusal form lists them; above it, the credit code
#: is typed (a list of 50,000 options is no choice) and checked against the draw's targets.
LISTED_TARGETS = 300


def result_page(record: Draw, row: Task, *, status: int = 200, problem: Any = None,
                problem_at: str = "", recusal_form: forms.RecusalForm | None = None,
                void_form: forms.VoidForm | None = None) -> ResponseReturnValue:
    """The result: strata, batches, groups with their leaders and (a page of) their targets,
    recusals; a refused recusal or void is shown again with what was typed and why.

    The result is read back from the committed bundle with its recusal steps
    (``bundlefiles.current_result``), not recomputed from the pool, and only the targets
    shown are looked up: the page costs the same for a draw of ten targets or of 50,000."""
    result = bundlefiles.current_result(record)
    s = db_session()
    number = request.args.get("group", 0, type=int)
    chosen = next((g for g in result.final_groups if g.number == number), None)
    shown = None if chosen is None else selection_pages.group_page(
        s, record.id, chosen.targets, page=request.args.get("page", 1, type=int),
        query=request.args.get("q", ""))
    names = _target_names(result)
    if shown is not None:
        names.update({r.credit_code: r.name for r in shown.rows if r.name})
    people = people_names(db_session())
    return render_template(
        "staff/draw_result.html", draw=record, task=row, result=result,
        names=names, people=people, problem=problem, problem_at=problem_at,
        recusal_form=recusal_form or _recusal_form(row, result, names, people, formdata=None),
        void_form=void_form or forms.VoidForm(formdata=None),
        may_act=may_act_for(row), may_recuse=may_act_for(row) or assigned(row),
        pending=recusal_steps.pending(s, record),
        recusal_modes=platform().policy_for(tenant()).rules(
            record.inspection_date).recusal_rule.modes,
        strata=class_strata.strata(s, record), chosen=chosen, shown=shown,
        preview=GROUP_PREVIEW, typed_target=len(result.selected) > LISTED_TARGETS), status


def _recusal_form(task: Task, result: kernel.DrawResult, names: dict[str, str],
                  people: dict[str, str], **kwargs: Any) -> forms.RecusalForm:
    """The recusal form offering the draw's current inspectors and experts (an inspector
    who may not act for the task: only themselves) and its targets, by group."""
    form = forms.RecusalForm(**kwargs)
    own = None if may_act_for(task) else inspector_codes()
    persons: list[tuple[str, str]] = []
    targets: list[tuple[str, str]] = []
    for g in result.final_groups:
        group = _("Group %(n)d", n=g.number)
        persons += [(m, f"{people.get(m, m)} {m}（{group}）") for m in g.members
                    if own is None or m in own]
        targets += [(t, f"{t} {names.get(t, '')}（{group}）") for t in g.targets]
    if own is None:
        persons += [(e, f"{people.get(e, e)} {e}（{_('Experts')}）") for e in result.final_experts]
    if not result.final_groups:
        targets = [(t, f"{t} {names.get(t, '')}") for t in result.selected]
    form.person_id.choices = persons
    form.credit_code.choices = targets
    return form


def _target_names(result: kernel.DrawResult) -> dict[str, str]:
    """Names of the targets the page shows: every selected one of a draw small enough for
    the recusal form to list them, else each group card's first ``GROUP_PREVIEW``."""
    if len(result.selected) <= LISTED_TARGETS:
        codes: list[str] = list(result.selected)
    else:
        codes = [t for g in result.final_groups for t in g.targets[:GROUP_PREVIEW]]
    return target_names(db_session(), codes)


@bp.post("/draws/<int:draw_id>/recusals")
@allow("tenant_admin", "operator", "inspector")
def recuse(draw_id: int) -> ResponseReturnValue:
    """Declare a conflict of interest; the pack's mode is applied as a seeded step."""
    record, row = draw_or_404(draw_id)
    result = bundlefiles.current_result(record)
    form = _recusal_form(row, result, _target_names(result), people_names(db_session()))
    codes = inspector_codes() if has_role("inspector") else frozenset()
    if not may_act_for(row) and form.person_id.data not in codes:
        abort(403)  # an inspector declares their own conflicts only
    if not form.validate_on_submit():
        return result_page(record, row, status=422, recusal_form=form, problem_at="recusal")
    s = db_session()
    v2 = draw_service.is_v2(record)
    step = recusal_steps.declare if v2 else draw_service.recuse  # v2: applied once its
    try:  # beacon round is out
        step(s, tenant(), record.id, person=form.person_id.data or "",
             credit_code=form.credit_code.data or "", mode=form.mode.data or "",
             reason=form.reason.data or "", platform=platform())
    except (UserError, KernelError) as exc:
        s.rollback()
        return result_page(record, row, status=refusal_status(exc)
                           if isinstance(exc, UserError) else 422, recusal_form=form,
                           problem=on_form(form, exc), problem_at="recusal")
    s.commit()
    flash(_("The recusal was declared; apply it once its beacon round is out.") if v2
          else _("The recusal was recorded and applied."), "info")
    return redirect(url_for("staff.draw_result", draw_id=record.id))


@bp.post("/draws/<int:draw_id>/recusals/apply")
@allow("tenant_admin", "operator")
def apply_recusal(draw_id: int) -> ResponseReturnValue:
    """Apply the declared recusal step of an announced draw with its beacon round."""
    record, row = draw_or_404(draw_id)
    require_act(row)
    signature = (request.form.get("beacon_signature") or "").strip() or None
    return act(lambda: recusal_steps.apply(db_session(), tenant(), record.id,
                                           platform=platform(), beacon_signature=signature),
               done=_("The recusal step was applied."),
               to=url_for("staff.draw_result", draw_id=record.id),
               refused=lambda exc: result_page(record, row, status=refusal_status(exc),
                                               problem=for_browser(exc), problem_at="apply"))


@bp.post("/draws/<int:draw_id>/void")
@allow("tenant_admin")  # not an operator: voiding and drawing again would steer the outcome
def void(draw_id: int) -> ResponseReturnValue:
    record, row = draw_or_404(draw_id)
    require_act(row)
    form = forms.VoidForm()
    if not form.validate_on_submit():
        return result_page(record, row, status=422, void_form=form, problem_at="void")
    return act(lambda: draw_service.void(db_session(), tenant(), record.id,
                                         form.reason.data or ""),
               done=_("The draw was voided. It stays visible, with the reason."),
               to=url_for("staff.task", task_id=row.id),
               refused=lambda exc: result_page(record, row, status=refusal_status(exc),
                                               void_form=form, problem=on_form(form, exc),
                                               problem_at="void"))

"""The announcement's declared conflicts of interest (利害关系) as a picker (issue #16 item 3):
each row names a person, chosen from a list of the tenant's inspectors and experts by name,
and a target, typed as a name or credit code.

In the browser, the target box suggests targets as the person types, from
:func:`target_search` (a small JSON endpoint: tenant-scoped, paged, for the people who hold
the draw ceremony), so a directory of 1,000,000 targets is never sent to the page. Without
JavaScript the same box takes a credit code or a company's exact name, resolved when the
form is sent; a name several targets share is refused, naming their credit codes; "Add a
row" sends the form back with one row more and everything typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.models.directories import Expert, Inspector
from shuangsuiji.services import target_search
from shuangsuiji.services.directories import draw_id
from shuangsuiji.web.localise import localise
from shuangsuiji.web.staff.common import EDITORS, bp

#: Empty rows the form offers at least.
ROWS_SHOWN = 3
#: Rows the form takes at most (an announcement names a few conflicts, not a directory).
MAX_ROWS = 200


@dataclass
class ConflictRow:
    """One row of the picker: the person chosen, the target as typed, and once resolved the
    target's credit code and name; ``error`` says what is wrong with the row."""

    person: str = ""
    typed: str = ""
    credit_code: str = ""
    name: str = ""
    error: str | None = None


def person_choices() -> list[tuple[str, str]]:
    """Every inspector and expert a conflict may name: (id in draws, name and id)."""
    s = db_session()
    choices = [(draw_id(cert, work), f"{name} {draw_id(cert, work)}")
               for name, cert, work in s.execute(
                   select(Inspector.name, Inspector.certificate_no, Inspector.work_id)
                   .order_by(Inspector.name))]
    experts = _("Expert")
    choices += [(code, f"{name} {code}（{experts}）") for name, code in s.execute(
        select(Expert.name, Expert.expert_code).where(Expert.expert_code.is_not(None))
        .order_by(Expert.name)) if code]
    return choices


def typed_rows(formdata: MultiDict[str, str]) -> list[ConflictRow]:
    """The rows the form sent, rows left empty dropped."""
    people = formdata.getlist("conflict_person")
    targets = formdata.getlist("conflict_target")
    rows = []
    for i in range(max(len(people), len(targets))):
        person = people[i].strip() if i < len(people) else ""
        typed = targets[i].strip() if i < len(targets) else ""
        if person or typed:
            rows.append(ConflictRow(person, typed))
    return rows


def shown_rows(rows: list[ConflictRow], *, more: bool = False) -> list[ConflictRow]:
    """``rows`` and empty ones after them: at least :data:`ROWS_SHOWN`, one more if asked."""
    shown = list(rows) + [ConflictRow() for _n in range(max(0, ROWS_SHOWN - len(rows)))]
    if more:
        shown.append(ConflictRow())
    return shown


def resolve(rows: list[ConflictRow]) -> list[tuple[str, str]] | None:
    """The (person id, credit code) pairs of ``rows``, or None when a row is wrong (each
    wrong row then carries its ``error``, in the page's language)."""
    if len(rows) > MAX_ROWS:
        rows[MAX_ROWS].error = _("At most %(n)d conflicts can be declared in one "
                                 "announcement.", n=MAX_ROWS)
        return None
    known = {code for code, _label in person_choices()}
    s = db_session()
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(rows, 1):
        if not row.person:
            row.error = _("Row %(n)d: choose the person who has the conflict.", n=n)
        elif row.person not in known:
            row.error = _("Row %(n)d: the person %(person)s is not in the inspector or expert "
                          "directory; choose one from the list.", n=n, person=row.person)
        elif not row.typed:
            row.error = _("Row %(n)d: type the target's name or credit code and choose it.",
                          n=n)
        else:
            try:
                found = target_search.resolve(s, row.typed)
            except UserError as exc:
                row.error = _("Row %(n)d: %(why)s", n=n, why=_message(exc))
            else:
                row.credit_code, row.name = found.credit_code, found.name
                if (row.person, found.credit_code) in seen:
                    row.error = _("Row %(n)d repeats an earlier row.", n=n)
                seen.add((row.person, found.credit_code))
                pairs.append((row.person, found.credit_code))
    return None if any(r.error for r in rows) else pairs


def _message(exc: UserError) -> str:
    """A refusal of :func:`target_search.resolve` as one sentence in the page's language."""
    locale = get_locale()
    zh = locale is not None and locale.language == "zh"
    text = str(localise(exc.message)).rstrip("。. ")
    if exc.hint:
        text += ("；" if zh else "; ") + str(localise(exc.hint)).rstrip("。. ")
    return text + ("。" if zh else ".")


@bp.get("/targets/search.json")
@allow(*EDITORS)
def target_search_json() -> ResponseReturnValue:
    """Targets of the tenant matching ``q`` (part of a name, or the start of a credit code),
    page ``page`` (20 a page; ``more`` says whether another follows); no ``q``: an empty
    page. 422 with the reason for a query too short or a page out of range."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0
    query = request.args.get("q", "")
    if not query.strip():  # nothing asked yet: an empty page
        return jsonify({"q": "", "page": 1, "more": False, "results": []})
    try:
        found = target_search.search(db_session(), query, page=page)
    except UserError as exc:
        body: dict[str, Any] = {"error": str(localise(exc.message)), "field": exc.where}
        return jsonify(body), 422
    response = jsonify({
        "q": found.query, "page": found.page, "more": found.more,
        "results": [{"credit_code": f.credit_code, "name": f.name} for f in found.results]})
    response.headers["Cache-Control"] = "no-store"
    return response

"""A refusal shown on the form that was sent, the way a person in the browser can act on it.

Services say why they refuse in terms every caller shares: ``where`` is often the name of
the parameter (``ended_on``), and the hint is often what to type on the command line
(``ssj tasks end-work …``). On a page that is no help. Here a refusal is turned into what
the page shows:

* ``where`` naming a field of the form: the message goes under that field, inline, in the
  page's language, and the form (with what the person typed) is shown again;
* a hint that tells the command line what to do is replaced by what to do in the browser
  (:data:`BROWSER_HINTS`), or left out when there is no browser equivalent;
* any other ``where`` is translated; a parameter name the person never sees is replaced by
  its label (:data:`WHERE_LABELS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shuangsuiji.errors import UserError
from shuangsuiji.messages import Message, reason
from shuangsuiji.web.localise import localise

#: A command-line hint's template → what to do in the browser instead.
BROWSER_HINTS: dict[str, Any] = {
    "ssj tasks end-work --tenant T --task %(task)s --on DATE":
        _l("record the end of the work first: fill in “End of the work” on the task page"),
    "record its end first: ssj tasks end-work --tenant T --task %(task)s --on DATE":
        _l("record the end of the work first: fill in “End of the work” on the task page"),
    "write their records first, or confirm that the work ends without them by naming each "
    "(--confirm-missing CODE)":
        _l("enter their on-site records first, or list each of their credit codes in the "
           "box “Targets left without an on-site record” to end the work without them"),
    "write it: ssj report write --tenant T --task ...":
        _l("write the task report first: “Task report” on the task page"),
    "draw it first: ssj draw --tenant T --task %(task)s":
        _l("draw it first: “Prepare the draw” on the task page"),
    "announce the draw first: `ssj draw announce`":
        _l("announce the draw first, on the task's draw page"),
    "announce the redraw: `ssj draw announce` (it names the voided bundle's digest)":
        _l("announce the new draw first, on the task's draw page (it names the voided "
           "bundle's digest)"),
    "each party runs `ssj draw reveal`":
        _l("each party reveals its secret under “Commitments and reveals” on the draw page"),
    "`ssj draw recuse` declares it; `ssj draw recuse-apply` applies it":
        _l("declare the recusal with the recusal form on the draw's page"),
    "approve and publish it: `ssj items approve` then `ssj items publish` (MIIT 第五条, "
    "CQ 第四条)":
        _l("approve and publish it on the item list page (MIIT 第五条, CQ 第四条)"),
    "`ssj tasks list --tenant T` lists the tasks": _l("the task list shows the tasks"),
    "`ssj items list --tenant T` shows the item list": _l("the item list page shows the items"),
    "add --special or drop the trigger":
        _l("tick “special inspection” or leave the trigger empty"),
}

#: Parameter names a service may give as ``where`` that are no field of the form shown.
WHERE_LABELS: dict[str, Any] = {
    "ended_on": _l("Work ended on"), "published_on": _l("Published there on"),
    "directed_to": _l("Departments receiving a directed notification"),
    "reason": _l("Reason"), "mode": _l("Recusal mode"), "seed": _l("Seed as announced"),
    "beacon": _l("Beacon round"), "beacon signature": _l("Beacon round"),
    "seed procedure": _l("Seed procedure"), "commitment": _l("Commitment"),
    "secret": _l("Secret"), "credit_code": _l("Target"), "announcement": _l("Announcement"),
    "items": _l("Items"), "counts": _l("Counts of targets"), "max_count": _l("Most targets drawn"),
    "inspector_scope": _l("Where inspectors may come from"),
    "deadline": _l("Publication deadline"), "excluded_days": _l("Periods not counted"),
    "kind": _l("Kind"), "provision": _l("Other provision"), "q": _l("Search"),
    "tenant": _l("Jurisdiction"), "role": _l("Role"), "password": _l("Password"),
    "new": _l("New password"), "username": _l("User name"), "code": _l("Code"),
    "title": _l("Title"), "year": _l("Year"), "department": _l("Lead department"),
    "findings": _l("Findings"), "requirement": _l("Requirement"), "ends": _l("End"),
    "starts_on": _l("Start"), "ends_on": _l("End"), "due_on": _l("Due on"),
    "authority": _l("Receiving authority"), "ratio_permille": _l("Ratio (‰)"),
    "methods": _l("Methods"), "special_trigger": _l("Trigger of the special inspection"),
    "joint_divisions": _l("Other divisions taking part"), "conflicts": _l("Declared conflicts"),
}


@dataclass
class Shown:
    """What the page says at the top of the form (the ``user_error`` macro reads it)."""

    message: Any
    where: Any = None
    hint: Any = None


def browser_hint(hint: Any) -> Any:
    """``hint`` as advice for the browser: a known command-line hint replaced, an unknown
    one left out, anything else as it is."""
    if not hint:
        return None
    template = hint.template if isinstance(hint, Message) else str(hint)
    if template in BROWSER_HINTS:
        return BROWSER_HINTS[template]
    text = str(hint)
    if "ssj " in text or " --" in text:
        return None
    return hint


def for_browser(exc: BaseException) -> Shown:
    """A refusal (a service's UserError or the kernel's) as the page shows it."""
    if not isinstance(exc, UserError):
        return Shown(reason(exc))
    where = exc.where
    if isinstance(where, str) and not isinstance(where, Message) and where in WHERE_LABELS:
        where = WHERE_LABELS[where]
    return Shown(exc.message, where, browser_hint(exc.hint))


def on_form(form: Any, exc: BaseException | None) -> Shown | None:
    """Show ``exc`` on ``form``: under the field it names (None is then returned: nothing
    to show above the form), else as what to show above the form."""
    if exc is None:
        return None
    shown = for_browser(exc)
    name = getattr(exc, "where", None)
    field = (form._fields.get(name) if isinstance(name, str) and form is not None
             and not isinstance(name, Message) else None)
    if field is None or field.type in ("HiddenField", "CSRFTokenField"):
        return shown
    text = str(localise(shown.message))
    if shown.hint:
        locale = get_locale()
        zh = locale is not None and locale.language == "zh"
        text = text.rstrip("。. ") + ("。" if zh else ". ") + str(_l("What to do:")) + (
            "" if zh else " ") + str(localise(shown.hint))
    field.errors = [*field.errors, text]
    return None

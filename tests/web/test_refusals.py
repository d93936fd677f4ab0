"""What the browser says instead of the command line (web/refusals.py): every known CLI
hint of the services has a browser equivalent, and no ``ssj …`` hint reaches a page."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.web import refusals

CATALOGUE = (Path(refusals.__file__).resolve().parents[1] / "translations" / "zh_Hans_CN"
             / "LC_MESSAGES" / "messages.po")


def test_every_replaced_hint_is_a_hint_the_services_give() -> None:
    """A service hint reworded would silently lose its browser advice: each key must still
    be a message of the catalogue (extracted from the services' msg() calls)."""
    with CATALOGUE.open("rb") as f:
        known = {m.id for m in read_po(f) if m.id}
    assert set(refusals.BROWSER_HINTS) - known == set()


def test_command_line_hints_never_reach_a_page(app: Flask) -> None:
    with app.test_request_context():
        shown = refusals.for_browser(UserError(
            msg("the work of task %(task)s has not ended", task="T-1"),
            hint=msg("ssj tasks end-work --tenant T --task %(task)s --on DATE", task="T-1")))
        assert "ssj" not in str(shown.hint) and "抽查工作结束" in str(shown.hint)
        unknown = refusals.for_browser(UserError("x", hint="run `ssj frobnicate --all`"))
        assert unknown.hint is None
        kept = refusals.for_browser(UserError("x", hint=msg("use csv or xlsx")))
        assert kept.hint == "use csv or xlsx"
        where = refusals.for_browser(UserError("x", where="ended_on"))
        assert str(where.where) == "抽查工作结束日期"  # the label, not the parameter

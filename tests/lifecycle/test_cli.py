"""The lifecycle commands: output, and refusals as messages, never tracebacks."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.services import audit

DATA = Path(__file__).parent / "data"


class Runner:
    """The app's CLI inside an app context, as ``ssj`` runs it."""

    def __init__(self, app):
        self.app = app
        self.runner = app.test_cli_runner()

    def invoke(self, args):
        with self.app.app_context():
            return self.runner.invoke(args=args)


def test_deadline_command_prints_due_date_and_counted_days(app, tenant_tree):
    runner = Runner(app)
    out = runner.invoke(args=["deadline", "--tenant", "chongqing", "--end", "2026-09-18"])
    assert out.exit_code == 0, out.output
    assert "due 2026-10-22: 20 working days after 2026-09-18" in out.output
    assert "chongqing 2021 第十四条" in out.output
    assert "09-20" in out.output and "10-01" not in out.output.split("counted:")[1]


def test_provisional_then_exact_after_calendar_import(app, tenant_tree, calendar_until_2026):
    runner = Runner(app)
    out = runner.invoke(args=["deadline", "--tenant", "miit", "--end", "2026-12-10"])
    assert "due 2027-01-21" in out.output and "PROVISIONAL" in out.output
    out = runner.invoke(args=["calendar", "import", "--tenant", "miit",
                              str(DATA / "holidays-2027.csv")])
    assert out.exit_code == 0 and "2027: imported (5 holidays, 1 make-up workdays)" in out.output
    out = runner.invoke(args=["calendar", "list", "--tenant", "miit"])
    assert "2027  tenant" in out.output
    out = runner.invoke(args=["deadline", "--tenant", "miit", "--end", "2026-12-10"])
    assert "due 2027-01-22" in out.output and "PROVISIONAL" not in out.output


def test_refusal_is_a_message_and_changes_nothing(app, platform, tenant_tree):
    runner = Runner(app)
    with platform.db.session() as s:
        before = audit.count(s, tenant_tree["miit"])
    out = runner.invoke(args=["deadline", "--tenant", "miit", "--end", "2026-02-06",
                              "--excluded-days", "2"])
    assert out.exit_code == 1
    assert "miit 2018 第十五条" in out.output and "Traceback" not in out.output
    out = runner.invoke(args=["plans", "create", "--tenant", "miit", "--year", "2026",
                              "--title", "计划", "--made-on", "2026-05-01"])
    assert out.exit_code == 0 and "outside the window" in out.output
    out = runner.invoke(args=["tasks", "create", "--tenant", "miit", "--plan-year", "2026",
                              "--code", "X", "--title", "t", "--department", "d", "--item",
                              "NOPE", "--starts-on", "2026-05-02", "--ends-on", "2026-05-01",
                              "--method", "on_site", "--ratio", "100"])
    assert out.exit_code == 1 and "ends_on" in out.output and "Traceback" not in out.output
    with platform.db.session() as s:
        assert audit.count(s, tenant_tree["miit"]) == before + 1  # only the plan

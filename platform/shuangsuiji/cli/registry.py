"""What ``ssj`` is made of: the command modules, every command's name and short help, the
commands that need no app. Kept apart from :mod:`shuangsuiji.cli` so that the app factory
can register the commands without importing the command line's entry point (which builds
the app: a circle)."""

from __future__ import annotations

import importlib

import click

#: Modules whose ``commands`` make up ``ssj`` (and ``flask --app shuangsuiji``).
MODULES: tuple[str, ...] = tuple(f"shuangsuiji.cli.{name}" for name in (
    "db_cmd", "tenants_cmd", "packs_cmd", "audit_cmd", "imports", "items_cmd", "credit_cmd",
    "provisions_cmd", "draw_cmd", "lifecycle", "publishing", "pack_dev", "users", "demo_cmd",
    "log_cmd", "jobs_cmd", "verify_cmd", "units_cmd", "credit_classes_cmd", "joint_cmd",
))

_L = "shuangsuiji.cli.lifecycle"
_P = "shuangsuiji.cli.publishing"
#: Every command: name → (module, short help), so listing them imports none of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("shuangsuiji.cli.db_cmd", "Database schema (Alembic migrations)."),
    "tenants": ("shuangsuiji.cli.tenants_cmd", "Tenants (辖区) and their packs."),
    "packs": ("shuangsuiji.cli.packs_cmd", "Installed policy packs (实施细则)."),
    "audit": ("shuangsuiji.cli.audit_cmd", "The audit chain (every state change, hash-linked)."),
    "import": ("shuangsuiji.cli.imports",
               "Import directories (名录库) and the item list (抽查事项清单); see "
               "docs/imports.md."),
    "export": ("shuangsuiji.cli.imports",
               "Export KIND to FILE (.csv or .xlsx); the file can be imported again unchanged."),
    "credit-publicity": ("shuangsuiji.cli.credit_cmd",
                         "Hand published results over to the credit publicity system "
                         "(信用信息公示系统)."),
    "credit-classes": ("shuangsuiji.cli.credit_classes_cmd",
                       "Credit-risk classes (信用风险分类) of targets, with effective dates."),
    "provisions": ("shuangsuiji.cli.provisions_cmd",
                   "Superseding provisions (另有规定) that set another frequency for items."),
    "units": ("shuangsuiji.cli.units_cmd",
              "The organisation tree (组织机构): 司局, 处室, 综合执法处, 下级主管部门."),
    "joint": ("shuangsuiji.cli.joint_cmd",
              "Joint tasks (联合抽查): participants, their quotas, results per item, "
              "publication."),
    "items": ("shuangsuiji.cli.items_cmd",
              "The item list (随机抽查事项清单): versions, approval, publication."),
    "draw": ("shuangsuiji.cli.draw_cmd",
             "Draw the targets, inspectors and experts of a task (抽取)."),
    "verify": ("shuangsuiji.cli.verify_cmd",
               "Recompute a draw from its bundle, offline; exit non-zero at the first "
               "mismatch."),
    "verifier": ("shuangsuiji.cli.verify_cmd",
                 "Write the offline verifier as one file (runs on Python 3.11+, standard "
                 "library only)."),
    "plans": (_L, "Annual plans (年度抽查工作计划)."),
    "tasks": (_L, "Tasks (抽查任务) under an annual plan."),
    "notices": (_L, "The notice (告知) to each drawn target: basis, content and what it must "
                    "provide."),
    "record": (_L, "Write the on-site record (现场检查记录) of one drawn target."),
    "period": (_L, "Record a testing, inspection or appraisal period (检验、检测、鉴定)."),
    "result": (_L, "Set the result of one drawn target."),
    "report": (_L, "Write the task report (抽查情况报告)."),
    "publish": (_P, "Publish a task's results (公开), recording whether it is on time."),
    "deadline": (_P, "Print the publication due date and the working days counted to reach "
                     "it."),
    "deadlines": (_P, "Tasks overdue or due soon for publication."),
    "calendar": (_P, "Tenant holiday calendars for years the chinesecalendar package does not "
                     "know."),
    "followup": (_P, "Rectification (整改) tracking and cases handed on (移送)."),
    "stats": (_P, "Statistics per tenant and year; --compare for all tenants side by side."),
    "pack": ("shuangsuiji.cli.pack_dev",
             "Write, check and compare policy packs (plugin developer kit)."),
    "users": ("shuangsuiji.cli.users", "Accounts and their roles."),
    "demo": ("shuangsuiji.cli.demo_cmd", "Demo data."),
    "log": ("shuangsuiji.cli.log_cmd",
            "The transparency log (signed checkpoints, proofs, witnesses)."),
    "worker": ("shuangsuiji.cli.jobs_cmd",
               "Run background jobs (imports, exports started in the browser) from the Redis "
               "queue."),
    "jobs": ("shuangsuiji.cli.jobs_cmd",
             "Background jobs: list them, show one, run or retry one here."),
}


#: Commands that need no app (no database): they start without building one.
OFFLINE = frozenset({"verify", "verifier"})

#: Quick commands: they need the database and the packs only, so ``ssj`` runs them on a
#: platform built without Flask (``host.cli_platform``; no Flask, Werkzeug or Jinja
#: imported). Every other command runs in a Flask app's context, built without the web
#: pages and the API (``SSJ_CLI``).
LIGHT = frozenset({"tenants", "packs"})

#: Commands that ``ssj`` also runs on that platform without Flask, every model defined: they
#: use the services only. ``ssj draw`` is the one a ceremony waits for (Flask's import alone
#: is about 0.1 s of it).
BARE = frozenset({"draw"})


def register_commands(group: click.Group) -> None:
    """Add every command module's commands to ``group`` (the app's CLI or ``ssj``)."""
    for name in MODULES:
        for command in importlib.import_module(name).commands:
            if command.name not in group.commands:
                group.add_command(command)

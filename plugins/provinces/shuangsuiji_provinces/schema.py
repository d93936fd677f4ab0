"""The schema of a province file, as code: what each table may hold, and how it is checked.

One :class:`Field` per key. The same objects validate files (:mod:`.loader`) and generate
the schema reference in docs/plugins.md (:func:`schema_markdown`), so the two cannot drift.

Rule tables are named after the hooks they answer, without the ``ssj_`` prefix
(``[versions.rules.recusal_rule]`` answers ``ssj_recusal_rule``). A rule table that is
absent makes the hook return ``None``, so the parent pack (MIIT) answers. Every rule table
carries an ``article``; list tables (item categories, risk rules, extra exclusions, result
types) carry one for the table, and each entry may give its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shuangsuiji.credit_rules import CLASS_CODE
from shuangsuiji.rules import (
    BOUNDS,
    CHANNELS,
    CODE_PATTERN,
    CREDENTIALS,
    EXCLUDABLE_PERIODS,
    INSPECTOR_SCOPES,
    METHODS,
    RECUSAL_MODES,
    REPORT_FIELDS,
    RISK_FLAGS,
    SPECIAL_TRIGGERS,
    STANDARD_RESULTS,
    START_EVENTS,
)

#: Kinds of declarative exclusion the kernel understands (see rules.ExclusionRule).
EXCLUSION_KINDS: tuple[str, ...] = ("recently_inspected", "flag")

PACK_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CODE = CODE_PATTERN  # one pattern for province files and Python packs (shuangsuiji.rules)
MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")

#: A check returns None when the value is fine, else a sentence saying what is wrong.
Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class Field:
    """One key of a table: its TOML type, whether it is required, and its checks."""

    name: str
    kind: str  # "string" | "integer" | "boolean" | "date" | "string list" | "month-day"
    doc: str
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()  # for strings and string lists
    minimum: int | None = None
    maximum: int | None = None
    pattern: re.Pattern[str] | None = None
    checks: tuple[Check, ...] = ()

    def describe_type(self) -> str:
        """The type and its limits, for the schema reference."""
        text = self.kind
        if self.choices:
            text += " of " + ", ".join(f"`{c}`" for c in self.choices)
        if self.minimum is not None and self.maximum is not None:
            text += f", {self.minimum}–{self.maximum}"
        elif self.minimum is not None:
            text += f", ≥ {self.minimum}"
        if self.pattern is not None:
            text += f", matching `{self.pattern.pattern}`"
        return text


@dataclass(frozen=True)
class Table:
    """A table of the file: its fields and, for list tables, the entries' key and fields."""

    name: str
    hook: str | None  # the hook it answers; None for the top level and [[versions]]
    doc: str
    fields: tuple[Field, ...]
    # e.g. "categories", for [[versions.rules.item_categories.categories]]
    entries_key: str | None = None
    entry_fields: tuple[Field, ...] = ()
    entry_id: str | None = None  # the entry field that must be unique ("code", "flag")

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _article() -> Field:
    return Field("article", "string",
                 "Article of the 实施细则 this rule implements, e.g. `第十四条`.")


def _entry_article() -> Field:
    return Field("article", "string", "This entry's article, when not the table's.", required=False)


def _not_29_feb(value: str) -> str | None:
    return "February 29 does not exist every year; use 02-28 or 03-01" if value == "02-29" else None


def _valid_month_day(value: str) -> str | None:
    match = MONTH_DAY.match(value)
    if not match:
        return f"{value!r} is not MM-DD (e.g. \"03-31\")"
    try:
        date(2001, int(match.group(1)), int(match.group(2)))  # 2001: a year without 29 Feb
    except ValueError:
        return _not_29_feb(value) or f"{value!r} is not a day of the year"
    return None


def _not_standard_result(value: str) -> str | None:
    if value in STANDARD_RESULTS:
        return f"{value!r} is already a standard result; results added by a pack need new codes"
    return None


TOP = Table(
    name="(top level)",
    hook=None,
    doc="The pack itself.",
    fields=(
        Field("name", "string", "Pack name, as tenants refer to it (`ssj tenants create --pack`). "
              "Lower case, digits and hyphens.", pattern=PACK_NAME),
        Field("title", "string", "Title of the 实施细则."),
        Field("contract", "string",
              "Hook-contract version the file was written for, `MAJOR.MINOR`.",
              pattern=re.compile(r"^\d+\.\d+$")),
        Field("extends", "string", "The pack it is written against. Informative: the tenant tree "
              "decides inheritance, and MIIT is always the baseline.", required=False,
              default="miit"),
        Field("description", "string", "One line for `ssj packs list`.", required=False,
              default=""),
    ),
)

VERSION = Table(
    name="versions",
    hook=None,
    doc="`[[versions]]`: one per document issued. Versions must not overlap in time.",
    fields=(
        Field("version", "string", "Short name of the version, unique in the file, e.g. `2023`."),
        Field("document", "string", "Document number, e.g. `示工信发〔2023〕7号`."),
        Field("title", "string", "Title of the document."),
        Field("issued", "date", "Day of issue (TOML date, `2023-03-01`)."),
        Field("effective", "date", "First day in force."),
        Field("repealed", "date", "First day no longer in force; absent while in force.",
              required=False),
        Field("repeals", "string", "The document this version repealed, as its text cites it.",
              required=False),
        Field("inherits", "string", "An earlier version of this file whose rule tables carry "
              "over: this version states only the tables that changed, each replacing the "
              "inherited table whole. Inherited rules cite this version (as a Python subclass "
              "does). Without it, a table left out is answered by MIIT.", required=False),
    ),
)


def _list(name: str, choices: tuple[str, ...], doc: str, **kw: Any) -> Field:
    return Field(name, "string list", doc, choices=choices, **kw)


RULE_TABLES: tuple[Table, ...] = (
    Table("org_roles", "ssj_org_roles", "Who leads, who runs draws, who notifies targets.", (
        Field("lead_organ", "string", "Organ that leads the work, e.g. `综合执法处`."),
        Field("acting_unit", "string", "Units that run the draws."),
        Field("notifying_unit", "string", "Unit that tells targets of the inspection."),
        _article(),
    )),
    Table("item_categories", "ssj_item_categories",
          "Item categories with their ratio caps. Entries: "
          "`[[versions.rules.item_categories.categories]]`.",
          (_article(),), entries_key="categories", entry_id="code", entry_fields=(
              Field("code", "string", "Category code, e.g. `key`, `general`.", pattern=CODE),
              Field("name_zh", "string", "Chinese name, e.g. `重点检查事项`."),
              Field("name_en", "string", "English name."),
              Field("cap_permille", "integer",
                    "Ceiling on the ratio one task may draw of an item of this category, in ‰ "
                    "(per task, not per year); absent: no ceiling. An item imported with a "
                    "higher cap of its own is refused.",
                    required=False, minimum=0, maximum=1000),
              Field("cap_required", "boolean", "Each item of the category must carry its own cap.",
                    required=False, default=False),
              Field("batch_order", "boolean", "The order of inspection batches may be drawn.",
                    required=False, default=False),
              Field("batch_order_min_permille", "integer", "Task ratio (‰) from which the "
                    "batch order may be drawn; `0` means at any ratio. Batches are drawn only "
                    "for a task created with `--batches N`.",
                    required=False, default=1000, minimum=0, maximum=1000),
              _entry_article(),
          )),
    Table("exclusion_policy", "ssj_exclusion_policy", "Built-in exclusions and who is exempt.", (
        Field("once_per_year", "boolean", "Same item × target at most once a year."),
        Field("same_quarter_other_divisions", "boolean",
              "Exclude targets other divisions inspected this quarter."),
        _list("exempt_risk_flags", RISK_FLAGS, "Risk flags exempt from both built-in rules "
              "(not from `extra_exclusions`, which name their own `exempt_flags`).",
              required=False, default=()),
        _article(),
    )),
    Table("extra_exclusions", "ssj_extra_exclusions",
          "Extra exclusions. Entries: `[[versions.rules.extra_exclusions.exclusions]]`; "
          "`kind = \"recently_inspected\"` needs `days`, `kind = \"flag\"` needs `flag`.",
          (_article(),), entries_key="exclusions", entry_id="code", entry_fields=(
              Field("code", "string", "Unique code of the exclusion.", pattern=CODE),
              Field("kind", "string", "What excludes a target.", choices=EXCLUSION_KINDS),
              Field("days", "integer", "For `recently_inspected`: inspected within that many "
                    "days before the task starts.", required=False,
                    minimum=BOUNDS["days"][0], maximum=BOUNDS["days"][1]),
              Field("flag", "string", "For `flag`: targets carrying this risk flag.",
                    required=False, choices=RISK_FLAGS),
              Field("categories", "string list", "Item categories (codes of `item_categories`) "
                    "the rule is limited to: it applies only to a task with an item of one of "
                    "them. Absent: every task.", required=False, default=(), pattern=CODE),
              _list("exempt_flags", RISK_FLAGS, "Risk flags whose targets this rule does not "
                    "exclude (the policy's `exempt_risk_flags` cover the built-in rules only).",
                    required=False, default=()),
              _entry_article(),
          )),
    Table("risk_rules", "ssj_risk_rules",
          "Risk flags that raise the ratio. Entries: `[[versions.rules.risk_rules.flags]]`. The "
          "flagged stratum is drawn at max(item ratio × multiplier, ratio_permille), ≤ 1000 ‰.",
          (_article(),), entries_key="flags", entry_id="flag", entry_fields=(
              Field("flag", "string", "Risk flag.", choices=RISK_FLAGS),
              Field("ratio_permille", "integer", "Minimum ratio of the flagged stratum, ‰.",
                    required=False, default=0, minimum=0, maximum=1000),
              Field("multiplier", "integer", "Multiplier of the item's ratio.", required=False,
                    default=1, minimum=BOUNDS["multiplier"][0],
                    maximum=BOUNDS["multiplier"][1]),
              _entry_article(),
          )),
    Table("credit_classes", "ssj_credit_classes",
          "Credit-risk classes (信用风险分类, 国发〔2019〕5号) and the ratio each class's stratum "
          "is drawn at. Entries: `[[versions.rules.credit_classes.classes]]`. A target's class "
          "in force on the task's start date puts it in that class's stratum, drawn at the "
          "class's own ratio; a target carrying a risk flag of `risk_rules` stays in its risk "
          "stratum (docs/draw-spec.md §3.2).",
          (_article(),), entries_key="classes", entry_id="code", entry_fields=(
              Field("code", "string", "Class code as the tenant's class file writes it, e.g. "
                    "`A`, `D`.", pattern=CLASS_CODE),
              Field("name_zh", "string", "Chinese name, e.g. `D类（高风险）`."),
              Field("name_en", "string", "English name."),
              Field("ratio_permille", "integer", "Ratio of the class's stratum, ‰ (used as "
                    "it is, also below the task's ratio).", minimum=0, maximum=1000),
              _entry_article(),
          )),
    Table("special_inspections", "ssj_special_inspections",
          "Triggers of special or dragnet inspections, exempt from the sampling rules.", (
              _list("triggers", SPECIAL_TRIGGERS, "The triggers."),
              _article(),
          )),
    Table("group_rule", "ssj_group_rule", "How inspectors are drawn into groups.", (
        Field("min_size", "integer", "Minimum inspectors per group.",
              minimum=BOUNDS["min_size"][0], maximum=BOUNDS["min_size"][1]),
        Field("leader", "boolean", "A leader (组长) is named.", required=False, default=True),
        _list("scopes", INSPECTOR_SCOPES, "Scopes inspectors may be drawn from."),
        _article(),
    )),
    Table("eligibility", "ssj_eligibility", "Who may be drawn as an inspector.", (
        _list("credentials", CREDENTIALS, "Any one of these makes a person eligible."),
        Field("valid_on_date", "boolean", "The credential must be valid on the inspection date.",
              required=False, default=True),
        _article(),
    )),
    Table("recusal_rule", "ssj_recusal_rule", "Allowed recusal modes.", (
        _list("modes", RECUSAL_MODES,
              "`swap` (交换检查对象) and/or `withdraw` (重新随机抽取替代人员)."),
        _article(),
    )),
    Table("methods", "ssj_methods", "Allowed inspection methods.", (
        _list("methods", METHODS, "The methods."),
        _article(),
    )),
    Table("on_site_rule", "ssj_on_site_rule", "On-site inspections.", (
        Field("min_inspectors", "integer", "Minimum inspectors on site.",
              minimum=BOUNDS["min_inspectors"][0], maximum=BOUNDS["min_inspectors"][1]),
        _list("credentials", CREDENTIALS, "Credentials they may show."),
        _article(),
    )),
    Table("report_rule", "ssj_report_rule", "The task report (抽查情况报告).", (
        Field("required", "boolean", "A report is required after each task."),
        _list("fields", REPORT_FIELDS, "Fields the report must have.", required=False, default=()),
        _article(),
    )),
    Table("publication_deadline", "ssj_publication_deadline", "Publication deadline.", (
        Field("working_days", "integer", "Working days after the start event.",
              minimum=BOUNDS["working_days"][0], maximum=BOUNDS["working_days"][1]),
        Field("start_event", "string", "Event the count starts after.", required=False,
              default="work_end", choices=START_EVENTS),
        _list("excluded_periods", EXCLUDABLE_PERIODS, "Periods left out of the count "
              "(检验、检测、鉴定).", required=False, default=()),
        _list("channels", CHANNELS, "Where results are published.", required=False,
              default=CHANNELS),
        Field("per_target_results", "boolean", "Each target's result is published too.",
              required=False, default=True),
        _article(),
    )),
    Table("plan_window", "ssj_plan_window", "When the annual plan is made, each year.", (
        Field("start", "month-day", "First day, `MM-DD`.", checks=(_valid_month_day,)),
        Field("end", "month-day", "Last day (inclusive), `MM-DD`.", checks=(_valid_month_day,)),
        _article(),
    )),
    Table("result_types", "ssj_result_types",
          "Results added to the standard list. Entries: `[[versions.rules.result_types.results]]`.",
          (_article(),), entries_key="results", entry_id="code", entry_fields=(
              Field("code", "string", "Result code.", pattern=CODE, checks=(_not_standard_result,)),
              Field("name_zh", "string", "Chinese name."),
              Field("name_en", "string", "English name."),
              Field("problem_found", "boolean", "The result means a problem was found."),
              _entry_article(),
          )),
)

RULES_BY_NAME: dict[str, Table] = {t.name: t for t in RULE_TABLES}


@dataclass
class SchemaDoc:
    """Rows of the generated schema reference."""

    lines: list[str] = field(default_factory=list)

    def table(self, title: str, doc: str, fields: tuple[Field, ...]) -> None:
        self.lines += [f"#### {title}", "", doc, "", "| key | type | required | meaning |",
                       "|---|---|---|---|"]
        for f in fields:
            req = "yes" if f.required else (f"no (default `{_toml(f.default)}`)"
                                             if f.default not in (None, "") else "no")
            self.lines.append(f"| `{f.name}` | {f.describe_type()} | {req} | {f.doc} |")
        self.lines.append("")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def schema_markdown() -> str:
    """The schema reference, as Markdown (embedded in docs/plugins.md)."""
    doc = SchemaDoc()
    doc.table("Top level", TOP.doc, TOP.fields)
    doc.table("`[[versions]]`", VERSION.doc, VERSION.fields)
    for t in RULE_TABLES:
        doc.table(f"`[versions.rules.{t.name}]` → `{t.hook}`", t.doc, t.fields)
        if t.entries_key:
            doc.table(f"`[[versions.rules.{t.name}.{t.entries_key}]]`",
                      f"One entry of `{t.name}`; `{t.entry_id}` must be unique.", t.entry_fields)
    return "\n".join(doc.lines).rstrip() + "\n"

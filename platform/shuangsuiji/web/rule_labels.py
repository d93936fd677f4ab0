"""The central admin's pack comparison for people: rule and field names, and values, by
their labels (``packkit.diff`` gives RuleSet field names and plain JSON values).

``{{ d|rule_name }}`` names a difference (规则 · 成员 · 字段); ``{{ value|rule_value(field) }}``
shows a scalar value (是/否, a code's label, ‰ for a permille field, "not set" for None).
A mapping or list is laid out by the page (``central/pack_diff.html``), each field by its
label, never as its Python text.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from shuangsuiji.web import labels

#: RuleSet fields.
RULES: dict[str, Any] = {
    "org_roles": _l("Organs and their roles"),
    "item_categories": _l("Item categories"),
    "exclusion_policy": _l("Exclusions from the pool"),
    "risk_rules": _l("Risk strata"),
    "credit_classes": _l("Credit-risk classes (信用风险分类)"),
    "special_inspections": _l("Special inspections (专项检查)"),
    "group_rule": _l("Inspection groups"),
    "eligibility": _l("Inspector eligibility"),
    "recusal_rule": _l("Recusal"),
    "methods": _l("Inspection methods"),
    "on_site_rule": _l("On-site inspection"),
    "report_rule": _l("Task report"),
    "publication_deadline": _l("Publication deadline"),
}

#: Fields of the rules (and of their members).
FIELDS: dict[str, Any] = {
    "acting_unit": _l("Acting unit (实施部门)"),
    "batch_order": _l("Key items drawn first"),
    "batch_order_min_permille": _l("Least share drawn first"),
    "cap_permille": _l("Cap (比例上限)"),
    "cap_required": _l("Cap required for each item"),
    "channels": _l("Published through"),
    "code": _l("Code"),
    "credentials": _l("Credentials accepted"),
    "excluded_periods": _l("Periods not counted"),
    "exempt_risk_flags": _l("Risk flags exempt from exclusion"),
    "fields": _l("Parts of the report"),
    "flag": _l("Risk flag"),
    "lead_organ": _l("Lead organ (牵头部门)"),
    "leader": _l("Group leader named"),
    "methods": _l("Methods"),
    "min_inspectors": _l("Least inspectors on site"),
    "min_size": _l("Least members per group"),
    "modes": _l("Recusal modes"),
    "multiplier": _l("Ratio multiplier"),
    "name_en": _l("Name (English)"),
    "name_zh": _l("Name (Chinese)"),
    "notifying_unit": _l("Unit notifying the targets"),
    "once_per_year": _l("A target inspected at most once a year"),
    "per_target_results": _l("Results published per target"),
    "ratio_permille": _l("Ratio (‰)"),
    "required": _l("Required"),
    "same_quarter_other_divisions": _l("Not inspected by two divisions in one quarter"),
    "scopes": _l("Where inspectors may come from"),
    "start_event": _l("Counted from"),
    "triggers": _l("Triggers"),
    "valid_on_date": _l("Credential valid on the inspection day"),
    "working_days": _l("Working days"),
}

#: Codes that appear only as rule values (the others are in :data:`labels.LABELS`).
VALUES: dict[str, Any] = {
    "work_end": _l("the end of the work"),
    "portal": _l("the public portal"),
    "credit_publicity": _l("the credit publicity system"),
    "complaint": _l("a complaint or report"),
    "assigned_from_above": _l("assigned by a higher authority"),
    "transferred_lead": _l("a lead transferred by another authority"),
    "ministry_provision": _l("a provision of the ministry"),
    "local_government_provision": _l("a provision of the local government"),
    "within_department": _l("within the department"),
    "across_departments": _l("across departments"),
    "with_subordinates": _l("with subordinate authorities"),
    "enforcement_certificate": _l("Enforcement certificate"),
    "work_id": _l("Work ID"),
    "period": _l("Period of the inspection"),
    "target_count": _l("Number of targets inspected"),
    "content": _l("What was inspected"),
    "findings": _l("Problems found in the inspection"),
    "handling": _l("How they were handled"),
    "suggestions": _l("Suggestions for the work"),
    "testing": _l("Testing"),
    "inspection": _l("Inspection (检验)"),
    "appraisal": _l("Appraisal"),
}

#: What packkit.diff shows for a rule one side does not have.
ABSENT = "(none)"


def rule_name(difference: Any) -> str:
    """``item_categories[general].cap_permille`` as 抽查事项类别 · 一般事项 · 比例上限."""
    parts = [str(RULES.get(difference.rule, difference.rule))]
    if difference.key is not None:
        parts.append(labels.label(difference.key))
    if difference.field:
        parts.append(str(FIELDS.get(difference.field, difference.field)))
    return " · ".join(parts)


def field_name(field: str) -> str:
    return str(FIELDS.get(field, field))


def rule_value(value: Any, field: str | None = None) -> str:
    """One scalar value of a rule, for people."""
    if value is None:
        return gettext("not set")
    if value == ABSENT:
        return gettext("not in these rules")
    if isinstance(value, bool):
        return labels.label(value)
    if isinstance(value, int | float):
        return f"{value}‰" if field and field.endswith("permille") else str(value)
    text = str(value)
    if text in VALUES:
        return str(VALUES[text])
    return labels.label(text, "method" if field == "methods" else None)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["rule_name"] = rule_name
    app.jinja_env.filters["rule_value"] = rule_value
    app.jinja_env.filters["rule_field"] = field_name

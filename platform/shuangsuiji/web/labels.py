"""Labels for the codes a person reads: one table, the ``label`` Jinja filter.

Codes (``on_site``, ``bad_credit``, ``draw.commit``…) stay the names in the database, the
API and the bundle; a page shows their label in the reader's language (zh_CN by default,
English in the English UI). ``{{ value|label }}`` finds the label in any table;
``{{ value|label('method') }}`` in one kind only (a code may mean different things in
different tables). Lists are joined, booleans are 是/否, unknown codes are shown as they
are. Exports call :func:`label` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from shuangsuiji.web import context

LazyText = Any  # flask_babel's LazyString; str() gives the text in the current locale

#: code → English label (translated by the catalogue), by kind. The kinds that
#: :mod:`shuangsuiji.web.context` already names (its ``role_name``, ``result_name``… globals)
#: are its tables, so one code has one label everywhere.
LABELS: Mapping[str, Mapping[str, LazyText]] = {
    "method": context.METHOD_NAMES,
    "flag": {
        "complaints": _l("Many complaints"),
        "abnormal_operations": _l("On the abnormal-operations list"),
        "bad_credit": _l("Bad credit record"),
        "administrative_penalty": _l("Administrative penalty"),
    },
    "category": {
        "key": _l("Key item"),
        "general": _l("General item"),
    },
    "visibility": {
        "public": _l("Public"),
        "directed": _l("Directed notification"),
        "not_public": _l("Not public"),
    },
    "unit_kind": {
        "department": _l("Department (司局)"),
        "division": _l("Division (处室)"),
        "enforcement": _l("Comprehensive enforcement division"),
        "subordinate": _l("Subordinate authority"),
    },
    "result": context.RESULT_NAMES,
    "role": context.ROLE_NAMES,
    "level": context.LEVEL_NAMES,
    "status": context.STATUS_NAMES,
    "recusal_mode": context.RECUSAL_MODE_NAMES,
    "object_type": {
        "announcement": _l("Draw announcement"),
        "annual_plan": _l("Annual plan"),
        "draw": _l("Draw"),
        "excluded_period": _l("Excluded period"),
        "import_batch": _l("Import batch"),
        "inspection_record": _l("On-site record"),
        "inspection_result": _l("Inspection result"),
        "item": _l("Item"),
        "item_list_version": _l("Item list version"),
        "org_tree": _l("Organisation tree"),
        "rectification": _l("Rectification"),
        "statistics": _l("Statistics"),
        "superseding_provision": _l("Other provision"),
        "task": _l("Task"),
        "task_report": _l("Task report"),
        "tenant": _l("Jurisdiction"),
        "tenant_calendar": _l("Working-day calendar"),
        "transfer": _l("Case transfer"),
        "user": _l("Account"),
    },
    "job_phase": {
        "queued": _l("waiting for a worker"),
        "starting": _l("starting"),
        "reading": _l("reading the file"),
        "writing": _l("writing"),
        "load": _l("loading the directories"),
        "freeze": _l("freezing the pool"),
        "frozen": _l("drawing"),
        "drawn": _l("saving the draw"),
        "succeeded": _l("finished"),
        "failed": _l("stopped"),
    },
    "action": {
        "calendar.import": _l("Working-day calendar imported"),
        "credit_publicity.handover": _l("Handed over to the credit publicity system"),
        "credit_publicity.confirm": _l("Publication on the credit publicity system confirmed"),
        "items.approve": _l("Item list approved"),
        "items.publish": _l("Item list published"),
        "provision.record": _l("Other provision recorded"),
        "case.transfer": _l("Case transferred"),
        "draw.announce": _l("Draw announced"),
        "draw.announce_superseded": _l("Draw announcement superseded"),
        "draw.commit": _l("Draw made"),
        "draw.recusal": _l("Recusal applied"),
        "draw.recusal_declared": _l("Recusal declared"),
        "draw.seed_commit": _l("Seed commitment registered"),
        "draw.seed_reveal": _l("Seed secret revealed"),
        "draw.void": _l("Draw voided"),
        "import.targets": _l("Targets imported"),
        "import.inspectors": _l("Inspectors imported"),
        "import.experts": _l("Experts imported"),
        "import.items": _l("Items imported"),
        "import.credit_classes": _l("Credit-risk classes imported"),
        "credit_classes.cross_tenant_read": _l("Credit-risk class coverage read across "
                                               "jurisdictions"),
        "items.retire": _l("Item retired"),
        "items.save": _l("Item saved"),
        "period.create": _l("Excluded period recorded"),
        "plan.create": _l("Annual plan created"),
        "record.create": _l("On-site record entered"),
        "record.update": _l("On-site record corrected"),
        "rectification.close": _l("Rectification closed"),
        "rectification.follow_up": _l("Rectification followed up"),
        "rectification.order": _l("Rectification ordered"),
        "report.write": _l("Report written"),
        "result.set": _l("Result entered"),
        "stats.cross_tenant_read": _l("Statistics read across jurisdictions"),
        "task.create": _l("Task created"),
        "units.version": _l("Organisation tree changed"),
        "task.publish": _l("Results published"),
        "task.work_end": _l("End of work recorded"),
        "tenant.create": _l("Jurisdiction created"),
        "tenant.switch": _l("Jurisdiction switched"),
        "user.disable": _l("Account disabled"),
        "user.enable": _l("Account enabled"),
        "user.grant": _l("Role given"),
        "user.password": _l("Password changed"),
        "user.token": _l("API token issued"),
        "user.token_revoke": _l("API token revoked"),
    },
}


def label(value: object, kind: str | None = None) -> str:
    """``value``'s label in the current locale (a list's labels joined; 是/否 for booleans)."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        locale = get_locale()
        joiner = "、" if locale is not None and locale.language == "zh" else ", "
        return joiner.join(label(v, kind) for v in _ordered(value))
    code = str(value)
    tables = [LABELS[kind]] if kind else list(LABELS.values())
    for table in tables:
        if code in table:
            return str(table[code])
    return code


def _ordered(values: Iterable[object]) -> list[object]:
    return sorted(values, key=str) if isinstance(values, (set, frozenset)) else list(values)


#: Kinds whose codes are ordinary English words (``task``, ``writing``): labelled where they
#: are shown, but not looked for as raw codes on pages (they occur in English data too).
PLAIN_WORDS = frozenset({"object_type", "job_phase"})


def codes() -> set[str]:
    """Every code the table labels (the raw-code test looks for these)."""
    return {code for kind, table in LABELS.items() if kind not in PLAIN_WORDS
            for code in table}


def choices(kind: str) -> list[tuple[str, LazyText]]:
    """(code, label) pairs for a form's choices."""
    return list(LABELS[kind].items())


#: The public results export's columns (services.publication.EXPORT_FIELDS) for readers.
RESULT_HEADINGS: Mapping[str, LazyText] = {
    "task_code": _l("Task code"),
    "task_title": _l("Task"),
    "item_code": _l("Item code"),
    "credit_code": _l("Credit code"),
    "target_name": _l("Target"),
    "result": _l("Result"),
    "result_name": _l("Result category (national list)"),
    "problem_found": _l("Problem found"),
    "handling": _l("Handling"),
    "inspected_on": _l("Inspected on"),
    "published_on": _l("Published on"),
    "on_time": _l("Published on time"),
}


def result_headings() -> dict[str, str]:
    """The results export's column headings in the current locale."""
    return {field: str(text) for field, text in RESULT_HEADINGS.items()}


def result_value(field: str, value: Any) -> Any:
    """A results export cell for readers: the result's label, 是/否 for booleans."""
    if field == "result":
        return label(value, "result")
    if isinstance(value, bool):
        return label(value)
    return value


def rules_name(pack: str | None, version: str | None) -> str:
    """A rules line for people: the pack version's title and document number, not
    ``chongqing 2021`` (the codes, when the pack is not installed here)."""
    if not pack:
        return ""
    packs = current_app.extensions["shuangsuiji"].packs
    if pack not in packs:
        return f"{pack} {version or ''}".strip()
    found = packs.get(pack)
    meta = found.version_named(version) if version else None
    if meta is None:
        return f"{found.title} {version or ''}".strip()
    return f"{meta.title}（{meta.document}）" if meta.document else meta.title


def stratum_name(name: str, on: date | None = None) -> str:
    """A pool stratum for people: "general", "risk:<flag>" and "class:<code>" (kernel
    names). A class is named by the rules in force on ``on`` — a draw's date, so a class
    renamed by a later version of the pack keeps the name it had when it was drawn."""
    if name == "general":
        return str(_l("no risk flag"))
    if name.startswith("risk:"):
        return str(_l("risk: %(flag)s", flag=label(name.removeprefix("risk:"), "flag")))
    if name.startswith("class:"):  # 信用风险分类: the class's name in the tenant's rules
        from shuangsuiji.web.class_labels import class_label

        return class_label(name.removeprefix("class:"), on)
    return name


def cite_name(cite: Any) -> str:
    """A citation for people: the document number and article (渝经信发〔2021〕6号 第十四条),
    not ``chongqing 2021 第十四条``; a Citation or its text. Anything else as it is."""
    if cite is None:
        return ""
    if hasattr(cite, "pack"):
        pack, version, article = cite.pack, cite.version, cite.article
    else:
        parts = str(cite).split(" ", 2)
        if len(parts) < 3:
            return str(cite)
        pack, version, article = parts
    packs = current_app.extensions["shuangsuiji"].packs
    if pack not in packs:
        return str(cite)
    meta = packs.get(pack).version_named(version)
    if meta is None:
        return str(cite)
    return f"{meta.document or meta.title} {article}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["stratum_name"] = stratum_name
    app.jinja_env.filters["cite"] = cite_name
    app.jinja_env.globals["rules_name"] = rules_name

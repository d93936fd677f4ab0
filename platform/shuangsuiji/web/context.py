"""What every template may use: the request's user and tenant, role checks, display names."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import lazy_gettext as _l

from shuangsuiji import access
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import accounts
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web.charts import percent
from shuangsuiji.web.i18n import current_language

ROLE_NAMES: dict[str, Any] = {
    "central_admin": _l("Central administrator"),
    "tenant_admin": _l("Jurisdiction administrator"),
    "operator": _l("Department operator"),
    "viewer": _l("Department viewer"),
    "inspector": _l("Inspector"),
}

LEVEL_NAMES: dict[str, Any] = {
    "central": _l("Central"),
    "province": _l("Province"),
    "city": _l("City"),
    "district": _l("District"),
}


KIND_NAMES: dict[str, Any] = {
    "targets": _l("Targets"),
    "inspectors": _l("Inspectors"),
    "experts": _l("Experts"),
    "items": _l("Item list"),
}

STATUS_NAMES: dict[str, Any] = {
    "planned": _l("planned"),
    "drawn": _l("drawn"),
    "in_progress": _l("in progress"),
    "work_ended": _l("work ended"),
    "published": _l("published"),
    "closed": _l("closed"),
}

METHOD_NAMES: dict[str, Any] = {
    "written": _l("written inspection"),
    "on_site": _l("on-site inspection"),
    "network_monitoring": _l("network monitoring"),
    "testing": _l("testing"),
}


def method_names(methods: Any) -> str:
    """Inspection methods for people, joined the Chinese way."""
    return "、".join(str(METHOD_NAMES.get(m, m)) for m in methods or ())


RECUSAL_MODE_NAMES: dict[str, Any] = {
    "withdraw": _l("withdraw"),
    "swap": _l("swap"),
}

RESULT_NAMES: dict[str, Any] = {
    "no_problem": _l("No problem found"),
    "unpublished_information": _l("Information that must be published was not published"),
    "false_publicity": _l("Published information concealed the truth or was falsified"),
    "unreachable_at_address": _l("Cannot be contacted at the registered address"),
    "refused_inspection": _l("Refused to cooperate with the inspection, seriously"),
    "no_relevant_activity": _l("No business activity covered by this inspection found"),
    "problem_pending": _l("Problem found, pending further handling"),
    "problem_rectified": _l("Problem found, rectification ordered"),
    "problem_transferred": _l("Problem found, transferred"),
    "not_found": _l("Target not found"),
    "closed_down": _l("Deregistered or closed down"),
}


def stratum_name(name: str) -> str:
    """A pool stratum for people: "general" and "risk:<flag>" (kernel names)."""
    if name == "general":
        return str(_l("no risk flag"))
    if name.startswith("risk:"):
        return str(_l("risk: %(flag)s", flag=name.removeprefix("risk:")))
    return name


def tenant_name(tenant: Tenant | None) -> str:
    """The tenant's name in the current language (the Chinese name when no English one)."""
    if tenant is None:
        return ""
    if current_language() != "zh_CN" and tenant.name_en:
        return tenant.name_en
    return tenant.name


def my_tenants() -> list[Tenant]:
    """The tenants the signed-in user may switch to (cached for the request)."""
    caller = access.current_caller()
    if caller is None:
        return []
    found = g.get("_ssj_my_tenants")
    if found is None:
        found = accounts.tenants_for(access.db_session(), caller)
        g._ssj_my_tenants = found
    return list(found)


def tenant_by_id(tenant_id: int) -> Tenant | None:
    return access.db_session().get(Tenant, tenant_id)


def all_tenants() -> list[Tenant]:
    return tenant_service.all_tenants(access.db_session())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_user=access.current_user,
        current_tenant=access.current_tenant,
        url_tenant=access.url_tenant,
        has_role=access.has_role,
        my_tenants=my_tenants,
        tenant_name=tenant_name,
        tenant_by_id=tenant_by_id,
        role_name=lambda role: ROLE_NAMES.get(role, role),
        level_name=lambda level: LEVEL_NAMES.get(level, level),
        kind_name=lambda kind: KIND_NAMES.get(kind, kind),
        status_name=lambda status: STATUS_NAMES.get(status, status),
        recusal_mode_name=lambda mode: RECUSAL_MODE_NAMES.get(mode, mode),
        result_name=lambda code, name=None: RESULT_NAMES.get(code, name or code),
        stratum_name=stratum_name,
        method_names=method_names,
    )
    app.jinja_env.filters["percent"] = percent

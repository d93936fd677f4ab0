"""Unit names beside unit codes (issue #15): tasks, inspectors, accounts and draws hold the
codes of the organisation tree's units; pages show the unit's name with its code, the way
:mod:`shuangsuiji.services.names` shows a company's name beside its credit code.

``unit(code)`` in a template gives the name and the code of the URL's tenant's unit (a grant
of another tenant: ``unit(code, tenant_id)``); a code the tree does not hold (free text from
before the tenant had a tree) is shown as it is. Names are read once per request and tenant.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, g
from markupsafe import Markup
from sqlalchemy import select

from shuangsuiji import access
from shuangsuiji.models.units import OrgUnit


def names_of(tenant_id: int | None) -> dict[str, str]:
    """Unit code → name in ``tenant_id``'s tree (empty without a tree or a tenant)."""
    if tenant_id is None:
        return {}
    cache: dict[int, dict[str, str]] = g.setdefault("_ssj_unit_names", {})
    if tenant_id not in cache:
        platform = current_app.extensions["shuangsuiji"]
        with platform.db.session(tenant_id) as s:
            cache[tenant_id] = {code: name for code, name in
                                s.execute(select(OrgUnit.code, OrgUnit.name))}
    return cache[tenant_id]


def unit(code: str | None, tenant_id: int | None = None) -> Markup:
    """A unit as a page shows it: its name and its code, or the text as it is."""
    if not code:
        return Markup("")
    name = names_of(tenant_id if tenant_id is not None else access.url_tenant_id()).get(code)
    if not name or name == code:
        return Markup('<span class="unit">{}</span>').format(code)
    return Markup('<span class="unit">{} <code class="unit-code nowrap">{}</code></span>'
                  ).format(name, code)


def units(codes: Iterable[str] | None, tenant_id: int | None = None) -> Markup:
    """Several units, separated by 、."""
    return Markup("、").join(unit(c, tenant_id) for c in (codes or ()) if c)


def unit_label(code: str, tenant_id: int | None = None) -> str:
    """A unit as a choice in a list reads: its name and its code (plain text)."""
    name = names_of(tenant_id if tenant_id is not None else access.url_tenant_id()).get(code)
    return f"{name} {code}" if name and name != code else code


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(unit=unit, units=units, unit_names_of=names_of)


__all__ = ["init_app", "names_of", "unit", "unit_label", "units"]

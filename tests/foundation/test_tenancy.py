"""Tenant scoping is automatic: filtered reads, updates and deletes, and no query without a
tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from shuangsuiji.db import TenantNotSet, audit_guard, cross_tenant, set_tenant
from shuangsuiji.models.directories import Item
from shuangsuiji.platform import Platform


@pytest.fixture
def two_tenants_items(platform: Platform, tenant_tree: dict[str, int]) -> dict[str, int]:
    with platform.db.session() as s, audit_guard.unaudited(s, "test fixture: rows by hand"):
        for slug, codes in (("miit", ["M-1", "M-2"]), ("chongqing", ["C-1", "C-2", "C-3"])):
            set_tenant(s, tenant_tree[slug])
            for code in codes:
                s.add(Item(code=code, name=f"事项{code}", category="general"))
            s.flush()
        s.commit()
    return tenant_tree


def test_reads_see_only_the_current_tenant(platform: Platform,
                                           two_tenants_items: dict[str, int]) -> None:
    with platform.db.session(two_tenants_items["miit"]) as s:
        assert sorted(s.scalars(select(Item.code))) == ["M-1", "M-2"]
        # a count over a subquery is filtered too
        assert s.scalar(select(func.count()).select_from(select(Item).subquery())) == 2
        assert s.scalar(select(func.count(Item.id))) == 2
        # an id from another tenant is simply not found
        other = s.execute(select(Item.id).where(Item.code == "C-1")).first()
        assert other is None


def test_updates_and_deletes_stay_in_the_tenant(platform: Platform,
                                                two_tenants_items: dict[str, int]) -> None:
    with platform.db.session(two_tenants_items["chongqing"]) as s, audit_guard.unaudited(
            s, "test: bulk statements by hand"):
        s.execute(update(Item).values(name="改"))
        s.execute(delete(Item).where(Item.code.like("%-1")))
        s.commit()
    with platform.db.session(two_tenants_items["miit"]) as s:
        rows = dict(s.execute(select(Item.code, Item.name)).all())
        assert rows == {"M-1": "事项M-1", "M-2": "事项M-2"}


def test_no_tenant_means_no_rows(platform: Platform, two_tenants_items: dict[str, int]) -> None:
    with platform.db.session() as s:
        with pytest.raises(TenantNotSet):
            s.scalars(select(Item)).all()
        with pytest.raises(TenantNotSet):
            s.add(Item(code="X", name="x", category="general"))
            s.flush()
        s.rollback()
        with cross_tenant(s):
            assert s.scalar(select(func.count(Item.id))) == 5


def test_new_rows_get_the_current_tenant(platform: Platform,
                                         two_tenants_items: dict[str, int]) -> None:
    with platform.db.session(two_tenants_items["miit"]) as s:
        item = Item(code="M-3", name="新", category="general")
        s.add(item)
        s.flush()
        assert item.tenant_id == two_tenants_items["miit"]
        with pytest.raises(TenantNotSet, match="current tenant"):
            s.add(Item(code="C-9", name="x", category="general",
                       tenant_id=two_tenants_items["chongqing"]))
            s.flush()

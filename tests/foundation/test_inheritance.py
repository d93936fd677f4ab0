"""A district under Chongqing keeps Chongqing's 20-working-day deadline while overriding one
other rule; a pack that answers None falls through to its parent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shuangsuiji.db import audit_guard
from shuangsuiji.hookspecs import hookimpl
from shuangsuiji.packs import Pack, PackRules
from shuangsuiji.platform import Platform
from shuangsuiji.rules import OnSiteRule, PackVersion, RecusalRule
from shuangsuiji.services import tenants
from tests.conftest import builtin_packs, make_app

V = PackVersion(version="2024", document="渝中经信发〔2024〕1号", title="渝中区实施细则",
                issued=date(2024, 1, 1), effective=date(2024, 1, 1))


class Yuzhong2024(PackRules):
    @hookimpl
    def ssj_on_site_rule(self, as_of: date) -> OnSiteRule:
        return OnSiteRule(min_inspectors=3, credentials=("enforcement_certificate",),
                          cite=self.cite("第五条"))

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule | None:
        return None  # silent: Chongqing's answer stands


DISTRICT = Pack(name="yuzhong-district", title="渝中区实施细则", versions=((V, Yuzhong2024),),
                source=__name__, extends="chongqing")


@pytest.fixture
def district_platform(database_url: str, tmp_path: Any) -> Platform:
    app = make_app(database_url, str(tmp_path / "i"), SSJ_PACKS=[*builtin_packs(), DISTRICT])
    platform: Platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenants.create(s, platform, slug="miit", name="工业和信息化部", pack="miit",
                       level="central")
        tenants.create(s, platform, slug="chongqing", name="重庆市经济和信息化委员会",
                       pack="chongqing", parent="miit")
        tenants.create(s, platform, slug="yuzhong", name="渝中区经济和信息化委员会",
                       pack="yuzhong-district", parent="chongqing", level="district")
        tenants.create(s, platform, slug="jiangbei", name="江北区经济和信息化委员会",
                       pack=None, parent="chongqing", level="district")
        s.commit()
    return platform


def _rules(platform: Platform, slug: str) -> Any:
    with platform.db.session() as s:
        return platform.policy_for(tenants.get(s, slug)).rules(date(2026, 6, 1))


def test_district_keeps_chongqing_deadline_and_overrides_one_rule(
    district_platform: Platform,
) -> None:
    district = _rules(district_platform, "yuzhong")
    assert district.versions == (("miit", "2018"), ("chongqing", "2021"),
                                 ("yuzhong-district", "2024"))
    deadline = district.publication_deadline
    assert deadline.working_days == 20 and deadline.cite.pack == "chongqing"
    assert district.on_site_rule.min_inspectors == 3
    assert district.on_site_rule.cite.pack == "yuzhong-district"
    # None falls through to the parent: Chongqing's withdraw-only recusal
    assert district.recusal_rule.modes == ("withdraw",)
    assert district.recusal_rule.cite.pack == "chongqing"
    # neither Chongqing nor the district speaks of the plan window: MIIT answers
    with district_platform.db.session() as s:
        window = district_platform.policy_for(tenants.get(s, "yuzhong")).plan_window(2026)
    assert window.cite.pack == "miit"


def test_district_without_a_pack_inherits_its_parent(district_platform: Platform) -> None:
    jiangbei = _rules(district_platform, "jiangbei")
    assert jiangbei.governing == ("chongqing", "2021")
    assert jiangbei.on_site_rule.min_inspectors == 2


def test_each_tenant_has_its_own_plugin_managers(district_platform: Platform) -> None:
    with district_platform.db.session() as s:
        cq = district_platform.policy_for(tenants.get(s, "chongqing"))
        yz = district_platform.policy_for(tenants.get(s, "yuzhong"))
    day = date(2026, 6, 1)
    assert cq.plugin_manager(day) is not yz.plugin_manager(day)
    assert "yuzhong-district@2024" not in dict(cq.plugin_manager(day).list_name_plugin())


def test_a_changed_pack_is_seen_without_restart(district_platform: Platform) -> None:
    assert _rules(district_platform, "jiangbei").governing == ("chongqing", "2021")
    with district_platform.db.session() as s, audit_guard.unaudited(
            s, "test: no service changes a tenant's pack yet; edited by hand"):
        tenants.get(s, "jiangbei").pack = "yuzhong-district"  # e.g. by another worker
        s.commit()
    assert _rules(district_platform, "jiangbei").governing == ("yuzhong-district", "2024")

"""The central admin's comparison by credit-risk class coverage, like with like (issue #15
item 6): a province renames and re-ratios its classes on 2026-06-01 (a new pack version).
A draw of April counts under the 2025 classes (their names and ratios), a draw of July
under the 2026 ones; the two are never summed, the targets holding each class are counted
on a day of that version, and each version names its document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.demo import generate as gen
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.platform import Platform
from shuangsuiji.services import class_coverage, draws, lifecycle
from shuangsuiji.services import tenants as tenant_service
from tests.credit.conftest import HEADINGS, codes_of, run_import
from tests.credit.test_class_names_in_time import (  # noqa: F401 (app: a fixture)
    app,
    make_jh,
)
from tests.credit.test_class_pages import _cells
from tests.web.conftest import login

TODAY = date(2026, 12, 1)


def _drawn(platform: Platform, draw_id: int, klass: str) -> int:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "jh").id
        return s.scalar(select(func.count()).select_from(DrawSelection).where(
            DrawSelection.draw_id == draw_id, DrawSelection.stratum == f"class:{klass}")) or 0


def test_each_version_is_counted_with_its_own_names_ratios_and_draws(
    app: Flask, platform: Platform, users: dict[str, int],  # noqa: F811
    make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_jh(platform)
    april = make_task("jh", "T-APR")  # 2026-04-01: the 2025 version
    july = make_task("jh", "T-JUL", starts_on=date(2026, 7, 1), ends_on=date(2026, 8, 28))
    codes, flagged = codes_of(platform, "jh")
    plain = [c for c in codes if c not in flagged]
    run_import(platform, "jh", gen.to_csv(
        HEADINGS, [[c, "D", "2025-03-01", ""] for c in plain[:30]]
        + [[c, "A", "2025-03-01", ""] for c in plain[30:90]]
        + [[c, "D", "2026-06-15", ""] for c in plain[90:100]]))  # D under 2026 only
    ids = {}
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "jh")
        s.info["tenant_id"] = tenant.id
        for code in (april, july):
            ids[code] = draws.draw(s, platform, tenant, code, seed=f"coverage {code}").id
        s.commit()
    d_april, d_july = _drawn(platform, ids[april], "D"), _drawn(platform, ids[july], "D")
    a_april, a_july = _drawn(platform, ids[april], "A"), _drawn(platform, ids[july], "A")
    assert d_april and d_july and a_april and a_july

    with platform.db.session() as s:
        miit = tenant_service.get(s, "miit")
        found = [v for v in class_coverage.compare_coverage(s, platform, miit, 2026, TODAY)
                 if v.tenant == "jh"]
        s.commit()
    assert [(v.version, v.document, v.draws, v.first_draw, v.counted_on) for v in found] == [
        ("2025", "江工信规〔2025〕3号", 1, date(2026, 4, 1), date(2026, 4, 1)),
        ("2026", "江工信规〔2026〕9号", 1, date(2026, 7, 1), TODAY)]
    old, new = ({c.code: (c.name_zh, c.ratio_permille, c.targets, c.drawn) for c in v.classes}
                for v in found)
    assert old == {"D": ("D类（失信高风险）", 300, 30, d_april),
                   "A": ("A类（守信低风险）", 10, 60, a_april)}
    assert new == {"D": ("D类（重点监管）", 250, 40, d_july),
                   "A": ("A类（信用良好）", 20, 60, a_july)}
    # a year without draws, whose reference day is not in it: nothing to compare
    with platform.db.session() as s:
        miit = tenant_service.get(s, "miit")
        assert not [v for v in class_coverage.compare_coverage(s, platform, miit, 2027, TODAY)
                    if v.tenant == "jh"]

    # the page: one block per version, each with its own names, ratios and figures
    monkeypatch.setattr(lifecycle, "today_in_china", lambda *a: TODAY)
    central = app.test_client()
    assert login(central, "central").status_code == 302
    page = central.get("/t/miit/statistics/compare?year=2026").get_data(as_text=True)
    first = _cells(page, 'data-tenant="jh" data-class="D" data-version="jh-classes@2025"')
    assert "江工信规〔2025〕3号" in first[1] and "2026年4月1日" in first[1]
    assert first[2:6] == ["D类（失信高风险）", "300‰", "30", str(d_april)]
    later = _cells(page, 'data-tenant="jh" data-class="D" data-version="jh-classes@2026"')
    assert later[2:6] == ["D类（重点监管）", "250‰", "40", str(d_july)]
    # a block's later rows carry the class only
    assert _cells(page, 'data-tenant="jh" data-class="A" data-version="jh-classes@2026"'
                  )[:4] == ["A类（信用良好）", "20‰", "60", str(a_july)]
    # a voided draw counts no more; its version, no longer in force, then has no block
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "jh")
        s.info["tenant_id"] = tenant.id
        draws.void(s, tenant, ids[april], "见证人未到场")
        s.commit()
        miit = tenant_service.get(s, "miit")
        s.info["tenant_id"] = miit.id
        after = [v for v in class_coverage.compare_coverage(s, platform, miit, 2026, TODAY)
                 if v.tenant == "jh"]
        s.rollback()
    assert [(v.version, v.draws, v.drawn) for v in after] == [("2026", 1, d_july + a_july)]

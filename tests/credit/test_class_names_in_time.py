"""A class's name and ratio on a draw's pages come from the pack version in force on the
draw's date (the task's start, architecture.md §4), not today's (issue #15): a province
file with two versions whose classes differ in name and ratio; a draw of 2026-04-01 under
the first is shown with the first's names and ratios once the second is in force."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from shuangsuiji.demo import generate as gen
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, draws, lifecycle
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web import class_labels
from shuangsuiji_provinces import parse_province
from tests.conftest import builtin_packs, make_app
from tests.credit.conftest import HEADINGS, codes_of, run_import
from tests.credit.test_class_pages import _cells
from tests.web.conftest import PASSWORD, login

PACK = '''name = "jh-classes"
title = "江淮省“双随机、一公开”监管实施细则"
contract = "1.0"

[[versions]]
version = "2025"
document = "江工信规〔2025〕3号"
title = "江淮省细则"
issued = 2025-01-10
effective = 2025-02-01
repealed = 2026-06-01

[versions.rules.credit_classes]
article = "第十一条"

[[versions.rules.credit_classes.classes]]
code = "D"
name_zh = "D类（失信高风险）"
name_en = "class D (2025)"
ratio_permille = 300

[[versions.rules.credit_classes.classes]]
code = "A"
name_zh = "A类（守信低风险）"
name_en = "class A (2025)"
ratio_permille = 10

[[versions]]
version = "2026"
inherits = "2025"
document = "江工信规〔2026〕9号"
title = "江淮省细则（2026年修订）"
issued = 2026-05-20
effective = 2026-06-01

[versions.rules.credit_classes]
article = "第十二条"

[[versions.rules.credit_classes.classes]]
code = "D"
name_zh = "D类（重点监管）"
name_en = "class D (2026)"
ratio_permille = 250

[[versions.rules.credit_classes.classes]]
code = "A"
name_zh = "A类（信用良好）"
name_en = "class A (2026)"
ratio_permille = 20
'''


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    pack = parse_province(PACK, "jh-classes.toml")
    application = make_app(database_url, str(tmp_path / "instance"),
                           SSJ_PACKS=[*builtin_packs(), pack])
    yield application
    application.extensions["shuangsuiji"].db.dispose()


def make_jh(platform: Platform) -> None:
    """The province tenant ``jh`` under MIIT, governed by the two versions of ``PACK``."""
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug="jh", name="江淮省工业和信息化厅",
                              pack="jh-classes", parent="miit", level="province")
        s.commit()


def test_a_draw_shows_the_classes_of_its_own_date(
    app: Flask, platform: Platform, tenant_tree: dict[str, int],
    make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_jh(platform)
    task = make_task("jh")  # starts 2026-04-01: the 2025 version is in force
    codes, flagged = codes_of(platform, "jh")
    plain = [c for c in codes if c not in flagged]
    run_import(platform, "jh", gen.to_csv(
        HEADINGS, [[c, "D", "2025-03-01", ""] for c in plain[:30]]
        + [[c, "A", "2025-03-01", ""] for c in plain[30:90]]))
    # "today" is under the 2026 version, whose names and ratios differ
    monkeypatch.setattr(class_labels, "today_in_china", lambda: date(2026, 12, 1))
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "jh")
        s.info["tenant_id"] = tenant.id
        assert platform.policy_for(tenant).rules(date(2026, 12, 1)).credit_classes[0].name_zh \
            == "D类（重点监管）"
        task_id = lifecycle.get_task(s, task).id
        accounts.create_user(s, username="jh_operator", password=PASSWORD, role="operator",
                             tenant="jh")
        s.commit()
    staff = app.test_client()
    assert login(staff, "jh_operator").status_code == 302
    # the draw page before the draw: the strata as they will be drawn
    before = staff.get(f"/t/jh/tasks/{task_id}/draw").get_data(as_text=True)
    assert "D类（失信高风险）" in before and "D类（重点监管）" not in before
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "jh")
        s.info["tenant_id"] = tenant.id
        draw_id = draws.draw(s, platform, tenant, task, seed="names-in-time").id
        s.commit()
    for page in (app.test_client().get(f"/p/jh/draws/{draw_id}"),
                 staff.get(f"/t/jh/draws/{draw_id}")):
        html = page.get_data(as_text=True)
        assert _cells(html, 'data-stratum="class:D"')[:2] == ["D类（失信高风险）", "300‰"]
        assert _cells(html, 'data-stratum="class:A"')[:2] == ["A类（守信低风险）", "10‰"]
        assert "重点监管" not in html and "信用良好" not in html

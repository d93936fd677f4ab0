"""Repeal and versions shown; invented figures and unconfirmed dates labelled (issue #14
points 6 and 11, and the rule that every figure the text does not fix is a default)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from shuangsuiji.packs.errors import NoVersionInForce
from shuangsuiji.platform import Platform
from shuangsuiji.rules import PLATFORM_DEFAULT_ZH
from shuangsuiji.services import tenants as tenant_service


def test_cq_art_18_a_date_before_the_first_version_names_the_repealed_document(
    platform: Platform, tenant_tree: dict[str, int],
) -> None:
    """CQ 第十八条: 本办法自印发之日起三十日后施行。…（渝经信发〔2018〕55号）同时废止 — a task
    dated 2021-02-07 falls under the repealed 55号, whose rules the pack does not hold."""
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        policy = platform.policy_for(tenant)
    with pytest.raises(NoVersionInForce) as err:
        policy.rules(date(2021, 2, 7))
    text = str(err.value)
    assert "渝经信发〔2018〕55号" in text and "渝经信发〔2021〕6号" in text
    assert "2021-02-08" in text and "not in the pack" in text
    assert policy.rules(date(2021, 2, 8)).governing == ("chongqing", "2021")


def test_packs_list_shows_document_dates_repeal_and_defaults(app: Flask) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        out = runner.invoke(args=["packs", "list"])
    assert out.exit_code == 0, out.output
    assert "渝经信发〔2021〕6号" in out.output and "issued 2021-01-09" in out.output
    assert "repeals 渝经信发〔2018〕55号" in out.output
    # MIIT 第二十条 自印发之日起施行: the day of issue is not established by a public source
    assert "issued 2018-01-01 (unconfirmed" in out.output
    assert f"item.batch_order_min_permille = 300‰: {PLATFORM_DEFAULT_ZH} (第五条)" in out.output


def test_tenant_page_shows_versions_repeal_unconfirmed_date_and_defaults(
    app: Flask, tenant_tree: dict[str, int],
) -> None:
    page = app.test_client().get("/p/chongqing/").get_data(as_text=True)
    assert "渝经信发〔2018〕55号" in page and "渝经信发〔2021〕6号" in page
    assert "工信厅政〔2018〕45号" in page  # the inherited baseline, with its unconfirmed date
    assert "date of issue unconfirmed" in page or "印发日期未经核实" in page
    assert "平台默认值（原文未规定）" in page or "platform default (not set by the text)" in page
    assert "item.batch_order_min_permille" in page

"""The central admin's pack comparison."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.test_labels import python_reprs, visible_text


def test_pack_diff_shows_the_publication_deadline_difference(
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("central")
    page = client.get("/central/packs/diff?left=miit&right=chongqing&on=2026-06-01")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "工业和信息化部" in text and "重庆市经济和信息化委员会" in text
    # a readable table: rules and fields by their labels, values by theirs
    shown = visible_text(text)
    assert "公示时限 · 工作日数" in shown and "抽查事项类别 · 重点检查事项" in shown
    assert "名称（中文）" in shown and "重点检查事项" in shown  # a rule one side lacks, laid out
    assert "本规则中没有" in shown and "300‰" in shown and "跨部门" in shown
    assert "渝经信发〔2021〕6号" in shown and "chongqing 2021" not in shown  # citations
    assert not python_reprs(shown), python_reprs(shown)
    assert "publication_deadline" not in shown and "working_days" not in shown


def test_pack_diff_bad_date_is_a_message(client_for: Callable[[str | None], FlaskClient]) -> None:
    page = client_for("central").get("/central/packs/diff?left=miit&right=chongqing&on=soon")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2026-11-25" in text and "“soon” 不是日期" in text  # the hint shows the format


def test_pack_diff_is_central_only(client_for: Callable[[str | None], FlaskClient]) -> None:
    assert client_for("cq_admin").get("/central/packs/diff").status_code == 403
    assert client_for(None).get("/central/packs/diff").status_code == 302

"""The central admin's pack comparison."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient


def test_pack_diff_shows_the_publication_deadline_difference(
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("central")
    page = client.get("/central/packs/diff?left=miit&right=chongqing&on=2026-06-01")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "publication_deadline" in text and "working_days" in text
    assert "工业和信息化部" in text and "重庆市经济和信息化委员会" in text


def test_pack_diff_bad_date_is_a_message(client_for: Callable[[str | None], FlaskClient]) -> None:
    page = client_for("central").get("/central/packs/diff?left=miit&right=chongqing&on=soon")
    assert page.status_code == 200
    assert "2026-11-25" in page.get_data(as_text=True)  # the hint shows the format


def test_pack_diff_is_central_only(client_for: Callable[[str | None], FlaskClient]) -> None:
    assert client_for("cq_admin").get("/central/packs/diff").status_code == 403
    assert client_for(None).get("/central/packs/diff").status_code == 302

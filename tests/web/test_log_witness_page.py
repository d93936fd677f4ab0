"""The central admin's log witness page: every tenant, what was last witnessed; a split view
shown loudly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.services import tenants as tenant_service
from tests.translog.tamper import cover_tracks, events


def test_witness_page_lists_tenants_and_reports_a_split_view(
        client_for: Callable[[str | None], FlaskClient], platform: Any) -> None:
    client = client_for("central")
    page = client.get("/central/log-witness")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "shuangsuiji.localhost/chongqing" in html and html.count("<tr>") >= 4
    done = client.post("/central/log-witness")
    assert done.status_code == 200
    assert "SPLIT VIEW" not in done.get_data(as_text=True)
    with platform.db.session() as s, unaudited(s, "test: the tail deleted"):
        tid = tenant_service.get(s, "chongqing").id
        s.delete(events(s, tid)[-1])
        s.flush()
        cover_tracks(s, tid)
        s.commit()
    split = client.post("/central/log-witness").get_data(as_text=True)
    assert 'role="alert"' in split and "chongqing" in split
    assert client_for("cq_admin").get("/central/log-witness").status_code == 403

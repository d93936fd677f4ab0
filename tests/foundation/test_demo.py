"""`ssj demo load` builds every demo tenant through the real services, once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from shuangsuiji import kernel
from shuangsuiji.cli import cli
from shuangsuiji.demo.orgs import TREES
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import audit, draws
from shuangsuiji.services import tenants as tenant_service

# Alembic (or `ssj db upgrade`) builds the schema itself: start from nothing.
pytestmark = pytest.mark.empty_database


def test_demo_loads_once_and_its_draws_verify(database_url: str, monkeypatch: object) -> None:
    monkeypatch.setenv("SSJ_DATABASE_URL", database_url)  # type: ignore[attr-defined]
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(cli, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "chongqing-operator" in first.output
    _the_joint_task_of_two_districts(database_url, first.output)
    again = runner.invoke(cli, ["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "already loaded" in again.output
    refused = runner.invoke(cli, ["demo", "load"])
    assert refused.exit_code != 0 and "already loaded" in refused.output
    from shuangsuiji import create_app

    platform = create_app({"SSJ_DATABASE_URL": database_url,
                           "SECRET_KEY": "test"}).extensions["shuangsuiji"]
    with platform.db.session() as s:
        slugs = [t.slug for t in tenant_service.all_tenants(s)]
        assert slugs == ["miit", "chongqing", "yuzhong", "jiangbei", "example"]
        for slug in slugs:
            tenant = tenant_service.get(s, slug)
            s.info["tenant_id"] = tenant.id
            # three tasks drawn each; Yuzhong's joint task with Jiangbei is Yuzhong's draw
            assert s.scalar(select(func.count()).select_from(Draw)) == (
                4 if slug == "yuzhong" else 3)
            record = draws.live_draw(s, draws.find_task(s, f"{slug.upper()}-2026-01"))
            assert record is not None
            bundle = draws.export_bundle(s, record)
            assert kernel.verify_bundle(bundle).ok
            # each demo tenant draws on its organisation tree (issue #15)
            assert [row[0] for row in bundle["units"]["tree"]] == sorted(
                u.code for u in TREES[slug])
            assert audit.verify(s, tenant.id).ok
            # the example province's targets have credit-risk classes: its draws are
            # stratified by class (issue #15 item 5); the other tenants' by risk flags only
            names = {st["name"] for st in bundle["pool"]["strata"]}
            if slug == "example":
                assert {"class:D", "class:C", "class:B", "class:A"} <= names
            else:
                assert not any(n.startswith("class:") for n in names)


def _the_joint_task_of_two_districts(database_url: str, output: str) -> None:
    """Yuzhong and Jiangbei (siblings under Chongqing): planned, accepted, drawn, one visit
    per target with a result per item, published by each; its bundle verifies; both
    tenants' statistics and portals show it once with both participants."""
    from shuangsuiji import create_app
    from shuangsuiji.demo.joint import CODE, GUEST, HOST, UNIT
    from shuangsuiji.models.joint import ItemResult
    from shuangsuiji.services import joint, joint_guest, joint_stats
    from shuangsuiji.services.lifecycle import drawn_targets

    assert "jiangbei-operator" in output and f"joint task {CODE}" in output
    app = create_app({"SSJ_DATABASE_URL": database_url, "SECRET_KEY": "test"})
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        host, guest = tenant_service.get(s, HOST), tenant_service.get(s, GUEST)
        s.info["tenant_id"] = host.id
        task = joint.get_task(s, CODE)
        assert task.status == "published"
        targets = [d.credit_code for d in drawn_targets(s, task)]
        assert targets
        bundle = draws.export_bundle(s, draws.live_draw(s, task))
        assert kernel.verify_bundle(bundle).ok
        assert {p["code"] for p in bundle["joint"]["participants"]} == {UNIT, GUEST}
        # one result per item and target: the host's SX-001, Jiangbei's own SX-002
        results = {(r.credit_code, r.item_code) for r in s.scalars(select(ItemResult))}
        assert results == {(c, i) for c in targets for i in ("SX-001", f"{GUEST}/SX-002")}
        s.info["tenant_id"] = guest.id
        [row] = [r for r in joint_stats.rows_for(s, guest, 2026) if r.task.code == CODE]
        assert row.host.slug == HOST and row.own == GUEST
        assert {p.code: p.results for p in row.participants} == {
            UNIT: len(targets), GUEST: len(targets)}
        assert all(p.published_on is not None for p in row.participants)
        assert [t.code for _, t, _ in joint_guest.portal_rows(s, guest)] == [CODE]
        assert audit.verify(s, guest.id).ok and audit.verify(s, host.id).ok
    portal = app.test_client()
    for slug in (HOST, GUEST):
        page = portal.get(f"/p/{slug}/tasks").get_data(as_text=True)
        rows = [r for r in page.split("<tr")[1:]
                if 'class="joint-participants"' in r and CODE in r]
        assert len(rows) == 1, slug
        assert f'data-participant="{GUEST}"' in rows[0] and f'data-participant="{UNIT}"' in rows[0]

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
    again = runner.invoke(cli, ["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "already loaded" in again.output
    refused = runner.invoke(cli, ["demo", "load"])
    assert refused.exit_code != 0 and "already loaded" in refused.output
    from shuangsuiji import create_app

    platform = create_app({"SSJ_DATABASE_URL": database_url,
                           "SECRET_KEY": "test"}).extensions["shuangsuiji"]
    with platform.db.session() as s:
        slugs = [t.slug for t in tenant_service.all_tenants(s)]
        assert slugs == ["miit", "chongqing", "yuzhong", "example"]
        for slug in slugs:
            tenant = tenant_service.get(s, slug)
            s.info["tenant_id"] = tenant.id
            assert s.scalar(select(func.count()).select_from(Draw)) == 3
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

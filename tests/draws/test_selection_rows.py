"""The rows a committed draw writes for its selections, on every database (each has its own
bulk form: SQLite ``json_each``, PostgreSQL ``unnest`` with the target ids joined in the
database, MariaDB multi-row INSERTs): one row per drawn target, with its stratum, position,
batch, and the id of the tenant's target of that credit code."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from tests.draws.test_announcements import tenant_session


def test_selection_rows_name_the_drawn_targets_and_their_places(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="rows")
        bundle = draws.export_bundle(s, record)
    stratum_of = {c: st["name"] for st in bundle["result"]["strata"] for c in st["selected"]}
    with tenant_session(platform, "miit") as (s, t):
        ids = dict(s.execute(select(Target.credit_code, Target.id)
                             .where(Target.tenant_id == t.id)).all())
        rows = s.execute(select(DrawSelection.credit_code, DrawSelection.target_id,
                                DrawSelection.position, DrawSelection.tenant_id,
                                DrawSelection.task_id, DrawSelection.stratum)
                         .where(DrawSelection.draw_id == record.id)).all()
    assert len(rows) == record.selected_count == len(stratum_of) > 10
    assert sorted(r.position for r in rows) == list(range(len(rows)))
    for r in rows:
        assert r.stratum == stratum_of[r.credit_code]
        assert r.target_id == ids[r.credit_code]  # the tenant's own target of that code
        assert (r.tenant_id, r.task_id) == (t.id, record.task_id)

"""The rows a committed draw writes for its selections, on every database (each has its own
bulk form: SQLite ``json_each``, PostgreSQL ``unnest`` with the target ids joined in the
database, MariaDB multi-row INSERTs): one row per drawn target, with its stratum, position,
batch, and the id of the tenant's target of that credit code."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import delete, select

from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from shuangsuiji.services.draws import storage
from tests.conftest import TEST_URL
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


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_URL.startswith("postgresql"), reason="PostgreSQL's bulk form")
@pytest.mark.parametrize("stratum", ["general", "两行\n名称", ""])
def test_postgresql_columns_as_text_or_arrays_give_the_same_rows(
    platform: Platform, make_task: Callable[..., str], stratum: str,
) -> None:
    """The rows go as LF-joined texts, or as arrays when a value holds an LF or a stratum is
    empty; either way each row arrives as given (batch numbers and NULLs included)."""
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="rows")
        targets = s.execute(select(Target.credit_code, Target.id)
                            .where(Target.tenant_id == t.id).order_by(Target.credit_code)
                            .limit(3)).all()
        given = [(c, stratum, 100 + k, (None, 7, None)[k]) for k, (c, _id) in enumerate(targets)]
        given.append(("NOT-A-TARGET", stratum, 200, 2))
        conn = s.connection()
        conn.execute(delete(DrawSelection).where(DrawSelection.draw_id == record.id))
        storage._insert_selections_pg(conn, t.id, record.id, record.task_id, given)
        got = s.execute(select(DrawSelection.credit_code, DrawSelection.stratum,
                               DrawSelection.position, DrawSelection.batch_no,
                               DrawSelection.target_id)
                        .where(DrawSelection.draw_id == record.id)
                        .order_by(DrawSelection.position)).all()
        s.rollback()
    ids = dict(targets)
    assert [tuple(r) for r in got] == [(*row, ids.get(row[0])) for row in given]

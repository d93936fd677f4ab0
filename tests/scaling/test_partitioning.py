"""PostgreSQL: targets partitioned by tenant (docs/scaling.md). The platform's own import,
pool read and draw run unchanged on the partitioned table; each tenant's rows are in its own
partition; the planner reads only that partition for a tenant's pool; the composite foreign
keys refuse a flag pointing at another tenant's target."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shuangsuiji.db import partitioning, selection_checks
from shuangsuiji.platform import Platform
from tests.conftest import TEST_URL
from tests.web.conftest import build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_URL.startswith("postgresql"),
                       reason="declarative partitioning is PostgreSQL's"),
]


def test_import_and_draw_on_targets_partitioned_by_tenant(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq, miit = tenant_tree["chongqing"], tenant_tree["miit"]
    with platform.db.engine.begin() as conn:
        single = {(t, c) for t, _n, c in partitioning.referencing(conn)}
        assert {("target_flags", "target_id"), ("target_credit_classes", "target_id")} <= single
        # the selections' target is checked by statement-level triggers, not a key
        assert ("draw_selections", "target_id") not in single
        partitioning.partition_targets(conn)
        # the checks' triggers on targets were made again on the partitioned table
        assert selection_checks.installed(conn) == set(selection_checks.TRIGGERS)
        # every key to targets now names the tenant too: none is single-column any more
        assert partitioning.referencing(conn) == []
        composite = conn.execute(text(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'targets'::regclass AND array_length(conkey, 1) = 2"))
        assert {t for t, _c in single} == {t for (t,) in composite}
        cq_part = partitioning.add_tenant_partition(conn, cq)
        miit_part = partitioning.add_tenant_partition(conn, miit)
        kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'targets'"))
        assert kind.scalar() == "p"

    worlds = [build_world(platform, "chongqing", 7), build_world(platform, "miit", 11)]
    for world in worlds:
        assert world.draw_id is not None

    with platform.db.engine.connect() as conn:
        def rows(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar() or 0)

        assert rows(f"SELECT count(*) FROM ONLY {cq_part}") == 60
        assert rows(f"SELECT count(*) FROM ONLY {miit_part}") == 60
        assert rows("SELECT count(*) FROM ONLY targets_default") == 0
        assert rows(f"SELECT count(*) FROM {cq_part} WHERE tenant_id <> {cq}") == 0
        # the draw's selections point into the tenant's own partition
        assert rows(f"SELECT count(*) FROM draw_selections s JOIN {cq_part} t "
                    f"ON t.id = s.target_id WHERE s.draw_id = {worlds[0].draw_id}") > 0
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT credit_code, name FROM targets WHERE tenant_id = :t "
            "ORDER BY credit_code"), {"t": cq}))
        assert cq_part in plan and miit_part not in plan and "targets_default" not in plan

    # a flag on another tenant's target: refused by the composite foreign key
    with platform.db.engine.connect() as conn:
        target = conn.execute(text(f"SELECT id FROM {cq_part} LIMIT 1")).scalar()
        with pytest.raises(IntegrityError, match="fk_target_flags_target_id_targets"):
            conn.execute(text("INSERT INTO target_flags (tenant_id, target_id, flag, source) "
                              "VALUES (:t, :id, 'complaints', 'test')"),
                         {"t": miit, "id": target})
        conn.rollback()
        # a selection naming another tenant's target, and deleting a selected target from
        # its partition: refused by the selections' checks
        with pytest.raises(IntegrityError, match="fk_draw_selections_target_id_targets"):
            conn.execute(text(
                "INSERT INTO draw_selections (tenant_id, draw_id, task_id, target_id, "
                "credit_code, stratum, position) SELECT tenant_id, id, task_id, :id, 'X', "
                "'general', 999 FROM draws WHERE id = :d"),
                {"id": target, "d": worlds[1].draw_id})
        conn.rollback()
        selected = conn.execute(text(f"SELECT target_id FROM draw_selections WHERE draw_id = "
                                     f"{worlds[0].draw_id} LIMIT 1")).scalar()
        with pytest.raises(IntegrityError, match="fk_draw_selections_target_id_targets"):
            conn.execute(text("DELETE FROM target_flags WHERE target_id = :id"), {"id": selected})
            conn.execute(text("DELETE FROM target_credit_classes WHERE target_id = :id"),
                         {"id": selected})
            conn.execute(text(f"DELETE FROM {cq_part} WHERE id = :id"), {"id": selected})
        conn.rollback()


def test_partitioning_refuses_a_table_with_rows(platform: Platform,
                                                tenant_tree: dict[str, int]) -> None:
    build_world(platform, "chongqing", 3)
    with platform.db.engine.begin() as conn, pytest.raises(ValueError, match="not empty"):
        partitioning.partition_targets(conn)

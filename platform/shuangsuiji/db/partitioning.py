"""PostgreSQL: the directory of targets partitioned by tenant (declarative partitioning).

One step on the path to national scale (docs/scaling.md): with ``targets`` split ``PARTITION
BY LIST (tenant_id)``, a tenant's pool read, import and draw touch that tenant's partition
only (the planner prunes the others: every statement the platform sends on targets names
the tenant), a tenant's partition can be vacuumed, moved to its own tablespace, detached
and archived alone, and the same key is Citus's distribution column later.

:func:`partition_targets` turns a freshly made, **empty** ``targets`` table into that
layout; :func:`add_tenant_partition` gives a tenant its own partition (tenants without one
go to the default partition). What changes in the schema, and why:

* the primary key becomes ``(tenant_id, id)`` — PostgreSQL requires a partitioned table's
  unique constraints to include the partition key; ``id`` stays unique (one sequence);
* every foreign key to ``targets`` (``target_flags.target_id``,
  ``target_credit_classes.target_id`` …, found in the catalogue, so a table added later is
  not forgotten) becomes composite, ``(tenant_id, target_id)`` → ``targets (tenant_id, id)``:
  it also checks that a flag or a class belongs to the same tenant as its target;
* ``draw_selections.target_id`` has no foreign key on PostgreSQL but statement-level checks
  (db/selection_checks.py) that already compare the tenant; their triggers on ``targets``
  are made again on the new table (row triggers, so every partition has them).

The application code is unchanged; ``tests/scaling/test_partitioning.py`` runs imports and a
draw on the partitioned table. Not run by ``ssj db upgrade``: an operator chooses it when the
database is made (``ssj db partition-targets`` is not offered, on purpose, until the models
carry the composite keys themselves).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from shuangsuiji.db import selection_checks

#: The single-column foreign keys to ``targets``: (table, constraint, column).
_REFERENCING = text(
    "SELECT c.conrelid::regclass::text, c.conname, a.attname FROM pg_constraint c "
    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
    "WHERE c.contype = 'f' AND c.confrelid = 'targets'::regclass "
    "AND array_length(c.conkey, 1) = 1 ORDER BY 1, 2")


def referencing(conn: Connection) -> list[tuple[str, str, str]]:
    """The foreign keys to ``targets.id``, as (table, constraint, column)."""
    return [(t, n, c) for t, n, c in conn.execute(_REFERENCING)]


def partition_targets(conn: Connection) -> None:
    """Rebuild the empty ``targets`` table as ``PARTITION BY LIST (tenant_id)`` with a
    default partition (in the caller's transaction)."""
    if conn.dialect.name != "postgresql":
        raise ValueError("declarative partitioning is PostgreSQL's")
    if conn.execute(text("SELECT EXISTS (SELECT 1 FROM targets)")).scalar():
        raise ValueError("targets is not empty: partition it before the first import")
    keys = referencing(conn)
    checked = selection_checks.installed(conn) & set(selection_checks.TARGET_TRIGGER_NAMES)
    for table, name, _column in keys:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    conn.execute(text("ALTER SEQUENCE targets_id_seq OWNED BY NONE"))
    conn.execute(text(
        "CREATE TABLE targets_partitioned (LIKE targets INCLUDING DEFAULTS) "
        "PARTITION BY LIST (tenant_id)"))
    conn.execute(text("DROP TABLE targets"))
    conn.execute(text("ALTER TABLE targets_partitioned RENAME TO targets"))
    conn.execute(text("ALTER SEQUENCE targets_id_seq OWNED BY targets.id"))
    conn.execute(text("ALTER TABLE targets ADD CONSTRAINT pk_targets PRIMARY KEY (tenant_id, id)"))
    conn.execute(text("ALTER TABLE targets ADD CONSTRAINT uq_targets_tenant_id_credit_code "
                      "UNIQUE (tenant_id, credit_code)"))
    conn.execute(text("ALTER TABLE targets ADD CONSTRAINT fk_targets_tenant_id_tenants "
                      "FOREIGN KEY (tenant_id) REFERENCES tenants (id)"))
    conn.execute(text("CREATE INDEX ix_targets_pool ON targets (tenant_id, credit_code, name)"))
    conn.execute(text("CREATE INDEX ix_targets_tenant_id ON targets (tenant_id)"))
    conn.execute(text("CREATE TABLE targets_default PARTITION OF targets DEFAULT"))
    for table, name, column in keys:
        conn.execute(text(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY (tenant_id, {column}) '
            "REFERENCES targets (tenant_id, id)"))
    if checked:  # the old table's triggers went with it; row triggers reach every partition
        for statement in selection_checks.TARGET_TRIGGERS:
            conn.exec_driver_sql(statement)


def add_tenant_partition(conn: Connection, tenant_id: int) -> str:
    """A partition of ``targets`` for ``tenant_id`` alone (before its first import); its
    name."""
    name = f"targets_t{int(tenant_id)}"
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF targets FOR VALUES IN "
                      f"({int(tenant_id)})"))
    return name

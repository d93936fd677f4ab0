"""PostgreSQL: the draw's selections checked by statement, not row by row.

``draw_selections`` names its draw by ``(draw_id, task_id, tenant_id)`` and its target by
``target_id``. Elsewhere (SQLite, MariaDB) two foreign keys check that. On PostgreSQL a
foreign key is a trigger fired for every inserted row, and the one on ``target_id`` also
locks every named target row ``FOR KEY SHARE``, which writes each target's heap tuple: at
1,000,000 targets a draw's 53,268 selections paid two trigger calls and one tuple write each
(docs/performance.md §"The draw's selections on PostgreSQL"). Here the two keys are replaced by
checks that keep their guarantees:

* **Inserting or updating selections** (``AFTER INSERT`` / ``AFTER UPDATE … FOR EACH
  STATEMENT`` over the transition table): one anti-join for all rows of the statement. A
  selection whose draw is missing, or whose draw has another task or tenant, is refused; so
  is one naming a target that is missing *or belongs to another tenant* (stricter than the
  single-column key it replaces, as the composite keys of db/partitioning.py are). The draws
  named are locked ``FOR KEY SHARE`` as the foreign key locked them (one row per draw).
* **Deleting or re-keying a target or a draw** that a selection names (``AFTER DELETE`` and
  ``AFTER UPDATE … WHEN`` the key changed, ``FOR EACH ROW``; row triggers are cloned onto
  every partition of a partitioned ``targets``): refused, as ``NO ACTION`` would.
  ``TRUNCATE`` of ``targets`` or ``draws`` is refused while any selection exists.
* **Concurrency** (READ COMMITTED, the platform's level). The targets are not locked row by
  row. Instead a statement writing selections takes a *shared* transaction-level advisory
  lock of each tenant it writes (:data:`LOCK_CLASS`, tenant id), and a delete or re-key of a
  target takes the tenant's lock *exclusively* before it looks for selections. So either the
  delete waits for the draw's transaction and then sees its committed selections, or the
  draw's check waits for the delete's transaction and then finds the target gone; never both
  pass. Draw rows keep their ``FOR KEY SHARE`` lock. Under REPEATABLE READ a transaction's
  snapshot cannot see rows committed after it began, so there the selections' check locks
  the targets ``FOR KEY SHARE`` as the foreign key did (a concurrent delete then fails to
  serialise), and deleting or re-keying a target or draw is refused (the built-in key's
  cross-check snapshot is not available to a trigger); SERIALIZABLE is covered by its own
  conflict detection.

Errors use SQLSTATE 23503 (``foreign_key_violation``) with the old constraint names, so a
caller sees the same ``IntegrityError`` as before. ``tests/draws/test_selection_checks.py``
shows each violation refused, and the concurrent delete blocked, on PostgreSQL.

The checks are installed by :func:`install` — by ``create_all`` (a metadata event) and by
migration ``0006_selection_checks`` — and :func:`use_foreign_keys` puts the two foreign keys
back (the migration's downgrade; the benchmark's A/B).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Dialect, MetaData, event, text

#: The advisory lock class (first key) whose second key is a tenant id.
LOCK_CLASS = 170_017

#: The foreign keys these checks replace on PostgreSQL (their names are kept in the errors).
DRAW_KEY = "fk_draw_selections_draw_id_draws"
TARGET_KEY = "fk_draw_selections_target_id_targets"
INFO_KEY = "ssj_statement_checked"  # a ForeignKeyConstraint.info key: not made on PostgreSQL

_INSERT_CHECK = f"""
CREATE OR REPLACE FUNCTION ssj_selections_check() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  bad record;
BEGIN
  PERFORM pg_advisory_xact_lock_shared({LOCK_CLASS}, k.tenant_id)
    FROM (SELECT DISTINCT tenant_id FROM new_rows ORDER BY tenant_id) k;
  PERFORM 1 FROM draws d
    JOIN (SELECT DISTINCT draw_id, task_id, tenant_id FROM new_rows) n
      ON d.id = n.draw_id AND d.task_id = n.task_id AND d.tenant_id = n.tenant_id
    FOR KEY SHARE OF d;
  SELECT n.draw_id, n.task_id, n.tenant_id INTO bad FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = n.draw_id
                      AND d.task_id = n.task_id AND d.tenant_id = n.tenant_id)
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = 'draw_selections',
      CONSTRAINT = '{DRAW_KEY}',
      MESSAGE = 'insert or update on table "draw_selections" violates foreign key '
                'constraint "{DRAW_KEY}"',
      DETAIL = format('Key (draw_id, task_id, tenant_id)=(%s, %s, %s) is not present in '
                      'table "draws".', bad.draw_id, bad.task_id, bad.tenant_id);
  END IF;
  IF current_setting('transaction_isolation') = 'repeatable read' THEN
    PERFORM 1 FROM targets t JOIN new_rows n
      ON t.id = n.target_id AND t.tenant_id = n.tenant_id FOR KEY SHARE OF t;
  END IF;
  -- one index probe a row, in id order (a scalar subquery: NOT EXISTS became a hash
  -- anti-join reading every target of every tenant)
  SELECT n.tenant_id, n.target_id INTO bad
    FROM (SELECT tenant_id, target_id FROM new_rows WHERE target_id IS NOT NULL
          ORDER BY target_id) n
    WHERE (SELECT 1 FROM targets t WHERE t.id = n.target_id AND t.tenant_id = n.tenant_id)
          IS NULL
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = 'draw_selections',
      CONSTRAINT = '{TARGET_KEY}',
      MESSAGE = 'insert or update on table "draw_selections" violates foreign key '
                'constraint "{TARGET_KEY}"',
      DETAIL = format('Key (tenant_id, target_id)=(%s, %s) is not present in table '
                      '"targets".', bad.tenant_id, bad.target_id);
  END IF;
  RETURN NULL;
END
$fn$
"""

_REFUSE_UNDER_RR = """
  IF current_setting('transaction_isolation') = 'repeatable read' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('%s of a row of "%s" under REPEATABLE READ: draws'' selections may '
                       'name it', TG_OP, TG_TABLE_NAME),
      HINT = 'run it under READ COMMITTED or SERIALIZABLE';
  END IF;"""


def _referenced_check(name: str, table: str, key: str, still: str, lock: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN{_REFUSE_UNDER_RR}
  {lock}
  IF EXISTS (SELECT 1 FROM draw_selections s WHERE {still}) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = 'draw_selections',
      CONSTRAINT = '{key}',
      MESSAGE = 'update or delete on table "{table}" violates foreign key constraint '
                '"{key}" on table "draw_selections"',
      DETAIL = format('Key (id)=(%s) is still referenced from table "draw_selections".',
                      OLD.id);
  END IF;
  RETURN NULL;
END
$fn$
"""


_TARGET_GONE = _referenced_check(
    "ssj_selections_target_gone", "targets", TARGET_KEY,
    "s.target_id = OLD.id AND NOT EXISTS (SELECT 1 FROM targets t "
    "WHERE t.id = s.target_id AND t.tenant_id = s.tenant_id)",
    f"PERFORM pg_advisory_xact_lock({LOCK_CLASS}, OLD.tenant_id);")
_DRAW_GONE = _referenced_check(
    "ssj_selections_draw_gone", "draws", DRAW_KEY,
    "s.draw_id = OLD.id AND s.task_id = OLD.task_id AND s.tenant_id = OLD.tenant_id "
    "AND NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = s.draw_id "
    "AND d.task_id = s.task_id AND d.tenant_id = s.tenant_id)",
    "")
_NO_TRUNCATE = """
CREATE OR REPLACE FUNCTION ssj_selections_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM draw_selections) THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = format('cannot truncate "%s": draws'' selections name its rows',
                       TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END
$fn$
"""

FUNCTIONS = ("ssj_selections_check", "ssj_selections_target_gone", "ssj_selections_draw_gone",
             "ssj_selections_no_truncate")


def _referenced_triggers(table: str, function: str, key: str) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in key.split(", "))
    return [
        f"CREATE TRIGGER ssj_{table}_selections_del AFTER DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER ssj_{table}_selections_upd AFTER UPDATE ON {table} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER ssj_{table}_selections_trunc BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION ssj_selections_no_truncate()",
    ]


#: The triggers on ``targets`` (made again when db/partitioning.py rebuilds the table).
TARGET_TRIGGERS = _referenced_triggers("targets", "ssj_selections_target_gone", "id, tenant_id")
TARGET_TRIGGER_NAMES = tuple(statement.split()[2] for statement in TARGET_TRIGGERS)
_TRIGGERS = [
    "CREATE TRIGGER ssj_selections_ins AFTER INSERT ON draw_selections REFERENCING NEW TABLE "
    "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ssj_selections_check()",
    "CREATE TRIGGER ssj_selections_upd AFTER UPDATE ON draw_selections REFERENCING NEW TABLE "
    "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ssj_selections_check()",
    *TARGET_TRIGGERS,
    *_referenced_triggers("draws", "ssj_selections_draw_gone", "id, task_id, tenant_id"),
]
TRIGGERS = {statement.split()[2]: statement.split(" ON ")[1].split()[0]
            for statement in _TRIGGERS}  # trigger name → table


def install(conn: Connection) -> None:
    """The functions and triggers (the tables must exist; the foreign keys must be gone)."""
    for function in (_INSERT_CHECK, _TARGET_GONE, _DRAW_GONE, _NO_TRUNCATE):
        conn.exec_driver_sql(function)
    for statement in _TRIGGERS:
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    for name, table in TRIGGERS.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")


def installed(conn: Connection) -> set[str]:
    """The names of this module's triggers present in the database."""
    return {name for (name,) in conn.execute(text(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'ssj_%'"))
        if name in TRIGGERS}


def use_statement_checks(conn: Connection) -> None:
    """From the two foreign keys to these checks (migration 0006's upgrade)."""
    conn.exec_driver_sql(f'ALTER TABLE draw_selections DROP CONSTRAINT IF EXISTS "{DRAW_KEY}"')
    conn.exec_driver_sql(f'ALTER TABLE draw_selections DROP CONSTRAINT IF EXISTS "{TARGET_KEY}"')
    install(conn)


def use_foreign_keys(conn: Connection) -> None:
    """Back to the two foreign keys (the downgrade; the benchmark's other side)."""
    uninstall(conn)
    partitioned = conn.execute(text(
        "SELECT relkind = 'p' FROM pg_class WHERE relname = 'targets'")).scalar()
    target_key = ("(tenant_id, target_id) REFERENCES targets (tenant_id, id)" if partitioned
                  else "(target_id) REFERENCES targets (id)")
    conn.exec_driver_sql(
        f'ALTER TABLE draw_selections ADD CONSTRAINT "{DRAW_KEY}" FOREIGN KEY '
        "(draw_id, task_id, tenant_id) REFERENCES draws (id, task_id, tenant_id)")
    conn.exec_driver_sql(
        f'ALTER TABLE draw_selections ADD CONSTRAINT "{TARGET_KEY}" FOREIGN KEY {target_key}')


def made_elsewhere(ddl: Any, target: Any, bind: Connection | None, tables: Any = None,
                   state: Any = None, *, dialect: Dialect, compiler: Any = None,
                   checkfirst: bool = False) -> bool:
    """``ddl_if`` of the two foreign keys: made on every database but PostgreSQL."""
    return bool(dialect.name != "postgresql")


def include_object(dialect_name: str) -> Any:
    """An Alembic ``include_object`` hook for ``dialect_name``: on PostgreSQL the models' two
    foreign keys that these checks replace are not expected in the database."""
    def include(obj: Any, _name: str | None, type_: str, reflected: bool,
                _compare_to: Any) -> bool:
        return not (dialect_name == "postgresql" and type_ == "foreign_key_constraint"
                    and not reflected and obj.info.get(INFO_KEY, False))
    return include


def listen(metadata: MetaData) -> None:
    """Install the checks after ``create_all`` on PostgreSQL, drop the functions after
    ``drop_all``."""
    @event.listens_for(metadata, "after_create")
    def _created(_target: Any, connection: Connection, **kw: Any) -> None:
        # only the tables this call made (create_all skips those that exist)
        if connection.dialect.name == "postgresql" and "draw_selections" in {
                t.name for t in kw.get("tables", ())}:
            install(connection)

    @event.listens_for(metadata, "after_drop")
    def _dropped(_target: Any, connection: Connection, **_kw: Any) -> None:
        if connection.dialect.name == "postgresql":
            for function in FUNCTIONS:
                connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}() CASCADE")

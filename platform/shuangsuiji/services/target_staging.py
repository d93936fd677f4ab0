"""Targets imported through a staging table: a million rows in bounded memory.

:func:`~shuangsuiji.services.imports.parse_rows` hands the checked rows, a chunk at a time, to
:class:`StagedRows`, which inserts them into a temporary table of the session's connection
(``ssj_import_staging``: row number, the file's stored fields, its risk flags as text).
Python keeps nothing of a row once it is staged but its key (for duplicates in the file). A
row with a problem stops the staging; the import raises and :meth:`StagedRows.drop` removes
the table: the directory itself was never touched (all-or-nothing).

When every row is good, :func:`apply_import` writes in the caller's transaction: targets
already stored are read beside their staged rows a page at a time and only the changed ones
are kept (updates and ``directory_changes``); the new ones go in with one
``INSERT … SELECT … ORDER BY credit_code``, so the database sorts them (SQLite's sorter spills
to temporary files) and the unique (tenant_id, credit_code) index is appended to in key order.

Statements here are Core, not covered by the ORM's tenant filter: each names ``tenant_id``
(tests/directories/test_isolation.py checks that an import never reads or touches another
tenant's rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from shuangsuiji.db.base import utcnow
from shuangsuiji.models.directories import ImportBatch, Target
from shuangsuiji.services.directory_writes import (
    CHUNK,
    FLAGS_TABLE,
    Changed,
    insert_rows,
    update_changed,
    write_history,
)
from shuangsuiji.services.import_fields import FlagEntry, format_flags, risk_flags
from shuangsuiji.services.import_report import ImportReport, ParsedFile, Progress

TARGETS = cast(Table, Target.__table__)
STAGING = "ssj_import_staging"
#: Staged rows compared with the stored targets per query.
PAGE = 5000
#: Credit codes per ``IN (…)`` lookup.
LOOKUP = 500


def _drop_sql(dialect: str) -> str:
    # MySQL/MariaDB: only DROP *TEMPORARY* TABLE leaves the transaction open (a plain DROP
    # TABLE commits implicitly).
    if dialect in ("mysql", "mariadb"):
        return f"DROP TEMPORARY TABLE IF EXISTS {STAGING}"
    if dialect == "postgresql":
        return f"DROP TABLE IF EXISTS pg_temp.{STAGING}"
    return f"DROP TABLE IF EXISTS temp.{STAGING}"


class StagedRows:
    """The sink of :func:`~shuangsuiji.services.imports.parse_rows` for targets."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.table: Table | None = None
        self.fields: tuple[str, ...] = ()
        self.has_flags = False
        self.count = 0

    def open(self, fields: tuple[str, ...], extras: tuple[str, ...]) -> None:
        """Make the staging table for the file's stored ``fields`` (and its flags)."""
        self.fields = fields
        self.has_flags = "risk_flags" in extras
        self.conn.exec_driver_sql(_drop_sql(self.conn.dialect.name))  # a failed earlier one
        columns: list[Column[object]] = [
            Column("row_no", Integer, primary_key=True, autoincrement=False)]
        columns += [Column(f, TARGETS.c[f].type) for f in fields]
        if self.has_flags:
            columns.append(Column("flags", Text))
        self.table = Table(STAGING, MetaData(), *columns, prefixes=["TEMPORARY"])
        self.table.create(self.conn)

    def add(self, rows: list[tuple[object, ...]]) -> None:
        """Stage ``rows``: (row number, stored values…, then the flags' entries)."""
        assert self.table is not None
        width = 1 + len(self.fields)
        if self.has_flags:
            rows = [(*r[:width], format_flags(cast(Sequence[FlagEntry], r[width]), "en"))
                    for r in rows]
        insert_rows(self.conn, self.table, [c.name for c in self.table.columns], rows)
        self.count += len(rows)

    def drop(self) -> None:
        if self.table is not None:
            self.conn.exec_driver_sql(_drop_sql(self.conn.dialect.name))
            self.table = None


def _stored_flags(conn: Connection, tenant_id: int) -> dict[
    int, dict[tuple[str, date | None], tuple[int, date | None]]
]:
    stored: dict[int, dict[tuple[str, date | None], tuple[int, date | None]]] = {}
    rows = conn.execute(
        select(FLAGS_TABLE.c.id, FLAGS_TABLE.c.target_id, FLAGS_TABLE.c.flag,
               FLAGS_TABLE.c.listed_on, FLAGS_TABLE.c.removed_on)
        .where(FLAGS_TABLE.c.tenant_id == tenant_id)
    )
    for fid, target_id, flag, listed, removed in rows:
        stored.setdefault(target_id, {})[(flag, listed)] = (fid, removed)
    return stored


class _Plan:
    """What the write does to stored targets and their flags."""

    def __init__(self, tenant_id: int, source: str, today: date) -> None:
        self.tenant_id, self.source, self.today = tenant_id, source, today
        self.matched = 0
        self.changed: list[Changed] = []  # the credit code is the key
        self.flag_inserts: list[dict[str, object]] = []
        self.flag_updates: list[dict[str, object]] = []
        self.flags_changed: dict[int, tuple[str, str, str]] = {}  # id → (code, old, new)

    def compare_flags(self, target_id: int, code: str, text: str,
                      have: dict[tuple[str, date | None], tuple[int, date | None]]) -> None:
        """Flags in the file and not stored are added; differing end dates updated; stored
        entries still open that the file no longer lists are ended today."""
        want = {(flag, listed): removed for flag, listed, removed in
                (risk_flags(text) if text else ())}
        if not have and not want:
            return
        after = dict(want)
        for (flag, listed), removed in want.items():
            old = have.get((flag, listed))
            if old is None:
                self.flag_inserts.append({
                    "tenant_id": self.tenant_id, "target_id": target_id, "flag": flag,
                    "listed_on": listed, "removed_on": removed, "source": self.source})
            elif old[1] != removed:
                self.flag_updates.append({"_id": old[0], "_removed": removed})
        for (flag, listed), (fid, removed) in have.items():
            if (flag, listed) in want:
                continue
            if removed is None:
                self.flag_updates.append({"_id": fid, "_removed": self.today})
                after[(flag, listed)] = self.today
            else:
                after[(flag, listed)] = removed
        before = {k: v[1] for k, v in have.items()}
        if before != after:
            self.flags_changed[target_id] = (
                code,
                format_flags(((f, lo, ro) for (f, lo), ro in before.items()), "en"),
                format_flags(((f, lo, ro) for (f, lo), ro in after.items()), "en"),
            )


def _by_code(conn: Connection, tenant_id: int, codes: list[object],
             *columns: Column[object]) -> dict[object, tuple[object, ...]]:
    """Stored targets of this tenant with these credit codes: code → (columns…). Looked up
    by the unique (tenant_id, credit_code) index, never by a join the planner could turn
    round (SQLite scanned all targets for each staged row)."""
    found: dict[object, tuple[object, ...]] = {}
    for start in range(0, len(codes), LOOKUP):
        rows = conn.execute(
            select(TARGETS.c.credit_code, *columns)
            .where(TARGETS.c.tenant_id == tenant_id,
                   TARGETS.c.credit_code.in_(codes[start:start + LOOKUP])))
        found.update((row[0], tuple(row[1:])) for row in rows)
    return found


def _compare_stored(conn: Connection, staged: StagedRows, plan: _Plan) -> None:
    """Read the staged rows a page at a time with the stored targets of the same codes, and
    plan the changes; only changed rows are kept."""
    table = staged.table
    assert table is not None
    fields = staged.fields
    n = len(fields)
    stored_flags = _stored_flags(conn, plan.tenant_id) if staged.has_flags else {}
    page = (
        select(table.c.row_no, *[table.c[f] for f in fields],
               *([table.c.flags] if staged.has_flags else []))
        .where(table.c.row_no > bindparam("after"))
        .order_by(table.c.row_no)
        .limit(PAGE)
    )
    code_at = fields.index("credit_code")
    after = 0
    while True:
        rows = conn.execute(page, {"after": after}).all()
        if not rows:
            return
        after = rows[-1][0]
        stored = _by_code(conn, plan.tenant_id, [r[1 + code_at] for r in rows],
                          TARGETS.c.id, *[TARGETS.c[f] for f in fields])
        for row in rows:
            record = tuple(row[1:1 + n])
            match = stored.get(record[code_at])
            if match is None:
                continue
            plan.matched += 1
            target_id, old = cast(int, match[0]), match[1:]
            if old != record:
                diff = [(f, o, v) for f, o, v in zip(fields, old, record, strict=True) if o != v]
                plan.changed.append((target_id, record, diff, str(record[code_at])))
            if staged.has_flags:
                plan.compare_flags(target_id, str(record[code_at]), row[1 + n] or "",
                                   stored_flags.get(target_id, {}))
        if len(rows) < PAGE:
            return


def apply_import(
    session: Session,
    tenant_id: int,
    parsed: ParsedFile,
    staged: StagedRows,
    report: ImportReport,
    batch: ImportBatch | None,
    *,
    today: date,
    progress: Progress | None = None,
) -> None:
    """Insert the new targets, update the changed ones (recording each changed field) and
    their flags; fills the counts of ``report``; writes nothing when ``report.dry_run``."""
    conn = session.connection()
    table = staged.table
    assert table is not None
    fields = staged.fields
    source = f"import:{batch.id}" if batch is not None else "import"
    plan = _Plan(tenant_id, source, today)
    stored_any = conn.execute(
        select(TARGETS.c.id).where(TARGETS.c.tenant_id == tenant_id).limit(1)).first()
    if stored_any is not None:
        _compare_stored(conn, staged, plan)
    changed_ids = {c[0] for c in plan.changed} | set(plan.flags_changed)
    report.inserted = staged.count - plan.matched
    report.updated = len(changed_ids)
    report.unchanged = staged.count - report.inserted - report.updated
    report.changes = sum(len(c[2]) for c in plan.changed) + len(plan.flags_changed)
    if report.dry_run:
        return
    assert batch is not None
    now = utcnow()
    total = report.inserted + len(plan.changed)
    if progress is not None:
        progress("writing", 0, total)

    before_max = conn.execute(select(func.max(TARGETS.c.id))).scalar() or 0
    # tenant_id is set here, not by the ORM hook; new rows in key order (the database sorts)
    new_rows = select(*[table.c[f] for f in fields], literal(tenant_id)).order_by(
        table.c.credit_code)
    if plan.matched:
        new_rows = new_rows.where(~exists().where(TARGETS.c.tenant_id == tenant_id,
                                                  TARGETS.c.credit_code == table.c.credit_code))
    conn.execute(insert(TARGETS).from_select([*fields, "tenant_id"], new_rows))
    if progress is not None:
        progress("writing", report.inserted, total)

    history = update_changed(conn, TARGETS, tenant_id, fields, plan.changed, now)
    if staged.has_flags:
        _write_flags(conn, tenant_id, table, plan, before_max)
        history += [(code, "risk_flags", old or None, new or None)
                    for code, old, new in plan.flags_changed.values()]
        if plan.flags_changed:
            conn.execute(
                update(TARGETS)
                .where(TARGETS.c.id == bindparam("_id"), TARGETS.c.tenant_id == tenant_id)
                .values(updated_at=now),
                [{"_id": tid} for tid in plan.flags_changed],
            )
    write_history(conn, tenant_id, "targets", history, batch.id, now)
    if progress is not None:
        progress("writing", total, total)


def _write_flags(conn: Connection, tenant_id: int, table: Table, plan: _Plan,
                 before_max: int) -> None:
    """The flags of existing targets as planned; those of the new targets (their ids found by
    credit code among this tenant's rows above the old maximum id)."""
    inserts = list(plan.flag_inserts)
    # the staged rows with flags (a few per cent) whose targets are new (id above the old
    # maximum; a stored target's flags were planned already)
    flagged = dict(conn.execute(select(table.c.credit_code, table.c.flags)
                                .where(table.c.flags != "")).all())
    ids = _by_code(conn, tenant_id, list(flagged), TARGETS.c.id)
    for code, text in flagged.items():
        target_id = cast(int, ids[code][0])
        if target_id <= before_max:
            continue
        for flag, listed, removed in risk_flags(text):
            inserts.append({"tenant_id": tenant_id, "target_id": target_id, "flag": flag,
                            "listed_on": listed, "removed_on": removed,
                            "source": plan.source})
    for start in range(0, len(inserts), CHUNK):
        conn.execute(insert(FLAGS_TABLE), inserts[start:start + CHUNK])
    if plan.flag_updates:
        conn.execute(
            update(FLAGS_TABLE)
            .where(FLAGS_TABLE.c.id == bindparam("_id"), FLAGS_TABLE.c.tenant_id == tenant_id)
            .values(removed_on=bindparam("_removed")),
            plan.flag_updates,
        )

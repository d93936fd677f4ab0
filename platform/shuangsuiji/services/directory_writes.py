"""Directories (名录库), writing: an import's inspectors or experts applied in bulk, with the
change log; the pieces targets share (:func:`insert_rows`, :func:`update_changed`,
:func:`write_history`; targets themselves go through a staging table,
:mod:`shuangsuiji.services.target_staging`).

Writes use Core statements in chunks (a million targets import in seconds, not hours), so they
are *not* covered by the ORM's automatic tenant filter: every statement here names
``tenant_id`` itself, and tests/directories/test_isolation.py checks that an import into one
tenant never reads or touches another's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from shuangsuiji.db.base import utcnow
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import (
    DirectoryChange,
    Expert,
    ImportBatch,
    Inspector,
    TargetFlag,
)
from shuangsuiji.services.import_report import (
    ImportFailed,
    ImportReport,
    ParsedFile,
    Progress,
    RowProblem,
)

#: Directories written from rows in memory (targets go through a staging table:
#: :mod:`shuangsuiji.services.target_staging`).
MODELS = {"inspectors": Inspector, "experts": Expert}
CHUNK = 5000
# The tables behind the models, typed as tables for Core statements.
FLAGS_TABLE = cast(Table, TargetFlag.__table__)
CHANGES_TABLE = cast(Table, DirectoryChange.__table__)


def as_text(value: object) -> str | None:
    """A stored value as the text kept in ``directory_changes``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


#: A changed stored row: (its id, the file's values, [(field, old, new)], its key as text).
Changed = tuple[int, tuple[object, ...], list[tuple[str, object, object]], str]


def apply_import(
    session: Session,
    tenant_id: int,
    parsed: ParsedFile,
    report: ImportReport,
    batch: ImportBatch | None,
    *,
    progress: Progress | None = None,
) -> None:
    """Insert new rows, update changed ones (recording each changed field), leave the rest.

    Fills the counts of ``report``; writes nothing when ``report.dry_run``. Rows the file does
    not mention are left as they are (an import adds and updates; it does not delete).
    """
    kind = parsed.schema.kind
    table = cast(Table, MODELS[kind].__table__)
    fields = parsed.fields
    conn = session.connection()

    stored = conn.execute(
        select(table.c.id, *[table.c[f] for f in fields]).where(table.c.tenant_id == tenant_id)
    ).all()
    key_positions = [(fields.index(k), k) for k in parsed.schema.keys if k in fields]
    index: dict[str, dict[object, int]] = {k: {} for _, k in key_positions}
    values_of: dict[int, tuple[object, ...]] = {}
    for stored_row in stored:
        values_of[stored_row[0]] = tuple(stored_row[1:])
        for position, key in key_positions:
            if stored_row[1 + position] is not None:
                index[key][stored_row[1 + position]] = stored_row[0]

    new: list[tuple[object, ...]] = []
    changed: list[Changed] = []
    first_row_of: dict[int, int] = {}
    problems: list[RowProblem] = []
    for record, row in zip(parsed.records, parsed.rows, strict=True):
        match = None
        for position, key in key_positions:
            if record[position] is not None:
                match = index[key].get(record[position])
                if match is not None:
                    break
        if match is None:
            new.append(record)
            continue
        for position, key in key_positions:
            other = index[key].get(record[position]) if record[position] is not None else None
            if other is not None and other != match:
                problems.append(RowProblem(
                    row, parsed.headings[key], str(record[position]),
                    msg("already belongs to another stored %(entity)s; correct the key "
                        "columns of this row", entity=parsed.schema.entity_zh)))
        first = first_row_of.setdefault(match, row)
        if first != row:
            problems.append(RowProblem(row, None, None,
                                       msg("row %(first)d already updates the same stored "
                                           "%(entity)s", first=first,
                                           entity=parsed.schema.entity_zh)))
        old = values_of[match]
        if old != record:
            diff = [(f, o, n) for f, o, n in zip(fields, old, record, strict=True) if o != n]
            key_text = next(str(record[p]) for p, _ in key_positions if record[p] is not None)
            changed.append((match, record, diff, key_text))
    if problems:
        raise ImportFailed(report.filename, problems)

    report.inserted = len(new)
    report.updated = len(changed)
    report.unchanged = len(parsed.records) - len(new) - len(changed)
    report.changes = sum(len(c[2]) for c in changed)
    if report.dry_run:
        return
    assert batch is not None
    now = utcnow()
    total = len(new) + len(changed)

    # New rows go in in key order: the unique (tenant_id, key) index is then appended to
    # rather than split at random places, which makes a million-row insert 3x faster on SQLite.
    if parsed.schema.required_key:
        new.sort(key=itemgetter(key_positions[0][0]))
    else:
        key_of = [p for p, _ in key_positions]
        new.sort(key=lambda r: tuple("" if r[p] is None else str(r[p]) for p in key_of))
    # tenant_id is set here, not by the ORM hook
    insert_rows(conn, table, (*fields, "tenant_id"), [(*r, tenant_id) for r in new],
                progress=(lambda done: progress("writing", done, total)) if progress else None)
    history = update_changed(conn, table, tenant_id, fields, changed, now)
    write_history(conn, tenant_id, kind, history, batch.id, now)
    if progress is not None:
        progress("writing", total, total)


def update_changed(conn: Connection, table: Table, tenant_id: int, fields: Sequence[str],
                   changed: Sequence[Changed], now: datetime) -> list[tuple[str, str, object,
                                                                            object]]:
    """UPDATE the ``changed`` rows to the file's values, in chunks; their changed fields as
    (key, field, old, new) for :func:`write_history`."""
    if changed:
        updating = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.tenant_id == tenant_id)
            .values({**{f: bindparam(f"_v_{f}") for f in fields},
                     "updated_at": bindparam("_at")})
        )
        for start in range(0, len(changed), CHUNK):
            conn.execute(updating, [
                {"_id": tid, "_at": now, **{f"_v_{f}": v for f, v in zip(fields, r, strict=True)}}
                for tid, r, _, _ in changed[start:start + CHUNK]])
    return [(key, f, o, n) for _, _, diff, key in changed for f, o, n in diff]


def write_history(conn: Connection, tenant_id: int, kind: str,
                  history: Sequence[tuple[str, str, object, object]], batch_id: int,
                  now: datetime) -> None:
    """The change log (``directory_changes``): one row per (key, field, old, new)."""
    rows = [{"tenant_id": tenant_id, "kind": kind, "key": key, "field": f, "old": as_text(o),
             "new": as_text(n), "batch_id": batch_id, "at": now} for key, f, o, n in history]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(CHANGES_TABLE), rows[start:start + CHUNK])


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[object, ...]],
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """INSERT ``rows`` (tuples of ``columns``) into ``table`` in chunks.

    The statement is a Core ``insert()`` compiled once for the connection's dialect. When the
    dialect takes positional parameters and no column needs a bind processor (text and integer
    columns on SQLite), the tuples go to the driver's ``executemany`` as they are: building a
    dict per row and processing it cost more than SQLite's own work on a million targets.
    Otherwise, the ordinary Core executemany with one dict per row.
    """
    statement = insert(table).values({c: bindparam(c) for c in columns})
    dialect = conn.dialect
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    compiled = statement.compile(dialect=dialect)
    raw = dialect.positional and not any(processors) and compiled.positiontup is not None
    # Each driver parameter is a column of the row, or a column's scalar default that the
    # compiled statement added (e.g. address = "" when the file has no address column).
    sources: list[tuple[bool, object]] = []
    for name in compiled.positiontup or ():
        if name in columns:
            sources.append((True, list(columns).index(name)))
            continue
        default = table.c[name].default if name in table.c else None
        if default is None or not default.is_scalar:
            raw = False
            break
        sources.append((False, default.arg))  # type: ignore[attr-defined]
    in_order = sources == [(True, i) for i in range(len(columns))]
    sql = str(compiled)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if raw:
            params = chunk if in_order else [
                tuple(r[v] if is_column else v for is_column, v in sources)  # type: ignore[call-overload]
                for r in chunk
            ]
            conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]
        else:
            conn.execute(statement, [dict(zip(columns, r, strict=True)) for r in chunk])
        if progress is not None:
            progress(min(start + CHUNK, len(rows)))

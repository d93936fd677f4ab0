"""Directories (名录库), writing: an import's rows applied in bulk, with their flags and the
change log.

Writes use Core statements in chunks (a million targets import in seconds, not hours), so they
are *not* covered by the ORM's automatic tenant filter: every statement here names
``tenant_id`` itself, and tests/directories/test_isolation.py checks that an import into one
tenant never reads or touches another's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from shuangsuiji.db.base import utcnow
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import (
    DirectoryChange,
    Expert,
    ImportBatch,
    Inspector,
    Target,
    TargetFlag,
)
from shuangsuiji.services.import_fields import FlagEntry, format_flags
from shuangsuiji.services.import_report import (
    ImportFailed,
    ImportReport,
    ParsedFile,
    Progress,
    RowProblem,
)

MODELS = {"targets": Target, "inspectors": Inspector, "experts": Expert}
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


@dataclass
class _FlagPlan:
    inserts: list[dict[str, object]]  # for existing targets
    new_target_flags: dict[str, tuple[FlagEntry, ...]]  # credit code → flags, new targets
    updates: list[dict[str, object]]  # {"_id", "_removed"}
    changed: dict[int, tuple[str, str]]  # target id → (old text, new text)
    source: str  # kept on each flag row: which import set it


def _plan_flags(
    conn: Connection, tenant_id: int, parsed: ParsedFile, matches: list[int | None], today: date,
    source: str,
) -> _FlagPlan:
    """Compare the file's risk flags with those stored, target by target.

    A flag entry is identified by (flag, listed on). Entries in the file and not stored are
    added; entries whose end date differs are updated; stored entries still open that the
    file no longer lists are ended today, so "flags in force on a past day" stays answerable.
    """
    entries = parsed.extras["risk_flags"]
    stored: dict[int, dict[tuple[str, date | None], tuple[int, date | None]]] = {}
    rows = conn.execute(
        select(FLAGS_TABLE.c.id, FLAGS_TABLE.c.target_id, FLAGS_TABLE.c.flag,
               FLAGS_TABLE.c.listed_on, FLAGS_TABLE.c.removed_on)
        .where(FLAGS_TABLE.c.tenant_id == tenant_id)
    )
    for fid, target_id, flag, listed, removed in rows:
        stored.setdefault(target_id, {})[(flag, listed)] = (fid, removed)
    plan = _FlagPlan([], {}, [], {}, source)
    code_at = parsed.fields.index("credit_code")
    for record, target_id, cell in zip(parsed.records, matches, entries, strict=True):
        flags = cast(tuple[FlagEntry, ...], cell)
        if target_id is None:
            if flags:
                plan.new_target_flags[str(record[code_at])] = flags
            continue
        have = stored.get(target_id, {})
        want = {(flag, listed): removed for flag, listed, removed in flags}
        if not have and not want:
            continue
        after = dict(want)
        for (flag, listed), removed in want.items():
            old = have.get((flag, listed))
            if old is None:
                plan.inserts.append({"tenant_id": tenant_id, "target_id": target_id,
                                     "flag": flag, "listed_on": listed, "removed_on": removed,
                                     "source": source})
            elif old[1] != removed:
                plan.updates.append({"_id": old[0], "_removed": removed})
        for (flag, listed), (fid, removed) in have.items():
            if (flag, listed) in want:
                continue
            if removed is None:
                plan.updates.append({"_id": fid, "_removed": today})
                after[(flag, listed)] = today
            else:
                after[(flag, listed)] = removed
        before = {k: v[1] for k, v in have.items()}
        if before != after:
            plan.changed[target_id] = (
                format_flags(((f, lo, ro) for (f, lo), ro in before.items()), "en"),
                format_flags(((f, lo, ro) for (f, lo), ro in after.items()), "en"),
            )
    return plan


def apply_import(
    session: Session,
    tenant_id: int,
    parsed: ParsedFile,
    report: ImportReport,
    batch: ImportBatch | None,
    *,
    today: date,
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

    matches: list[int | None] = []
    new: list[tuple[object, ...]] = []
    changed: list[tuple[int, tuple[object, ...], list[tuple[str, object, object]], str]] = []
    first_row_of: dict[int, int] = {}
    problems: list[RowProblem] = []
    for record, row in zip(parsed.records, parsed.rows, strict=True):
        match = None
        for position, key in key_positions:
            if record[position] is not None:
                match = index[key].get(record[position])
                if match is not None:
                    break
        matches.append(match)
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

    flag_plan = None
    if "risk_flags" in parsed.extras:
        source = f"import:{batch.id}" if batch is not None else "import"
        flag_plan = _plan_flags(conn, tenant_id, parsed, matches, today, source)
    changed_ids = {c[0] for c in changed} | (set(flag_plan.changed) if flag_plan else set())
    report.inserted = len(new)
    report.updated = len(changed_ids)
    report.unchanged = len(parsed.records) - len(new) - len(changed_ids)
    report.changes = sum(len(c[2]) for c in changed) + (len(flag_plan.changed) if flag_plan
                                                          else 0)
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
    before_max = conn.execute(select(func.max(table.c.id))).scalar() or 0
    insert_rows(conn, table, (*fields, "tenant_id"), [(*r, tenant_id) for r in new],
                progress=(lambda done: progress("writing", done, total)) if progress else None)

    if changed:
        updating = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.tenant_id == tenant_id)
            .values({**{f: bindparam(f"_v_{f}") for f in fields},
                     "updated_at": bindparam("_at")})
        )
        params = [{"_id": tid, "_at": now, **{f"_v_{f}": v for f, v in zip(fields, r,
                                                                              strict=True)}}
                  for tid, r, _, _ in changed]
        for start in range(0, len(params), CHUNK):
            conn.execute(updating, params[start:start + CHUNK])

    history_rows = [
        {"tenant_id": tenant_id, "kind": kind, "key": key_text, "field": f, "old": as_text(o),
         "new": as_text(n), "batch_id": batch.id, "at": now}
        for _, _, diff, key_text in changed for f, o, n in diff
    ]
    if flag_plan is not None:
        _write_flags(conn, tenant_id, table, flag_plan, before_max, len(new))
        code_of = {tid: str(values_of[tid][fields.index("credit_code")])
                   for tid in flag_plan.changed}
        history_rows += [
            {"tenant_id": tenant_id, "kind": kind, "key": code_of[tid], "field": "risk_flags",
             "old": old or None, "new": new_text or None, "batch_id": batch.id, "at": now}
            for tid, (old, new_text) in flag_plan.changed.items()
        ]
        if flag_plan.changed:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("_id"), table.c.tenant_id == tenant_id)
                .values(updated_at=now),
                [{"_id": tid} for tid in flag_plan.changed],
            )
    for start in range(0, len(history_rows), CHUNK):
        conn.execute(insert(CHANGES_TABLE), history_rows[start:start + CHUNK])
    if progress is not None:
        progress("writing", total, total)


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


def _write_flags(conn: Connection, tenant_id: int, targets: Table, plan: _FlagPlan,
                 before_max: int, new_count: int) -> None:
    flags_table = FLAGS_TABLE
    inserts = list(plan.inserts)
    if plan.new_target_flags:
        # ids of the targets just inserted: only this tenant's, only above the old maximum;
        # by credit code when few of them carry flags (the usual case), else all at once
        codes = list(plan.new_target_flags)
        recent = select(targets.c.credit_code, targets.c.id).where(
            targets.c.tenant_id == tenant_id, targets.c.id > before_max)
        batches = (
            [recent.where(targets.c.credit_code.in_(codes[i:i + 500]))
             for i in range(0, len(codes), 500)]
            if len(codes) * 4 < new_count else [recent]
        )
        new_ids = [row for stmt in batches for row in conn.execute(stmt)]
        for code, target_id in new_ids:
            for flag, listed, removed in plan.new_target_flags.get(code, ()):
                inserts.append({"tenant_id": tenant_id, "target_id": target_id, "flag": flag,
                                "listed_on": listed, "removed_on": removed,
                                "source": plan.source})
    for start in range(0, len(inserts), CHUNK):
        conn.execute(insert(flags_table), inserts[start:start + CHUNK])
    if plan.updates:
        conn.execute(
            update(flags_table)
            .where(flags_table.c.id == bindparam("_id"), flags_table.c.tenant_id == tenant_id)
            .values(removed_on=bindparam("_removed")),
            plan.updates,
        )

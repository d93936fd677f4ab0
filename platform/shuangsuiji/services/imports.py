"""Import a directory file (targets, inspectors, experts, items): validate all, then write.

Called by ``ssj import`` and by the web UI's upload. Every row is read and checked first, and
*every* problem is collected with its row number (as a spreadsheet shows it: the heading row is
row 1), the column heading as written in the file, the value and the reason. If there is any
problem nothing is written and :class:`ImportFailed` carries them all. Reasons are
translatable messages (:mod:`shuangsuiji.messages`): English in the CLI, the page's language
on the web. Otherwise the rows are
written in the caller's transaction: new rows inserted, changed rows updated with each change
kept in ``directory_changes``, unchanged rows left alone, and one audit event appended.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shuangsuiji.canonical import normalise
from shuangsuiji.db import temp_only
from shuangsuiji.db.tenancy import TenantNotSet, current_tenant, set_tenant
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.messages import either, msg, reason
from shuangsuiji.models.directories import DIRECTORY_KINDS, ImportBatch
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.rules import ItemCategory, MethodRule
from shuangsuiji.services import (
    audit,
    directory_writes,
    items,
    target_staging,
    unit_checks,
)
from shuangsuiji.services.import_columns import SCHEMAS, Column, Schema, heading_key, items_schema
from shuangsuiji.services.import_fields import UNREADABLE, Reader
from shuangsuiji.services.import_report import (
    ImportFailed,
    ImportReport,
    ParsedFile,
    Progress,
    RowProblem,
    RowSink,
)
from shuangsuiji.services.item_row_rules import RowRules
from shuangsuiji.tabular import Table, read_table

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: The reason of a required cell left empty (one message shared by every such cell).
EMPTY_REQUIRED = msg("empty; this column is required")
#: Rows handed to a :class:`RowSink` at a time.
SINK_CHUNK = 5000


def today_in_china() -> date:
    """Today's date in Asia/Shanghai (regulations speak of China's calendar days)."""
    return datetime.now(SHANGHAI).date()


def map_headings(schema: Schema, headings: Sequence[str], filename: str) -> tuple[
    list[tuple[int, Column, str]], list[str]
]:
    """Match the file's headings to the schema's columns.

    Returns ``(index, column, heading as written)`` for each recognised column and the list of
    headings ignored. A missing required column, or one column given twice, is an
    :class:`ImportFailed` before any row is read.
    """
    by_key: dict[str, Column] = {}
    for column in schema.columns:
        for heading in column.headings():
            by_key[heading_key(heading)] = column
    found: dict[str, tuple[int, Column, str]] = {}
    ignored: list[str] = []
    problems: list[RowProblem] = []
    for index, raw in enumerate(headings):
        written = normalise(raw)
        matched = by_key.get(heading_key(written))
        if matched is None:
            if written:
                ignored.append(written)
            continue
        if matched.field in found:
            first = found[matched.field][2]
            problems.append(RowProblem(1, written, None,
                                       msg("the same column as %(first)r; keep only one of "
                                           "them", first=first)))
            continue
        found[matched.field] = (index, matched, written)
    for column in schema.columns:
        if column.required and column.field not in found:
            problems.append(RowProblem(
                1, column.zh, None,
                msg("missing required column %(heading)s (%(field)s); add it to the heading "
                    "row", heading=column.zh, field=column.field),
            ))
    if schema.one_of and not any(name in found for name in schema.one_of):
        names = either([f"{schema.column(n).zh} ({n})" for n in schema.one_of])
        problems.append(RowProblem(1, None, None, msg("missing column: the file needs "
                                                      "%(names)s", names=names)))
    if problems:
        raise ImportFailed(filename, problems)
    return sorted(found.values(), key=lambda entry: entry[0]), ignored


def parse_rows(
    schema: Schema,
    table: Table,
    filename: str,
    *,
    progress: Progress | None = None,
    categories: Sequence[ItemCategory] | None = None,
    methods: MethodRule | None = None,
    sink: RowSink | None = None,
) -> ParsedFile:
    """Read and check every row; raise :class:`ImportFailed` with all problems if any.

    With a ``sink``, checked rows go to it in chunks of :data:`SINK_CHUNK` instead of being
    kept (until the first problem: after that rows are only checked); a key column's
    ``compact`` form is what is remembered for the duplicates in the file.

    With the tenant's rules (``categories``, ``methods``), an item is refused here, with its
    row and the article, when its pack would refuse it later at task creation: a method the
    pack does not allow, a cap above its category's ceiling, a missing cap the category
    requires.
    """
    mapped, ignored = map_headings(schema, table.headings, filename)
    stored = [(i, c, h) for i, c, h in mapped if c.stored]
    extra = [(i, c, h) for i, c, h in mapped if not c.stored]
    plan = [(i, c.empty, c.read, c.required, h) for i, c, h in (*stored, *extra)]
    n_stored = len(stored)
    fields = tuple(c.field for _, c, _ in stored)
    key_positions = [(fields.index(k), k, schema.column(k).compact)
                     for k in schema.keys if k in fields]
    one_of_positions = [fields.index(k) for k in schema.one_of if k in fields]
    seen: dict[str, dict[object, int]] = {k: {} for _, k, _ in key_positions}
    headings = {c.field: h for _, c, h in mapped}
    # category code → the article that requires each item of it to carry its own cap
    cap_required = {c.code: str(c.cite) for c in categories or () if c.cap_required}
    pack_rules = RowRules(categories, methods) if schema.kind == "items" else None

    records: list[tuple[object, ...]] = []
    rows: list[int] = []
    extras: dict[str, list[object]] = {c.field: [] for _, c, _ in extra}
    extra_lists = [extras[c.field] for _, c, _ in extra]
    if sink is not None:
        sink.open(fields, tuple(extras))
    chunk: list[tuple[object, ...]] = []
    problems: list[RowProblem] = []
    total = table.size_hint
    nfc = unicodedata.normalize
    # Fast path for a full row of text cells (every CSV row): normalise all cells in one
    # comprehension, pick the mapped ones, then visit only the columns that need more than
    # text (a reader, a required check, an empty value other than ""). A million-row import
    # spends most of its Python time here.
    indexes = [i for i, *_ in plan]
    pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda cells: (cells[indexes[0]],))
    min_width = max(indexes) + 1
    text_cells = table.source_format == "csv"  # XLSX cells may be numbers, dates or None
    special = [(pos, empty, read, required, heading)
               for pos, (_, empty, read, required, heading) in enumerate(plan)
               if read is not None or required or empty != ""]
    for count, (row, cells) in enumerate(table.rows, start=1):
        if progress is not None and count % 10000 == 0:
            progress("reading", count, total)
        width = len(cells)
        ok = True
        if text_cells and width >= min_width:
            # canonical.normalise (NFC, trimmed), inlined: a call per cell costs seconds here
            values: list[object] = list(pick([nfc("NFC", c).strip() for c in cells]))  # type: ignore[arg-type]
            for pos, empty, read, required, heading in special:
                value = values[pos]
                if value == "":
                    if required:
                        problems.append(RowProblem(row, heading, None, EMPTY_REQUIRED))
                        ok = False
                    values[pos] = empty
                elif read is not None:
                    try:
                        values[pos] = read(value)
                    except ValueError as exc:
                        problems.append(RowProblem(row, heading, str(value), reason(exc)))
                        values[pos] = UNREADABLE
                        ok = False
            plan_to_walk: list[tuple[int, object, Reader | None, bool, str]] = []
        else:
            values = []
            plan_to_walk = plan
        # The general path: short rows, XLSX cells (numbers, dates, None).
        for index, empty, read, required, heading in plan_to_walk:
            cell = cells[index] if index < width else ""
            # canonical.normalise (NFC, trimmed), inlined: a call per cell costs seconds here
            value = nfc("NFC", cell).strip() if cell.__class__ is str else cell  # type: ignore[arg-type]
            if value == "" or value is None:
                if required:
                    problems.append(RowProblem(row, heading, None, EMPTY_REQUIRED))
                    ok = False
                values.append(empty)
                continue
            if read is not None:
                try:
                    value = read(value)
                except ValueError as exc:
                    problems.append(RowProblem(row, heading, str(value), reason(exc)))
                    value = UNREADABLE
                    ok = False
            values.append(value)
        if one_of_positions and all(values[p] is None for p in one_of_positions):
            names = either([headings[fields[p]] for p in one_of_positions])
            problems.append(RowProblem(row, None, None, msg("needs %(names)s; both are empty",
                                                            names=names)))
            ok = False
        for position, key, compact in key_positions:
            value = values[position]
            if value is None or value is UNREADABLE:
                continue
            first = seen[key].setdefault(value if compact is None else compact(value), row)
            if first != row:
                problems.append(RowProblem(row, headings[key], str(value),
                                           msg("duplicate in the file: row %(first)d has the "
                                               "same %(heading)s", first=first,
                                               heading=headings[key])))
                ok = False
        if cap_required and ok:
            category = values[fields.index("category")] if "category" in fields else "general"
            cap = values[fields.index("cap_permille")] if "cap_permille" in fields else None
            if category in cap_required and cap is None:
                problems.append(RowProblem(row, headings.get("cap_permille", "比例上限"), None,
                                           msg("a %(category)s item needs a 比例上限 (cap) "
                                               "under this tenant's rules (%(cite)s)",
                                               category=category,
                                               cite=cap_required[category])))
                ok = False
        if pack_rules is not None and ok:
            found = pack_rules.problems(row, fields, values, headings)
            problems.extend(found)
            ok = not found
        if ok and not problems:
            if sink is not None:
                chunk.append((row, *values))
                if len(chunk) == SINK_CHUNK:
                    sink.add(chunk)
                    chunk = []
                continue
            records.append(tuple(values[:n_stored]))
            rows.append(row)
            for target, value in zip(extra_lists, values[n_stored:], strict=True):
                target.append(value)
    if problems:
        raise ImportFailed(filename, problems)
    if sink is None:
        return ParsedFile(schema, fields, headings, records, rows, extras, ignored)
    if chunk:
        sink.add(chunk)
    return ParsedFile(schema, fields, headings, [], [], extras, ignored, sunk=sink.count)


def _tenant_id(session: Session, tenant: Tenant | int) -> int:
    tid = tenant if isinstance(tenant, int) else tenant.id
    current = current_tenant(session)
    if current is None:
        set_tenant(session, tid)
    elif current != tid:
        raise TenantNotSet(f"import into tenant {tid} from a session scoped to tenant {current}")
    return tid


def import_file(
    session: Session,
    tenant: Tenant | int,
    kind: str,
    source: bytes | str | Path,
    filename: str | None = None,
    actor: str | None = None,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    categories: Sequence[ItemCategory] | None = None,
    methods: MethodRule | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import ``source`` (a path, or uploaded bytes with their ``filename``) as ``kind``.

    Writes in the caller's transaction (the caller commits). Raises :class:`ImportFailed` with
    every bad row, or another :class:`UserError` (unreadable file, conflict with stored rows),
    having written nothing. ``categories``: the tenant's item categories (from its pack) that
    事项类别 may name; ``methods``: the methods its pack allows (an item naming another is
    refused, with the article); ``today``: the day flags dropped from a file are ended
    (default: today in Asia/Shanghai). ``dry_run`` checks and counts without writing.
    """
    if kind not in DIRECTORY_KINDS:
        raise UserError(msg("unknown directory %(kind)r", kind=kind),
                        hint=msg("use one of: %(choices)s", choices=DIRECTORY_KINDS))
    tenant_id = _tenant_id(session, tenant)
    table = read_table(source, filename, sheet=sheet)  # a path is streamed, not loaded
    filename = filename or (Path(source).name if isinstance(source, str | Path) else "upload")
    schema = items_schema(categories) if kind == "items" else SCHEMAS[kind]
    # Targets (a million rows) are staged in a temporary table as they are checked; the
    # other directories are small and kept in memory.
    # Until the rows are checked, a transaction begun here touches only the staging table:
    # a job may write its progress beside it, on SQLite too (db/temp_only.py).
    staged = (target_staging.StagedRows(temp_only.connection(session)) if kind == "targets"
              else None)
    try:
        with paused_gc():
            parsed = parse_rows(schema, table, filename, progress=progress,
                                categories=categories, methods=methods, sink=staged)
            temp_only.end(session)
            if kind == "inspectors":  # with a tree, every unit named must be in it
                unit_checks.check_inspector_file(session, tenant_id, parsed, filename)
            return _write(session, tenant_id, kind, parsed, table.encoding, table.sha256,
                          filename, actor=actor, dry_run=dry_run, progress=progress,
                          today=today, staged=staged)
    finally:
        temp_only.end(session)
        if staged is not None:
            staged.drop()


def _write(session: Session, tenant_id: int, kind: str, parsed: ParsedFile,
           encoding: str | None, sha256: str, filename: str, *, actor: str | None,
           dry_run: bool, progress: Progress | None, today: date | None,
           staged: target_staging.StagedRows | None = None) -> ImportReport:
    """Write checked rows in a savepoint and report what was done."""
    report = ImportReport(kind=kind, filename=filename, sha256=sha256, rows=parsed.count,
                          ignored_columns=parsed.ignored_columns, encoding=encoding,
                          dry_run=dry_run)
    # A savepoint: if writing fails (a conflict found against stored rows, a constraint),
    # everything this import wrote is undone and the caller's transaction stays usable.
    try:
        with session.begin_nested():
            _write_rows(session, tenant_id, kind, parsed, report, actor=actor,
                        progress=progress, today=today, staged=staged)
    except IntegrityError as exc:
        raise Conflict(
            msg("the file conflicts with rows already stored (a key used by another entry); "
                "nothing was imported"),
            where=filename,
            hint=msg("check the key columns; database said: %(said)s",
                     said=str(exc.orig).splitlines()[0]),
        ) from None
    return report


def _write_rows(session: Session, tenant_id: int, kind: str, parsed: ParsedFile,
                report: ImportReport, *, actor: str | None, progress: Progress | None,
                today: date | None, staged: target_staging.StagedRows | None) -> None:
    """The batch, the rows, their history and the audit event; fills ``report``'s counts."""
    batch = None
    if not report.dry_run:
        batch = ImportBatch(tenant_id=tenant_id, kind=kind, filename=report.filename,
                            sha256=report.sha256,
                            actor=actor or session.info.get(audit.ACTOR_KEY) or "system",
                            rows=report.rows)
        session.add(batch)
        session.flush()
        report.batch_id = batch.id
    if kind == "items":
        items.apply_import(session, tenant_id, parsed, report, batch, filename=report.filename)
    elif staged is not None:
        target_staging.apply_import(session, tenant_id, parsed, staged, report, batch,
                                    today=today or today_in_china(), progress=progress)
    else:
        directory_writes.apply_import(session, tenant_id, parsed, report, batch,
                                      progress=progress)
    if batch is not None:
        batch.inserted, batch.updated, batch.unchanged = (
            report.inserted, report.updated, report.unchanged)
        audit.record(
            session, tenant_id=tenant_id, action=f"import.{kind}", object_type="import_batch",
            object_id=batch.id, actor=actor,
            payload={"file": report.filename, "sha256": report.sha256, "rows": report.rows,
                     "inserted": report.inserted, "updated": report.updated,
                     "unchanged": report.unchanged, "changes": report.changes,
                     "item_list_version": report.item_list_version},
        )

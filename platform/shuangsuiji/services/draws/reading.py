"""Reading a tenant's directories and history as the kernel takes them: the targets (as
database-built texts or streamed columns), earlier inspections, inspectors and experts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import compress
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.models.directories import Inspector, Item, Target
from shuangsuiji.models.draws import Draw, DrawSelection, DrawVoid
from shuangsuiji.models.plans import COMPLETED_STATUSES, Task, TaskItem
from shuangsuiji.services import credit_classes, directories, joint_history, units
from shuangsuiji.services.draw_units import inspector_units, task_units

_PARTITION = 50_000  # rows fetched at a time when streaming a directory
_TEXT_PAGE = 50_000  # targets aggregated into one text by the database


def _code_order(session: Session) -> tuple[Any, ...]:
    """ORDER BY credit code in UTF-8 byte order for the row-by-row read (MariaDB/MySQL: a
    byte-wise collation). Only a hint: the kernel sorts canonically anyway, and input
    already in that order makes its sort linear."""
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        return (Target.credit_code.collate("utf8mb4_bin"),)
    return ()


def load_candidates(
    session: Session, on: date, classes: Sequence[str] = ()
) -> Generator[kernel.Candidates | kernel.CandidateText, None, None]:
    """Every target of the current tenant with the risk flags in force on ``on`` and, when
    the pack declares credit-risk ``classes``, the flag ``class:<code>`` of its class in
    force on ``on`` (docs/draw-spec.md §3.2).

    Where the database aggregates text (SQLite, PostgreSQL), a page of targets at a time
    comes as one text of ``code<TAB>name`` lines built by the database
    (:class:`kernel.CandidateText`): no Python object per target at all. Elsewhere
    (MariaDB's GROUP_CONCAT is capped by ``max_allowed_packet``) rows are streamed in
    partitions and handed over as columns.
    """
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        yield from _candidate_texts(session, on, by_code=_byte_order(session), classes=classes)
        return
    tid = require_tenant(session)
    flags = credit_classes.with_classes(directories.flags_in_force(session, on),
                                        credit_classes.classes_by_id(session, on, classes))
    # Core select on the session's connection (no ORM rows) for speed on a million rows;
    # filtered by tenant here because Core statements are not covered by the ORM filter.
    stmt = (
        select(Target.id, Target.credit_code, Target.name)
        .where(Target.tenant_id == tid)
        .order_by(*_code_order(session))
    )
    flagged = flags.keys()
    for part in partitions(session, stmt):
        ids, codes, names = zip(*part, strict=True)
        tagged = {}
        if flags:  # the few flagged positions, found by a C loop over the ids
            for i in compress(range(len(ids)), map(flagged.__contains__, ids)):
                tagged[i] = flags[ids[i]]
        yield kernel.Candidates(codes, names, tagged)


#: PostgreSQL collations that order text as its UTF-8 bytes (code points).
_BYTE_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic")


def _byte_order(session: Session) -> bool:
    """Whether the database orders ``credit_code`` as UTF-8 bytes: SQLite's BINARY always;
    PostgreSQL when the database's collation is C-like (then the covering index gives the
    pages in canonical order, and the kernel's sort is linear)."""
    if session.get_bind().dialect.name == "sqlite":
        return True
    collation = session.connection().exec_driver_sql(
        "SELECT datcollate FROM pg_database WHERE datname = current_database()").scalar()
    return collation in _BYTE_COLLATIONS


def _candidate_texts(
    session: Session, on: date, *, by_code: bool, classes: Sequence[str] = ()
) -> Iterator[kernel.CandidateText]:
    """The tenant's targets as texts of up to _TEXT_PAGE lines, each page aggregated by the
    database, each with the flags in force of its targets.

    Pages follow a key: the credit code where the database orders it as bytes (SQLite;
    PostgreSQL under a C collation), read from the covering index ``ix_targets_pool`` in
    order (the kernel's sort is then linear, and the pages' bounds agree with Python's
    order, which assigns the flags to them); elsewhere the id, read in table order (the
    kernel sorts).
    """
    tid = require_tenant(session)
    key = Target.credit_code if by_code else Target.id
    flagged = sorted((code if by_code else target_id, code, f)
                     for target_id, code, f in _with_classes(
                         directories.flagged_targets(session, on), session, on, classes))
    flag_keys = [k for k, _, _ in flagged]
    rows = (
        select(Target.credit_code.label("code"), Target.name.label("name"),
               key.label("page_key"))
        .where(Target.tenant_id == tid, key > bindparam("after"))
        .order_by(key)
        .limit(_TEXT_PAGE)
        .subquery()
    )
    stmt = select(func.aggregate_strings(rows.c.code + "\t" + rows.c.name, "\n"),
                  func.count(), func.max(rows.c.page_key))
    conn = session.connection()

    def fetch(after: Any) -> Any:
        return conn.execute(stmt, {"after": after}).one()

    # The database builds the next page on a second thread (the driver releases the GIL
    # while it works) while the kernel checks this one; one statement at a time on the
    # connection, which the kernel never touches.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-read-pool") as reader:
        after: Any = "" if by_code else 0
        page = fetch(after)
        while True:
            text, count, last = page
            if not count:
                return
            ahead = reader.submit(fetch, last) if count == _TEXT_PAGE else None
            lo, hi = bisect_right(flag_keys, after), bisect_right(flag_keys, last)
            yield kernel.CandidateText(text or "", count,
                                       {code: f for _, code, f in flagged[lo:hi]})
            if ahead is None:
                return
            page, after = ahead.result(), last


def _with_classes(
    flagged: list[tuple[int, str, frozenset[str]]], session: Session, on: date,
    classes: Sequence[str],
) -> list[tuple[int, str, frozenset[str]]]:
    """:func:`directories.flagged_targets` with each target's class flag added."""
    by_id = credit_classes.classes_by_id(session, on, classes)
    if not by_id:
        return flagged
    codes = {t: code for t, code, _ in flagged}
    missing = [t for t in by_id if t not in codes]
    if missing:
        tid = require_tenant(session)
        codes.update(session.connection().execute(
            select(Target.id, Target.credit_code).where(Target.tenant_id == tid,
                                                        Target.id.in_(missing))).all())
    merged = credit_classes.with_classes({t: f for t, _, f in flagged}, by_id)
    return [(t, codes[t], f) for t, f in merged.items()]


def partitions(session: Session, stmt: Any) -> Iterator[Sequence[Any]]:
    """Rows of ``stmt`` in lists of up to _PARTITION, on the session's connection.

    On SQLite and PostgreSQL straight from the driver's cursor (SQLAlchemy's result layer
    costs a third of the fetch on a million rows and adds nothing to plain integer and text
    columns); on PostgreSQL a server-side cursor, so the rows are not all held at once.
    Elsewhere through SQLAlchemy, which streams with a server-side cursor.
    """
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        # per statement: Connection.execution_options() would change the connection in place,
        # and every later statement (the draw's INSERTs) would get a server-side cursor too
        yield from conn.execute(stmt, execution_options={"yield_per": _PARTITION}).partitions()
        return
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if dialect == "sqlite":
        cursor = dbapi.cursor()
        args: Any = tuple(params[k] for k in compiled.positiontup or ())
    else:
        cursor = dbapi.cursor(name=f"ssj_partitions_{id(stmt):x}")  # server-side
        args = params
    try:
        cursor.execute(str(compiled), args)
        while part := cursor.fetchmany(_PARTITION):
            yield part
    finally:
        cursor.close()


def load_history(
    session: Session, since: date, until: date, exclude_task_id: int
) -> Iterator[kernel.TaskInspections]:
    """Earlier inspections of this tenant from ``since`` to ``until``, one record per task:
    its own tasks (:func:`own_history`), then the joint tasks hosted by other tenants it
    took part in, for its own items (services/joint_history.py)."""
    yield from own_history(session, since, until, exclude_task_id)
    yield from joint_history.taken_part(session, since, until, exclude_task_id)


def own_history(
    session: Session, since: date, until: date, exclude_task_id: int
) -> Iterator[kernel.TaskInspections]:
    """Earlier inspections of this tenant's own tasks from ``since`` to ``until``, one
    record per task: the targets its draw selected (draws not voided) and the task's items,
    date, division and status.

    Special and dragnet inspections (专项检查 / 拉网式检查) are left out: the 办法 does not
    apply to them (MIIT 第十九条第三款, CQ 第十七条第二款), so they count toward no sampling
    rule of a later random task.

    The tasks (few) are read first; the selections (many) then as (task, credit code) pairs
    only, and grouped by task: nothing is built per selection but its code.
    """
    tid = require_tenant(session)
    conn = session.connection()
    in_window = (
        Task.tenant_id == tid,
        Task.id != exclude_task_id,
        Task.special.is_(False),
        Task.starts_on >= since,
        Task.starts_on <= until,
    )
    tree = units.load_tree(session)
    tasks: dict[int, tuple[str, date, tuple[str, str], str]] = {}
    items: dict[int, list[str]] = {}
    for task_id, item_code, starts_on, division, department, task_code, status in conn.execute(
        select(Task.id, Item.code, Task.starts_on, Task.division, Task.department, Task.code,
               Task.status)
        .join(TaskItem, TaskItem.task_id == Task.id)
        .join(Item, Item.id == TaskItem.item_id)
        .where(*in_window, TaskItem.tenant_id == tid, Item.tenant_id == tid)
    ):
        tasks[task_id] = (
            task_code,
            starts_on,
            task_units(tree, department, division),  # its 司局 and unit (第十条第二款)
            "completed" if status in COMPLETED_STATUSES else "ongoing",
        )
        items.setdefault(task_id, []).append(item_code)
    if not tasks:
        return
    codes: dict[int, list[str]] = {task_id: [] for task_id in tasks}
    live = (
        DrawSelection.tenant_id == tid,
        Draw.tenant_id == tid,
        Draw.id.not_in(select(DrawVoid.draw_id).where(DrawVoid.tenant_id == tid)),
        *in_window,
    )
    if conn.dialect.name in ("sqlite", "postgresql"):
        # one text of LF-joined codes per task, built by the database (as the candidates'
        # pages are): a few dozen rows instead of one per earlier selection (200,000 at a
        # million targets), split in C. A selected code never holds an LF: it was a line
        # of a frozen pool, and the kernel refuses any field that holds one.
        texts = (
            select(DrawSelection.task_id, func.aggregate_strings(DrawSelection.credit_code, "\n"))
            .join(Draw, Draw.id == DrawSelection.draw_id)
            .join(Task, Task.id == DrawSelection.task_id)
            .where(*live)
            .group_by(DrawSelection.task_id)
        )
        for task_id, text in conn.execute(texts):
            codes[task_id] = text.split("\n") if text else []
    else:
        selections = (
            select(DrawSelection.task_id, DrawSelection.credit_code)
            .join(Draw, Draw.id == DrawSelection.draw_id)
            .join(Task, Task.id == DrawSelection.task_id)
            .where(*live)
        )
        for part in partitions(session, selections):
            for task_id, code in part:
                codes[task_id].append(code)
    for task_id, (task_code, starts_on, (department, division), status) in tasks.items():
        if codes[task_id]:
            yield kernel.TaskInspections(
                task_code, tuple(items[task_id]), starts_on, division, status, codes[task_id],
                department,
            )


def load_inspectors(session: Session) -> list[kernel.Inspector]:
    """The inspector directory as the kernel takes it (eligibility is the kernel's call);
    with an organisation tree, each person's unit, its 司局 and subordinate flag."""
    tree = units.load_tree(session)
    return [
        kernel.Inspector(
            r.draw_id, r.name, *inspector_units(tree, r.department, r.division, r.subordinate),
            credentials=tuple(kernel.Credential(c.kind, c.expires) for c in r.credentials),
        )
        for r in directories.load_inspectors(session)
    ]


def person_id(p: Inspector) -> str:
    """The id an inspector row carries in draws (see :func:`directories.draw_id`)."""
    return directories.draw_id(p.certificate_no, p.work_id)


def load_experts(session: Session) -> list[kernel.Expert]:
    """The expert directory as the kernel takes it."""
    return [kernel.Expert(person_id=r.key, name=r.name)
            for r in directories.load_experts(session)]

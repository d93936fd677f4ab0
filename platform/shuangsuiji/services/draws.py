"""The draw, end to end: load → ask the tenant's packs → run the kernel → commit with audit.

The web UI, the API and ``ssj draw`` all call these functions. A draw commits whole or not
at all: the pool, the result, the selections and the audit event are one transaction, and
the (task_id, attempt) unique constraint makes a concurrent second draw of the same task
fail inside that transaction instead of after a check.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import compress
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, object_session

from shuangsuiji import kernel
from shuangsuiji.canonical import digest
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import (
    Inspector,
    Item,
    ItemListVersion,
    Target,
)
from shuangsuiji.models.draws import Draw, DrawPool, DrawSelection, DrawVoid, Recusal
from shuangsuiji.models.plans import Task, TaskItem
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs import RuleSet
from shuangsuiji.platform import Platform
from shuangsuiji.rules import ExclusionRule
from shuangsuiji.services import audit, directories, provisions
from shuangsuiji.services import items as item_service

Progress = Callable[[str, int, int], None]
#: Statuses of a task whose draw counts as an inspection for the exclusions.
COMPLETED_STATUSES = ("work_ended", "published", "closed")
_CHUNK = 5000
_PARTITION = 50_000  # rows fetched at a time when streaming a directory
_TEXT_PAGE = 50_000  # targets aggregated into one text by the database


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def find_task(session: Session, task: int | str) -> Task:
    """A task of the current tenant by id or code; another tenant's task is not found."""
    stmt = select(Task).where(Task.id == task) if isinstance(task, int) else select(Task).where(
        Task.code == task
    )
    found = session.scalar(stmt)
    if found is None and isinstance(task, str) and task.isdigit():
        found = session.scalar(select(Task).where(Task.id == int(task)))
    if found is None:
        raise NotFound(msg("no task %(task)r in this tenant", task=task),
                       hint=msg("`ssj tasks list --tenant T` lists the tasks"))
    return found


def _item_codes(session: Session, task: Task) -> list[Item]:
    items = list(
        session.scalars(
            select(Item).join(TaskItem, TaskItem.item_id == Item.id).where(
                TaskItem.task_id == task.id
            ).order_by(Item.code)
        )
    )
    if not items:
        raise UserError(msg("task %(task)s has no items", task=task.code),
                        hint=msg("add at least one item to the task"))
    return items


def _kernel_task(task: Task, items: list[Item]) -> kernel.Task:
    return kernel.Task(
        task_id=task.code,
        item_codes=tuple(i.code for i in items),
        start_date=task.starts_on,
        department=task.department,
        division=task.division or task.department,
        special=task.special,
        joint=task.joint,
    )


def _code_order(session: Session) -> tuple[Any, ...]:
    """ORDER BY credit code in UTF-8 byte order for the row-by-row read (MariaDB/MySQL: a
    byte-wise collation). Only a hint: the kernel sorts canonically anyway, and input
    already in that order makes its sort linear."""
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        return (Target.credit_code.collate("utf8mb4_bin"),)
    return ()


def load_candidates(
    session: Session, on: date
) -> Generator[kernel.Candidates | kernel.CandidateText, None, None]:
    """Every target of the current tenant with the risk flags in force on ``on``.

    Where the database aggregates text (SQLite, PostgreSQL), a page of targets at a time
    comes as one text of ``code<TAB>name`` lines built by the database
    (:class:`kernel.CandidateText`): no Python object per target at all. Elsewhere
    (MariaDB's GROUP_CONCAT is capped by ``max_allowed_packet``) rows are streamed in
    partitions and handed over as columns.
    """
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        yield from _candidate_texts(session, on, by_code=_byte_order(session))
        return
    tid = require_tenant(session)
    flags = directories.flags_in_force(session, on)
    # Core select on the session's connection (no ORM rows) for speed on a million rows;
    # filtered by tenant here because Core statements are not covered by the ORM filter.
    stmt = (
        select(Target.id, Target.credit_code, Target.name)
        .where(Target.tenant_id == tid)
        .order_by(*_code_order(session))
    )
    flagged = flags.keys()
    for part in _partitions(session, stmt):
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
    session: Session, on: date, *, by_code: bool
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
                     for target_id, code, f in directories.flagged_targets(session, on))
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


def _partitions(session: Session, stmt: Any) -> Iterator[Sequence[Any]]:
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


def applicable_exclusions(rules: RuleSet, items: list[Item]) -> tuple[ExclusionRule, ...]:
    """The extra exclusions that apply to a task of ``items``: a rule limited to item
    categories (param ``categories``) applies only when an item is of one of them. Only
    these enter the pool's rules (and its digest), so a bundle lists the rules applied."""
    categories = {i.category for i in items}
    return tuple(r for r in rules.extra_exclusions if r.applies_to(categories))


def history_since(rules: RuleSet, starts_on: date) -> date:
    """The first day whose inspections can exclude a target from a task starting on
    ``starts_on``: 1 January of its year (once a year per item, same quarter), or earlier
    when a ``recently_inspected`` rule looks further back (180 days from 1 March reach into
    the year before)."""
    days = [int(r.param("days")) for r in rules.extra_exclusions
            if r.kind == "recently_inspected"]
    return min(date(starts_on.year, 1, 1), starts_on - timedelta(days=max(days, default=0)))


def load_history(
    session: Session, since: date, until: date, exclude_task_id: int
) -> Iterator[kernel.TaskInspections]:
    """Earlier inspections of this tenant from ``since`` to ``until``, one record per task:
    the targets its draw selected (draws not voided) and the task's items, date, division
    and status.

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
    tasks: dict[int, tuple[str, date, str, str]] = {}
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
            division or department,
            "completed" if status in COMPLETED_STATUSES else "ongoing",
        )
        items.setdefault(task_id, []).append(item_code)
    if not tasks:
        return
    codes: dict[int, list[str]] = {task_id: [] for task_id in tasks}
    selections = (
        select(DrawSelection.task_id, DrawSelection.credit_code)
        .join(Draw, Draw.id == DrawSelection.draw_id)
        .join(Task, Task.id == DrawSelection.task_id)
        .where(
            DrawSelection.tenant_id == tid,
            Draw.tenant_id == tid,
            Draw.id.not_in(select(DrawVoid.draw_id).where(DrawVoid.tenant_id == tid)),
            *in_window,
        )
    )
    for part in _partitions(session, selections):
        for task_id, code in part:
            codes[task_id].append(code)
    for task_id, (task_code, starts_on, division, status) in tasks.items():
        if codes[task_id]:
            yield kernel.TaskInspections(
                task_code, tuple(items[task_id]), starts_on, division, status, codes[task_id]
            )


def load_inspectors(session: Session) -> list[kernel.Inspector]:
    """The inspector directory as the kernel takes it (eligibility is the kernel's call)."""
    return [
        kernel.Inspector(
            person_id=r.draw_id,
            name=r.name,
            department=r.department,
            division=r.division,
            subordinate=r.subordinate,
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


def _category(rules: RuleSet, items: list[Item]) -> Any:
    """The category governing batches: key if any item is key (the strictest reading).

    Where the ratio counts as high (CQ 第五条 "抽查比例高的") is the item list's setting:
    the highest threshold the task's items of that category set, else the pack's default.
    """
    codes = {i.category for i in items}
    for cat in rules.item_categories:
        if cat.code in codes and cat.batch_order:
            own = [i.batch_order_min_permille for i in items
                   if i.category == cat.code and i.batch_order_min_permille is not None]
            return replace(cat, batch_order_min_permille=max(own)) if own else cat
    return rules.category(items[0].category)


def check_task_ratios(rules: RuleSet, task: Task, items: list[Item]) -> None:
    """Refuse a task whose ratio breaks a pack or item cap, citing the article."""
    if task.special:
        return
    for item in items:
        problem = kernel.check_ratio(rules.category(item.category), task.ratio_permille,
                                     item.cap_permille)
        if problem:
            raise UserError(problem, where=msg("task %(task)s, item %(item)s", task=task.code,
                                               item=item.code))


@dataclass(frozen=True)
class Prepared:
    """What the kernel needs for one task, loaded once."""

    task: Task
    rules: RuleSet
    pool: kernel.FrozenPool
    draw_rules: kernel.DrawRules
    params: kernel.DrawParams


@dataclass(frozen=True)
class Setup:
    """A task's draw inputs except the pool: what the announcement fixes beside it."""

    task: Task
    items: list[Item]
    rules: RuleSet
    kernel_task: kernel.Task
    sampling: kernel.Sampling
    pool_rules: kernel.PoolRules
    draw_rules: kernel.DrawRules
    params: kernel.DrawParams


def setup(session: Session, platform: Platform, tenant: Tenant, task_ref: int | str) -> Setup:
    """The task, its items, the pack's rules and the draw's parameters, checked."""
    task = find_task(session, task_ref)
    items = _item_codes(session, task)
    item_service.require_published(session, items)  # no draft or unapproved change
    rules = platform.policy_for(tenant).rules(task.starts_on)
    check_task_ratios(rules, task, items)
    draw_rules = kernel.DrawRules(
        item_category=_category(rules, items),
        group_rule=rules.group_rule,
        eligibility=rules.eligibility,
    )
    params = kernel.DrawParams(
        scope=task.inspector_scope,
        group_count=task.group_count or None,
        experts_count=task.experts_count,
        batch_count=task.batch_count if task.batch_count > 1 else None,
        inspection_date=task.starts_on,
    )
    if params.scope not in rules.group_rule.scopes:
        raise UserError(
            msg("inspector scope %(scope)r is not allowed by %(cite)s", scope=params.scope,
                cite=str(rules.group_rule.cite)),
            where=msg("task %(task)s", task=task.code),
            hint=msg("use one of: %(choices)s", choices=rules.group_rule.scopes),
        )
    return Setup(
        task, items, rules, _kernel_task(task, items),
        kernel.Sampling(task.ratio_permille, task.min_count, task.max_count),
        kernel.PoolRules(
            # CQ 第十条第一款 国家及我市另有规定的，从其规定: a provision in force for the
            # items replaces the frequency rule, and the pool rules cite it
            exclusion_policy=provisions.exclusion_policy(
                session, rules.exclusion_policy, task.starts_on, [i.code for i in items]),
            extra_exclusions=applicable_exclusions(rules, items),
            risk_rules=rules.risk_rules,
        ),
        draw_rules, params,
    )


def prepare(
    session: Session, platform: Platform, tenant: Tenant, task_ref: int | str,
    progress: Progress = _noop,
) -> Prepared:
    """Freeze the pool of a task (and its digest) without drawing."""
    got = setup(session, platform, tenant, task_ref)
    task = got.task
    progress("load", 0, 3)
    # only inspections dated up to the start can exclude (docs/draw-spec.md §3.1)
    history = load_history(session, history_since(got.rules, task.starts_on), task.starts_on,
                           task.id)
    progress("freeze", 1, 3)
    # closed before an error leaves: the reader's thread is done with the connection then
    with closing(load_candidates(session, task.starts_on)) as candidates:
        pool = kernel.freeze_pool(candidates, history, got.kernel_task, got.sampling,
                                  got.pool_rules)
    progress("frozen", 2, 3)
    return Prepared(task, got.rules, pool, got.draw_rules, got.params)


def live_draw(session: Session, task: Task) -> Draw | None:
    """The task's draw that is not voided, if any."""
    return session.scalar(
        select(Draw).where(Draw.task_id == task.id, Draw.id.not_in(select(DrawVoid.draw_id)))
    )


def _begin_exclusive(session: Session) -> None:
    """On SQLite take the write lock now (BEGIN IMMEDIATE), so two draws serialise instead of
    one failing late on a stale read; PostgreSQL relies on the unique constraint."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def draw(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_ref: int | str,
    *,
    seed: str | None = None,
    witnesses: tuple[str, ...] = (),
    expected_pool_digest: str | None = None,
    progress: Progress = _noop,
    on_pool: Callable[[kernel.FrozenPool], None] | None = None,
    beacon_signature: str | None = None,
    fetch: Callable[[str], bytes] | None = None,
    now: datetime | None = None,
) -> Draw:
    """Draw a task and commit the draw with its bundle; return the committed draw.

    With an open announcement (:mod:`shuangsuiji.services.announcements`) the draw is the
    announced one: its stored pool, its seed procedure (reveals, beacon round: pasted as
    ``beacon_signature`` or fetched with ``fetch``), refused if anything differs; the bundle
    is ``shuangsuiji-draw/2``. Without one (v1): ``seed`` typed in from a public ceremony is
    recorded verbatim; without one, a seed is generated with :mod:`secrets` now.
    ``expected_pool_digest`` (the digest shown before the draw) refuses the draw if the pool
    changed in between.
    """
    # A draw holds a million small objects from its read to its commit; the cyclic
    # collector would walk them again at every burst of allocations (the selections' rows,
    # the bundle), and they form no cycles: reference counting frees them.
    with paused_gc():
        from shuangsuiji.services import announcements

        _begin_exclusive(session)
        task = find_task(session, task_ref)
        announced = announcements.open_announcement(session, task)
        if announced is not None:
            return announcements.draw_announced(
                session, platform, tenant, task, announced, seed=seed, witnesses=witnesses,
                expected_pool_digest=expected_pool_digest, beacon_signature=beacon_signature,
                fetch=fetch, progress=progress, on_pool=on_pool, now=now)
        if beacon_signature is not None:
            raise UserError(msg("task %(task)s has no open announcement naming a beacon round",
                                task=task.code),
                            hint=msg("announce the draw first: `ssj draw announce`"))
        last = session.scalar(select(Draw).where(Draw.task_id == task.id)
                              .order_by(Draw.attempt.desc()).limit(1))
        if last is not None and is_v2(last) and live_draw(session, task) is None:
            raise UserError(msg("task %(task)s: the voided draw #%(draw)s was announced, so its "
                                "redraw needs a new announcement", task=task.code, draw=last.id),
                            hint=msg("announce the redraw: `ssj draw announce` (it names the "
                                     "voided bundle's digest)"))
        return _draw(session, platform, tenant, task_ref, seed=seed, witnesses=witnesses,
                     expected_pool_digest=expected_pool_digest, progress=progress,
                     on_pool=on_pool)


def _draw(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_ref: int | str,
    *,
    seed: str | None,
    witnesses: tuple[str, ...],
    expected_pool_digest: str | None,
    progress: Progress,
    on_pool: Callable[[kernel.FrozenPool], None] | None,
) -> Draw:
    _begin_exclusive(session)
    prepared = prepare(session, platform, tenant, task_ref, progress)
    task = prepared.task
    if on_pool is not None:
        on_pool(prepared.pool)
    if expected_pool_digest and expected_pool_digest != prepared.pool.digest:
        raise Conflict(
            msg("the pool changed since its digest was shown"),
            hint=msg("shown %(shown)s…, now %(now)s…; show the pool again and redo the ceremony",
                     shown=expected_pool_digest[:16], now=prepared.pool.digest[:16]),
        )
    # The attempt number is read before the check for a live draw, not after the draw: a
    # concurrent draw committed after this read is either seen by the check, or collides
    # with this one on the (task_id, attempt) constraint. Read later (PostgreSQL's READ
    # COMMITTED sees the other draw by then) it would be the next number, and both would
    # commit.
    previous = previous_attempt(session, task)
    seed_source = "ceremony" if seed else "generated"
    seed = seed if seed else secrets.token_hex(32)
    # zlib releases the GIL: the stored pool is compressed on a second core while the draw
    # is made and its rows are written (joined before the pool row is inserted)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-pack-pool") as pool_packer:
        packed = pool_packer.submit(pack_pool, prepared.pool)
        return _draw_and_commit(session, tenant, prepared, previous, seed, seed_source,
                                witnesses, progress, packed.result)


def previous_attempt(session: Session, task: Task) -> int:
    """The task's last attempt number (0: none); refuses while a draw is live."""
    previous = session.scalar(select(func.max(Draw.attempt)).where(Draw.task_id == task.id)) or 0
    current = live_draw(session, task)
    if current is not None:
        raise Conflict(msg("task %(task)s already has draw #%(draw)s", task=task.code,
                           draw=current.id),
                       hint=msg("void it with a reason before drawing again"))
    return previous


@dataclass(frozen=True)
class Announced:
    """What an announced (v2) draw adds: the announcement, the seed's inputs, the declared
    conflicts, and the directories as loaded for the comparison with the announcement."""

    announcement: dict[str, Any]
    seed_inputs: dict[str, Any]
    inspectors: list[kernel.Inspector]
    experts: list[kernel.Expert]


def _draw_and_commit(
    session: Session, tenant: Tenant, prepared: Prepared, previous: int, seed: str,
    seed_source: str, witnesses: tuple[str, ...], progress: Progress,
    packed_pool: Callable[[], bytes | bytearray], announced: Announced | None = None,
) -> Draw:
    task = prepared.task
    result = kernel.draw(
        prepared.pool,
        seed,
        rules=prepared.draw_rules,
        params=prepared.params,
        inspectors=announced.inspectors if announced else load_inspectors(session),
        experts=announced.experts if announced else load_experts(session),
        conflicts=[(p, c) for p, c in announced.announcement["conflicts"]] if announced else (),
    )
    progress("drawn", 3, 3)
    replaces = session.scalar(select(Draw.id).where(Draw.task_id == task.id,
                                                    Draw.attempt == previous)) if previous else None
    record = Draw(
        task_id=task.id,
        attempt=previous + 1,
        replaces_draw_id=replaces,
        seed=seed,
        seed_source=seed_source,
        witnesses=list(witnesses),
        inspection_date=task.starts_on,
        pool_digest=prepared.pool.digest,
        bundle_digest="",
        pool_size=prepared.pool.size,
        excluded_count=len(prepared.pool.excluded),
        selected_count=len(result.selected),
        rules_pack=prepared.rules.governing[0],
        rules_version=prepared.rules.governing[1],
        item_list_version=_item_list_version(session),
        bundle={},
        actor=session.info.get(audit.ACTOR_KEY, "system"),
    )
    # the bundle's annotations name the attempt, so it is made once the attempt is known;
    # the pool is stored apart, as its canonical lines (see DrawPool), not inside the JSON
    bundle = kernel.make_bundle(
        result, annotations=bundle_annotations(record, task), pool=False,
        announcement=announced.announcement if announced else None,
        seed_inputs=announced.seed_inputs if announced else None,
    )
    record.bundle = bundle
    record.bundle_digest = bundle["digests"]["draw"]
    session.add(record)
    try:
        session.flush()
    except (IntegrityError, OperationalError) as exc:
        # IntegrityError: the (task_id, attempt) constraint caught a concurrent draw.
        # OperationalError: the database refused this transaction's write because another
        # draw of the task holds the lock: SQLite "database is locked" (its read lock could
        # not be upgraded), MySQL/MariaDB deadlock (1213) or lock wait timeout (1205) on the
        # unique index.
        if isinstance(exc, OperationalError) and not _lost_race(exc):
            raise
        session.rollback()
        raise Conflict(msg("task %(task)s was drawn by someone else just now", task=task.code),
                       hint=msg("reload the task to see that draw")) from None
    _write_selections(session, record, task, result)
    _write_pool(session, record, packed_pool())
    task.status = "drawn"
    audit.record(
        session,
        tenant_id=tenant.id,
        action="draw.commit",
        object_type="draw",
        object_id=record.id,
        payload={
            "task": task.code,
            "attempt": record.attempt,
            "seed": seed,
            "seed_source": seed_source,
            "witnesses": list(witnesses),
            "pool_digest": record.pool_digest,
            "bundle_digest": record.bundle_digest,
            "selected": record.selected_count,
            "rules": f"{record.rules_pack} {record.rules_version}",
            "announcement_digest": kernel.announcement_digest(announced.announcement)
            if announced else None,
        },
    )
    return record


#: ``draw_pools.format``: the pool's canonical lines (docs/draw-spec.md §3.3), zlib-compressed.
POOL_STORAGE = "shuangsuiji-pool/1+zlib"


def pack_pool(pool: kernel.FrozenPool) -> bytearray:
    """The pool's canonical lines (whose SHA-256 is the pool digest), compressed."""
    z = zlib.compressobj(1)
    out = bytearray()  # grown in place: no list of parts joined into a second copy
    for chunk in kernel.frozen_pool_text(pool):
        out += z.compress(chunk)
    out += z.flush()
    return out


def _lost_race(exc: OperationalError) -> bool:
    """Whether ``exc`` means another transaction won the lock on the same rows."""
    code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return "locked" in str(exc.orig) or code in (1205, 1213)


def _write_pool(session: Session, record: Draw, packed: bytes | bytearray) -> None:
    session.connection().execute(insert(DrawPool).values(
        tenant_id=require_tenant(session), draw_id=record.id, format=POOL_STORAGE, data=packed,
    ))


def stored_pool(session: Session, record: Draw) -> dict[str, Any]:
    """The bundle's ``pool`` object of a committed draw, from its stored lines.

    The lines are checked against the draw's pool digest first: a stored pool that was
    changed is refused, not exported.
    """
    row = session.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
    if row is None:
        raise NotFound(msg("draw #%(draw)s has no stored pool", draw=record.id))
    if row.format != POOL_STORAGE:
        raise UserError(msg("draw #%(draw)s: unknown pool storage format %(format)r",
                            draw=record.id, format=row.format))
    data = zlib.decompress(row.data)
    if hashlib.sha256(data).hexdigest() != record.pool_digest:
        raise Conflict(msg("draw #%(draw)s: the stored pool does not match its pool digest",
                           draw=record.id),
                       hint=msg("the database was changed outside the platform; restore it"))
    with paused_gc():
        return kernel.parse_pool_text(data)


def full_bundle(record: Draw) -> dict[str, Any]:
    """The draw's bundle as committed, with its pool (draws made before the pool was stored
    apart carry it inline)."""
    bundle = record.bundle
    if "pool" in bundle:
        return bundle
    session = object_session(record)
    assert session is not None
    return kernel.with_pool(bundle, stored_pool(session, record))


def _item_list_version(session: Session) -> int | None:
    """The published item-list version the draw is made under (MIIT 第五条, CQ 第四条)."""
    return session.scalar(select(func.max(ItemListVersion.number))
                          .where(ItemListVersion.status == "published"))


def _write_selections(session: Session, record: Draw, task: Task,
                      result: kernel.DrawResult) -> None:
    """One DrawSelection row per drawn target (a target no longer in the directory gets a
    NULL target id), in the fastest bulk form each database has.

    Rows go in credit-code order (each keeps its position): the target lookups and the
    credit-code indexes are then walked in order instead of at random.
    """
    tid = require_tenant(session)
    stratum_of = {c: s.name for s in result.strata for c in s.selected}
    batch_of = {c: b.number for b in result.batches for c in b.targets}
    rows = [
        (code, stratum_of[code], pos, batch_of.get(code))
        for code, pos in sorted(zip(result.selected, range(len(result.selected)), strict=True))
    ]
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        _insert_selections_sqlite(conn, tid, record.id, task.id, rows)
    elif conn.dialect.name == "postgresql":
        _copy_selections(conn, tid, record.id, task.id, rows)
    else:
        _insert_selections(conn, tid, record.id, task.id, rows)


_SelectionRow = tuple[str, str, int, int | None]  # credit code, stratum, position, batch


def _insert_selections_sqlite(conn: Any, tid: int, draw_id: int, task_id: int,
                              rows: list[_SelectionRow]) -> None:
    """SQLite: one INSERT … SELECT over the rows given as one JSON array (``json_each``),
    the target id a subquery on the (tenant_id, credit_code) index: no Python work per row
    in the driver (its executemany bound nine parameters a row: a fifth of the time)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            f"INSERT INTO {DrawSelection.__tablename__} (tenant_id, draw_id, task_id, target_id,"
            " credit_code, stratum, position, batch_no) SELECT ?1, ?2, ?3, (SELECT id FROM"
            " targets WHERE tenant_id = ?1 AND credit_code = json_extract(j.value, '$[0]')),"
            " json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
            " json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')"
            " FROM json_each(?4) AS j",
            (tid, draw_id, task_id, json.dumps(rows, ensure_ascii=False)),
        )
    finally:
        cursor.close()


def _target_ids(conn: Any, tid: int, codes: list[str]) -> dict[str, int]:
    """Target ids by credit code, looked up in a few large queries."""
    ids: dict[str, int] = {}
    for start in range(0, len(codes), _CHUNK):
        found = conn.execute(select(Target.credit_code, Target.id).where(
            Target.tenant_id == tid, Target.credit_code.in_(codes[start:start + _CHUNK])
        ))
        ids.update((code, id_) for code, id_ in found)
    return ids


def _copy_selections(conn: Any, tid: int, draw_id: int, task_id: int,
                     rows: list[_SelectionRow]) -> None:
    """PostgreSQL: ``COPY`` (one statement per row, even pipelined, cost seconds for 50,000
    rows)."""
    ids = _target_ids(conn, tid, [code for code, *_ in rows])
    columns = "tenant_id, draw_id, task_id, target_id, credit_code, stratum, position, batch_no"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {DrawSelection.__tablename__} ({columns}) FROM STDIN") as copy:
            for code, stratum, pos, batch in rows:
                copy.write_row((tid, draw_id, task_id, ids.get(code), code, stratum, pos, batch))
    finally:
        cursor.close()


def _insert_selections(conn: Any, tid: int, draw_id: int, task_id: int,
                       rows: list[_SelectionRow]) -> None:
    """Elsewhere (MariaDB): a plain executemany, which the driver sends as multi-row INSERTs
    (a subquery in VALUES would make it one round trip per row)."""
    ids = _target_ids(conn, tid, [code for code, *_ in rows])
    table = cast(Table, DrawSelection.__table__)
    for start in range(0, len(rows), _CHUNK):
        conn.execute(insert(table), [
            {"tenant_id": tid, "draw_id": draw_id, "task_id": task_id, "target_id": ids.get(code),
             "credit_code": code, "stratum": stratum, "position": pos, "batch_no": batch}
            for code, stratum, pos, batch in rows[start:start + _CHUNK]
        ])


def void(session: Session, tenant: Tenant, draw_id: int, reason: str) -> DrawVoid:
    """Void a committed draw: a new, visible event with a reason; the draw stays as it was."""
    if not reason.strip():
        raise UserError(msg("a void needs a reason"), hint=msg("say why the draw is voided"))
    record = session.get(Draw, draw_id)
    if record is None or record.tenant_id != tenant.id:
        raise NotFound(msg("no draw #%(draw)s in this tenant", draw=draw_id))
    if record.void is not None:
        raise Conflict(msg("draw #%(draw)s is already void (%(reason)s)", draw=draw_id,
                           reason=record.void.reason))
    entry = DrawVoid(draw_id=record.id, reason=reason.strip(),
                     actor=session.info.get(audit.ACTOR_KEY, "system"))
    session.add(entry)
    task = session.get(Task, record.task_id)
    assert task is not None
    task.status = "planned"
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="draw.void", object_type="draw",
                 object_id=record.id, payload={"task": task.code, "reason": entry.reason})
    return entry


def recuse(
    session: Session,
    tenant: Tenant,
    draw_id: int,
    *,
    person: str,
    credit_code: str,
    mode: str,
    reason: str,
    platform: Platform,
) -> Recusal:
    """Declare a conflict of interest (回避) and apply the pack's mode as a seeded step."""
    record = session.get(Draw, draw_id)
    if record is None or record.tenant_id != tenant.id:
        raise NotFound(msg("no draw #%(draw)s in this tenant", draw=draw_id))
    if record.void is not None:
        raise Conflict(msg("draw #%(draw)s is void; recusals apply to the live draw",
                           draw=draw_id))
    if not reason.strip():
        raise UserError(msg("a recusal needs the conflict of interest stated"), where="reason")
    if is_v2(record):
        raise UserError(msg("draw #%(draw)s was announced: a recusal is declared first and "
                            "applied once its beacon round is out", draw=draw_id),
                        hint=msg("`ssj draw recuse` declares it; `ssj draw recuse-apply` "
                                 "applies it"))
    rules = platform.policy_for(tenant).rules(record.inspection_date)
    result = current_result(record)
    step = len(record.recusals) + 1
    conflicts = [(r.person_id, r.credit_code) for r in record.recusals]
    conflicts.append((person, credit_code))
    outcome = kernel.apply_recusal(
        result, record.seed, step, person, credit_code, mode, rules.recusal_rule, conflicts
    )
    step_data = kernel.make_bundle(outcome.result)["recusals"][-1]
    entry = Recusal(
        draw_id=record.id, step=step, person_id=person, credit_code=credit_code, mode=mode,
        reason=reason.strip(), outcome=step_data,
        actor=session.info.get(audit.ACTOR_KEY, "system"),
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(msg("another recusal was recorded at the same time; try again")) from None
    audit.record(session, tenant_id=tenant.id, action="draw.recusal", object_type="draw",
                 object_id=record.id,
                 payload={"step": step, "person": person, "target": credit_code, "mode": mode,
                          "reason": entry.reason, "outcome_digest": digest(step_data)})
    return entry


def current_result(record: Draw) -> kernel.DrawResult:
    """The draw's result after every recusal step, replayed from the stored bundle."""
    result = kernel.result_from_bundle(full_bundle(record))
    for r in record.recusals:
        step = r.outcome
        result = kernel.apply_recusal(
            result, record.seed, r.step, r.person_id, r.credit_code, r.mode,
            kernel.recusal_rule_from_plain(step["rule"]),
            [tuple(pair) for pair in step["conflicts"]],
            stream_seed=step_key(record, step),
        ).result
    return result


def is_v2(record: Draw) -> bool:
    """Whether the draw was announced (its bundle is ``shuangsuiji-draw/2``)."""
    return bool(record.bundle.get("format") == kernel.FORMAT_V2)


def step_key(record: Draw, step: dict[str, Any]) -> str | None:
    """The stream key of a v2 recusal step (docs/draw-spec.md §12); None for v1."""
    if not is_v2(record):
        return None
    declaration = {k: step[k] for k in ("person_id", "target_id", "mode", "reason",
                                        "declared_at")}
    return kernel.recusal_seed(record.seed, int(step["step"]), declaration,
                               step["beacon"]["randomness"])


def bundle_annotations(record: Draw, task: Task) -> dict[str, Any]:
    """What the bundle says about the ceremony and the record; covered by the draw digest."""
    return {
        "tenant_task": task.code,
        "task_title": task.title,
        "attempt": record.attempt,
        "seed_source": record.seed_source,
        "witnesses": list(record.witnesses),
        "rules": [record.rules_pack, record.rules_version],
        "item_list_version": record.item_list_version,
        "replaces_draw": record.replaces_draw_id,
    }


def export_bundle(session: Session, record: Draw) -> dict[str, Any]:
    """The bundle of a draw with its recusal steps, as a third party re-runs it."""
    task = session.get(Task, record.task_id)
    assert task is not None
    if not is_v2(record):
        return kernel.make_bundle(current_result(record),
                                  annotations=bundle_annotations(record, task))
    stored = record.bundle
    bundle = kernel.make_bundle(
        current_result(record), annotations=bundle_annotations(record, task),
        announcement=stored["announcement"], seed_inputs=stored["seed_inputs"],
        recusal_inputs=[{k: r.outcome.get(k) for k in kernel.RECUSAL_V2_KEYS}
                        for r in record.recusals],
    )
    log = announcement_log(session, record)
    if log is not None:
        digests = bundle.pop("digests")
        bundle["log"] = log
        bundle["digests"] = digests
    return bundle


def announcement_log(session: Session, record: Draw) -> dict[str, Any] | None:
    """The announcement's ``draw.announce`` event as a leaf of the tenant's transparency log,
    with an inclusion proof into the latest checkpoint issued since (docs/draw-spec.md
    §13.5); None while no checkpoint covers it. Nothing is written."""
    from shuangsuiji.models.audit import AuditEvent
    from shuangsuiji.models.draws import DrawAnnouncement
    from shuangsuiji.services import translog

    row = session.scalar(select(DrawAnnouncement).where(DrawAnnouncement.draw_id == record.id))
    if row is None:
        return None
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.action == "draw.announce", AuditEvent.object_type == "announcement",
        AuditEvent.object_id == str(row.id)))
    if event is None:
        return None
    index = translog.leaf_index(event)
    covering = [c for c in translog.issued_checkpoints(session, record.tenant_id)
                if c.tree_size > index]
    if not covering:
        return None
    checkpoint = covering[-1]
    tenant = session.get(Tenant, record.tenant_id)
    assert tenant is not None
    return {
        "event": translog.leaf_fields(event, tenant.slug),
        "payload": event.payload,
        "checkpoint": checkpoint.note,
        "inclusion": [h.hex() for h in translog.inclusion(session, record.tenant_id, index,
                                                           checkpoint.tree_size)],
    }


def draws_of(session: Session, task: Task) -> list[Draw]:
    """Every draw of a task, voided ones included, oldest first."""
    return list(session.scalars(select(Draw).where(Draw.task_id == task.id).order_by(Draw.attempt)))

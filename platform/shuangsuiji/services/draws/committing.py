"""Committing a draw: the kernel's run, the draw row, its selections and pool, and the audit
event in one transaction; a concurrent draw of the same task is refused as a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import ItemListVersion
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawVoid
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit, bundlefiles, class_strata, joint, joint_sources, units
from shuangsuiji.services.draw_units import bundle_units
from shuangsuiji.services.draws.export import bundle_annotations
from shuangsuiji.services.draws.preparing import Prepared, Progress
from shuangsuiji.services.draws.reading import load_experts, load_inspectors
from shuangsuiji.services.draws.storage import (
    refer_to_announcement,
    write_pool,
    write_selections,
)

_T = TypeVar("_T")


def handed_over(executor: Executor, fn: Callable[..., _T], *args: Any) -> Callable[[], _T]:
    """Run ``fn(*args)`` on ``executor``; the returned callable waits for its result and
    hands it over once. A future would keep its result until the draw returns: at a million
    targets each compressed pool is ~16 MB, held through the writes that follow it."""
    box: list[_T] = []
    future = executor.submit(lambda: box.append(fn(*args)))

    def take() -> _T:
        future.result()  # the worker's exception, if it failed
        return box.pop()

    return take


def live_draw(session: Session, task: Task) -> Draw | None:
    """The task's draw that is not voided, if any."""
    return session.scalar(
        select(Draw).where(Draw.task_id == task.id, Draw.id.not_in(select(DrawVoid.draw_id)))
    )


def begin_exclusive(session: Session) -> None:
    """On SQLite take the write lock now (BEGIN IMMEDIATE), so two draws serialise instead of
    one failing late on a stale read; PostgreSQL relies on the unique constraint."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


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
    #: the announcement's row: the draw's stored pool is the one it keeps
    row: DrawAnnouncement
    #: whether it keeps the public pool too, checked (made at the announcement); else the
    #: draw makes and stores it
    public_stored: bool


def draw_and_commit(
    session: Session, tenant: Tenant, prepared: Prepared, previous: int, seed: str,
    seed_source: str, witnesses: tuple[str, ...], progress: Progress,
    packed_pool: Callable[[], bytes | bytearray] | None, announced: Announced | None = None,
) -> Draw:
    """Draw the prepared pool and commit the draw with its rows, stored pool, public pool and
    audit event. ``packed_pool`` gives the stored pool of an unannounced draw; an announced
    draw's is its announcement's, and so is its public pool when the announcement made it
    (else it is made here)."""
    public_pool: Callable[[], list[bytes]] | None = None
    with ExitStack() as stack:
        if announced is None or not announced.public_stored:
            # the public bundle's pool JSON is made and compressed on a second thread (zlib
            # releases the GIL) while the draw is made and its rows are written; stored
            # before the commit
            maker = stack.enter_context(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-bundle-pool"))
            public_pool = handed_over(maker, bundlefiles.compress_pool, prepared.pool)
        return _draw_and_commit(session, tenant, prepared, previous, seed, seed_source,
                                witnesses, progress, packed_pool, announced, public_pool)


def _draw_and_commit(
    session: Session, tenant: Tenant, prepared: Prepared, previous: int, seed: str,
    seed_source: str, witnesses: tuple[str, ...], progress: Progress,
    packed_pool: Callable[[], bytes | bytearray] | None, announced: Announced | None,
    public_pool: Callable[[], list[bytes]] | None,
) -> Draw:
    task = prepared.task
    result = kernel.draw(
        prepared.pool,
        seed,
        rules=prepared.draw_rules,
        params=prepared.params,
        inspectors=announced.inspectors if announced else joint_sources.inspectors(
            session, task, load_inspectors(session)),  # with the other tenants' people
        experts=announced.experts if announced else load_experts(session),
        conflicts=[(p, c) for p, c in announced.announcement["conflicts"]] if announced else (),
        participants=joint.kernel_participants(session, task),  # 联合抽查 (§6.5)
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
        units=bundle_units(session, units.load_tree(session), prepared.pool),
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
    write_selections(session, record, task, result)
    if announced is not None:
        refer_to_announcement(session, record, announced.row)
    else:
        assert packed_pool is not None
        write_pool(session, record, packed_pool())
    if public_pool is not None:
        bundlefiles.store_pool(session, record, prepared.pool, public_pool())  # the download's
    class_strata.store(session, record, result)  # what the draw's pages show of its strata
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


def _lost_race(exc: OperationalError) -> bool:
    """Whether ``exc`` means another transaction won the lock on the same rows."""
    code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return "locked" in str(exc.orig) or code in (1205, 1213)


def _item_list_version(session: Session) -> int | None:
    """The published item-list version the draw is made under (MIIT 第五条, CQ 第四条)."""
    return session.scalar(select(func.max(ItemListVersion.number))
                          .where(ItemListVersion.status == "published"))

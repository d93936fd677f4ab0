"""The draw, end to end: load → ask the tenant's packs → run the kernel → commit with audit.

The web UI, the API and ``ssj draw`` all call these functions. A draw commits whole or not
at all: the pool, the result, the selections and the audit event are one transaction, and
the (task_id, attempt) unique constraint makes a concurrent second draw of the same task
fail inside that transaction instead of after a check.

The parts, each a step of the draw's life: :mod:`.reading` (directories and history as
the kernel takes them), :mod:`.preparing` (the task's inputs, the frozen pool),
:mod:`.committing` (the run and its transaction), :mod:`.storage` (pool and selections as
stored), :mod:`.steps` (void, recusal), :mod:`.export` (bundles as third parties re-run them).
This module is the entry point: :func:`draw` decides between an announced and a plain draw.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.messages import msg
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services.draws.committing import (
    Announced,
    begin_exclusive,
    draw_and_commit,
    live_draw,
    previous_attempt,
)
from shuangsuiji.services.draws.export import (
    announcement_log,
    bundle_annotations,
    draws_of,
    export_bundle,
)
from shuangsuiji.services.draws.preparing import (
    Prepared,
    Progress,
    Setup,
    applicable_exclusions,
    check_task_ratios,
    find_task,
    history_since,
    noop,
    prepare,
    setup,
)
from shuangsuiji.services.draws.reading import (
    COMPLETED_STATUSES,
    load_candidates,
    load_experts,
    load_history,
    load_inspectors,
    person_id,
)
from shuangsuiji.services.draws.steps import current_result, is_v2, recuse, step_key, void
from shuangsuiji.services.draws.storage import (
    POOL_STORAGE,
    check_stored_pool,
    full_bundle,
    pack_pool,
    stored_pool,
)

__all__ = [
    "COMPLETED_STATUSES", "POOL_STORAGE", "Announced", "Prepared", "Progress", "Setup",
    "announcement_log", "applicable_exclusions", "bundle_annotations", "check_stored_pool",
    "check_task_ratios",
    "current_result", "draw", "draws_of", "export_bundle", "find_task", "full_bundle",
    "history_since", "is_v2", "live_draw", "load_candidates", "load_experts", "load_history",
    "load_inspectors", "pack_pool", "person_id", "prepare", "previous_attempt", "recuse",
    "setup", "step_key", "stored_pool", "void",
]

def draw(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_ref: int | str,
    *,
    seed: str | None = None,
    witnesses: tuple[str, ...] = (),
    expected_pool_digest: str | None = None,
    progress: Progress = noop,
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

        begin_exclusive(session)
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
            raise Conflict(msg("task %(task)s: the voided draw #%(draw)s was announced, so its "
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
    begin_exclusive(session)
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
        return draw_and_commit(session, tenant, prepared, previous, seed, seed_source,
                                witnesses, progress, packed.result)

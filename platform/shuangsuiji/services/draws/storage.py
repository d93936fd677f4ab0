"""How a committed draw is stored: its pool as compressed canonical lines, its selections in
each database's fastest bulk form; and the pool read back, checked against its digest.
"""

from __future__ import annotations

import hashlib
import json
import queue
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, object_session

from shuangsuiji import kernel
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawPool, DrawSelection
from shuangsuiji.models.plans import Task
from shuangsuiji.services import blobs, deflate

_CHUNK = 5000


POOL_STORAGE = "shuangsuiji-pool/1+zlib"
#: ``draw_pools.format`` of an announced draw: its pool is the announcement's stored one
#: (the same lines, checked against the same digest), not a copy of it — ~16 MB less
#: written per million targets
POOL_OF_ANNOUNCEMENT = "shuangsuiji-pool/1+announcement"


def pack_pool(pool: kernel.FrozenPool) -> bytearray:
    """The pool's canonical lines (whose SHA-256 is the pool digest), compressed."""
    z = deflate.compressor()
    out = bytearray()  # grown in place: no list of parts joined into a second copy
    for chunk in kernel.frozen_pool_text(pool):
        out += z.compress(chunk)
    out += z.flush()
    return out


def write_pool(session: Session, record: Draw, packed: bytes | bytearray) -> None:
    """The packed pool: its first piece in ``draw_pools.data``, the rest in ``blob_chunks``
    (MariaDB refuses a row over its 16 MiB packet, a little above a million targets)."""
    size = blobs.CHUNK
    view = memoryview(packed)
    done = session.connection().execute(insert(DrawPool).values(
        tenant_id=require_tenant(session), draw_id=record.id, format=POOL_STORAGE,
        data=bytes(view[:size]),
    ))
    key = done.inserted_primary_key
    assert key is not None
    # one piece copied at a time, not the whole pool cut into copies first
    blobs.write(session, blobs.DRAW_POOL, key[0],
                (bytes(view[i:i + size]) for i in range(size, len(view), size)), first_seq=1)


def refer_to_announcement(session: Session, record: Draw,
                          announcement: DrawAnnouncement) -> None:
    """Store the announced draw's pool as the announcement's own (no copy), and mark the
    announcement as used by the draw (which is how the pool is found again)."""
    announcement.draw_id = record.id
    session.connection().execute(insert(DrawPool).values(
        tenant_id=require_tenant(session), draw_id=record.id, format=POOL_OF_ANNOUNCEMENT,
        data=b""))
    session.flush()


def packed_pieces(session: Session, record: Draw) -> Iterator[bytes]:
    """The draw's stored pool as its zlib pieces, wherever it is kept (the draw's own row or
    its announcement's)."""
    row = _pool_row(session, record)
    if row.format == POOL_STORAGE:
        return blobs.joined(row.data, session, blobs.DRAW_POOL, row.id)
    if row.format == POOL_OF_ANNOUNCEMENT:
        announcement = announcement_of(session, record.id)
        if announcement is None:
            raise NotFound(msg("draw #%(draw)s has no stored pool", draw=record.id))
        return blobs.joined(announcement.pool, session, blobs.ANNOUNCEMENT_POOL,
                            announcement.id)
    raise UserError(msg("draw #%(draw)s: unknown pool storage format %(format)r",
                        draw=record.id, format=row.format))


def announcement_of(session: Session, draw_id: int) -> DrawAnnouncement | None:
    """The announcement a draw was made from (None for an unannounced draw)."""
    return session.scalar(select(DrawAnnouncement).where(DrawAnnouncement.draw_id == draw_id))


def stored_pool(session: Session, record: Draw) -> dict[str, Any]:
    """The bundle's ``pool`` object of a committed draw, from its stored lines.

    The lines are checked against the draw's pool digest first: a stored pool that was
    changed is refused, not exported.
    """
    data = deflate.decompress(b"".join(packed_pieces(session, record)))
    _same_digest(record, hashlib.sha256(data).hexdigest())
    with paused_gc():
        return kernel.parse_pool_text(data)


def inflated_lines(packed: bytes) -> tuple[list[bytes], str]:
    """The lines (without their LF) of a stored pool's text and the text's SHA-256 (hex),
    from ``packed`` (:func:`pack_pool`'s zlib stream).

    A second thread inflates while this one hashes and cuts lines (zlib and hashlib let go
    of the GIL): at a million targets the inflate (~0.2 s) is then hidden behind the cut
    instead of coming before it, and the whole text is never one ``bytes``. A stream that is
    not whole zlib, or a text that does not end in LF, is refused as a changed database.
    """
    pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=4)  # a few MiB in flight

    def inflate() -> None:
        z = deflate.decompressor()
        try:
            view = memoryview(packed)
            for start in range(0, len(view), _INFLATE_STEP):
                pieces.put(z.decompress(view[start:start + _INFLATE_STEP]))
            pieces.put(z.flush())
            if not z.eof or z.unused_data:
                raise zlib.error("the stored stream is cut short or has bytes after its end")
        finally:
            pieces.put(None)

    lines: list[bytes] = []
    digest = hashlib.sha256()
    carry = b""  # the last, unfinished line of the pieces so far
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-inflate-pool") as worker:
        done = worker.submit(inflate)
        while (piece := pieces.get()) is not None:
            digest.update(piece)
            cut = (carry + piece).split(b"\n") if carry else piece.split(b"\n")
            carry = cut.pop()
            lines.extend(cut)
        try:
            done.result()
            whole = True
        except deflate.ERRORS:
            whole = False
    if not whole or carry:
        raise Conflict(msg("the stored pool is damaged: it is not the text the platform wrote"),
                       hint=msg("the database was changed outside the platform; restore it"))
    return lines, digest.hexdigest()


_INFLATE_STEP = 1 << 20  # compressed bytes per inflate call: ~4 MiB of text each


def check_stored_pool(session: Session, record: Draw) -> None:
    """Refuse (as :func:`stored_pool` would) a draw whose stored pool no longer hashes to its
    pool digest, reading it a piece at a time: a few MiB whatever the pool's size, and no
    pool parsed. Pages that show a committed draw without rebuilding it call this."""
    if "pool" in record.bundle:
        return  # an early draw carries its pool inline, in the bundle the digest covers
    inflate, digest = deflate.decompressor(), hashlib.sha256()
    for piece in packed_pieces(session, record):
        digest.update(inflate.decompress(piece))
    digest.update(inflate.flush())
    _same_digest(record, digest.hexdigest())


def _pool_row(session: Session, record: Draw) -> DrawPool:
    row = session.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
    if row is None:
        raise NotFound(msg("draw #%(draw)s has no stored pool", draw=record.id))
    return row


def _same_digest(record: Draw, sha256_hex: str) -> None:
    """Refuse a stored pool whose lines (their SHA-256 in hex) are not the draw's pool."""
    if sha256_hex != record.pool_digest:
        raise Conflict(msg("draw #%(draw)s: the stored pool does not match its pool digest",
                           draw=record.id),
                       hint=msg("the database was changed outside the platform; restore it"))


def full_bundle(record: Draw) -> dict[str, Any]:
    """The draw's bundle as committed, with its pool (draws made before the pool was stored
    apart carry it inline)."""
    bundle = record.bundle
    if "pool" in bundle:
        return bundle
    session = object_session(record)
    assert session is not None
    return kernel.with_pool(bundle, stored_pool(session, record))


def write_selections(session: Session, record: Draw, task: Task,
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
        _insert_selections_pg(conn, tid, record.id, task.id, rows)
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


def _insert_selections_pg(conn: Any, tid: int, draw_id: int, task_id: int,
                          rows: list[_SelectionRow], *, arrays: bool = False) -> None:
    """PostgreSQL: one ``INSERT … SELECT`` over the rows passed as four columns (``unnest``),
    the target id joined in the database on the ``(tenant_id, credit_code)`` index: one
    statement and four parameters, whatever the number of rows (looking the ids up first
    took a dozen statements of 5,000 parameters each, whose conversion alone cost more than
    the insert; one statement per row cost seconds).

    Each column goes as one text of LF-separated values that the server splits
    (``string_to_array``): psycopg adapts a Python list to an array value by value in Python
    (about a second for 53,268 rows on a loaded machine); a join is one C call. A value that
    could be mistaken for a separator or an empty array (an LF, an empty stratum) sends the
    columns as arrays instead (as ``arrays=True`` does: bench/selection_checks_ab.py)."""
    codes, strata, positions, batches = (list(col) for col in zip(*rows, strict=True)) \
        if rows else ([], [], [], [])
    columns = "tenant_id, draw_id, task_id, target_id, credit_code, stratum, position, batch_no"
    as_text = not arrays and all("\n" not in c for c in codes) and all(
        s and "\n" not in s for s in strata)
    if as_text:
        source = ("unnest(string_to_array(%(codes)s, E'\\n'), string_to_array(%(strata)s,"
                  " E'\\n'), string_to_array(%(pos)s, E'\\n')::int[],"
                  " string_to_array(%(batches)s, E'\\n', '')::int[])")
        params: dict[str, Any] = {"codes": "\n".join(codes), "strata": "\n".join(strata),
                  "pos": "\n".join(map(str, positions)),
                  "batches": "\n".join("" if b is None else str(b) for b in batches)}
    else:
        source = ("unnest(%(codes)s::text[], %(strata)s::text[], %(pos)s::int[],"
                  " %(batches)s::int[])")
        params = {"codes": codes, "strata": strata, "pos": positions, "batches": batches}
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            f"INSERT INTO {DrawSelection.__tablename__} ({columns})"
            " SELECT %(tid)s, %(draw)s, %(task)s, t.id, r.code, r.stratum, r.pos, r.batch"
            f" FROM {source} AS r(code, stratum, pos, batch)"
            " LEFT JOIN targets t ON t.tenant_id = %(tid)s AND t.credit_code = r.code",
            {"tid": tid, "draw": draw_id, "task": task_id, **params},
        )
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

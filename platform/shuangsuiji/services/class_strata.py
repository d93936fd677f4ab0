"""A committed draw's strata for its pages: name, ratio, size, members and how many were
drawn.

They are written once, at commit (:func:`store`: a few hundred bytes of JSON beside the
draw, blob kind ``draw_strata``), so a page reads them in one statement whatever the pool's
size. A draw committed before that reads them from the stored pool's ``stratum`` lines
(docs/draw-spec.md §3.3), which means inflating the whole pool: over a second at a million
targets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import astuple, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.models.draws import Draw, DrawPool, DrawSelection
from shuangsuiji.services import blobs, deflate

_STRATUM = b"stratum\t"


@dataclass(frozen=True)
class StratumRow:
    name: str
    ratio_permille: int
    size: int
    members: int
    drawn: int


def stratum_lines(pieces: Iterable[bytes]) -> list[bytes]:
    """The ``stratum`` lines of a pool stored as zlib ``pieces``, decompressed piece by
    piece."""
    out: list[bytes] = []
    z = deflate.decompressor()
    tail = b""
    for piece in pieces:
        lines = (tail + z.decompress(piece)).split(b"\n")
        tail = lines.pop()
        out += [line for line in lines if line.startswith(_STRATUM)]
    text = tail + z.flush()
    out += [line for line in text.split(b"\n") if line.startswith(_STRATUM)]
    return out


def store(session: Session, record: Draw, result: kernel.DrawResult) -> None:
    """Write the committed draw's strata beside it (called once, in the commit)."""
    drawn = {s.name: len(s.selected) for s in result.strata}
    rows = [StratumRow(s.name, s.ratio_permille, s.size, len(s.lines), drawn.get(s.name, 0))
            for s in result.pool.strata]
    data = json.dumps([astuple(r) for r in rows], ensure_ascii=False).encode()
    blobs.write(session, blobs.DRAW_STRATA, record.id, blobs.pieces(data))


def strata(session: Session, record: Draw) -> list[StratumRow]:
    """The draw's strata in pool order; [] for a draw whose pool is not stored."""
    stored = b"".join(blobs.read(session, blobs.DRAW_STRATA, record.id))
    if stored:
        return [StratumRow(*fields) for fields in json.loads(stored)]
    from shuangsuiji.services.draws import storage  # (draws imports this module)

    row = session.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
    if row is None or row.format not in (storage.POOL_STORAGE, storage.POOL_OF_ANNOUNCEMENT):
        return []
    drawn = dict(session.execute(
        select(DrawSelection.stratum, func.count()).where(DrawSelection.draw_id == record.id)
        .group_by(DrawSelection.stratum)).all())
    out = []
    for line in stratum_lines(storage.packed_pieces(session, record)):
        _, name, ratio, size, members = line.decode("utf-8").split("\t")
        out.append(StratumRow(name, int(ratio), int(size), int(members), drawn.get(name, 0)))
    return out

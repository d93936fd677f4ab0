"""A committed draw's strata for its pages: name, ratio, size, members and how many were
drawn, read from the stored pool's ``stratum`` lines (docs/draw-spec.md §3.3) without
parsing its members, and from the draw's selections."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.models.draws import Draw, DrawPool, DrawSelection
from shuangsuiji.services import blobs
from shuangsuiji.services.draws.storage import POOL_STORAGE

_STRATUM = b"stratum\t"


@dataclass(frozen=True)
class StratumRow:
    name: str
    ratio_permille: int
    size: int
    members: int
    drawn: int


def stratum_lines(data: bytes) -> list[bytes]:
    """The ``stratum`` lines of a pool stored as zlib, decompressed piece by piece."""
    out: list[bytes] = []
    z = zlib.decompressobj()
    tail = b""
    for start in range(0, len(data), 1 << 20):
        text = tail + z.decompress(data[start:start + (1 << 20)])
        lines = text.split(b"\n")
        tail = lines.pop()
        out += [line for line in lines if line.startswith(_STRATUM)]
    text = tail + z.flush()
    out += [line for line in text.split(b"\n") if line.startswith(_STRATUM)]
    return out


def strata(session: Session, record: Draw) -> list[StratumRow]:
    """The draw's strata in pool order; [] for a draw whose pool is not stored."""
    row = session.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
    if row is None or row.format != POOL_STORAGE:
        return []
    drawn = dict(session.execute(
        select(DrawSelection.stratum, func.count()).where(DrawSelection.draw_id == record.id)
        .group_by(DrawSelection.stratum)).all())
    out = []
    for line in stratum_lines(blobs.draw_pool(session, row)):
        _, name, ratio, size, members = line.decode("utf-8").split("\t")
        out.append(StratumRow(name, int(ratio), int(size), int(members), drawn.get(name, 0)))
    return out

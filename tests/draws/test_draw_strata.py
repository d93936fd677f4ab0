"""A committed draw's strata as its pages show them are written once, at commit, and equal
what its stored pool's ``stratum`` lines and its selections say (the path of draws committed
before they were stored)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete

from shuangsuiji.models.blobs import BlobChunk
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import blobs, class_strata, draws
from tests.draws.test_announcements import tenant_session


def test_strata_stored_at_commit_match_the_pool_and_the_selections(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="strata")
        bundle = draws.export_bundle(s, record)
        draw_id = record.id
        s.commit()
    with tenant_session(platform, "miit") as (s, t):
        record = s.get(Draw, draw_id)
        assert record is not None
        selected = record.selected_count
        assert b"".join(blobs.read(s, blobs.DRAW_STRATA, draw_id))  # written at commit
        stored = class_strata.strata(s, record)
        s.execute(delete(BlobChunk).where(BlobChunk.kind == blobs.DRAW_STRATA,
                                          BlobChunk.owner_id == draw_id))
        scanned = class_strata.strata(s, record)  # from the stored pool, as for old draws
        s.rollback()
    assert stored == scanned
    expected = [(st["name"], st["ratio_permille"], st["size"], len(st["members"]))
                for st in bundle["pool"]["strata"]]
    assert [(r.name, r.ratio_permille, r.size, r.members) for r in stored] == expected
    drawn = {st["name"]: len(st["selected"]) for st in bundle["result"]["strata"]}
    assert [r.drawn for r in stored] == [drawn.get(r.name, 0) for r in stored]
    assert sum(r.drawn for r in stored) == selected > 0

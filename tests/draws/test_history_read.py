"""The draw's history read (services/draws/reading.load_history): on SQLite and PostgreSQL
each earlier task's selected codes come as one text the database aggregates, on MariaDB as
rows; either way a later task excludes exactly what the earlier task's live draw selected,
not what its voided draw did."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from shuangsuiji.services import tenants as tenant_service

from .test_draw_service import _bundle, _draw


def _history(platform: Platform, slug: str, task: str) -> dict[str, list[str]]:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        t = draws.find_task(s, task)
        return {r.task_id: sorted(r.credit_codes)
                for r in draws.load_history(s, date(2026, 1, 1), t.starts_on, t.id)}


def test_the_history_holds_the_live_draws_codes_and_excludes_them(
        platform: Platform, make_task: Callable[..., str]) -> None:
    first = make_task("miit", "T-A")
    later = make_task("miit", "T-B", starts_on=date(2026, 4, 20))
    voided = _draw(platform, "miit", first, seed="first ceremony")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        draws.void(s, tenant, voided.id, "见证人未到场")
        s.commit()
    live = _draw(platform, "miit", first, seed="second ceremony")
    live_codes = sorted(c for s in live.bundle["result"]["strata"] for c in s["selected"])
    voided_codes = {c for s in voided.bundle["result"]["strata"] for c in s["selected"]}
    assert set(live_codes) != voided_codes  # else the test could not tell them apart
    assert _history(platform, "miit", later) == {"T-A": live_codes}
    _draw(platform, "miit", later, seed="third ceremony")
    excluded = {row[0]: row for row in _bundle(platform, "miit", later)["pool"]["excluded"]}
    once = {code for code, row in excluded.items() if row[2] == "once_per_year"}
    # every live selection without a risk flag (flags exempt, MIIT 第十条) is excluded by
    # T-A, and no code only the voided draw selected is
    assert once <= set(live_codes)
    assert all(excluded[c][3] == "T-A" for c in once)
    assert not (voided_codes - set(live_codes)) & once
    assert len(once) >= len(live_codes) // 2

"""Holiday calendars are shared down the tenant tree (issue #14 point 10).

The State Council's holiday notice is one document for the country; MIIT 第十五条 and CQ
第十四条 count working days by it. A 2027 calendar imported by Chongqing applies to its
district 渝中区 (which has no calendar of its own); one imported by the central tenant
applies to every tenant; a tenant's own import wins for itself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shuangsuiji.services import calendars as calendar_service
from shuangsuiji.services import deadlines as deadline_service

DATA = Path(__file__).parent / "data"
END = date(2026, 12, 10)


def _import(world) -> None:  # type: ignore[no-untyped-def]
    calendar_service.import_calendar(world.session, world.tenant,
                                     (DATA / "holidays-2027.csv").read_bytes(),
                                     "holidays-2027.csv")
    world.session.commit()


def test_a_parents_calendar_applies_to_its_district_cq_art_14(world_for) -> None:
    district = world_for("yuzhong")
    before = deadline_service.compute(district.session, district.platform, district.tenant, END)
    assert before.provisional and before.uncovered_years == (2027,)
    _import(world_for("chongqing"))
    district.session.rollback()  # a new transaction sees the import
    after = deadline_service.compute(district.session, district.platform, district.tenant, END)
    assert not after.provisional and after.warning is None
    [line] = [c for c in calendar_service.coverage(district.session) if c.year == 2027]
    assert (line.coverage, line.from_tenant) == ("inherited", "chongqing")


def test_the_central_calendar_applies_to_every_tenant_unless_one_imports_its_own(
    world_for,
) -> None:
    """MIIT 第十五条: the central tenant's 2027 import makes Chongqing's deadlines exact; a
    tenant's own import decides for itself (and its descendants) from then on."""
    cq = world_for("chongqing")
    _import(world_for("miit"))
    cq.session.rollback()
    assert not deadline_service.compute(cq.session, cq.platform, cq.tenant, END).provisional
    assert [c.coverage for c in calendar_service.coverage(cq.session) if c.year == 2027] == [
        "inherited"]
    _import(cq)
    assert [c.coverage for c in calendar_service.coverage(cq.session) if c.year == 2027] == [
        "tenant"]
    district = world_for("yuzhong")
    assert [c.from_tenant for c in calendar_service.coverage(district.session)
            if c.year == 2027] == ["chongqing"]

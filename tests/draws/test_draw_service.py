"""The draw through the service layer: commit, immutability, concurrency, exclusions,
recusal per pack, tenant isolation, and bundles that verify offline."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from shuangsuiji import kernel
from shuangsuiji.db import audit_guard
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel import poolbuilder as pool_module
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import TargetFlag
from shuangsuiji.models.draws import Draw, DrawSelection
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, directories, draws, plans
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws import preparing as draw_preparing
from shuangsuiji.services.draws import reading as draw_reading

SEED = "dice 3-5-1-6-2-4; lottery 2026-041 03 11 19 24 28 31"


def _draw(platform: Platform, slug: str, task: str, **kw: object) -> Draw:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, task, **kw)  # type: ignore[arg-type]
        s.commit()
        return record


def _bundle(platform: Platform, slug: str, task: str) -> dict:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        record = draws.live_draw(s, draws.find_task(s, task))
        assert record is not None
        return draws.export_bundle(s, record)


def test_draw_commits_a_bundle_that_verifies(platform: Platform,
                                             make_task: Callable[..., str]) -> None:
    code = make_task("chongqing")
    record = _draw(platform, "chongqing", code, seed=SEED, witnesses=("张三", "李四"))
    assert record.seed == SEED and record.seed_source == "ceremony"
    # 300 targets at 100 ‰: ceil(300 * 100 / 1000) = 30 across the strata, flags included
    assert record.selected_count >= 30
    bundle = _bundle(platform, "chongqing", code)
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    assert bundle["annotations"]["witnesses"] == ["张三", "李四"]
    assert bundle["digests"]["pool"] == record.pool_digest
    with platform.db.session(record.tenant_id) as s:
        n = s.scalar(select(func.count()).select_from(DrawSelection)
                     .where(DrawSelection.draw_id == record.id))
        assert n == record.selected_count
        actions = s.scalars(select(AuditEvent.action)
                            .where(AuditEvent.tenant_id == record.tenant_id)).all()
        assert "draw.commit" in actions
        assert audit.verify(s, record.tenant_id).ok


def _general(bundle: dict) -> dict:
    return next(s for s in bundle["result"]["strata"] if s["name"] == "general")


def test_bundle_rejected_after_a_field_changes(platform: Platform,
                                               make_task: Callable[..., str]) -> None:
    code = make_task("miit")
    _draw(platform, "miit", code, seed=SEED)
    bundle = _bundle(platform, "miit", code)
    for mutate in (
        lambda b: b.__setitem__("seed", b["seed"] + " "),
        lambda b: b["annotations"]["witnesses"].append("王五"),
        lambda b: _general(b)["selected"].reverse(),
        lambda b: b["pool"]["strata"][0]["members"].pop(),
    ):
        tampered = copy.deepcopy(bundle)
        mutate(tampered)
        assert not kernel.verify_bundle(tampered).ok


def test_same_seed_same_pool_same_result(platform: Platform,
                                         make_task: Callable[..., str]) -> None:
    a = make_task("miit", "T-A")
    b = make_task("miit", "T-B", starts_on=__import__("datetime").date(2026, 4, 1))
    ra = _draw(platform, "miit", a, seed=SEED)
    rb = _draw(platform, "miit", b, seed=SEED)
    # T-B's pool excludes what T-A drew (same item, same year): the pools differ
    assert ra.pool_digest != rb.pool_digest
    # risk-flagged targets are exempt from once-per-year (MIIT 第十条): compare the rest
    drawn_a = _general(ra.bundle)["selected"]
    assert set(drawn_a).isdisjoint(_general(rb.bundle)["selected"])
    # the pool is stored apart from the bundle (draw_pools), as its canonical lines
    assert "pool" not in rb.bundle
    excluded = {row[0]: row for row in _bundle(platform, "miit", b)["pool"]["excluded"]}
    for code in drawn_a:
        assert excluded[code][2] == "once_per_year" and excluded[code][3] == "T-A"


def test_one_live_draw_then_void_and_redraw(platform: Platform,
                                            make_task: Callable[..., str]) -> None:
    code = make_task("chongqing")
    first = _draw(platform, "chongqing", code, seed=SEED)
    with pytest.raises(Conflict, match="already has draw"):
        _draw(platform, "chongqing", code, seed="another")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        with pytest.raises(UserError, match="reason"):
            draws.void(s, tenant, first.id, "  ")
        draws.void(s, tenant, first.id, "见证人未到场")
        s.commit()
    second = _draw(platform, "chongqing", code, seed="second ceremony")
    assert second.attempt == 2 and second.replaces_draw_id == first.id
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        all_draws = draws.draws_of(s, draws.find_task(s, code))
        assert [d.id for d in all_draws] == [first.id, second.id]
        assert all_draws[0].is_void and not all_draws[1].is_void
        # the voided draw is unchanged and still verifies
        assert kernel.verify_bundle(draws.export_bundle(s, all_draws[0])).ok


def test_concurrent_draws_exactly_one_commits(platform: Platform,
                                              make_task: Callable[..., str]) -> None:
    code = make_task("miit")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker(seed: str) -> None:
        barrier.wait()
        try:
            _draw(platform, "miit", code, seed=seed)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker, args=(f"seed-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        assert s.scalar(select(func.count()).select_from(Draw)) == 1


def test_pool_digest_shown_before_is_the_one_committed(platform: Platform,
                                                       make_task: Callable[..., str]) -> None:
    code = make_task("miit")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        shown = draws.prepare(s, platform, tenant, code).pool.digest
    with pytest.raises(Conflict, match="pool changed"):
        _draw(platform, "miit", code, seed=SEED, expected_pool_digest="0" * 64)
    record = _draw(platform, "miit", code, seed=SEED, expected_pool_digest=shown)
    assert record.pool_digest == shown


def test_chongqing_refuses_swap_miit_allows_it(platform: Platform,
                                               make_task: Callable[..., str]) -> None:
    for slug in ("chongqing", "miit"):
        code = make_task(slug)
        record = _draw(platform, slug, code, seed=SEED)
        group = record.bundle["final"]["groups"][0]
        person, target = group["members"][0], group["targets"][0]
        with platform.db.session() as s:
            tenant = tenant_service.get(s, slug)
            s.info["tenant_id"] = tenant.id
            if slug == "chongqing":
                with pytest.raises(kernel.KernelError, match="第九条"):
                    draws.recuse(s, tenant, record.id, person=person, credit_code=target,
                                 mode="swap", reason="亲属关系", platform=platform)
                s.rollback()
                entry = draws.recuse(s, tenant, record.id, person=person, credit_code=target,
                                     mode="withdraw", reason="亲属关系", platform=platform)
                assert entry.outcome["replacement"] not in group["members"]
            else:
                entry = draws.recuse(s, tenant, record.id, person=person, credit_code=target,
                                     mode="swap", reason="曾任该企业顾问", platform=platform)
                assert entry.outcome["swap_group"] != group["number"]
            s.commit()
        bundle = _bundle(platform, slug, code)
        assert len(bundle["recusals"]) == 1
        assert kernel.verify_bundle(bundle).ok


def test_tenants_do_not_see_each_others_tasks(platform: Platform,
                                              make_task: Callable[..., str]) -> None:
    code = make_task("chongqing", "CQ-ONLY")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        with pytest.raises(UserError, match="no task"):
            draws.find_task(s, code)


def test_empty_pool_is_a_clear_message_and_no_draw(platform: Platform,
                                                   make_task: Callable[..., str]) -> None:
    first = make_task("chongqing", "T-FULL", ratio_permille=1000, item_codes=["SX-003"],
                      group_count=1)
    _draw(platform, "chongqing", first, seed=SEED)
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        # candidates come in column chunks; ``flags`` holds the flagged positions only
        flagged = sum(len(c.flags) for c in draws.load_candidates(s, date(2026, 4, 1)))
    # every target was inspected for SX-003 this year; only risk-flagged ones stay eligible
    second = make_task("chongqing", "T-AGAIN", ratio_permille=1000, item_codes=["SX-003"],
                       group_count=1)
    again = _draw(platform, "chongqing", second, seed=SEED)
    assert again.pool_size == flagged
    assert again.excluded_count == 300 - flagged
    third = make_task("chongqing", "T-EMPTY", ratio_permille=1000, item_codes=["SX-003"],
                      group_count=1, special=False)
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        with audit_guard.unaudited(s, "test: risk flags removed by hand"):
            for target in s.scalars(select(TargetFlag)):
                s.delete(target)
            s.commit()
    with pytest.raises(kernel.EmptyPool, match="T-EMPTY"):
        _draw(platform, "chongqing", third, seed=SEED)
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        assert s.scalar(select(func.count()).select_from(Draw)) == 2


def test_too_few_inspectors_says_how_many_are_missing(platform: Platform,
                                                      make_task: Callable[..., str]) -> None:
    code = make_task("chongqing", "T-BIG", group_count=12)
    with pytest.raises(kernel.NotEnoughPeople, match="missing"):
        _draw(platform, "chongqing", code, seed=SEED)


def test_pool_read_in_text_pages_is_the_pool_read_target_by_target(
    platform: Platform, make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The draw reads the directory as texts aggregated by the database, a page at a time
    (SQLite, PostgreSQL); pages of any size, by credit code or by id, with flags and history
    spread over them, freeze the same pool as the targets read one by one with their
    flags."""
    first = make_task("miit", "T-A")
    _draw(platform, "miit", first, seed=SEED)  # history: T-B's pool excludes what T-A drew
    task = make_task("miit", "T-B")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        fast = []  # pages the kernel took by its fast path (not the exact one)
        text_rows = pool_module._text_rows
        monkeypatch.setattr(pool_module, "_text_rows",
                            lambda *a: fast.append(text_rows(*a)) or fast[-1])
        pools = {}
        for page in (7, 100, 100_000):
            for by_code in (True, False):  # pages by credit code, or by id
                monkeypatch.setattr(draw_reading, "_TEXT_PAGE", page)
                monkeypatch.setattr(draw_reading, "_byte_order", lambda _s, b=by_code: b)
                pools[page, by_code] = draws.prepare(s, platform, tenant, task).pool
        on = draws.find_task(s, task).starts_on
        records = directories.load_targets(s, on=on)
        monkeypatch.setattr(draw_preparing, "load_candidates", lambda _s, _on, _classes=(): (
            kernel.Target(r.credit_code, r.name, r.flags) for r in records))
        one_by_one = draws.prepare(s, platform, tenant, task).pool
    assert any(r.flags for r in records) and one_by_one.excluded
    if platform.db.dialect in ("sqlite", "postgresql"):
        assert len(fast) > 300 / 7 and all(found is not None for found in fast)
    for pool in pools.values():
        assert pool.digest == one_by_one.digest
        assert [s.lines for s in pool.strata] == [s.lines for s in one_by_one.strata]


def test_recently_inspected_looks_back_into_the_year_before(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """The example province excludes targets inspected by it in the last 180 days
    (recently_inspected): a draw in April 2026 must see a November 2025 inspection, which a
    history of 2026 alone would miss."""
    if "example-province" not in platform.packs:
        pytest.skip("the example province pack is not installed")
    make_task("example", "T-2026-APR")  # loads the directories and the 2026 plan
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "example")
        s.info["tenant_id"] = tenant.id
        plans.create_plan(s, platform, tenant, 2025, title="2025年度抽查工作计划",
                          made_on=date(2025, 2, 10))
        plans.create_task(s, platform, tenant, plan_year=2025, code="T-2025-NOV",
                          title="电信业务经营许可情况检查", department="综合执法处",
                          item_codes=["SX-001"], starts_on=date(2025, 11, 3),
                          ends_on=date(2025, 11, 28), methods=["on_site"],
                          ratio_permille=100, group_count=3,
                          inspector_scope="across_departments")
        s.commit()
    earlier = _draw(platform, "example", "T-2025-NOV", seed=SEED)
    drawn = set(_general(earlier.bundle)["selected"])
    _draw(platform, "example", "T-2026-APR", seed=SEED)
    excluded = {row[0]: row for row in _bundle(platform, "example", "T-2026-APR")["pool"]
                ["excluded"]}
    assert drawn and drawn <= set(excluded)
    assert {(excluded[c][2], excluded[c][3]) for c in drawn} == {
        ("recently_inspected", "T-2025-NOV")}

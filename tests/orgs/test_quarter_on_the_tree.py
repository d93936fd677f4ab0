"""MIIT 第十条第二款 on the organisation tree, through the draw service, and the bundle's
``units`` rechecked by ``ssj verify``, the one-file verifier and a tampered copy (issue #15
item 2).

职能司局内不同处室在同一季度内对同一检查对象的多个抽查事项，采取联合抽查的方式一次性查完；
不能采取联合抽查的，……应当排除其他处室已抽查过的检查对象。鼓励不同司局对同一检查对象的多个
抽查事项进行联合抽查。
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from shuangsuiji import kernel, standalone
from shuangsuiji.demo.orgs import TREES
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, units
from shuangsuiji.services import tenants as tenant_service

SEED = "dice 6-1-4-2-5-3"
# 信息通信管理局 (司局): 安全生产处, 电子信息处; 电子信息司 (司局): 电子信息司综合处
DEPT, OWN, OTHER, ELSEWHERE = "信息通信管理局", "安全生产处", "电子信息处", "电子信息司综合处"


@pytest.fixture
def miit(platform: Platform, make_task: Callable[..., str]) -> Callable[..., dict[str, object]]:
    """``draw(code, division, item, day, **task)``: create and draw a MIIT task; returns its
    exclusions as {credit code: (rule, trigger)} and its bundle."""
    make_task("miit", "T-SETUP", item_codes=["SX-001"], starts_on=date(2026, 1, 5),
              ends_on=date(2026, 1, 30))  # loads the directories (not drawn)
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        units.replace_tree(s, TREES["miit"], actor="test")
        s.commit()

    def draw(code: str, division: str, item: str, day: int, **task: object) -> dict[str, object]:
        make_task("miit", code, department="", division=division, item_codes=[item],
                  starts_on=date(2026, 4, day), ends_on=date(2026, 6, 30), ratio_permille=100,
                  **task)
        with platform.db.session() as s:
            tenant = tenant_service.get(s, "miit")
            s.info["tenant_id"] = tenant.id
            record = draws.draw(s, platform, tenant, code, seed=SEED)
            s.commit()
            bundle = draws.export_bundle(s, record)
        return {"excluded": {row[0]: (row[2], row[3]) for row in bundle["pool"]["excluded"]},
                "bundle": bundle}

    return draw


def _drawn(got: dict[str, object]) -> set[str]:
    return {c for s in got["bundle"]["result"]["strata"]  # type: ignore[index]
            for c in s["selected"]}


def test_other_division_of_the_same_department_excludes_other_department_does_not(
    miit: Callable[..., dict[str, object]], app: Flask, tmp_path: Path,
) -> None:
    first = miit("T-A", OWN, "SX-001", 1)
    assert first["excluded"] == {}
    drawn_a = _drawn(first)
    # 同一司局的其他处室, same quarter, another item: excluded, T-A named
    second = miit("T-B", OTHER, "SX-002", 2)
    # all of T-A's targets but those the risk flags exempt (第十条第三款)
    flagged = {m[0] for st in second["bundle"]["pool"]["strata"]  # type: ignore[index]
               if st["name"].startswith("risk:") for m in st["members"]}
    assert set(second["excluded"]) == drawn_a - flagged and second["excluded"]
    assert {v for v in second["excluded"].values()} == {  # type: ignore[union-attr]
        ("same_quarter_other_divisions", "T-A")}
    bundle = second["bundle"]
    assert bundle["task"]["department"] == DEPT  # type: ignore[index]
    assert bundle["units"]["triggers"] == [["T-A", DEPT, OWN]]  # type: ignore[index]
    # 不同司局: encouraged to inspect jointly, never excluded
    assert miit("T-C", ELSEWHERE, "SX-003", 3)["excluded"] == {}
    # 联合抽查 of the two 处室: the alternative, nobody excluded by this rule
    joint = miit("T-D", OTHER, "SX-004", 6, joint_divisions=[OWN])
    assert joint["excluded"] == {}
    # verified offline: ssj verify, and the one-file verifier (standard library only)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    ok = app.test_cli_runner().invoke(args=["verify", str(path)])
    assert ok.exit_code == 0 and "bundle OK" in ok.output, ok.output
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    run = subprocess.run([sys.executable, "-I", "-S", str(pyz), str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout.startswith("bundle OK"), run.stderr
    # a bundle claiming the trigger was of another 司局 does not verify
    forged = json.loads(json.dumps(bundle))
    forged["units"]["triggers"] = [["T-A", "电子信息司", ELSEWHERE]]
    report = kernel.verify_bundle(forged)
    assert not report.ok and report.path is not None and report.path.startswith("pool.excluded")
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, "-I", "-S", str(pyz), str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "第十条第二款" in run.stderr


def test_same_division_is_left_to_the_once_a_year_rule(
    miit: Callable[..., dict[str, object]],
) -> None:
    first = miit("T-A", OWN, "SX-001", 1)
    drawn = _drawn(first)
    assert miit("T-B", OWN, "SX-002", 2)["excluded"] == {}  # same 处室, another item
    again = miit("T-C", OWN, "SX-001", 3)  # same 处室, same item: 第十条第一款
    flagged = {m[0] for st in again["bundle"]["pool"]["strata"]  # type: ignore[index]
               if st["name"].startswith("risk:") for m in st["members"]}
    assert set(again["excluded"]) == drawn - flagged and again["excluded"]
    assert {v[0] for v in again["excluded"].values()} == {"once_per_year"}  # type: ignore[union-attr]


def test_scopes_on_the_tree(miit: Callable[..., dict[str, object]]) -> None:
    """第八条第二款: 本司局内 draws from the task's 司局 only; the bundle's inspectors carry
    the 司局 the tree gives them (checked by the verifier)."""
    got = miit("T-S", OWN, "SX-001", 1, inspector_scope="within_department", group_count=1)
    bundle = got["bundle"]
    people = {p["person_id"]: p for p in bundle["inspectors"]}  # type: ignore[index]
    eligible = bundle["result"]["eligible_inspectors"]  # type: ignore[index]
    assert eligible and all(people[p]["department"] == DEPT for p in eligible)
    assert any(p["department"] != DEPT for p in people.values())
    assert kernel.verify_bundle(bundle).ok  # type: ignore[arg-type]


def test_an_announced_draw_on_the_tree_verifies_with_its_units(
    miit: Callable[..., dict[str, object]], platform: Platform,
    make_task: Callable[..., str],
) -> None:
    """The announced draw (v2) freezes the same pool and directory the tree gives, and its
    bundle carries the units and the same-quarter trigger."""
    from shuangsuiji.services import announcements

    miit("T-A", OWN, "SX-001", 1)
    make_task("miit", "T-V2", department="", division=OTHER, item_codes=["SX-002"],
              starts_on=date(2026, 4, 7), ends_on=date(2026, 6, 30), ratio_permille=100)
    parties = ("信息通信管理局", "见证人 王五")
    secrets = {parties[0]: "c0ffee00c0ffee00c0ffee00c0ffee00",
               parties[1]: "5eed5eed5eed5eed5eed5eed5eed5eed"}
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        announcements.announce(s, platform, tenant, "T-V2", procedure="commit_reveal",
                               parties=parties)
        for p in parties:
            announcements.commit(s, tenant, "T-V2", p, announcements.commitment_of(secrets[p]))
        for p in parties:
            announcements.reveal(s, tenant, "T-V2", p, secrets[p])
        record = draws.draw(s, platform, tenant, "T-V2")
        s.commit()
        bundle = draws.export_bundle(s, record)
    assert bundle["format"] == "shuangsuiji-draw/2"
    assert bundle["units"]["triggers"] == [["T-A", DEPT, OWN]]
    report = kernel.verify_bundle(kernel.codec.strict_loads(json.dumps(bundle)))
    assert report.ok, str(report)

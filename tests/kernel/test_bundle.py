"""Bundles: a good bundle verifies; any single changed field is detected; the command line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.kernel import FORMAT, apply_recusal, draw_digest, make_bundle, verify_bundle
from tests.kernel.builders import MIIT_RECUSAL, small_result


def bundle_with_recusals() -> dict[str, Any]:
    result = small_result()
    g1 = result.groups[0]
    result = apply_recusal(
        result, result.seed, 1, g1.members[1], g1.targets[0], "withdraw", MIIT_RECUSAL
    ).result
    g2 = result.final_groups[1]
    result = apply_recusal(
        result,
        result.seed,
        2,
        g2.members[0],
        g2.targets[0],
        "swap",
        MIIT_RECUSAL,
        conflicts=[("P999", g2.targets[0])],
    ).result
    e = result.final_experts[0]
    result = apply_recusal(
        result, result.seed, 3, e, result.selected[0], "withdraw", MIIT_RECUSAL
    ).result
    return make_bundle(result)


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*path, i))
    else:
        yield path, node


def mutated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return "x"  # None


def set_at(bundle: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def test_a_good_bundle_verifies_and_survives_json() -> None:
    bundle = bundle_with_recusals()
    assert bundle["format"] == FORMAT
    assert len(bundle["recusals"]) == 3
    report = verify_bundle(json.loads(json.dumps(bundle, ensure_ascii=False)))
    assert report.ok, str(report)
    assert report.summary["recusals"] == 3 and report.summary["selected"] == 6


def test_every_single_changed_leaf_is_detected() -> None:
    bundle = bundle_with_recusals()
    paths = list(leaves(bundle))
    assert len(paths) > 150
    undetected = [
        path for path, value in paths if verify_bundle(set_at(bundle, path, mutated(value))).ok
    ]
    assert undetected == []


def test_result_changes_are_detected_by_recomputation_even_with_a_resealed_digest() -> None:
    """Someone who edits the result and recomputes the draw digest is still caught."""
    bundle = bundle_with_recusals()
    outcome = ("role", "group", "replacement", "new_leader", "swap_group", "swap_target")
    paths = [
        (p, v)
        for p, v in leaves(bundle)
        if p[0] in ("result", "final") or (p[0] == "recusals" and p[2] in outcome)
    ]
    assert len(paths) > 40
    undetected = []
    for path, value in paths:
        forged = set_at(bundle, path, mutated(value))
        forged["digests"]["draw"] = draw_digest(forged, forged["digests"]["pool"])
        if verify_bundle(forged).ok:
            undetected.append(path)
    assert undetected == []


def test_first_mismatch_names_the_path_expected_and_found() -> None:
    bundle = bundle_with_recusals()
    good = bundle["result"]["strata"][1]["selected"][2]
    forged = set_at(bundle, ("result", "strata", 1, "selected", 2), "91500000000000999X")
    report = verify_bundle(forged)
    assert not report.ok
    assert report.path == "result.strata[1].selected[2]"
    assert report.expected == good and report.found == "91500000000000999X"
    name = set_at(bundle, ("inspectors", 0, "name"), "冒名")
    report = verify_bundle(name)
    assert report.path == "digests.draw"


def test_member_order_and_sizes_are_recomputed() -> None:
    bundle = bundle_with_recusals()
    members = bundle["pool"]["strata"][1]["members"]
    members[0], members[1] = members[1], members[0]
    report = verify_bundle(bundle)
    assert report.path == "pool.strata[1].members[0][0]"  # the credit code out of order
    bundle = bundle_with_recusals()
    bundle["pool"]["strata"][1]["size"] += 1
    assert verify_bundle(bundle).path == "pool.strata[1].size"


def test_malformed_bundles_are_reported_not_raised() -> None:
    bundle = bundle_with_recusals()
    assert verify_bundle({"format": "other/9"}).path == "format"
    broken = copy.deepcopy(bundle)
    del broken["task"]["start_date"]
    report = verify_bundle(broken)
    assert not report.ok and report.path == "bundle.task.start_date"
    wrong_type = set_at(bundle, ("draw_parameters", "group_count"), "three")
    assert verify_bundle(wrong_type).path == "bundle.draw_parameters.group_count"


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_with_recusals(), ensure_ascii=False), encoding="utf-8")
    return path


def run_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shuangsuiji.kernel.verify", *args], capture_output=True, text=True
    )


def test_command_line_accepts_a_good_bundle(bundle_file: Path) -> None:
    done = run_verify(str(bundle_file))
    assert done.returncode == 0, done.stderr
    assert "bundle OK" in done.stdout and "6 drawn" in done.stdout


def test_command_line_names_the_first_mismatch(bundle_file: Path) -> None:
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    bundle["final"]["groups"][0]["leader"] = "P999"
    bundle_file.write_text(json.dumps(bundle), encoding="utf-8")
    done = run_verify(str(bundle_file))
    assert done.returncode == 1
    assert "final.groups[0].leader" in done.stderr


def test_command_line_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    assert run_verify(str(bad)).returncode == 2
    assert run_verify(str(tmp_path / "missing.json")).returncode == 2


def test_a_code_both_member_and_excluded_is_refused() -> None:
    bundle = bundle_with_recusals()
    code, name, _ = bundle["pool"]["strata"][-1]["members"][3]
    rule = "once_per_year"
    bundle["pool"]["excluded"].append([code, name, rule, "T-OLD"])
    report = verify_bundle(bundle)
    assert not report.ok and "occurs twice" in (report.problem or "")


def test_members_out_of_canonical_text_are_reported() -> None:
    """A name that is not NFC in the bundle differs from the recomputed (canonical) one."""
    bundle = bundle_with_recusals()
    member = bundle["pool"]["strata"][-1]["members"][0]
    member[1] = member[1] + " "
    report = verify_bundle(bundle)
    assert not report.ok and report.path == "pool.strata[1].members[0][1]"

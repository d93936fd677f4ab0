"""One test per hook of the contract, each calling it through a tenant's PluginManager.

tests/test_contract_meta.py requires a ``test_hook_<name>`` here for every hookspec, and the
``hook_calls`` fixture fails a test that did not really call its hook (it watches the
plugin manager with pluggy's hook-call monitoring).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pluggy
import pytest

from shuangsuiji.packs import PackRegistry
from shuangsuiji.rules import TaskFacts
from tests.conftest import builtin_packs

DAY = date(2026, 5, 1)


@pytest.fixture
def hook_calls(request: pytest.FixtureRequest) -> Iterator[Callable[[str], pluggy.PluginManager]]:
    """``pm(pack)``: the plugin manager of a tenant governed by ``pack`` (over MIIT), watched;
    at teardown, the hook this test is named after must have been called."""
    registry = PackRegistry(builtin_packs())
    called: set[str] = set()
    undo: list[Callable[[], None]] = []

    def pm(pack: str) -> pluggy.PluginManager:
        manager = registry.policy([pack] if pack != "miit" else []).plugin_manager(DAY)
        undo.append(manager.add_hookcall_monitoring(
            lambda name, impls, kwargs: called.add(name), lambda *a: None))
        return manager

    yield pm
    for u in undo:
        u()
    expected = "ssj_" + request.node.name.removeprefix("test_hook_")
    assert expected in called, f"{request.node.name} never called {expected}"


def test_hook_org_roles(hook_calls) -> None:
    assert hook_calls("chongqing").hook.ssj_org_roles(as_of=DAY).lead_organ == "综合执法处"
    assert hook_calls("miit").hook.ssj_org_roles(as_of=DAY).lead_organ == "部政策法规司"


def test_hook_item_categories(hook_calls) -> None:
    cats = hook_calls("chongqing").hook.ssj_item_categories(as_of=DAY)
    assert [c.code for c in cats] == ["key", "general"]
    example = hook_calls("example-province").hook.ssj_item_categories(as_of=DAY)
    assert {c.code: c.cap_permille for c in example} == {"key": None, "general": 150}


def test_hook_exclusion_policy(hook_calls) -> None:
    assert not hook_calls("chongqing").hook.ssj_exclusion_policy(
        as_of=DAY).same_quarter_other_divisions
    assert hook_calls("miit").hook.ssj_exclusion_policy(as_of=DAY).once_per_year


def test_hook_extra_exclusions(hook_calls) -> None:
    lists = hook_calls("example-province").hook.ssj_extra_exclusions(as_of=DAY)
    codes = [r.code for contribution in lists for r in contribution]
    assert codes == ["recently_inspected"]  # MIIT contributes an empty list


def test_hook_risk_rules(hook_calls) -> None:
    flags = {r.flag for r in hook_calls("chongqing").hook.ssj_risk_rules(as_of=DAY)}
    assert "abnormal_operations" in flags
    assert "abnormal_operations" not in {
        r.flag for r in hook_calls("miit").hook.ssj_risk_rules(as_of=DAY)}


def test_hook_credit_classes(hook_calls) -> None:
    classes = hook_calls("example-province").hook.ssj_credit_classes(as_of=DAY)
    assert [(c.code, c.ratio_permille) for c in classes] == [
        ("D", 300), ("C", 100), ("B", 20), ("A", 10)]
    # MIIT and Chongqing keep their risk flags: no classes (第十条第三款 / 第十条第二款)
    assert hook_calls("miit").hook.ssj_credit_classes(as_of=DAY) is None
    assert hook_calls("chongqing").hook.ssj_credit_classes(as_of=DAY) is None


def test_hook_special_inspections(hook_calls) -> None:
    rule = hook_calls("chongqing").hook.ssj_special_inspections(as_of=DAY)
    assert "local_government_provision" in rule.triggers


def test_hook_group_rule(hook_calls) -> None:
    # CQ 第六条 综合执法处统一调配: one unified pool first (across_departments: the same pool,
    # kept for tasks made before the scope existed); MIIT 第八条第二款 has no unified pool
    assert hook_calls("chongqing").hook.ssj_group_rule(as_of=DAY).scopes == (
        "unified", "across_departments")
    assert "unified" not in hook_calls("miit").hook.ssj_group_rule(as_of=DAY).scopes


def test_hook_eligibility(hook_calls) -> None:
    assert hook_calls("example-province").hook.ssj_eligibility(as_of=DAY).credentials == (
        "enforcement_certificate",)


def test_hook_recusal_rule(hook_calls) -> None:
    assert hook_calls("miit").hook.ssj_recusal_rule(as_of=DAY).modes == ("swap", "withdraw")
    assert hook_calls("chongqing").hook.ssj_recusal_rule(as_of=DAY).modes == ("withdraw",)


def test_hook_methods(hook_calls) -> None:
    assert "testing" not in hook_calls("chongqing").hook.ssj_methods(as_of=DAY).methods
    # the example province says nothing on methods: MIIT answers
    assert hook_calls("example-province").hook.ssj_methods(as_of=DAY).cite.pack == "miit"


def test_hook_on_site_rule(hook_calls) -> None:
    rule = hook_calls("chongqing").hook.ssj_on_site_rule(as_of=DAY)
    assert (rule.min_inspectors, rule.credentials) == (2, ("enforcement_certificate",))


def test_hook_report_rule(hook_calls) -> None:
    assert not hook_calls("chongqing").hook.ssj_report_rule(as_of=DAY).required
    assert "findings" in hook_calls("miit").hook.ssj_report_rule(as_of=DAY).fields


def test_hook_publication_deadline(hook_calls) -> None:
    task = TaskFacts(methods=("testing",))
    assert hook_calls("example-province").hook.ssj_publication_deadline(
        as_of=DAY, task=task).working_days == 15
    assert hook_calls("miit").hook.ssj_publication_deadline(as_of=DAY, task=task).working_days == 30


def test_hook_plan_window(hook_calls) -> None:
    window = hook_calls("example-province").hook.ssj_plan_window(as_of=DAY, year=2026)
    assert (window.start, window.end) == (date(2026, 1, 1), date(2026, 2, 28))


def test_hook_result_types(hook_calls) -> None:
    lists = hook_calls("example-province").hook.ssj_result_types(as_of=DAY)
    assert [r.code for contribution in lists for r in contribution] == ["credit_sanction"]

"""Result categories of the national list are the baseline result types, in Chinese, and
packs extend them (issue #14 point 8; MIIT 第十五条 对单个检查对象的抽查结果一并公开)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shuangsuiji.rules import PROBLEM_RESULTS, RESULT_NAMES_ZH, STANDARD_RESULTS
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication
from shuangsuiji.services import records as record_service
from tests.lifecycle.conftest import CODES, drawn_task, record_all

NATIONAL = ("未发现问题", "未按规定公示应当公示的信息", "公示信息隐瞒真实情况、弄虚作假",
            "通过登记的住所（经营场所）无法联系", "不配合检查情节严重",
            "未发现开展本次抽查涉及的经营活动", "发现问题已责令改正", "发现问题待后续处理")


def test_the_national_categories_are_the_baseline() -> None:
    assert set(NATIONAL) <= set(RESULT_NAMES_ZH.values())
    assert set(RESULT_NAMES_ZH) == set(STANDARD_RESULTS)
    assert "no_problem" not in PROBLEM_RESULTS and "no_relevant_activity" not in PROBLEM_RESULTS
    assert {"false_publicity", "unreachable_at_address", "problem_pending"} <= PROBLEM_RESULTS


def test_published_results_and_exports_carry_the_chinese_names(world_for) -> None:
    """MIIT 第十五条: per-target results are published; the CSV/JSON carry 公示信息隐瞒真实
    情况、弄虚作假 as the national list names it, and count it as a problem found."""
    w = world_for("miit")
    s = w.session
    task = drawn_task(w)
    record_all(w, task)
    record_service.record_result(s, w.platform, w.tenant, task.id, CODES[2], "false_publicity",
                                 handling="责令改正", decided_on=date(2026, 5, 10))
    plan_service.end_work(s, w.tenant, task.id, date(2026, 6, 30))
    record_service.write_report(s, w.platform, w.tenant, task.id, {
        "period": "2026年4月", "target_count": 3, "content": "c", "findings": "f",
        "handling": "h", "suggestions": "s"})
    publication.publish(s, w.platform, w.tenant, task.id, at=datetime(2026, 7, 10, 2, tzinfo=UTC))
    s.commit()
    names = {r.credit_code: (r.result_name, r.problem_found)
             for r in publication.published_results(s, task.id)}
    assert names[CODES[2]] == ("公示信息隐瞒真实情况、弄虚作假", True)
    assert names[CODES[1]] == ("未发现问题", False)
    assert "公示信息隐瞒真实情况、弄虚作假" in publication.export_csv(s)
    assert any(r["result_name"] == "发现问题已责令改正" for r in publication.export_json(s))


def test_a_packs_result_type_extends_the_list_with_its_chinese_name(world_for) -> None:
    w = world_for("example")
    rules = w.platform.policy_for(w.tenant).rules(date(2026, 4, 1))
    assert "credit_sanction" in rules.result_codes()
    assert rules.result_name_zh("credit_sanction") == "发现问题已纳入信用惩戒"
    assert rules.result_name_zh("refused_inspection") == "不配合检查情节严重"

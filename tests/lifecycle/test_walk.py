"""A task walked from the annual plan to publication on each pack's tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import notices as notice_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import public_results, publication
from shuangsuiji.services import records as record_service
from shuangsuiji.services.audit import verify
from shuangsuiji.services.public_results import ResultFilter

from .conftest import CODES, NAMES, drawn_task, record_all

REPORT = {"period": "2026-04-01至2026-06-30", "target_count": 3, "content": "销售备案",
          "findings": "1家备案信息不全", "handling": "责令整改", "suggestions": "加强宣传"}


@pytest.mark.parametrize("slug", ["miit", "chongqing", "example"])
def test_plan_to_publication(world_for, slug):
    world = world_for(slug)
    s = world.session
    task = drawn_task(world)
    assert (task.rules_pack, task.status) == ({"miit": "miit", "chongqing": "chongqing",
                                               "example": "example-province"}[slug], "drawn")

    notices = notice_service.notices(s, world.platform, world.tenant, task.id)
    assert sorted(n.credit_code for n in notices) == sorted(CODES)
    names = dict(zip(CODES, NAMES, strict=True))
    assert all(n.target_name == names[n.credit_code] for n in notices)
    assert notices[0].items[0].basis.startswith("《中华人民共和国无线电管理条例》")
    assert len(notices[0].inspectors) >= 2
    assert all(name.startswith("检查员") for name in notices[0].inspectors)
    assert notices[0].requests  # on-site work asks the target to accompany and sign

    record_all(world, task)
    plan_service.end_work(s, world.tenant, task.id, date(2026, 6, 30))
    record_service.write_report(s, world.platform, world.tenant, task.id, REPORT)
    s.commit()

    at = datetime(2026, 7, 10, 2, 0, tzinfo=UTC)
    pub = publication.publish(s, world.platform, world.tenant, task.id, at=at)
    s.commit()
    assert pub.on_time and not pub.provisional
    assert pub.published_on == date(2026, 7, 10)
    assert task.status == "published"

    results = publication.published_results(s, task.id)
    assert {(r.credit_code, r.result) for r in results} == {
        (CODES[0], "problem_rectified"), (CODES[1], "no_problem"), (CODES[2], "no_problem")}
    # The directed item is not on the portal but notified to its department.
    assert {r.item_code for r in results} == {"ITEM-RADIO"}
    found = public_results.page(s, ResultFilter(q="样本通信"), limit=10)
    assert [r.credit_code for r in found] == [CODES[1]]
    by_code = public_results.page(s, ResultFilter(q=CODES[2].lower()), limit=10)
    assert by_code[0].target_name == NAMES[2]
    csv_text = publication.export_csv(s)
    assert csv_text.splitlines()[0].startswith("task_code,")
    assert len(csv_text.splitlines()) == 4
    listed = publication.published_tasks(s)
    assert [(t.task_code, t.targets, t.problems_found) for t in listed] == [("T-1", 3, 1)]

    board = deadline_service.board(s, world.platform, world.tenant, today=date(2026, 7, 10))
    assert board[0].status == "on_time"
    assert verify(s, world.tenant.id).ok


def test_directed_item_is_notified_not_published(world_for):
    world = world_for("miit")
    s = world.session
    task = drawn_task(world, items=("ITEM-RADIO", "ITEM-SECRET"))
    record_all(world, task)
    plan_service.end_work(s, world.tenant, task.id, date(2026, 6, 30))
    record_service.write_report(s, world.platform, world.tenant, task.id, REPORT)
    publication.publish(s, world.platform, world.tenant, task.id,
                        at=datetime(2026, 7, 1, tzinfo=UTC))
    s.commit()
    [dn] = publication.directed_notifications(s, task.id)
    assert (dn.item_code, dn.departments, dn.credit_codes) == (
        "ITEM-SECRET", ["保密办"], sorted(CODES))
    assert all(r.item_code == "ITEM-RADIO" for r in publication.published_results(s))
    assert publication.published_tasks(s)[0].directed_items == ("ITEM-SECRET",)

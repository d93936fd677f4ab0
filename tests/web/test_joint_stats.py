"""Statistics of a joint task of two tenants (issue #15 item 6): on the host's page and on
the other tenant's, the task once with every participant and each participant's results
(and problems found); the figures count it as led by the host and joined by the other
tenant (not as the other tenant's own task); the XLSX exports carry a 联合抽查 sheet with
Chinese headings; a third tenant's statistics show nothing of it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts
from shuangsuiji.services import statistics as stats_service
from tests.web.conftest import PASSWORD, login
from tests.web.two_tenants import GUEST, HOST, UNIT, in_tenant, recorded_joint_task


def _client(app: Flask, name: str) -> Any:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _joint_rows(html: str, task: str) -> dict[str, list[str]]:
    """participant code → the cells of its row in the joint table, for ``task``."""
    table = html.split('id="joint-stats"')[1].split("</table>")[0]
    rows = re.findall(rf'<tr {task} data-participant="([^"]+)"[^>]*>(.*?)</tr>', table, re.S)
    return {code: _cells(row) for code, row in rows}


def test_each_tenants_statistics_show_the_joint_task_once_with_every_participant(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    world = recorded_joint_task(platform)
    n, k = len(world.targets), len(world.guest_problems)
    assert n > 0 and 0 < k < n
    with platform.db.session() as s:
        accounts.create_user(s, username="yz_viewer", password=PASSWORD, role="viewer",
                             tenant=HOST)
        s.commit()
    task = f'data-host="{HOST}" data-task-id="{world.task_id}"'
    for name, slug in (("yz_viewer", HOST), ("jb_viewer", GUEST)):
        page = _client(app, name).get(f"/t/{slug}/statistics?year=2026").get_data(as_text=True)
        rows = _joint_rows(page, task)
        assert set(rows) == {UNIT, GUEST}, (name, rows)
        assert page.count(task) == 2  # one row per participant, one task
        table = page.split('id="joint-stats"')[1].split("</table>")[0]
        assert table.count(f"<code>{world.code}</code>") == 1  # one cell spans its participants
        # the first row holds the task and its lead jurisdiction; then each participant's
        # items, results, problems found and publication
        first, second = rows[GUEST], rows[UNIT]
        assert first[1] == "渝中区经济和信息化委员会"
        assert first[-4:-1] == [f"{GUEST}/SX-001", str(n), str(k)]
        assert first[-1].startswith("2026")  # Jiangbei has published its items
        assert second[-4:] == ["SX-001", str(n), "0", "尚未公开"]
    # the guest's row is marked as its own on its page only
    guest_page = _client(app, "jb_viewer").get(f"/t/{GUEST}/statistics?year=2026")
    assert 'class="own"' in guest_page.get_data(as_text=True)

    # the figures: led by Yuzhong (one of its tasks), joined by Jiangbei (not its own task)
    host = in_tenant(platform, HOST, lambda s, t: stats_service.year_stats(s, t, 2026))
    guest = in_tenant(platform, GUEST, lambda s, t: stats_service.year_stats(s, t, 2026))
    assert (host.tasks, host.joint_hosted, host.joint_joined) == (2, 1, 0)
    assert (guest.tasks, guest.joint_hosted, guest.joint_joined) == (0, 0, 1)
    assert host.targets_drawn == n and guest.targets_drawn == 0
    # another year: neither
    later = in_tenant(platform, GUEST, lambda s, t: stats_service.year_stats(s, t, 2027))
    assert later.joint_joined == 0

    # the exports: a second sheet, Chinese headings, the task once with every participant
    for name, slug in (("jb_viewer", GUEST), ("yz_viewer", HOST)):
        data = _client(app, name).get(f"/t/{slug}/statistics.xlsx?year=2026").get_data()
        book = load_workbook(io.BytesIO(data))
        assert book.sheetnames == ["抽查统计", "联合抽查"]
        main = [c.value for c in book["抽查统计"][1]]
        assert "参加其他辖区联合抽查任务数" in main
        figures = dict(zip(main, [c.value for c in book["抽查统计"][2]], strict=True))
        assert figures["参加其他辖区联合抽查任务数"] == (1 if slug == GUEST else 0)
        assert figures["牵头联合抽查任务数"] == (1 if slug == HOST else 0)
        sheet = [[c.value for c in r] for r in book["联合抽查"].iter_rows()]
        assert sheet[0][:5] == ["牵头辖区", "任务编号", "任务名称", "开始日期", "参与单位"]
        body = {r[4]: r for r in sheet[1:]}
        assert len(sheet) == 3 and [r[1] for r in sheet[1:]] == [world.code, None]
        assert sheet[1][0] == "渝中区经济和信息化委员会"
        guest_row = body["江北区经济和信息化委员会"]
        assert guest_row[5:10] == ["其他辖区", f"{GUEST}/SX-001", 1, n, k]
        # published today, months after the work ended on 2026-04-24: late
        assert guest_row[10] and guest_row[11] == "否"
        unit_row = next(r for r in sheet[1:] if r[5] == "本辖区单位")
        assert unit_row[8:11] == [n, 0, None]
    # in English on an English page
    english = _client(app, "jb_viewer")
    english.post("/language", data={"lang": "en", "next": "/"})
    book = load_workbook(io.BytesIO(english.get(f"/t/{GUEST}/statistics.xlsx?year=2026")
                                    .get_data()))
    assert book.sheetnames == ["Statistics", "Joint inspections"]
    heads = [c.value for c in book["Joint inspections"][1]]
    assert heads[0] == "Lead jurisdiction" and "other jurisdiction" in [
        c.value for c in book["Joint inspections"]["F"]]
    # a third tenant: nothing of it
    third = _client(app, "cq_viewer").get("/t/chongqing/statistics?year=2026")
    assert world.code not in third.get_data(as_text=True)


def test_the_comparison_shows_joint_tasks_led_and_joined_per_tenant(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    recorded_joint_task(platform, publish_guest=False)
    central = _client(app, "central")
    page = central.get("/t/miit/statistics/compare?year=2026").get_data(as_text=True)
    body = page.split('class="stats"')[1].split("<tbody>")[1].split("</table>")[0]
    rows = {cells[0]: cells for cells in (_cells(r) for r in re.findall(
        r"<tr>(.*?)</tr>", body, re.S))}
    assert rows["渝中区经济和信息化委员会"][-2:] == ["1", "0"]
    assert rows["江北区经济和信息化委员会"][-2:] == ["0", "1"]
    assert rows["江北区经济和信息化委员会"][1] == "0"  # the task is Yuzhong's, counted once


def test_ssj_stats_counts_the_joined_task_and_writes_its_sheet(
    app: Flask, platform: Platform, users: dict[str, int], tmp_path: Path,
) -> None:
    world = recorded_joint_task(platform, publish_guest=False)
    out = tmp_path / "jiangbei.xlsx"
    with app.app_context():
        done = app.test_cli_runner().invoke(args=["stats", "--tenant", GUEST, "--year", "2026",
                                                  "--xlsx", str(out)])
    assert done.exit_code == 0, done.output
    assert "tasks=0" in done.output and "joint-led=0 joint-joined=1" in done.output
    sheet = [[c.value for c in r] for r in load_workbook(out)["联合抽查"].iter_rows()]
    assert [r[1] for r in sheet[1:]] == [world.code, None]
    assert {r[4] for r in sheet[1:]} == {"江北区经济和信息化委员会", "综合执法处"}

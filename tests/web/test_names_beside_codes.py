"""Names, not codes (issue #16 item 3): companies by name beside their credit code and group
leaders and inspectors by name beside their 执法证号; the record form offers the targets by
name, sits beside the target it is for, and offers an inspector only their own group's."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import names
from tests.web.conftest import TenantWorld


def _groups(platform: Platform, world: TenantWorld) -> tuple[list[tuple[str, list[str], list[str]]],
                                                            dict[str, str], dict[str, str]]:
    with platform.db.session() as s:
        set_tenant(s, world.tenant_id)
        record = s.get(Draw, world.require_draw())
        assert record is not None
        groups = [(g.leader or "", list(g.members), list(g.targets))
                  for g in draw_service.current_result(record).final_groups]
        return groups, names.drawn_target_names(s, record.id), names.people_names(s)


def test_the_task_page_names_companies_and_leaders(
        platform: Platform, client_for: Callable[[str | None], FlaskClient],
        world: dict[str, TenantWorld]) -> None:
    cq = world["chongqing"]
    groups, companies, people = _groups(platform, cq)
    html = client_for("cq_operator").get(f"/t/chongqing/tasks/{cq.task_id}").get_data(
        as_text=True)
    table = html.split('id="task-targets"')[1].split("</table>")[0]
    leader, _members, targets = groups[0]
    code = targets[0]
    assert f'<span class="company-name">{companies[code]}</span> <code class="uscc">{code}</code>' \
        in table
    assert f'{people[leader]} <code class="person-id">{leader}</code>' in table


def test_an_inspector_records_only_their_own_groups_targets_beside_the_target(
        platform: Platform, client_for: Callable[[str | None], FlaskClient],
        world: dict[str, TenantWorld]) -> None:
    cq = world["chongqing"]
    groups, companies, people = _groups(platform, cq)
    mine = next(g for g in groups if cq.inspector_code in g[1])
    others = [t for g in groups if g is not mine for t in g[2]]
    assert others, "the world has two groups"
    client = client_for("cq_inspector")
    html = client.get(f"/t/chongqing/tasks/{cq.task_id}/records").get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="([0-9A-Z]{18})"', html)
    assert sorted(offered) == sorted(mine[2])
    assert not set(others) & set(re.findall(r"[0-9A-Z]{18}", html))
    first = mine[2][0]
    assert f">{companies[first]} {first}</option>" in html  # chosen by name
    # the form sits in the row after its target's, and ticks the group's inspectors
    rows = html.split('<tr id="target-')
    beside = next(r for r in rows if r.startswith(first))
    assert 'id="record-form"' in beside.split('<tr id="target-')[0]
    for member in mine[1]:
        assert re.search(rf'name="inspectors" id="present-\d+" value="{re.escape(member)}" checked',
                         html)
        assert people[member] in html
    second = mine[2][1]
    asked = client.get(f"/t/chongqing/tasks/{cq.task_id}/records?target={second}").get_data(
        as_text=True)
    beside = next(r for r in asked.split('<tr id="target-') if r.startswith(second))
    assert 'id="record-form"' in beside
    assert re.search(rf'<option selected value="{second}"|<option value="{second}" selected',
                     asked)
    refused = client.post(f"/t/chongqing/tasks/{cq.task_id}/records",
                          data={"credit_code": others[0], "method": "on_site",
                                "inspected_on": "2026-04-02", "inspectors": mine[1],
                                "credential": "enforcement_certificate", "findings": "无",
                                "acknowledgement": "signature", "result": "no_problem"})
    assert refused.status_code == 403
    ticked = client.post(f"/t/chongqing/tasks/{cq.task_id}/records",
                         data={"credit_code": first, "method": "on_site",
                               "inspected_on": "2026-04-02", "inspectors": mine[1],
                               "credential": "enforcement_certificate", "findings": "无",
                               "acknowledgement": "signature", "result": "no_problem"})
    assert ticked.status_code == 302, ticked.get_data(as_text=True)[:2000]
    after = client.get(f"/t/chongqing/tasks/{cq.task_id}/records").get_data(as_text=True)
    saved = next(r for r in after.split('<tr id="target-') if r.startswith(first))
    assert "已记录" in saved


def test_periods_and_accounts_offer_names_beside_codes(
        platform: Platform, client_for: Callable[[str | None], FlaskClient],
        world: dict[str, TenantWorld]) -> None:
    cq = world["chongqing"]
    groups, companies, people = _groups(platform, cq)
    client = client_for("cq_admin")
    code = groups[0][2][0]
    periods = client.get(f"/t/chongqing/tasks/{cq.task_id}/periods").get_data(as_text=True)
    assert f'<option value="{code}">{companies[code]} {code}</option>' in periods
    users = client.get("/t/chongqing/users").get_data(as_text=True)
    assert 'list="inspector-codes"' in users
    member = groups[0][1][0]
    assert f'<option value="{member}">{people[member]}</option>' in users

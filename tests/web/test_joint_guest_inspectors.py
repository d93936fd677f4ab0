"""An inspector of the other tenant of a joint task sees, from their own login, the groups
of that task they were drawn into: on their dashboard (the group, whether they lead it,
how many of its targets are recorded), and the task's page, where they enter the on-site
record and their tenant's results of their own groups' targets only — as in their tenant's
own tasks — and nothing else (no answer, no publication). An inspector of that tenant in no
group of it is told nothing of it (404)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, directories
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services.joint_tenants import own_code
from tests.web.conftest import PASSWORD
from tests.web.test_joint_guest_records import _drawn, _visit
from tests.web.test_joint_tenants_pages import DAY, GUEST, HOST, _client, _in
from tests.web.test_labels import raw_codes


def _inspector(platform: Platform, name: str, code: str) -> None:
    with platform.db.session() as s:
        accounts.create_user(s, username=name, password=PASSWORD, role="inspector",
                             tenant=GUEST, department="", inspector_code=code)
        s.commit()


def _records(platform: Platform) -> set[str]:
    """The credit codes with an on-site record, in the host's tenant."""
    return set(_in(platform, HOST, lambda s, t: s.scalars(
        select(InspectionRecord.credit_code)).all()))


def _result(credit_code: str) -> dict[str, str]:
    """The result form as posted: Jiangbei's own item at ``credit_code``."""
    return {"credit_code": credit_code, "item_code": "SX-001", "result": "no_problem",
            "decided_on": DAY.isoformat()}


def test_the_other_tenants_inspector_sees_their_joint_group(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    _, code, targets = _drawn(platform, group_count=2)
    groups: dict[tuple[str, ...], list[str]] = {}
    for credit_code, people in targets:
        groups.setdefault(people, []).append(credit_code)
    people, theirs = next((p, t) for p, t in groups.items()
                          if any(x.startswith(f"{GUEST}/") for x in p))
    drawn_as = next(x for x in people if x.startswith(f"{GUEST}/"))
    _inspector(platform, "jb_inspector", own_code(GUEST, drawn_as))
    everyone = _in(platform, GUEST, lambda s, t: [i.draw_id
                                                  for i in directories.load_inspectors(s)])
    in_no_group = next(c for c in everyone
                       if f"{GUEST}/{c}" not in {x for p in groups for x in p})
    _inspector(platform, "jb_elsewhere", in_no_group)

    # the operator records one target of that group: the dashboard counts it
    operator = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    assert operator.post(url + "/record", data=_visit(theirs[0], people)).status_code == 302

    inspector = _client(app, "jb_inspector")
    board = inspector.get(f"/t/{GUEST}/").get_data(as_text=True)
    assert 'id="joint-assignments"' in board
    row = board.split(f'data-task="{HOST}/{code}"')[1].split("</tr>")[0]
    assert f"1 / {len(theirs)}" in row and url in row
    page = inspector.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert theirs[0] in text and drawn_as in text  # the drawn targets with their groups
    assert raw_codes(text) == set()  # the task's status by its name, as everywhere
    assert 'id="joint-guest-publish"' not in text and 'id="joint-guest-answer"' not in text
    # the record form offers their own groups' targets not recorded yet, nothing else
    form = text.split('id="joint-guest-record"')[1].split("</form>")[0]
    offered = {c for c, _ in targets if f'value="{c}"' in form}
    own_groups = [c for c, p in targets if drawn_as in p]  # (a group's order may differ)
    assert offered == set(own_groups)  # (the operator's record is the guest's: correctable)
    others = [c for c, p in targets if drawn_as not in p]
    assert others, "the fixture draws more than one group"
    before = _records(platform)
    assert inspector.post(url + "/record", data=_visit(others[0], people)).status_code == 403
    assert inspector.post(url + "/result", data=_result(others[0])).status_code == 403
    assert inspector.post(url + "/publish", data={"confirm": "y"}).status_code == 403
    assert _records(platform) == before  # refused: nothing written
    nxt = sorted(offered)[0]  # their own group's next target: written, as the operator's was
    assert inspector.post(url + "/record", data=_visit(nxt, people)).status_code == 302
    assert _records(platform) == before | {nxt}
    assert inspector.post(url + "/result", data=_result(theirs[0])).status_code == 302

    elsewhere = _client(app, "jb_elsewhere")
    assert 'id="joint-assignments"' not in elsewhere.get(f"/t/{GUEST}/").get_data(as_text=True)
    assert elsewhere.get(url).status_code == 404
    assert elsewhere.post(url + "/record", data=_visit(others[0], people)).status_code == 404


def test_the_same_rule_lets_them_see_and_post_after_the_work_ended(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    """The page and what they post follow one rule: in a group of the live draw, from the
    draw until the task is published (as in their tenant's own tasks). After the work ended
    the task leaves their dashboard (no longer at work), but they still see it and still
    give their results (before, the page said 404 while the post was taken)."""
    _, code, targets = _drawn(platform, group_count=2)
    drawn_as = next(x for _, p in targets for x in p if x.startswith(f"{GUEST}/"))
    _inspector(platform, "jb_inspector", own_code(GUEST, drawn_as))
    theirs = [c for c, p in targets if drawn_as in p]
    people = next(p for c, p in targets if c == theirs[0])
    inspector = _client(app, "jb_inspector")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    assert inspector.post(url + "/record", data=_visit(theirs[0], people)).status_code == 302
    _in(platform, HOST, lambda s, t: plan_service.end_work(
        s, t, code, DAY, missing_confirmed=[c for c, _ in targets[1:] + targets[:1]]))
    board = inspector.get(f"/t/{GUEST}/").get_data(as_text=True)
    assert f'data-task="{HOST}/{code}"' not in board  # not at work any more
    page = inspector.get(url)
    assert page.status_code == 200
    assert theirs[0] in page.get_data(as_text=True)
    r = inspector.post(url + "/result", data=_result(theirs[0]))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    others = [c for c, p in targets if drawn_as not in p]
    assert inspector.post(url + "/result", data=_result(others[0])).status_code == 403

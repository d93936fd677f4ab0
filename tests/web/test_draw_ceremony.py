"""The web ceremony: announce → commitments → reveals → draw, on the staff pages; the
announcement and every attempt on the portal, the weaker seeds labelled."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient

from shuangsuiji import kernel
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"
PORTAL = "/p/chongqing"
SECRETS = {"重庆市经信委": "c0ffee00c0ffee00c0ffee00c0ffee00",
           "公证员 赵六": "5eed5eed5eed5eed5eed5eed"}


def _text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def test_announce_commit_reveal_draw_on_the_pages(
    client_for: Client, world: dict[str, TenantWorld]
) -> None:
    w = world["chongqing"]
    first = w.require_draw()
    admin = client_for("cq_admin")
    assert admin.post(f"{CQ}/draws/{first}/void",
                      data={"reason": "重新抽取", "confirm": "y"}).status_code == 302
    page = _text(admin.get(f"{CQ}/tasks/{w.task_id}/draw"))
    assert "抽取池摘要" in page or "pool" in page.lower()
    assert "一般检查对象:" in page  # the strata, named by web.labels.stratum_name
    done = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "commit_reveal", "parties": "\n".join(SECRETS), "conflicts": ""})
    assert done.status_code == 302, _text(done)
    page = _text(admin.get(f"{CQ}/tasks/{w.task_id}/draw"))
    digest = re.search(r'id="announcement-digest">([0-9a-f]{64})<', page)
    assert digest, page[:2000]
    for party, secret in SECRETS.items():
        r = admin.post(f"{CQ}/tasks/{w.task_id}/commit", data={
            "party": party, "commitment": hashlib.sha256(secret.encode()).hexdigest()})
        assert r.status_code == 302, _text(r)
    wrong = admin.post(f"{CQ}/tasks/{w.task_id}/reveal", data={
        "party": "公证员 赵六", "secret": "not the secret"})
    assert (wrong.status_code != 302 and "不符" in _text(wrong)) or "match" in _text(wrong)
    assert wrong.status_code in (400, 409, 422)  # the draw page again, the secret kept
    assert 'value="not the secret"' in _text(wrong) and 'id="commit-reveal"' in _text(wrong)
    for party, secret in SECRETS.items():
        r = admin.post(f"{CQ}/tasks/{w.task_id}/reveal", data={"party": party,
                                                               "secret": secret})
        assert r.status_code == 302, _text(r)
    pool = re.search(r'id="pool-digest">([0-9a-f]{64})<', page)
    assert pool
    sent = {"seed_source": "generated", "pool_digest": pool.group(1),
            "witnesses": "公证员 赵六"}
    unconfirmed = admin.post(f"{CQ}/tasks/{w.task_id}/draw", data=sent)
    assert unconfirmed.status_code == 422  # irreversible: asked first, nothing drawn
    assert "勾选确认框" in _text(unconfirmed) and "公证员 赵六" in _text(unconfirmed)
    drawn = admin.post(f"{CQ}/tasks/{w.task_id}/draw", data={**sent, "confirm": "y"})
    assert drawn.status_code == 302, _text(drawn)
    draw_id = int(drawn.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    public = client_for(None)
    got = public.get(f"{PORTAL}/draws/{draw_id}/bundle.json")
    assert got.status_code == 200, (got.status_code, _text(got)[:3000])
    bundle = json.loads(got.data)
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    assert bundle["format"] == "shuangsuiji-draw/2"
    assert kernel.announcement_digest(bundle["announcement"]) == digest.group(1)
    # the portal: both attempts, the announcement, the voided bundle still downloadable
    tasks = _text(public.get(f"{PORTAL}/tasks"))
    assert f"#{first}" in tasks and f"#{draw_id}" in tasks
    voided = json.loads(public.get(f"{PORTAL}/draws/{first}/bundle.json").data)
    assert kernel.verify_bundle(voided).ok
    assert bundle["announcement"]["replaces"] == voided["digests"]["draw"]
    shown = _text(public.get(f"{PORTAL}/draws/{draw_id}"))
    assert digest.group(1) in shown
    old = _text(public.get(f"{PORTAL}/draws/{first}"))
    assert "weaker" in old.lower() or "较弱" in old
    ann = re.search(rf'{PORTAL}/announcements/(\d+)"', tasks)
    assert ann
    ann_page = _text(public.get(f"{PORTAL}/announcements/{ann.group(1)}"))
    assert digest.group(1) in ann_page and SECRETS["公证员 赵六"] in ann_page
    # the pool's Merkle root over blocks of 256 lines (draw-spec §10.2), said so on the page
    assert bundle["announcement"]["format"] == "shuangsuiji-announcement/3"
    root = bundle["announcement"]["pool"]["merkle_root"]
    assert f'id="pool-root">{root}<' in ann_page and "每 256 行为一个叶子" in ann_page

"""The other tenant's page of a joint task says, in Chinese, whether each drawn target's
on-site record is in: 已记录 / 未记录, the words of the host's own task and records pages
(``recorded`` / ``missing``), not 尚未公开 ("not yet published", the ``not yet`` of the
participants' publication column)."""

from __future__ import annotations

from flask import Flask

from shuangsuiji.platform import Platform
from tests.web.test_joint_guest_records import _drawn, _visit
from tests.web.test_joint_tenants_pages import GUEST, HOST, _client


def _targets_cell(page: str, credit_code: str) -> str:
    """The on-site record cell of ``credit_code`` in the guest page's drawn targets."""
    table = page.split('id="joint-guest-targets"')[1].split("</table>")[0]
    return table.split(f'data-target="{credit_code}"')[1].split("</tr>")[0].split("<td>")[3]


def test_the_guest_page_says_recorded_or_missing_in_chinese(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    _task_id, code, targets = _drawn(platform)
    (first, group) = targets[0]
    guest = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    page = guest.get(url).get_data(as_text=True)
    assert '<html lang="zh' in page  # the default language
    cell = _targets_cell(page, first)
    assert "未记录" in cell and "尚未公开" not in cell, cell
    assert guest.post(url + "/record", data=_visit(first, group)).status_code == 302
    cell = _targets_cell(guest.get(url).get_data(as_text=True), first)
    assert "已记录" in cell and "未记录" not in cell, cell

"""Notices to targets (告知): the basis and content of the inspection, and what is asked.

MIIT Art. 11 / CQ Art. 11: when the target's cooperation is needed, it is told the basis
(检查依据) and the content (检查内容). This service returns plain data per drawn target;
the web layer renders the printable page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Inspector, Target
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services.lifecycle import drawn_targets, get_task, task_rules
from shuangsuiji.services.plans import task_items

#: What each method asks of the target (zh_CN wording of the printed notice).
REQUESTS_ZH: dict[str, str] = {
    "written": "按要求报送书面材料（自查报告、相关证照及台账复印件等）",
    "on_site": "在检查期间安排熟悉情况的人员陪同现场检查，提供相关证照、台账等资料，"
               "并在现场检查记录上签字或盖章确认",
    "network_monitoring": "保持相关网站、系统正常访问，按要求说明监测中发现的情况",
    "testing": "配合抽取样品、进行检验检测，并提供产品相关技术资料",
}


@dataclass(frozen=True)
class NoticeItem:
    code: str
    name: str
    basis: str  # 抽查依据
    content: str  # 抽查内容


@dataclass(frozen=True)
class Notice:
    """One printable notice (检查告知书) for one drawn target."""

    task_code: str
    task_title: str
    issuer: str  # the tenant's name
    notifying_unit: str  # who notifies (CQ Art. 11: 检查处室)
    department: str
    credit_code: str
    target_name: str
    target_address: str
    items: tuple[NoticeItem, ...]
    methods: tuple[str, ...]
    starts_on: date
    ends_on: date
    batch_no: int | None
    inspectors: tuple[str, ...]  # names, leader first
    requests: tuple[str, ...]  # what the target is asked to do or provide
    rules: str  # e.g. "chongqing 2021"


def notices(session: Session, platform: Platform, tenant: Tenant,
            task_id: int | str) -> list[Notice]:
    """A notice per target selected by the task's live draw, in draw order."""
    task = get_task(session, task_id)
    rules = task_rules(platform, tenant, task)
    items = tuple(NoticeItem(i.code, i.name, i.legal_basis, i.content)
                  for i in task_items(session, task))
    drawn = drawn_targets(session, task)
    codes = [d.credit_code for d in drawn]
    targets = {t.credit_code: t for t in session.scalars(
        select(Target).where(Target.credit_code.in_(codes)))} if codes else {}
    # Draws name inspectors by person id (certificate number, else work ID); the
    # draw service owns that mapping.
    from shuangsuiji.services.draws import person_id

    names = {person_id(i): i.name for i in session.scalars(select(Inspector))}
    requests = tuple(REQUESTS_ZH[m] for m in task.methods if m in REQUESTS_ZH)
    out = []
    for d in drawn:
        target = targets.get(d.credit_code)
        out.append(Notice(
            task_code=task.code, task_title=task.title, issuer=tenant.name,
            notifying_unit=rules.org_roles.notifying_unit, department=task.department,
            credit_code=d.credit_code, target_name=target.name if target else "",
            target_address=target.address if target else "", items=items,
            methods=tuple(task.methods), starts_on=task.starts_on, ends_on=task.ends_on,
            batch_no=d.batch_no, inspectors=tuple(names.get(p, p) for p in d.inspectors),
            requests=requests, rules=f"{task.rules_pack} {task.rules_version}"))
    return out

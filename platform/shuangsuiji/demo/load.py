"""Load the demo deployment: five tenants, accounts, generated directories, and tasks in
every state (published, awaiting publication, ready to draw), and a joint task of two
districts (demo/joint.py) — through the same services a user's actions go through, so the
demo's audit chains are real."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.demo import generate as gen
from shuangsuiji.demo.classes import load_classes
from shuangsuiji.demo.joint import load_joint
from shuangsuiji.demo.orgs import TREES
from shuangsuiji.errors import UserError
from shuangsuiji.models.directories import Inspector
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import (
    accounts,
    audit,
    draws,
    imports,
    items,
    plans,
    publication,
    records,
    units,
)
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.records import InspectorPresent

DEMO_PASSWORD = "shuangsuiji-demo-2026"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    pack: str | None
    parent: str | None
    level: str
    targets: int
    department: str
    seed: int


TENANTS = (
    DemoTenant("miit", "工业和信息化部", "miit", None, "central", 3000, "信息通信管理局", 11),
    DemoTenant("chongqing", "重庆市经济和信息化委员会", "chongqing", "miit", "province", 5000,
               "综合执法处", 21),
    DemoTenant("yuzhong", "渝中区经济和信息化委员会", None, "chongqing", "district", 1000,
               "综合执法科", 31),
    # Yuzhong's sibling district: the two run a joint task (demo/joint.py)
    DemoTenant("jiangbei", "江北区经济和信息化委员会", None, "chongqing", "district", 600,
               "综合执法科", 51),
    DemoTenant("example", "示例省工业和信息化厅", "example-province", "miit", "province", 2000,
               "执法监督处", 41),
)

Echo = Callable[[str], None]

#: The roles of each demo tenant's accounts, by the user name's suffix (``<slug>-<suffix>``).
TENANT_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("admin", "tenant_admin"), ("operator", "operator"), ("viewer", "viewer"),
    ("inspector", "inspector"))


def accounts_listed() -> list[tuple[str, str, str | None]]:
    """Every demo account as (user name, role, tenant name), the central admin first."""
    listed: list[tuple[str, str, str | None]] = [("admin", "central_admin", None)]
    for t in TENANTS:
        listed += [(f"{t.slug}-{suffix}", role, t.name) for suffix, role in TENANT_ACCOUNTS]
    return listed


def _scoped(session: Session, tenant: Tenant) -> None:
    session.info["tenant_id"] = tenant.id


def is_loaded(session_factory: Callable[[], Session]) -> bool:
    """Whether the demo tenants exist already."""
    with session_factory() as s:
        return s.scalar(select(Tenant).where(Tenant.slug == "miit")) is not None


def load(session_factory: Callable[[], Session], platform: Platform, echo: Echo) -> None:
    """Create everything; refuses if the demo tenants already exist."""
    if is_loaded(session_factory):
        raise UserError("the demo is already loaded", hint="start from an empty database")
    with session_factory() as s:
        audit.set_actor(s, "demo")
        for t in TENANTS:
            tenant_service.create(s, platform, slug=t.slug, name=t.name, pack=t.pack,
                                  parent=t.parent, level=t.level)
        accounts.create_user(s, username="admin", password=DEMO_PASSWORD, role="central_admin",
                             display_name="中央管理员")
        s.commit()
    echo("accounts (password for all: " + DEMO_PASSWORD + "):")
    echo(f"  {'admin':<20} central admin (every tenant)")
    for t in TENANTS:
        with session_factory() as s:
            audit.set_actor(s, "demo")
            tenant = tenant_service.get(s, t.slug)
            _scoped(s, tenant)
            _load_tenant(s, platform, tenant, t, echo)
            s.commit()
    load_joint(session_factory, platform, echo)


def _load_tenant(s: Session, platform: Platform, tenant: Tenant, t: DemoTenant,
                 echo: Echo) -> None:
    departments = (t.department, "安全生产处", "电子信息处")
    units.replace_tree(s, TREES[t.slug], actor="demo", note="demo")  # before what names units
    for suffix, role in TENANT_ACCOUNTS[:3]:  # the inspector: _demo_inspector
        accounts.create_user(s, username=f"{t.slug}-{suffix}", password=DEMO_PASSWORD,
                             role=role, tenant=t.slug, department=t.department,
                             display_name=f"{t.name} {suffix}")
        echo(f"  {t.slug + '-' + suffix:<20} {role} of {t.slug}")
    rules = platform.policy_for(tenant).rules(date(2026, 3, 1))
    cats = tuple(c.code for c in rules.item_categories)
    cert_prefix = {"miit": "工执", "chongqing": "渝执", "yuzhong": "渝中执",
                   "jiangbei": "江北执"}.get(t.slug, "示执")
    files = {
        "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, t.department)),
        "targets": gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(t.targets, seed=t.seed)),
        # their unit is the department column's (a unit of the tree); the generator's
        # 第N处 names no unit, and the tree refuses a unit it does not hold
        "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS, (
            [row[0], row[1], "", *row[3:]] for row in gen.inspector_rows(
                30, departments, seed=t.seed + 1, prefix=cert_prefix))),
        "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(8, seed=t.seed + 2)),
    }
    for kind, data in files.items():
        imports.import_file(s, tenant, kind, data, f"demo-{t.slug}-{kind}.csv", actor="demo",
                            today=date(2026, 1, 15))
    # 信用风险分类 (国发〔2019〕5号) where the tenant's rules declare classes
    load_classes(s, platform, tenant, t.seed + 3)
    # the item list is approved by the leadership, then published (MIIT 第五条, CQ 第四条)
    items.approve_and_publish(s, approver="分管领导", approved_on=date(2026, 1, 20),
                              document=f"{t.name}〔2026〕1号", actor="demo")
    plans.create_plan(s, platform, tenant, 2026, title=f"{t.name}2026年度随机抽查工作计划",
                      scope="本辖区随机抽查事项清单所列检查对象",
                      inspector_requirements="持有效行政执法证件", made_on=date(2026, 2, 10))

    def task(n: int, title: str, item: str, starts_on: date, ends_on: date) -> Task:
        return plans.create_task(
            s, platform, tenant, plan_year=2026, code=f"{t.slug.upper()}-2026-0{n}",
            title=title, department=t.department, item_codes=[item], starts_on=starts_on,
            ends_on=ends_on, methods=["on_site"], ratio_permille=5, group_count=2,
            inspector_scope=rules.group_rule.scopes[0])

    # 1. done and published on time
    done = task(1, "电信业务经营许可情况检查", "SX-001", date(2026, 4, 1), date(2026, 5, 29))
    record = draws.draw(s, platform, tenant, done.code,
                        seed="摇号 2026-04-01 08 15 23 31 42 47", witnesses=("王建国", "李红"))
    _inspect_all(s, platform, tenant, done.code, record, date(2026, 5, 20))
    plans.end_work(s, tenant, done.code, date(2026, 5, 29))
    if rules.report_rule.required:
        records.write_report(s, platform, tenant, done.code, {
            "period": "2026年4月1日至5月29日", "target_count": record.selected_count,
            "content": "持证经营、年报、业务开展与许可一致性",
            "findings": "多数企业经营规范，个别企业年报信息不完整",
            "handling": "责令限期整改", "suggestions": "加强年报填报指导"})
    publication.publish(s, platform, tenant, done.code,
                        at=datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    # 2. work ended, publication due
    due = task(2, "无线电台（站）设置使用情况检查", "SX-002", date(2026, 10, 12),
               date(2026, 11, 13))
    record = draws.draw(s, platform, tenant, due.code)
    _inspect_all(s, platform, tenant, due.code, record, date(2026, 11, 5))
    plans.end_work(s, tenant, due.code, date(2026, 11, 13))
    # 3. ready for its draw ceremony
    task(3, "重点用能单位节能监察", "SX-003", date(2026, 12, 1), date(2026, 12, 25))
    # 4. at work: drawn, some records entered; the demo inspector is in its first group
    at_work = task(4, "民用爆炸物品生产安全检查", "SX-004", date(2026, 11, 16),
                   date(2026, 12, 18))
    record = draws.draw(s, platform, tenant, at_work.code,
                        seed="摇号 2026-11-16 03 11 19 26 38 44", witnesses=("张伟", "刘芳"))
    group = record.bundle["final"]["groups"][0]
    present = [InspectorPresent(id=p, credential=_credential(s, p, date(2026, 11, 20)))
               for p in group["members"][:2]]
    for code in group["targets"][: len(group["targets"]) // 2]:
        records.record_on_site(
            s, platform, tenant, at_work.code, code, method="on_site",
            inspected_on=date(2026, 11, 20), inspectors=present, acknowledgement="signature",
            inspectors_signed=True, findings="未发现问题")
    _demo_inspector(s, t, echo, group["members"][0])


def _demo_inspector(s: Session, t: DemoTenant, echo: Echo, person: str) -> None:
    """The demo's inspector account: a member of a group at work."""
    found = next((i for i in s.scalars(select(Inspector))
                  if draws.person_id(i) == person), None)
    assert found is not None
    accounts.create_user(s, username=f"{t.slug}-inspector", password=DEMO_PASSWORD,
                         role="inspector", tenant=t.slug, inspector_code=person,
                         display_name=found.name)
    echo(f"  {t.slug + '-inspector':<20} inspector of {t.slug} ({found.name})")


def _inspect_all(s: Session, platform: Platform, tenant: Tenant, task_code: str,
                 record: Draw, on: date) -> None:
    """An on-site record and a result for every drawn target, by two of its group."""
    for n, group in enumerate(record.bundle["final"]["groups"]):
        present = [InspectorPresent(id=p, credential=_credential(s, p, on))
                   for p in group["members"][:2]]
        for i, code in enumerate(group["targets"]):
            problem = (i + n) % 7 == 3
            records.record_on_site(
                s, platform, tenant, task_code, code, method="on_site", inspected_on=on,
                inspectors=present, acknowledgement="signature", inspectors_signed=True,
                findings="发现年报信息不完整" if problem else "未发现问题")
            records.record_result(s, platform, tenant, task_code, code,
                                  "problem_rectified" if problem else "no_problem",
                                  handling="责令限期整改" if problem else "", decided_on=on)


def _credential(s: Session, person_id: str, on: date) -> str:
    """A credential the directory says the person holds, valid on ``on`` (第十三条)."""
    from shuangsuiji.services import directories

    found = next((r for r in directories.load_inspectors(s) if r.draw_id == person_id), None)
    valid = [c.kind for c in (found.credentials if found else ()) if c.valid_on(on)]
    if "enforcement_certificate" in valid:
        return "enforcement_certificate"
    return valid[0] if valid else "enforcement_certificate"

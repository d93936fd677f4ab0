"""The central admin's comparison of tenants by credit-risk class coverage (issue #15 item 6),
like with like: per version of the class definitions.

A draw is stratified by the classes its rules declare on its date (the task's start,
``Draw.inspection_date``); a province may rename or re-ratio its classes mid-year (a new
pack version). So each tenant's year is split by the version that declared the classes of
each draw — the classes' citation (pack, version) — and every figure of a version comes from
that version: the class's name and ratio, the targets drawn by the draws under it, and the
targets holding each class on the day counted (the reference day while that version is in
force then, else its last draw of the year). Two versions' counts are never summed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.kernel.classes import CLASS_PREFIX, class_of
from shuangsuiji.models.draws import Draw, DrawSelection, DrawVoid
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.packs.errors import PackError
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.services.credit_classes import ClassCount, class_counts, coverage

#: A version of the class definitions: (pack, version) of the classes' citation.
VersionKey = tuple[str, str]


@dataclass(frozen=True)
class VersionCoverage:
    """One tenant's classes under one version of their definitions, in one year."""

    tenant: str
    name: str
    pack: str
    version: str
    document: str  # the version's document (e.g. 江工信规〔2025〕3号); "" when not known
    draws: int  # the year's live draws under this version
    first_draw: date | None  # their first and last dates (None: no draw under it)
    last_draw: date | None
    counted_on: date  # the day the targets holding each class are counted
    classes: list[ClassCount]

    @property
    def targets(self) -> int:
        return sum(c.targets for c in self.classes)

    @property
    def drawn(self) -> int:
        return sum(c.drawn for c in self.classes)


def _drawn_by_day(session: Session, tid: int, year: int) -> tuple[Counter[date],
                                                                  dict[date, Counter[str]]]:
    """The tenant's live draws of ``year`` per day, and per day the targets each class
    stratum gave them."""
    live: list[ColumnElement[bool]] = [
        Draw.tenant_id == tid, Draw.inspection_date >= date(year, 1, 1),
        Draw.inspection_date <= date(year, 12, 31),
        Draw.id.not_in(select(DrawVoid.draw_id).where(DrawVoid.tenant_id == tid))]
    draws: Counter[date] = Counter()
    for day, n in session.execute(select(Draw.inspection_date, func.count()).where(*live)
                                  .group_by(Draw.inspection_date)).all():
        draws[day] = n
    drawn: dict[date, Counter[str]] = {}
    s = DrawSelection
    for day, stratum, n in session.execute(
            select(Draw.inspection_date, s.stratum, func.count())
            .join(Draw, Draw.id == s.draw_id)
            .where(s.tenant_id == tid, s.stratum.like(CLASS_PREFIX + "%"), *live)
            .group_by(Draw.inspection_date, s.stratum)).all():
        code = class_of((stratum,))
        if code is not None:
            drawn.setdefault(day, Counter())[code] += n
    return draws, drawn


def _key(classes: Sequence[CreditClass]) -> VersionKey | None:
    return (classes[0].cite.pack, classes[0].cite.version) if classes else None


def _document(policy: TenantPolicy, key: VersionKey) -> str:
    pack = next((p for p in policy.chain if p.name == key[0]), None)
    meta = pack.version_named(key[1]) if pack is not None else None
    return meta.document if meta is not None else ""


def _declared(policy: TenantPolicy, day: date) -> tuple[CreditClass, ...]:
    """The classes declared on ``day``; none on a day no version of a pack is in force."""
    try:
        return policy.rules(day).credit_classes
    except PackError:
        return ()


def tenant_coverage(session: Session, policy: TenantPolicy, tenant: Tenant, year: int,
                    on: date) -> list[VersionCoverage]:
    """``tenant``'s class coverage in ``year``, one entry per version of its class
    definitions: those of its live draws of the year, and the one in force on the
    reference day (``on``, or the year's last day when ``on`` is later), by first date."""
    draws, drawn = _drawn_by_day(session, tenant.id, year)
    ref = min(on, date(year, 12, 31))
    days: dict[VersionKey, list[date]] = {}
    declared: dict[VersionKey, tuple[CreditClass, ...]] = {}
    for day in sorted(draws):
        classes = _declared(policy, day)
        key = _key(classes)
        if key is not None:
            days.setdefault(key, []).append(day)
            declared[key] = classes
    current: VersionKey | None = None
    if ref.year == year:
        classes = _declared(policy, ref)
        current = _key(classes)
        if current is not None:
            days.setdefault(current, [])
            declared[current] = classes
    out = []
    for key, used in sorted(days.items(), key=lambda kv: (kv[1] or [ref])[0]):
        counted_on = ref if key == current else used[-1]
        taken: Counter[str] = Counter()
        for day in used:
            taken.update(drawn.get(day, {}))
        out.append(VersionCoverage(
            tenant.slug, tenant.name, key[0], key[1], _document(policy, key),
            sum(draws[d] for d in used), used[0] if used else None,
            used[-1] if used else None, counted_on,
            coverage(declared[key], class_counts(session, counted_on, tenant.id), taken)))
    return out


def compare_coverage(session: Session, platform: Platform, admin: Tenant, year: int,
                     on: date) -> list[VersionCoverage]:
    """Central admin: every tenant's class coverage in ``year`` per version of its class
    definitions, side by side (tenants declaring no classes that year are left out). A
    cross-tenant read, recorded in ``admin``'s audit chain before any row of another tenant
    is read."""
    with cross_tenant(session):
        tenants = list(session.scalars(select(Tenant).order_by(Tenant.id)))
        audit.record(session, tenant_id=admin.id, action="credit_classes.cross_tenant_read",
                     object_type="credit_classes", object_id=str(year),
                     payload={"tenants": [t.slug for t in tenants], "year": year, "on": on})
        out: list[VersionCoverage] = []
        for t in tenants:
            out += tenant_coverage(session, platform.policy_for(t), t, year, on)
        return out

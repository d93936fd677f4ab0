"""Credit-risk classes (信用风险分类) for the draw and the pages: the classes a tenant's pack
declares on a day, the pool rules they become, each target's class in force on a day, and
the coverage of each class (how many targets it holds, how many were drawn).

The kernel side is :mod:`shuangsuiji.kernel.classes`: a member carries its class as the
flag ``class:<code>``, and each class is a pool rule of that flag with multiplier 0 after
the pack's risk rules (docs/draw-spec.md §3.2). The import is
:mod:`shuangsuiji.services.credit_class_import`; the central admin's comparison of
tenants, per version of the class definitions, :mod:`shuangsuiji.services.class_coverage`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.credit_rules import CreditClass, class_pool_rules
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.kernel.classes import CLASS_PREFIX, class_flag, class_of
from shuangsuiji.models.credit_classes import TargetCreditClass
from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection, DrawVoid
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.rules import RiskRule

K = TypeVar("K")


def declared_for(platform: Platform, tenant: Tenant) -> Callable[[date], tuple[CreditClass, ...]]:
    """``day → the classes the tenant's packs declare on day`` (the version in force)."""
    policy = platform.policy_for(tenant)

    def declared(day: date) -> tuple[CreditClass, ...]:
        return policy.rules(day).credit_classes

    return declared


def pool_rules(classes: Sequence[CreditClass]) -> tuple[RiskRule, ...]:
    """The pool rules of the classes (:func:`shuangsuiji.credit_rules.class_pool_rules`)."""
    return class_pool_rules(classes)


def _in_force(tid: int, on: date) -> tuple[object, ...]:
    c = TargetCreditClass
    return (c.tenant_id == tid, c.starts_on <= on, (c.ends_on.is_(None)) | (c.ends_on > on))


def classes_by_id(session: Session, on: date, codes: Iterable[str]) -> dict[int, str]:
    """``target id → class flag`` of the current tenant's targets whose class in force on
    ``on`` is one of ``codes`` (the classes the pack declares that day). A Core statement:
    filtered by tenant here."""
    wanted = set(codes)
    if not wanted:
        return {}
    tid = require_tenant(session)
    c = TargetCreditClass
    rows = session.connection().execute(
        select(c.target_id, c.class_code).where(*_in_force(tid, on))  # type: ignore[arg-type]
    ).all()
    return {t: class_flag(code) for t, code in rows if code in wanted}


def classes_by_code(session: Session, on: date, codes: Iterable[str]) -> dict[str, str]:
    """``credit code → class flag``, as :func:`classes_by_id`."""
    by_id = classes_by_id(session, on, codes)
    if not by_id:
        return {}
    tid = require_tenant(session)
    rows = session.connection().execute(
        select(Target.id, Target.credit_code).where(Target.tenant_id == tid)
    ).all()
    return {code: by_id[t] for t, code in rows if t in by_id}


def with_classes(flags: Mapping[K, frozenset[str]],
                 classes: Mapping[K, str]) -> dict[K, frozenset[str]]:
    """The risk flags with each target's class flag added (shared frozensets kept)."""
    if not classes:
        return dict(flags)
    out = dict(flags)
    shared: dict[frozenset[str], frozenset[str]] = {}
    empty: frozenset[str] = frozenset()
    for key, flag in classes.items():
        merged = out.get(key, empty) | {flag}
        out[key] = shared.setdefault(merged, merged)
    return out


@dataclass(frozen=True)
class ClassCount:
    """One class of a tenant: its targets on a day, and its targets drawn by live draws."""

    code: str
    name_zh: str
    name_en: str
    ratio_permille: int
    targets: int
    drawn: int


def class_counts(session: Session, on: date, tenant_id: int | None = None) -> Counter[str]:
    """How many of the tenant's (default: the current tenant's) targets hold each class on
    ``on``."""
    tid = tenant_id or require_tenant(session)
    c = TargetCreditClass
    rows = session.execute(
        select(c.class_code, func.count()).where(*_in_force(tid, on))  # type: ignore[arg-type]
        .group_by(c.class_code)
    ).all()
    return Counter({code: n for code, n in rows})


def drawn_counts(session: Session, tenant_id: int | None = None) -> Counter[str]:
    """How many targets the tenant's (default: the current tenant's) draws, not voided,
    drew from each class stratum."""
    tid = tenant_id or require_tenant(session)
    s = DrawSelection
    rows = session.execute(
        select(s.stratum, func.count())
        .where(s.tenant_id == tid, s.stratum.like(CLASS_PREFIX + "%"),
               s.draw_id.not_in(select(DrawVoid.draw_id).where(DrawVoid.tenant_id == tid)))
        .group_by(s.stratum)
    ).all()
    out: Counter[str] = Counter()
    for name, n in rows:
        code = class_of((name,))
        if code is not None:
            out[code] += n
    return out


def coverage(declared: Sequence[CreditClass], held: Mapping[str, int],
             drawn: Mapping[str, int]) -> list[ClassCount]:
    """One row per declared class, then one per class held or drawn but not declared (its
    code as its name, no ratio)."""
    rows = [ClassCount(c.code, c.name_zh, c.name_en, c.ratio_permille, held.get(c.code, 0),
                       drawn.get(c.code, 0)) for c in declared]
    known = {c.code for c in declared}
    rows += [ClassCount(code, code, code, 0, held.get(code, 0), drawn.get(code, 0))
             for code in sorted(set(held) | set(drawn)) if code not in known]
    return rows

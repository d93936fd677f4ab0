"""Demo credit-risk classes (信用风险分类): a class file for a tenant whose rules declare
classes, each target's class drawn from a seeded generator (about 5 % D, 15 % C, 50 % B,
30 % A), some classes changed on 1 July 2026, imported through the real class import."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.demo import generate as gen
from shuangsuiji.models.directories import Target
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import credit_classes
from shuangsuiji.services.credit_class_import import import_classes

HEADINGS = ["统一社会信用代码", "信用风险分类", "生效日期", "失效日期"]
#: share (per cent) of the targets in each class, by the class's rank among those declared
#: (the most risky first, as the example province declares D, C, B, A)
SHARES = (5, 15, 50, 30)


def class_rows(codes: Sequence[str], declared: Sequence[CreditClass],
               seed: int) -> list[list[str]]:
    """Rows of a class file: one class per target from 2025-01-01; every tenth target's
    class changes on 2026-07-01 (two rows that meet, not overlap)."""
    rng = random.Random(seed)
    names = [c.code for c in declared]
    weights = list(SHARES[:len(names)]) + [10] * max(0, len(names) - len(SHARES))
    rows = []
    for i, code in enumerate(codes):
        klass = rng.choices(names, weights)[0]
        if i % 10 == 9 and len(names) > 1:
            later = names[(names.index(klass) + 1) % len(names)]
            rows.append([code, klass, "2025-01-01", "2026-07-01"])
            rows.append([code, later, "2026-07-01", ""])
        else:
            rows.append([code, klass, "2025-01-01", ""])
    return rows


def load_classes(s: Session, platform: Platform, tenant: Tenant, seed: int) -> int:
    """Import demo classes for ``tenant`` if its rules declare any; the rows imported."""
    declared_on = credit_classes.declared_for(platform, tenant)
    declared = declared_on(date(2026, 1, 15))
    if not declared:
        return 0
    codes = sorted(s.scalars(select(Target.credit_code).where(Target.tenant_id == tenant.id)))
    data = gen.to_csv(HEADINGS, class_rows(codes, declared, seed))
    report = import_classes(s, tenant.id, data, f"demo-{tenant.slug}-classes.csv", declared_on,
                            actor="demo")
    return report.rows

"""Credit-risk classes (信用风险分类) as a pack declares them: the plain value of the
``ssj_credit_classes`` hook, and the checks a declaration must pass.

国发〔2019〕5号 makes the sampling ratio depend on a target's credit-risk class; provinces
use, for example, 30 % / 10 % / 2 % / 1 % for classes D / C / B / A. A pack (or a
province file's ``[versions.rules.credit_classes]``) declares the classes of one version;
a tenant imports each target's class with its effective dates
(:mod:`shuangsuiji.services.credit_classes`), and the draw stratifies by the class in force
on the task's start date (docs/draw-spec.md §3.2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shuangsuiji.rules import Citation, RiskRule

#: A class code: a letter or digit, then letters, digits, ``_`` or ``-``; at most 16
#: characters (``A``, ``D``, ``high_risk``). Upper case is allowed: classes are written
#: A–D in the texts.
CLASS_CODE: re.Pattern[str] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")


@dataclass(frozen=True)
class CreditClass:
    """One credit-risk class: its code, names, and the ratio its stratum is drawn at.

    ``ratio_permille`` is the class's own ratio (‰), used as it is: unlike a risk flag it
    may be below the task's ratio (class A, 1 %).
    """

    code: str
    name_zh: str
    name_en: str
    ratio_permille: int
    cite: Citation


def class_problems(classes: Sequence[CreditClass]) -> list[str]:
    """Plain-language problems of one version's declaration (empty when it is sound)."""
    out: list[str] = []
    seen: set[str] = set()
    for c in classes:
        if not isinstance(c.code, str) or not CLASS_CODE.match(c.code):
            out.append(f"credit-risk class code {c.code!r} does not have the form "
                       f"{CLASS_CODE.pattern} (e.g. A, D, high_risk)")
        elif c.code in seen:
            out.append(f"credit-risk class {c.code!r} is declared twice")
        seen.add(c.code)
        r = c.ratio_permille
        if not isinstance(r, int) or isinstance(r, bool) or not 0 <= r <= 1000:
            out.append(f"credit-risk class {c.code!r} ratio is {r!r} ‰; it must be an integer "
                       "within 0..1000 ‰ (300 ‰ = 30 %)")
        for name in ("name_zh", "name_en"):
            if not str(getattr(c, name) or "").strip():
                out.append(f"credit-risk class {c.code!r} has no {name}")
    return out


def class_pool_rules(classes: Sequence[CreditClass]) -> tuple[RiskRule, ...]:
    """The pool rules of the classes, in the pack's order: flag ``class:<code>``, the class's
    ratio, multiplier 0 (the ratio is the class's own, not raised to the task's); they come
    after the pack's risk rules (docs/draw-spec.md §3.2)."""
    # imported here: the quick CLI commands read this module without loading the kernel
    from shuangsuiji.kernel.classes import class_flag

    return tuple(RiskRule(flag=class_flag(c.code), ratio_permille=c.ratio_permille,
                          multiplier=0, cite=c.cite) for c in classes)

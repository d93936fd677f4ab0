"""Where two resolved rule sets differ, field by field, with the articles on both sides.

:func:`diff_rules` is a service function (``ssj pack diff`` prints it; the web UI can show
it). Collections of rules are matched by their key (item categories and extra exclusions
by ``code``, risk rules by ``flag``, result types by ``code``), so that "Chongqing adds
``abnormal_operations``" reads as one difference, not as a shifted list. Citations are
not compared (every pack cites its own articles); they are reported beside each value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.errors import PackError
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.registry import BASELINE, PackRegistry
from shuangsuiji.packs.ruleset import RuleSet
from shuangsuiji.rules import Citation

#: RuleSet fields holding collections, and the field that identifies one of their rules.
KEYED: dict[str, str] = {
    "item_categories": "code",
    "extra_exclusions": "code",
    "risk_rules": "flag",
    "result_types": "code",
    "credit_classes": "code",
}
#: Shown for a rule or field that one side does not have.
ABSENT = "(none)"


@dataclass(frozen=True)
class RuleDifference:
    """One field on which two rule sets differ.

    ``rule`` is the RuleSet field (``publication_deadline``), ``key`` the member of a
    collection (``"general"`` for an item category) or None, ``field`` the dataclass field
    (``working_days``) or None when the whole rule is on one side only. ``a`` and ``b`` are
    plain, JSON-ready values (:data:`ABSENT` when missing); ``cite_a``/``cite_b`` the rules'
    citations.
    """

    rule: str
    key: str | None
    field: str | None
    a: Any
    b: Any
    cite_a: Citation | None
    cite_b: Citation | None

    @property
    def equal(self) -> bool:
        """Both sides hold the same value (listed only when equal rules are asked for)."""
        return bool(self.a == self.b)

    @property
    def label(self) -> str:
        """``item_categories[general].cap_permille``."""
        text = self.rule + (f"[{self.key}]" if self.key is not None else "")
        return text + (f".{self.field}" if self.field else "")


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "cite"}
    return value


def _fields(rule: Any, other: Any, name: str, key: str | None,
            equal: bool = False) -> list[RuleDifference]:
    """The fields on which two rules of the same kind differ (both present); with ``equal``,
    the fields on which they agree too."""
    out = []
    for f in dataclasses.fields(rule):
        if f.name == "cite":
            continue
        a, b = _plain(getattr(rule, f.name)), _plain(getattr(other, f.name))
        if a != b or equal:
            out.append(RuleDifference(name, key, f.name, a, b, rule.cite, other.cite))
    return out


def _keyed(name: str, a: tuple[Any, ...], b: tuple[Any, ...],
           equal: bool = False) -> list[RuleDifference]:
    key = KEYED[name]
    left = {getattr(r, key): r for r in a}
    right = {getattr(r, key): r for r in b}
    out: list[RuleDifference] = []
    for k in [*left, *(k for k in right if k not in left)]:
        ra, rb = left.get(k), right.get(k)
        if ra is not None and rb is not None:
            out.extend(d for d in _fields(ra, rb, name, str(k), equal) if d.field != key)
        else:
            out.append(RuleDifference(
                name, str(k), None,
                _plain(ra) if ra is not None else ABSENT, _plain(rb) if rb is not None else ABSENT,
                ra.cite if ra is not None else None, rb.cite if rb is not None else None,
            ))
    return out


def diff_rules(a: RuleSet, b: RuleSet, *, equal: bool = False) -> list[RuleDifference]:
    """Every field on which ``a`` and ``b`` differ, in RuleSet field order; with ``equal``,
    every field of both (those that agree have :attr:`RuleDifference.equal`)."""
    out: list[RuleDifference] = []
    for f in dataclasses.fields(RuleSet):
        if f.name in ("as_of", "versions"):
            continue
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if f.name in KEYED:
            out.extend(_keyed(f.name, va, vb, equal))
        else:
            out.extend(_fields(va, vb, f.name, None, equal))
    return out


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a pack (on top of MIIT), maybe pinned to a version."""

    label: str
    policy: TenantPolicy
    day: date

    def rules(self) -> RuleSet:
        return self.policy.rules(self.day)


def side(spec: str, registry: PackRegistry, as_of: date | None, today: date,
         pack: Pack | None = None) -> Side:
    """Resolve ``"chongqing"`` or ``"chongqing@2021"`` into rules on a day.

    With ``@VERSION`` the day is ``as_of`` when that version is in force then, else the
    version's first day; without, it is ``as_of`` or ``today``.
    """
    name, _, version = spec.partition("@")
    found = pack or registry.get(name)
    chain = [registry.get(BASELINE)] if BASELINE in registry and found.name != BASELINE else []
    if found.extends and found.extends not in (BASELINE, found.name) and found.extends in registry:
        chain.append(registry.get(found.extends))
    policy = TenantPolicy((*chain, found))
    day = as_of or today
    if version:
        meta = found.version_named(version)
        if meta is None:
            known = ", ".join(m.version for m, _ in found.versions)
            raise PackError(found.name, f"has no version {version!r} (versions: {known})")
        if as_of is None or not meta.in_force(as_of):
            day = meta.effective
    return Side(spec, policy, day)

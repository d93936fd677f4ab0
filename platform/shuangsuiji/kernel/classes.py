"""Credit-risk classes (信用风险分类) in the pool: how a member carries its class, and how
a class stratum is named (docs/draw-spec.md §3.2).

A member's class in force on the task's start date travels as one more flag of the member,
``class:<code>`` (``class:D``), so the pool's digest line, the bundle and every verifier
carry it exactly as they carry risk flags. The pool rules list each class as a
:class:`~shuangsuiji.rules.RiskRule` whose flag is ``class:<code>``, whose ratio is the
class's and whose multiplier is 0 (the class ratio is used as it is, also below the task's
ratio), after the pack's risk rules: a member's first matching rule names its stratum, so a
flagged member stays in its risk stratum and an unflagged member goes to its class's.
A class stratum is named after its flag (``class:D``), a risk stratum ``risk:<flag>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import RISK_PREFIX, PoolRules
from shuangsuiji.kernel.poolcolumns import duplicate
from shuangsuiji.messages import msg
from shuangsuiji.rules import ExclusionRule

#: Prefix of the flag (and the stratum name) of a credit-risk class: ``"class:D"``.
CLASS_PREFIX = "class:"


def class_flag(code: str) -> str:
    """The member flag of class ``code``."""
    return CLASS_PREFIX + code


def is_class(flag: str) -> bool:
    return flag.startswith(CLASS_PREFIX)


def stratum_name(flag: str) -> str:
    """The name of the stratum of a pool rule's flag: ``class:D`` or ``risk:complaints``."""
    return flag if flag.startswith(CLASS_PREFIX) else RISK_PREFIX + flag


def class_of(flags: Iterable[str]) -> str | None:
    """The class code among a member's flags (None: no class)."""
    return next((f[len(CLASS_PREFIX):] for f in flags if f.startswith(CLASS_PREFIX)), None)


def check_one_class(code: str, flags: Iterable[str]) -> None:
    """A member holds at most one class: two would leave its stratum to rule order."""
    classes = sorted(f for f in flags if f.startswith(CLASS_PREFIX))
    if len(classes) > 1:
        raise InvalidInput(msg(
            "target %(code)r carries two credit-risk classes (%(classes)s) on one day: a "
            "target has one class at a time; fix the class file's dates",
            code=code, classes=", ".join(classes),
        ))


def bulk_classes(rules: PoolRules, extras: Sequence[ExclusionRule]) -> frozenset[str]:
    """The class flags of the pool rules that no ``flag`` exclusion names and that hold no
    separator: a member whose one flag is one of these, and who has no history, cannot be
    excluded, so the pool builder adds it to its class's stratum in bulk."""
    named = {str(r.param("flag")) for r in extras if r.kind == "flag"}
    return frozenset(r.flag for r in rules.risk_rules if is_class(r.flag)
                     and r.flag not in named and not any(c in r.flag for c in ",\t\n"))


def take_classed(builder: Any, codes: Sequence[str], names: Sequence[str],
                 flags: Mapping[int, frozenset[str]], rest: list[int]) -> list[int]:
    """Of the flagged positions ``rest`` of a chunk (codes and names already canonical and
    free of separators), add those whose one flag is a bulk class flag and that have no
    history to their class's bucket of ``builder`` (a pool builder: the duplicate checks
    and lines its per-member path makes); return the positions left for that path."""
    only, hist = builder.class_only, builder.hist_map
    fast = [i for i in rest if len(flags.get(i, ())) == 1 and flags[i] <= only
            and codes[i] not in hist]
    if not fast:
        return rest
    fast_codes = [codes[i] for i in fast]
    seen = builder.special
    if not seen.isdisjoint(fast_codes):
        duplicate(next(c for c in fast_codes if c in seen))
    before = len(seen)
    seen.update(fast_codes)
    if len(seen) - before != len(fast_codes):
        duplicate(next(c for c, n in Counter(fast_codes).items() if n > 1))
    builder.probe.extend(fast_codes)
    buckets, order = builder.buckets, builder.order
    for i, code in zip(fast, fast_codes, strict=True):
        (flag,) = flags[i]
        buckets[order[flag]].append(f"member\t{code}\t{names[i]}\t{flag}".encode())
    taken = set(fast)
    return [i for i in rest if i not in taken]

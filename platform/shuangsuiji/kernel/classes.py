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

from collections.abc import Iterable

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import RISK_PREFIX
from shuangsuiji.messages import msg

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

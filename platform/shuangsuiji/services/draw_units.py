"""What a draw takes from the organisation tree (docs/organisations.md): each task's and each
inspector's 司局 and unit as the kernel reads them, and the bundle's ``units`` object.

With a tree, a task's unit is its division (or, without one, its department) and the
kernel's ``department`` is that unit's 司局 (kernel/orgtree.py); an inspector's unit is their
division, else their department, if the tree holds it, and their subordinate flag follows
the tree. Text that names no unit (data from before the tree) is passed on as it is, so old
tasks and inspectors still draw as they did.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.kernel.model import FrozenPool
from shuangsuiji.kernel.orgtree import SAME_QUARTER, OrgTree, units_object
from shuangsuiji.models.plans import Task


def task_units(tree: OrgTree | None, department: str, division: str) -> tuple[str, str]:
    """(department, division) of a task as the kernel reads them."""
    unit = division or department
    if tree is not None and unit in tree:
        return tree.department_of(unit), unit
    return department, unit


def inspector_units(tree: OrgTree | None, department: str, division: str,
                    subordinate: bool) -> tuple[str, str, bool]:
    """(department, division, subordinate) of an inspector as the kernel reads them."""
    if tree is None:
        return department, division, subordinate
    unit = division if division in tree else department if department in tree else None
    if unit is None:
        return department, division, subordinate
    return tree.department_of(unit), unit, tree.subordinate(unit)


def bundle_units(session: Session, tree: OrgTree | None,
                 pool: FrozenPool) -> dict[str, Any] | None:
    """The bundle's ``units``: the tree, and the 司局 and unit of every task that triggered
    a same-quarter exclusion of ``pool`` (so a verifier rechecks MIIT 第十条第二款); None
    without a tree."""
    if tree is None:
        return None
    ids = {e.trigger_task_id for e in pool.excluded
           if e.rule_code == SAME_QUARTER and e.trigger_task_id}
    triggers = {t.code: task_units(tree, t.department, t.division)
                for t in session.scalars(select(Task).where(Task.code.in_(ids)))} if ids else {}
    return units_object(tree, triggers)

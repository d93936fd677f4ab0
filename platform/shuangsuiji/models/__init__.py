"""All tables. Importing this package registers every model on ``Base.metadata``.

One exception, for start-up time: a quick ``ssj`` command (``cli.registry.LIGHT``) sets
``shuangsuiji.MODELS_ON_DEMAND`` before it imports anything, and then only the models it
imports are defined (``ssj tenants list``: :class:`Tenant` alone — building the declarative classes
of every table is about a third of such a command's start-up). Even then the ORM always
sees every model it may need: before SQLAlchemy configures any mapper that is not
self-contained (:data:`SELF_CONTAINED`: its relationships reach only its own module), the
``before_configured`` hook below imports every model first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import shuangsuiji

if TYPE_CHECKING:
    from shuangsuiji.models.audit import AuditEvent
    from shuangsuiji.models.plans import AnnualPlan, Task, TaskItem
    from shuangsuiji.models.tenants import Tenant

#: Every module of the package, in the order they are imported.
MODULES = ("accounts", "audit", "blobs", "calendars", "credit_classes", "directories", "draws",
           "inspections", "jobs", "joint", "plans", "provisions", "tenants", "units")
#: Modules whose mappers may be configured without the others (their relationships, if
#: any, stay inside the module).
SELF_CONTAINED = frozenset({"shuangsuiji.models.tenants"})


def import_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")


def _before_configured() -> None:
    from shuangsuiji.db.base import Base

    pending = {m.class_.__module__ for m in Base.registry.mappers if not m.configured}
    if pending - SELF_CONTAINED:
        import_all()


def _install_hook() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Mapper

    if not event.contains(Mapper, "before_configured", _before_configured):
        event.listen(Mapper, "before_configured", _before_configured)


_EAGER = {"AuditEvent": "audit", "AnnualPlan": "plans", "Task": "plans", "TaskItem": "plans",
          "Tenant": "tenants"}


def __getattr__(name: str) -> Any:
    if name in _EAGER:
        return getattr(importlib.import_module(f"{__name__}.{_EAGER[name]}"), name)
    raise AttributeError(name)


_install_hook()
if not shuangsuiji.MODELS_ON_DEMAND:
    import_all()

__all__ = ["AnnualPlan", "AuditEvent", "Task", "TaskItem", "Tenant", "import_all"]

"""All tables. Importing this package registers every model on ``Base.metadata``."""

from shuangsuiji.models import (  # noqa: F401 - imported for their tables
    accounts,
    audit,
    blobs,
    calendars,
    directories,
    draws,
    inspections,
    jobs,
    plans,
    provisions,
    tenants,
    units,
)
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.plans import AnnualPlan, Task, TaskItem
from shuangsuiji.models.tenants import Tenant

__all__ = ["AnnualPlan", "AuditEvent", "Task", "TaskItem", "Tenant"]

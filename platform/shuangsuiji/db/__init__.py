"""Storage: declarative base, engine and sessions, and automatic tenant scoping."""

from shuangsuiji.db.base import Base, TenantOwned
from shuangsuiji.db.session import Database
from shuangsuiji.db.tenancy import TenantNotSet, cross_tenant, set_tenant

__all__ = ["Base", "Database", "TenantNotSet", "TenantOwned", "cross_tenant", "set_tenant"]

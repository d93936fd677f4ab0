"""Fixtures for directory tests: a session scoped to one tenant of the demo tree."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import (
    DirectoryChange,
    Expert,
    ImportBatch,
    Inspector,
    Item,
    ItemListVersion,
    Target,
    TargetFlag,
)
from shuangsuiji.platform import Platform

TABLES = (Target, TargetFlag, Inspector, Expert, Item, ItemListVersion, DirectoryChange,
          ImportBatch, AuditEvent)


@pytest.fixture
def tenant_session(platform: Platform, tenant_tree: dict[str, int]
                   ) -> Callable[[str], Session]:
    """``tenant_session("chongqing")``: a new session scoped to that tenant (closed at the
    end of the test)."""
    opened: list[Session] = []

    def make(slug: str) -> Session:
        s = platform.db.sessionmaker()
        s.info["tenant_id"] = tenant_tree[slug]
        opened.append(s)
        return s

    yield make  # type: ignore[misc]
    for s in opened:
        s.close()


@pytest.fixture
def cq(tenant_session: Callable[[str], Session]) -> Iterator[Session]:
    """A session scoped to the Chongqing tenant."""
    yield tenant_session("chongqing")


def counts(session: Session) -> dict[str, int]:
    """Rows in every table an import may write, across all tenants."""
    with cross_tenant(session):
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
                for t in TABLES}

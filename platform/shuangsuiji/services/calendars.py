"""Tenant calendars: import the State Council holiday notice for years the package lacks.

A calendar is shared down the tenant tree: a year imported by the central tenant or by a
parent applies to every descendant that has not imported that year itself (the nearest
import wins). The holiday notice is one State Council document for the whole country, so a
district need not import what its province already did.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import digest
from shuangsuiji.db.tenancy import cross_tenant, require_tenant
from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg, reason
from shuangsuiji.models.calendars import TenantCalendar
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit
from shuangsuiji.workdays import (
    CalendarImportError,
    WorkCalendar,
    YearCalendar,
    package_source,
    package_years,
    parse_calendar,
)


@dataclass(frozen=True)
class ImportedYear:
    """One year written by an import, and whether it replaced an earlier import."""

    year: int
    source: str
    holidays: int
    workdays: int
    replaced: bool
    overrides_package: bool


def import_calendar(session: Session, tenant: Tenant, data: bytes, filename: str, *,
                    source: str | None = None) -> list[ImportedYear]:
    """Parse a CSV/TOML holiday notice and store each of its years for ``tenant``.

    The whole file is checked before anything is written: a file with any problem raises a
    :class:`UserError` listing every problem (file, line, column) and imports nothing.
    """
    try:
        years = parse_calendar(data, filename, source=source)
    except CalendarImportError as exc:
        # the report as a message: the page shows every line in its language
        raise UserError(reason(exc), where=filename,
                        hint=msg("fix the lines listed and import the file again")) from None
    if not years:
        raise UserError(msg("the file lists no holidays or make-up workdays"), where=filename)
    actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    out = []
    for cal in years:
        row = session.scalar(select(TenantCalendar).where(TenantCalendar.year == cal.year))
        before = None if row is None else row.digest
        holidays = TenantCalendar.days_of(cal.holidays)
        workdays = TenantCalendar.days_of(cal.workdays)
        new_digest = digest({"year": cal.year, "source": cal.source, "holidays": holidays,
                             "workdays": workdays})
        if row is None:
            row = TenantCalendar(year=cal.year)
            session.add(row)
        row.source, row.holidays, row.workdays = cal.source, holidays, workdays
        row.filename, row.digest, row.actor = filename, new_digest, actor
        session.flush()
        audit.record(session, tenant_id=tenant.id, action="calendar.import",
                     object_type="tenant_calendar", object_id=cal.year,
                     payload={"source": cal.source, "filename": filename, "before": before,
                              "after": new_digest, "holidays": len(holidays),
                              "workdays": len(workdays)})
        out.append(ImportedYear(cal.year, cal.source, len(holidays), len(workdays),
                                before is not None, cal.year in package_years()))
    return out


def tenant_years(session: Session) -> list[TenantCalendar]:
    """The current tenant's imported years, ascending."""
    return list(session.scalars(select(TenantCalendar).order_by(TenantCalendar.year)))


def effective_years(session: Session) -> list[tuple[TenantCalendar, Tenant]]:
    """Each imported year that decides the current tenant's calendar, with the tenant that
    imported it: its own import, else its nearest ancestor's (up to the central tenant)."""
    tenant = session.get(Tenant, require_tenant(session))
    if tenant is None:
        return []
    lineage = list(reversed(tenant.ancestry()))  # this tenant first, then up to the root
    rank = {t.id: i for i, t in enumerate(lineage)}
    by_id = {t.id: t for t in lineage}
    chosen: dict[int, TenantCalendar] = {}
    # reading the ancestors' calendars only (ids from the tenant's own lineage), not a
    # central-admin act: the shared State Council notice, as each ancestor imported it
    with cross_tenant(session):
        rows = list(session.scalars(select(TenantCalendar)
                                    .where(TenantCalendar.tenant_id.in_(list(rank)))))
    for row in rows:
        held = chosen.get(row.year)
        if held is None or rank[row.tenant_id] < rank[held.tenant_id]:
            chosen[row.year] = row
    return [(chosen[y], by_id[chosen[y].tenant_id]) for y in sorted(chosen)]


def year_calendars(session: Session) -> list[YearCalendar]:
    return [row.to_year_calendar() for row, _owner in effective_years(session)]


def work_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar of the current tenant: the package plus its imported years."""
    return WorkCalendar(year_calendars(session))


@dataclass(frozen=True)
class CoverageLine:
    """What decides the working days of one year, for ``ssj calendar list``."""

    year: int
    coverage: str  # tenant | inherited | package
    source: str
    from_tenant: str = ""  # the ancestor's slug, for an inherited year


def coverage(session: Session) -> list[CoverageLine]:
    """Every year the tenant's calendar covers, and the source that decides it."""
    own = require_tenant(session)
    imported = {row.year: (row, owner) for row, owner in effective_years(session)}
    lines = [CoverageLine(y, "package", package_source()) for y in package_years()
             if y not in imported]
    lines += [CoverageLine(y, "tenant", r.source) if owner.id == own
              else CoverageLine(y, "inherited", r.source, owner.slug)
              for y, (r, owner) in imported.items()]
    return sorted(lines, key=lambda line: line.year)

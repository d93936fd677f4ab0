"""Directories (名录库), reading: what the draw and the web UI read of targets, their flags,
inspectors and experts, and the directories' change history.

Reads go through the ORM and are scoped to the session's tenant automatically. The bulk
writes of an import are in :mod:`shuangsuiji.services.directory_writes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.models.directories import (
    DirectoryChange,
    Expert,
    ImportBatch,
    Inspector,
    Target,
    TargetFlag,
)
from shuangsuiji.services.import_fields import FlagEntry, flag_sort_key

K = TypeVar("K")


# --- reading, for the draw and the web UI ----------------------------------------------------


@dataclass(frozen=True)
class TargetRecord:
    """A target as the draw sees it: its flags are those in force on the day asked about."""

    id: int
    credit_code: str
    name: str
    region_code: str
    industry: str
    credit_rating: str
    flags: frozenset[str]


def flags_in_force(session: Session, on: date) -> dict[int, frozenset[str]]:
    """``target id → risk flags in force on day on`` (listed on or before it, not yet removed),
    for the current tenant's targets that have any.

    A Core statement on the connection (no ORM rows for a million targets), so it filters by
    tenant itself. Each distinct set of flags is one shared frozenset: a few combinations
    serve thousands of flagged targets.
    """
    tid = require_tenant(session)
    rows = session.connection().execute(
        select(TargetFlag.target_id, TargetFlag.flag).where(*_in_force(tid, on))
    ).all()  # fetched at once: iterating the result fetches row by row
    return _grouped(rows)


def flagged_targets(session: Session, on: date) -> list[tuple[int, str, frozenset[str]]]:
    """``(target id, credit code, flags)`` of the targets with risk flags in force on ``on``
    (as :func:`flags_in_force`, for readers that also need the code)."""
    tid = require_tenant(session)
    rows = session.connection().execute(
        select(TargetFlag.target_id, Target.credit_code, TargetFlag.flag)
        .join(Target, Target.id == TargetFlag.target_id)
        .where(Target.tenant_id == tid, *_in_force(tid, on))
    ).all()
    codes: dict[int, str] = {}
    pairs = []
    for target_id, code, flag in rows:
        codes[target_id] = code
        pairs.append((target_id, flag))
    return [(t, codes[t], f) for t, f in _grouped(pairs).items()]


def _in_force(tid: int, on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        TargetFlag.tenant_id == tid,
        (TargetFlag.listed_on.is_(None)) | (TargetFlag.listed_on <= on),
        (TargetFlag.removed_on.is_(None)) | (TargetFlag.removed_on > on),
    )


def _grouped(rows: Iterable[tuple[K, str]]) -> dict[K, frozenset[str]]:
    """Flags grouped by key; each distinct set of flags is one shared frozenset."""
    found: dict[K, set[str]] = {}
    for key, flag in rows:
        found.setdefault(key, set()).add(flag)
    shared: dict[frozenset[str], frozenset[str]] = {}
    return {k: shared.setdefault(frozenset(f), frozenset(f)) for k, f in found.items()}


def load_targets(
    session: Session, *, on: date, credit_codes: Iterable[str] | None = None
) -> list[TargetRecord]:
    """The current tenant's targets (or those with ``credit_codes``), each with the risk flags
    in force on ``on``, in canonical order (credit code, compared as UTF-8 bytes in Python,
    never by database collation)."""
    stmt = select(Target.id, Target.credit_code, Target.name, Target.region_code,
                  Target.industry, Target.credit_rating)
    if credit_codes is not None:
        stmt = stmt.where(Target.credit_code.in_(list(credit_codes)))
    flags = flags_in_force(session, on)
    records = [
        TargetRecord(row.id, row.credit_code, row.name, row.region_code, row.industry,
                     row.credit_rating, flags.get(row.id, frozenset()))
        for row in session.execute(stmt)
    ]
    records.sort(key=lambda r: r.credit_code)
    return records


def target_flag_history(session: Session, credit_code: str) -> list[FlagEntry]:
    """Every risk-flag span recorded for one target, current and past."""
    rows = session.execute(
        select(TargetFlag.flag, TargetFlag.listed_on, TargetFlag.removed_on)
        .join(Target, Target.id == TargetFlag.target_id)
        .where(Target.credit_code == credit_code)
    )
    return sorted(((r.flag, r.listed_on, r.removed_on) for r in rows), key=flag_sort_key)


@dataclass(frozen=True)
class Credential:
    """A credential an inspector can show on site (rules.CREDENTIALS); ``expires`` None means
    no expiry is recorded (a work ID; a certificate imported without its expiry date)."""

    kind: str  # "enforcement_certificate" or "work_id"
    number: str
    expires: date | None = None

    def valid_on(self, day: date) -> bool:
        """Not expired on ``day`` (the expiry day itself still counts: 有效期至)."""
        return self.expires is None or day <= self.expires


@dataclass(frozen=True)
class InspectorRecord:
    """An inspector as the draw sees it."""

    id: int
    name: str
    department: str
    division: str
    region: str
    expertise: str
    subordinate: bool
    credentials: tuple[Credential, ...]

    @property
    def key(self) -> str:
        """The directory key: certificate number, else work ID."""
        return self.credentials[0].number if self.credentials else str(self.id)

    @property
    def draw_id(self) -> str:
        """The id this inspector carries in draws and records (see :func:`draw_id`)."""
        numbers = {c.kind: c.number for c in self.credentials}
        return draw_id(numbers.get("enforcement_certificate"), numbers.get("work_id"))

    def credential_kinds(self, on: date | None = None) -> tuple[str, ...]:
        """Kinds of credential held (valid on ``on`` when given)."""
        return tuple(c.kind for c in self.credentials if on is None or c.valid_on(on))


def draw_id(certificate_no: str | None, work_id: str | None) -> str:
    """An inspector's id in draws and records: the enforcement certificate number, else
    ``work:`` and the work ID (the prefix keeps the two numbering schemes apart)."""
    return certificate_no or f"work:{work_id}"


def _inspector_record(row: Inspector) -> InspectorRecord:
    credentials = []
    if row.certificate_no:
        credentials.append(Credential("enforcement_certificate", row.certificate_no,
                                      row.certificate_expiry))
    if row.work_id:
        credentials.append(Credential("work_id", row.work_id))
    return InspectorRecord(row.id, row.name, row.department, row.division, row.region,
                           row.expertise, row.subordinate, tuple(credentials))


def load_inspectors(session: Session) -> list[InspectorRecord]:
    """Every inspector of the current tenant, with their credentials and expiry dates, ordered
    by directory key."""
    records = [_inspector_record(row) for row in session.scalars(select(Inspector))]
    records.sort(key=lambda r: r.key)
    return records


def eligible_inspectors(
    session: Session, *, on: date, credentials: Sequence[str], valid_on_date: bool
) -> list[InspectorRecord]:
    """Inspectors holding any of ``credentials`` (a pack's ``Eligibility.credentials``), not
    expired on ``on`` when ``valid_on_date`` (e.g. CQ Art. 6: a valid 执法证)."""
    wanted = set(credentials)
    return [
        r for r in load_inspectors(session)
        if any(c.kind in wanted and (not valid_on_date or c.valid_on(on))
               for c in r.credentials)
    ]


@dataclass(frozen=True)
class ExpertRecord:
    """An expert as the draw sees it."""

    id: int
    name: str
    expert_code: str | None
    id_number: str | None
    expertise: str
    organisation: str
    phone: str | None

    @property
    def key(self) -> str:
        return self.expert_code or self.id_number or str(self.id)


def load_experts(session: Session) -> list[ExpertRecord]:
    """Every expert of the current tenant, ordered by directory key."""
    records = [
        ExpertRecord(e.id, e.name, e.expert_code, e.id_number, e.expertise, e.organisation,
                     e.phone)
        for e in session.scalars(select(Expert))
    ]
    records.sort(key=lambda r: r.key)
    return records


def history(session: Session, kind: str, key: str) -> list[DirectoryChange]:
    """Changes recorded for one entry (by credit code, certificate number, ...), oldest first."""
    return list(session.scalars(
        select(DirectoryChange)
        .where(DirectoryChange.kind == kind, DirectoryChange.key == key)
        .order_by(DirectoryChange.id)
    ))


def import_batches(session: Session, kind: str | None = None) -> list[ImportBatch]:
    """The current tenant's imports, newest first."""
    stmt = select(ImportBatch).order_by(ImportBatch.id.desc())
    if kind is not None:
        stmt = stmt.where(ImportBatch.kind == kind)
    return list(session.scalars(stmt))

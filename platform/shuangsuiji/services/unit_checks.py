"""Units named by inspectors and accounts checked against the organisation tree (issue #15):
once a tenant keeps a tree, an inspector file's 所属部门 / 处室 and an account's unit must
be units of it. An unknown unit is refused — in a file with its row and column, every one
listed, nothing imported; on a grant by the field — and nothing is written.

A tenant without a tree keeps free text (docs/organisations.md: data from before the tree).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import current_tenant, set_tenant
from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.units import OrgUnit
from shuangsuiji.services.import_report import ImportFailed, ParsedFile, RowProblem

#: The inspector fields that name units.
INSPECTOR_UNIT_FIELDS: tuple[str, ...] = ("department", "division")


def tree_codes(session: Session, tenant_id: int) -> frozenset[str]:
    """The unit codes of ``tenant_id``'s tree (empty: it keeps no tree), read in that
    tenant's scope whatever the session's current tenant (an account's grant is made from
    the central level too)."""
    before = current_tenant(session)
    set_tenant(session, tenant_id)
    try:
        return frozenset(session.scalars(select(OrgUnit.code)))
    finally:
        set_tenant(session, before)


def check_inspector_file(session: Session, tenant_id: int, parsed: ParsedFile,
                         filename: str) -> None:
    """Refuse an inspector file naming a unit the tenant's tree does not hold."""
    positions = [(parsed.fields.index(f), f) for f in INSPECTOR_UNIT_FIELDS
                 if f in parsed.fields]
    if not positions:
        return
    codes = tree_codes(session, tenant_id)
    if not codes:
        return
    problems = [
        RowProblem(row, parsed.headings[field], str(record[i]),
                   msg("unit %(unit)s is not in the organisation tree; use a unit code of "
                       "the tree (组织机构) or add the unit there first", unit=record[i]))
        for record, row in zip(parsed.records, parsed.rows, strict=True)
        for i, field in positions if record[i] and record[i] not in codes]
    if problems:
        raise ImportFailed(filename, problems)


def check_grant_unit(session: Session, tenant_id: int | None, unit: str) -> None:
    """Refuse a grant naming a unit the tenant's tree does not hold."""
    if not unit or tenant_id is None:
        return
    codes = tree_codes(session, tenant_id)
    if codes and unit not in codes:
        raise UserError(msg("unit %(unit)s is not in the organisation tree of this "
                            "jurisdiction", unit=unit), where="department",
                        hint=msg("choose a unit of the tree (组织机构 page), or add it there "
                                 "first"))

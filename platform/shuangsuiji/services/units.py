"""The organisation tree of the current tenant: read, import, edit, version (docs/organisations.md).

The tree is replaced whole: an import file is the tree; an edit in the browser is the current
tree with one unit added, changed or removed. Either way the new tree is checked as a whole
(kernel/orgtree.py: unknown parents, cycles, duplicate codes, kinds) and against what refers
to its units (a unit a task, an inspector or an account names cannot be removed), and then
written with a new :class:`~shuangsuiji.models.units.OrgTreeVersion` and an audit event in
the caller's transaction — or nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import digest, normalise
from shuangsuiji.db.base import utcnow
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import UserError
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.orgtree import UNIT_KINDS, OrgTree, Unit, tree_problems
from shuangsuiji.messages import Message, msg
from shuangsuiji.models.accounts import RoleGrant
from shuangsuiji.models.directories import Inspector
from shuangsuiji.models.plans import Task
from shuangsuiji.models.units import OrgTreeVersion, OrgUnit
from shuangsuiji.services import audit
from shuangsuiji.services.import_report import ImportFailed, RowProblem

#: The columns of a tree file: field, Chinese heading, further headings accepted.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "单位编码", ("unit_code", "编码", "机构编码")),
    ("name", "单位名称", ("unit_name", "名称", "机构名称")),
    ("parent", "上级单位编码", ("parent_code", "上级编码", "上级机构编码")),
    ("kind", "单位类型", ("unit_kind", "类型", "机构类型")),
)
#: The kinds as written in a file: the code, or its Chinese name.
KIND_NAMES: dict[str, str] = {
    "司局": "department", "职能司局": "department", "职能部门": "department",
    "处室": "division", "业务处室": "division", "检查处室": "division",
    "综合执法处": "enforcement", "执法机构": "enforcement",
    "下级主管部门": "subordinate",
}


@dataclass(frozen=True)
class TreeReport:
    """What an import or edit did."""

    units: int
    added: int
    changed: int
    removed: int
    version: int | None  # None: the tree did not change


def current_units(session: Session) -> list[OrgUnit]:
    """The tenant's units by code."""
    require_tenant(session)
    return sorted(session.scalars(select(OrgUnit)), key=lambda u: u.code.encode())


def load_tree(session: Session) -> OrgTree | None:
    """The tenant's tree, or None when it has none."""
    units = current_units(session)
    if not units:
        return None
    return OrgTree(Unit(u.code, u.name, u.kind, u.parent_code) for u in units)


def versions(session: Session) -> list[OrgTreeVersion]:
    require_tenant(session)
    return list(session.scalars(select(OrgTreeVersion).order_by(OrgTreeVersion.number)))


def _cell(value: object) -> str:
    return normalise("" if value is None else str(value))


def read_units(source: bytes | str | Path, filename: str | None = None) -> list[Unit]:
    """Read a tree file (CSV UTF-8/GBK or XLSX, Chinese or English headings) as units; every
    problem of the file, row by row, as one :class:`ImportFailed`."""
    from shuangsuiji.tabular.reader import read_table  # XLSX: openpyxl only when a file is read

    table = read_table(source, filename)
    name = filename or ("upload" if isinstance(source, bytes) else Path(source).name)
    wanted = {h: f for f, zh, more in COLUMNS for h in (f, zh, *more)}
    where: dict[str, int] = {}
    heading_of: dict[str, str] = {}
    for i, h in enumerate(table.headings):
        f = wanted.get(_cell(h)) or wanted.get(_cell(h).lower())
        if f is not None and f not in where:
            where[f], heading_of[f] = i, _cell(h)
    missing = [zh for f, zh, _ in COLUMNS if f in ("code", "name", "kind") and f not in where]
    if missing:
        raise UserError(msg("the file has no column %(columns)s", columns=missing), where=name,
                        hint=msg("the first row names the columns: 单位编码, 单位名称, "
                                 "上级单位编码, 单位类型 (or code, name, parent, kind)"))
    units: list[Unit] = []
    rows: list[int] = []
    problems: list[RowProblem] = []
    for number, cells in table.rows:
        def get(f: str, cells: list[object] = cells) -> str:
            i = where.get(f)
            return _cell(cells[i]) if i is not None and i < len(cells) else ""
        kind_text = get("kind")
        kind = KIND_NAMES.get(kind_text, kind_text)
        if kind not in UNIT_KINDS:
            problems.append(RowProblem(number, heading_of["kind"], kind_text, msg(
                "unknown unit kind; write one of %(kinds)s (or %(codes)s)",
                kinds=sorted(KIND_NAMES), codes=UNIT_KINDS)))
        # an unknown kind is said above, in the file's own words
        units.append(Unit(get("code"), get("name"), kind if kind in UNIT_KINDS else "division",
                          get("parent") or None))
        rows.append(number)
    for i, problem in tree_problems(units):
        problems.append(RowProblem(rows[i], None, units[i].code or None, problem))
    if problems:
        raise ImportFailed(name, sorted(problems, key=lambda p: p.row))
    if not units:
        raise UserError(msg("the file holds no unit"), where=name,
                        hint=msg("a tree file lists every unit, one a row"))
    return units


def _in_use(session: Session, codes: set[str]) -> dict[str, Message]:
    """Of ``codes``, those a task, an inspector or an account refers to: code → by what."""
    used: dict[str, Message] = {}
    for task in session.scalars(select(Task)):
        for code in {task.department, task.division, *(task.departments or ()),
                     *(task.joint_divisions or ())} & codes:
            used.setdefault(code, msg("%(unit)s (task %(task)s)", unit=code, task=task.code))
    for person in session.scalars(select(Inspector)):
        for code in {person.department, person.division} & codes:
            used.setdefault(code, msg("%(unit)s (inspector %(name)s)", unit=code,
                                      name=person.name))
    tenant_id = require_tenant(session)
    for grant in session.scalars(select(RoleGrant).where(RoleGrant.tenant_id == tenant_id)):
        if grant.department in codes:
            used.setdefault(grant.department, msg("%(unit)s (an account's role)",
                                                  unit=grant.department))
    return used


def replace_tree(session: Session, units: Sequence[Unit], *, actor: str,
                 note: str = "") -> TreeReport:
    """Make ``units`` the tenant's tree (all or nothing), as a new version."""
    require_tenant(session)
    try:
        tree = OrgTree(units)
    except InvalidInput as e:
        raise UserError(e.args[0], where="units", hint=msg("correct the tree and save it again")
                        ) from None
    now = {u.code: u for u in current_units(session)}
    removed = set(now) - set(tree.units)
    used = _in_use(session, removed)
    if used:
        raise UserError(msg("units still in use cannot be removed: %(units)s",
                            units=[used[c] for c in sorted(used)]),
                        where="units", hint=msg("keep these units in the tree, or first move "
                                                "what refers to them to another unit"))
    added = changed = 0
    for code, unit in tree.units.items():
        row = now.get(code)
        if row is None:
            session.add(OrgUnit(code=code, name=unit.name, kind=unit.kind,
                                parent_code=unit.parent))
            added += 1
        elif (row.name, row.kind, row.parent_code) != (unit.name, unit.kind, unit.parent):
            row.name, row.kind, row.parent_code, row.updated_at = (
                unit.name, unit.kind, unit.parent, utcnow())
            changed += 1
    for code in removed:
        session.delete(now[code])
    if not (added or changed or removed):
        return TreeReport(len(tree), 0, 0, 0, None)
    snapshot = [{"code": c, "name": u.name, "kind": u.kind, "parent": u.parent}
                for c, u in tree.units.items()]
    number = _new_version(session, actor=actor, note=note, snapshot=snapshot,
                          subunits=subunits(session),
                          payload={"added": added, "changed": changed,
                                   "removed": sorted(removed)})
    return TreeReport(len(tree), added, changed, len(removed), number)


def _new_version(session: Session, *, actor: str, note: str, snapshot: list[dict[str, Any]],
                 subunits: bool, payload: dict[str, Any]) -> int:
    tenant_id = require_tenant(session)
    last = versions(session)
    number = (last[-1].number if last else 0) + 1
    version = OrgTreeVersion(number=number, actor=actor, note=note, snapshot=snapshot,
                             digest=digest(snapshot), subunits=subunits)
    session.add(version)
    session.flush()
    audit.record(session, tenant_id=tenant_id, action="units.version", object_type="org_tree",
                 object_id=number, payload={"number": number, "digest": version.digest,
                                            "subunits": subunits, **payload})
    return number


def import_units(session: Session, source: bytes | str | Path, filename: str | None = None,
                 *, actor: str) -> TreeReport:
    """Import a tree file: the file is the whole tree."""
    units = read_units(source, filename)
    return replace_tree(session, units, actor=actor,
                        note=f"import {filename or Path(str(source)).name}")


def _as_units(rows: Iterable[OrgUnit]) -> list[Unit]:
    return [Unit(u.code, u.name, u.kind, u.parent_code) for u in rows]


def save_unit(session: Session, *, code: str, name: str, kind: str, parent: str | None,
              actor: str) -> TreeReport:
    """Add a unit, or change the one of that code (edited in the browser)."""
    code, kind = normalise(code), normalise(kind)
    units = [u for u in _as_units(current_units(session)) if u.code != code]
    units.append(Unit(code, normalise(name), KIND_NAMES.get(kind, kind),
                      normalise(parent or "") or None))
    return replace_tree(session, units, actor=actor, note=f"save {code}")


def remove_unit(session: Session, code: str, *, actor: str) -> TreeReport:
    """Remove a unit (refused while units below it or anything else refers to it)."""
    units = _as_units(current_units(session))
    if code not in {u.code for u in units}:
        raise UserError(msg("no unit %(code)r in the tree", code=code), where="units")
    return replace_tree(session, [u for u in units if u.code != code], actor=actor,
                        note=f"remove {code}")


def acting_units(tree: OrgTree | None, units: frozenset[str] | None,
                 subunits: bool) -> frozenset[str] | None:
    """The units an operator limited to ``units`` acts for: those, and with ``subunits``
    every unit below them (None: every unit)."""
    if units is None or tree is None or not subunits:
        return units
    out = set(units)
    for code in units:
        if code in tree:
            out |= tree.descendants(code)
    return frozenset(out)



def subunits(session: Session) -> bool:
    """Whether an operator of a unit acts for its sub-units (the latest version says)."""
    last = versions(session)
    return bool(last and last[-1].subunits)


def set_subunits(session: Session, on: bool, *, actor: str) -> None:
    """Say whether an operator of a unit acts for its sub-units too: a new version."""
    if subunits(session) == on:
        return
    _new_version(session, actor=actor, note=f"subunits {'on' if on else 'off'}",
                 snapshot=versions(session)[-1].snapshot if versions(session) else [],
                 subunits=on, payload={"subunits": on})


def task_department(session: Session, department: str, division: str,
                    departments: Sequence[str], divisions: Sequence[str]) -> str:
    """The lead department of a new task. With a tree, every unit the task names must be in
    it, and the lead department is the 司局 of its division (filled in when left empty):
    MIIT 第十条第二款 binds the 处室 of one 司局, so the history must know each task's 司局."""
    tree = load_tree(session)
    if tree is None:
        return department
    department, division = normalise(department), normalise(division)
    named = [c for c in (department, division, *departments, *divisions) if normalise(c)]
    unknown = [c for c in dict.fromkeys(map(normalise, named)) if c not in tree]
    if unknown:
        raise UserError(msg("no unit %(codes)s in the organisation tree", codes=unknown),
                        where="department", hint=msg("name units by their codes "
                                                     "(`ssj units list`)"))
    if division:
        lead = tree.department_of(division)
        if department and department != lead:
            raise UserError(msg("division %(division)s belongs to %(lead)s, not to "
                                "%(department)s", division=division, lead=lead,
                                department=department), where="department")
        return lead
    return department

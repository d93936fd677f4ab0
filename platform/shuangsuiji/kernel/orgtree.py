"""The organisation tree of a tenant (组织机构): units, their 司局, and the checks a bundle's
``units`` object must pass (docs/draw-spec.md §6.4, docs/organisations.md).

A unit is a node: a 司局 (``department``), a 处室 (``division``), the 综合执法处
(``enforcement``) or a 下级主管部门 (``subordinate``). The **司局 of a unit** is its nearest
ancestor-or-self of kind ``department``, or, when it has none, its root. A unit **belongs to a
subordinate authority** when it or an ancestor below its 司局 is of kind ``subordinate``.

The tree decides two rules of MIIT 第八条第二款 and 第十条第二款:

- the same-quarter exclusion binds the *other 处室 of the task's own 司局* only: an earlier
  task of another unit of the same 司局 excludes, a task of another 司局 does not, and a task
  of the same unit is left to the once-a-year rule;
- the inspector scopes: ``within_department`` (本司局内: the task's 司局, without its
  subordinate authorities), ``with_subordinates`` (本司局与下级主管部门间),
  ``across_departments`` (跨司局) and ``unified`` (CQ 第六条: one pool the 综合执法处 allocates).

Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.messages import Message, msg

DEPARTMENT = "department"  # 司局 / 职能部门
DIVISION = "division"  # 处室 / 业务处室
ENFORCEMENT = "enforcement"  # 综合执法处
SUBORDINATE = "subordinate"  # 下级主管部门
#: The kinds of unit, in the order they are listed.
UNIT_KINDS: tuple[str, ...] = (DEPARTMENT, DIVISION, ENFORCEMENT, SUBORDINATE)
#: The bundle's optional top-level key holding the units (docs/draw-spec.md §6.4).
UNITS_KEY = "units"
SAME_QUARTER = "same_quarter_other_divisions"


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of the tree; ``parent`` None for a root."""

    code: str
    name: str
    kind: str
    parent: str | None = None


def tree_problems(units: Sequence[Unit]) -> list[tuple[int, Message]]:
    """What is wrong with ``units`` as a tree, as (index, message); empty when it is a tree.

    Checked: empty or duplicate codes, unknown kinds, unknown parents, cycles."""
    problems: list[tuple[int, Message]] = []
    first: dict[str, int] = {}
    for i, u in enumerate(units):
        if not u.code:
            problems.append((i, msg("the unit code is empty: give every unit a code")))
        elif u.code in first:
            problems.append((i, msg("unit code %(code)r occurs twice (also entry %(other)s): "
                                    "merge the two", code=u.code, other=first[u.code] + 1)))
        else:
            first[u.code] = i
        if not u.name:
            problems.append((i, msg("unit %(code)r has no name", code=u.code)))
        if u.kind not in UNIT_KINDS:
            problems.append((i, msg("unit %(code)r has kind %(kind)r; choose one of %(kinds)s",
                                    code=u.code, kind=u.kind, kinds=UNIT_KINDS)))
    parents = {u.code: u.parent for u in units if u.code}
    for i, u in enumerate(units):
        if u.parent is not None and u.parent not in parents:
            problems.append((i, msg("unit %(code)r names the parent %(parent)r, which is not "
                                    "in the tree: add it or correct the parent code",
                                    code=u.code, parent=u.parent)))
    reported: set[str] = set()
    for i, u in enumerate(units):
        seen: list[str] = []
        node: str | None = u.code
        while node is not None and node in parents and node not in seen:
            seen.append(node)
            node = parents[node]
        if node is not None and node in seen:
            cycle = seen[seen.index(node):]
            if u.code == node and not reported.intersection(cycle):
                reported.update(cycle)
                problems.append((i, msg("units %(cycle)s form a cycle (each is the parent of "
                                        "the next): give one of them another parent",
                                        cycle=" → ".join([*cycle, node]))))
    return sorted(problems, key=lambda p: p[0])


class OrgTree:
    """A checked tree of units, looked up by code."""

    def __init__(self, units: Iterable[Unit]) -> None:
        given = [
            Unit(canonical_text(u.code), canonical_text(u.name), canonical_text(u.kind),
                 None if u.parent in (None, "") else canonical_text(u.parent or ""))
            for u in units
        ]
        problems = tree_problems(given)
        if problems:
            i, problem = problems[0]
            raise InvalidInput(msg("organisation tree, unit %(n)s: %(problem)s", n=i + 1,
                                   problem=problem))
        self.units: dict[str, Unit] = {u.code: u for u in sorted(given, key=lambda u: u.code)}

    def __contains__(self, code: object) -> bool:
        return code in self.units

    def __len__(self) -> int:
        return len(self.units)

    def chain(self, code: str) -> list[Unit]:
        """The unit and its ancestors, from the unit up to its root."""
        out: list[Unit] = []
        node: str | None = code
        while node is not None:
            unit = self.units[node]
            out.append(unit)
            node = unit.parent
        return out

    def department_of(self, code: str) -> str:
        """The code of the unit's 司局: its nearest ancestor-or-self of kind department,
        else its root."""
        chain = self.chain(code)
        for unit in chain:
            if unit.kind == DEPARTMENT:
                return unit.code
        return chain[-1].code

    def subordinate(self, code: str) -> bool:
        """Whether the unit belongs to a subordinate authority (下级主管部门) of its 司局."""
        for unit in self.chain(code):
            if unit.kind == DEPARTMENT:
                return False
            if unit.kind == SUBORDINATE:
                return True
        return False

    def within(self, code: str, ancestor: str) -> bool:
        """Whether ``code`` is ``ancestor`` or one of its descendants."""
        return any(u.code == ancestor for u in self.chain(code))

    def descendants(self, code: str) -> set[str]:
        """``code`` and every unit below it."""
        return {c for c in self.units if self.within(c, code)}

    def quarter_excludes(self, task_unit: str, other_unit: str) -> bool:
        """MIIT 第十条第二款: whether an earlier task of ``other_unit`` in the same quarter
        excludes its targets from a task of ``task_unit``: another unit of the same 司局."""
        return other_unit != task_unit and (
            self.department_of(other_unit) == self.department_of(task_unit)
        )

    def rows(self) -> list[list[Any]]:
        """The bundle's form: ``[code, name, kind, parent|null]`` sorted by code."""
        return [[u.code, u.name, u.kind, u.parent] for u in self.units.values()]


def tree_from_rows(rows: Any, path: str = "units.tree") -> OrgTree:
    """Read a bundle's ``[code, name, kind, parent|null]`` rows; InvalidInput if malformed."""
    if not isinstance(rows, list):
        raise InvalidInput(msg("%(path)s: expected a list of units", path=path))
    units: list[Unit] = []
    for i, row in enumerate(rows):
        ok = (isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row[:3])
              and (row[3] is None or isinstance(row[3], str)))
        if not ok:
            raise InvalidInput(msg("%(path)s[%(i)s]: expected [code, name, kind, parent or "
                                   "null]", path=path, i=i))
        units.append(Unit(row[0], row[1], row[2], row[3]))
    tree = OrgTree(units)
    if tree.rows() != rows:
        raise InvalidInput(msg("%(path)s: units must be in canonical text and sorted by code",
                               path=path))
    return tree


def units_object(tree: OrgTree, triggers: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The bundle's ``units`` object: the tree, and the 司局 and unit of each task named as
    the trigger of a same-quarter exclusion (``triggers``: task id → (department, division)),
    sorted by task id."""
    return {
        "tree": tree.rows(),
        "triggers": [[t, d, v] for t, (d, v) in sorted(triggers.items(),
                                                        key=lambda kv: kv[0].encode())],
    }


Problem = tuple[str, Any, Any, str]


def units_check(bundle: Mapping[str, Any]) -> Problem | None:
    """The first way the bundle breaks the rules its ``units`` decide, or None (also when it
    has no ``units``): the task's and each inspector's 司局 and subordinate flag as the tree
    gives them, and each same-quarter exclusion triggered by another unit of the task's own
    司局 (MIIT 第十条第二款)."""
    if UNITS_KEY not in bundle:
        return None
    units = bundle[UNITS_KEY]
    if not isinstance(units, dict) or sorted(units) != ["tree", "triggers"]:
        return (UNITS_KEY, ["tree", "triggers"], units,
                msg("expected an object with the keys tree and triggers"))
    try:
        tree = tree_from_rows(units["tree"])
    except InvalidInput as e:
        return ("units.tree", None, None, str(e))
    task = bundle.get("task")
    if not isinstance(task, dict):
        return None
    department, division = task.get("department"), task.get("division")
    if isinstance(division, str) and division in tree and (
            department != tree.department_of(division)):
        return ("task.department", tree.department_of(division), department,
                msg("the task's department is not the 司局 of its unit %(unit)s in the tree",
                    unit=division))
    for i, p in enumerate(bundle.get("inspectors") or ()):
        if not isinstance(p, dict) or p.get("division") not in tree:
            continue
        unit = p["division"]
        if p.get("department") != tree.department_of(unit):
            return (f"inspectors[{i}].department", tree.department_of(unit),
                    p.get("department"), msg("the inspector's department is not the 司局 of "
                                             "their unit %(unit)s in the tree", unit=unit))
        if p.get("subordinate") is not tree.subordinate(unit):
            return (f"inspectors[{i}].subordinate", tree.subordinate(unit),
                    p.get("subordinate"), msg("the inspector's subordinate flag does not "
                                              "follow their unit %(unit)s in the tree",
                                              unit=unit))
    return _trigger_check(units["triggers"], tree, task, bundle)


def _trigger_check(rows: Any, tree: OrgTree, task: dict[str, Any],
                   bundle: Mapping[str, Any]) -> Problem | None:
    ok = isinstance(rows, list) and all(
        isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r) for r in rows)
    if not ok:
        return ("units.triggers", None, None,
                msg("expected a list of [task id, department, division]"))
    ids = [r[0] for r in rows]
    if ids != sorted(set(ids), key=str.encode):
        return ("units.triggers", None, None,
                msg("triggers must be sorted by task id and unique"))
    known = {r[0]: (r[1], r[2]) for r in rows}
    pool = bundle.get("pool")
    excluded = pool.get("excluded") if isinstance(pool, dict) else None
    for i, row in enumerate(excluded or ()):
        if not (isinstance(row, list) and len(row) == 4 and row[2] == SAME_QUARTER):
            continue
        if row[3] not in known:
            return (f"pool.excluded[{i}][3]", None, row[3],
                    msg("the task that triggered a same-quarter exclusion is not among "
                        "units.triggers"))
        dept, unit = known[row[3]]
        if unit in tree and dept != tree.department_of(unit):
            return (f"pool.excluded[{i}][3]", tree.department_of(unit), dept,
                    msg("the triggering task's department is not the 司局 of its unit in "
                        "the tree"))
        if dept != task.get("department") or unit == task.get("division"):
            return (f"pool.excluded[{i}]", None, row[3], msg(
                "the same-quarter exclusion (MIIT 第十条第二款) binds other 处室 of the "
                "task's own 司局 only; task %(trigger)s is of %(dept)s / %(unit)s",
                trigger=row[3], dept=dept, unit=unit))
    return None

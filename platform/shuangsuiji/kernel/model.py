"""The kernel's plain data: what goes in (targets, inspections, task, people) and what comes out.

Every type is a frozen dataclass of plain values. Dates are calendar dates in China
(Asia/Shanghai); the services layer decides them, the kernel never reads a clock.
"""

# whole-module: the kernel's plain data, one type per term of docs/draw-spec.md (inputs,
# the frozen pool, the result); a reader looks every type up in one place, and the types
# share nothing but that.

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, overload

from shuangsuiji.rules import (
    Citation,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    RecusalRule,
    RiskRule,
)

#: Statuses of an earlier inspection. Voided draws do not count (they are skipped).
COUNTED_STATUSES: tuple[str, ...] = ("ongoing", "completed")
VOIDED = "voided"

#: Name of the stratum of targets carrying no risk flag of the pack.
GENERAL = "general"
#: Prefix of the name of a risk stratum: ``"risk:complaints"``.
RISK_PREFIX = "risk:"


# --- inputs of freeze_pool -------------------------------------------------------------


class Target(NamedTuple):
    """A candidate target (检查对象): credit code (USCC), name, risk flags in force.

    A named tuple rather than a dataclass: pools hold a million of them, and tuples are
    built, compared and unpacked in C.
    """

    credit_code: str
    name: str
    flags: frozenset[str] = frozenset()


class Candidates(NamedTuple):
    """A chunk of candidate targets as columns: the cheap form of many :class:`Target`.

    ``flags`` maps a position in the chunk to the flags of that target; positions absent
    carry no flag.
    """

    codes: Sequence[str]
    names: Sequence[str]
    flags: Mapping[int, frozenset[str]]


class CandidateText(NamedTuple):
    """A chunk of candidate targets as one text: the cheapest form a database can give.

    ``text`` is ``rows`` lines ``credit code<TAB>name`` joined by LF (no LF after the last),
    as an aggregate such as SQLite's ``group_concat`` or PostgreSQL's ``string_agg`` builds
    it; in credit-code order if the database can (the kernel sorts anyway, and sorted input
    makes that linear). ``flags`` maps the credit code of each target of the chunk that
    carries risk flags to them. ``rows`` is the number of targets the database counted:
    a line lost in the aggregate (a NULL column) is an error, not a smaller pool.
    """

    text: str
    rows: int
    flags: Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Inspection:
    """An earlier inspection of a target by this tenant, used by the exclusions."""

    credit_code: str
    item_code: str
    date: date
    division: str
    task_id: str
    status: str = "completed"  # "ongoing" | "completed" ("voided" is skipped)
    #: the 司局 of the task (MIIT 第十条第二款 binds the 处室 of one 司局); "" unknown
    department: str = ""


@dataclass(frozen=True, slots=True)
class TaskInspections:
    """The earlier inspections of one task as one record: the cheap form of many
    :class:`Inspection`, one per target it selected (``credit_codes``) and item it covers.

    A database holds a task's targets as its draw's selections; passing them per task lets
    the kernel decide the exclusions task by task instead of row by row.
    """

    task_id: str
    item_codes: tuple[str, ...]
    date: date
    division: str
    status: str  # "ongoing" | "completed" | "voided" (skipped)
    credit_codes: Sequence[str]
    #: the 司局 of the task (MIIT 第十条第二款 binds the 处室 of one 司局); "" unknown
    department: str = ""

    def inspections(self) -> Iterator[Inspection]:
        """The same inspections one by one."""
        for code in self.credit_codes:
            for item in self.item_codes:
                yield Inspection(code, item, self.date, self.division, self.task_id, self.status,
                                 self.department)


@dataclass(frozen=True)
class Task:
    """The task (抽查任务) whose pool is frozen."""

    task_id: str
    item_codes: tuple[str, ...]
    start_date: date
    department: str
    division: str
    special: bool = False  # 专项检查 / 拉网式检查: no sampling exclusions
    joint: bool = False  # 联合抽查: the same-quarter rule does not apply

    @property
    def year(self) -> int:
        return self.start_date.year

    @property
    def quarter(self) -> int:
        return quarter_of(self.start_date)


def quarter_of(day: date) -> int:
    """Calendar quarter (1–4) of ``day``."""
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Sampling:
    """Per-task sampling parameters: ratio in per mille, and bounds on each stratum's size."""

    ratio_permille: int
    min_count: int = 0
    max_count: int | None = None


@dataclass(frozen=True)
class PoolRules:
    """The rules that shaped the pool, as the packs returned them."""

    exclusion_policy: ExclusionPolicy
    extra_exclusions: tuple[ExclusionRule, ...] = ()
    risk_rules: tuple[RiskRule, ...] = ()


# --- the frozen pool -------------------------------------------------------------------


class Exclusion(NamedTuple):
    """A target left out of the pool, with the rule and the earlier task that triggered it.

    A named tuple: a large directory excludes a couple of hundred thousand targets.
    """

    credit_code: str
    name: str
    rule_code: str
    citation: Citation
    trigger_task_id: str | None  # None for rules that no earlier task triggers ("flag")


#: Start of a member's digest line (docs/draw-spec.md §3.3).
MEMBER_PREFIX = b"member\t"


def line_code(line: bytes) -> bytes:
    """The credit code (UTF-8) of a member's digest line."""
    return line[7 : line.index(b"\t", 7)]


def line_target(line: bytes) -> Target:
    """The :class:`Target` of a member's digest line."""
    _, code, name, flags = line.decode("utf-8").split("\t")
    return Target(code, name, frozenset(flags.split(",")) if flags else frozenset())


class Members(Sequence[Target]):
    """The members of a stratum as :class:`Target` tuples, decoded from their lines on access.

    ``len()`` costs nothing; iterating a million members builds a million tuples.
    """

    __slots__ = ("_lines",)

    def __init__(self, lines: Sequence[bytes]) -> None:
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, i: int) -> Target: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Target]: ...
    def __getitem__(self, i: int | slice) -> Target | Sequence[Target]:
        if isinstance(i, slice):
            return [line_target(x) for x in self._lines[i]]
        return line_target(self._lines[i])

    def __iter__(self) -> Iterator[Target]:
        return map(line_target, self._lines)


@dataclass(frozen=True)
class Stratum:
    """One stratum of the pool: its members in canonical order and how many to draw.

    ``lines`` are the members' digest lines (``member<TAB>code<TAB>name<TAB>flags``, UTF-8,
    no LF), in canonical order; :attr:`members` reads them as :class:`Target` tuples.
    """

    name: str
    ratio_permille: int
    size: int
    lines: Sequence[bytes]

    @property
    def members(self) -> Members:
        return Members(self.lines)

    def code_at(self, i: int) -> str:
        """Credit code of the member at position ``i``."""
        return line_code(self.lines[i]).decode("utf-8")


@dataclass(frozen=True)
class FrozenPool:
    """The pool as shown before the draw; ``digest`` is published before the seed is known."""

    task: Task
    sampling: Sampling
    rules: PoolRules
    strata: tuple[Stratum, ...]
    #: in canonical order; a tuple, or (a verifier's) :class:`ExclusionLines`
    excluded: Sequence[Exclusion]
    digest: str
    #: The excluded targets' digest lines (UTF-8, in chunks), kept from the digest so the
    #: stored pool does not format them again.
    excluded_text: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    @property
    def size(self) -> int:
        """Number of targets in the pool (all strata)."""
        return sum(len(s.lines) for s in self.strata)


# --- inputs of draw --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    """A credential (执法证 / 工作证) and the last day it is valid (None: no expiry)."""

    kind: str
    expires: date | None = None


@dataclass(frozen=True)
class Inspector:
    """A person of the inspector directory (执法检查人员名录库)."""

    person_id: str
    name: str
    department: str
    division: str = ""
    subordinate: bool = False  # belongs to a subordinate authority (下级主管部门) of department
    credentials: tuple[Credential, ...] = ()


@dataclass(frozen=True)
class Expert:
    """A person of the expert directory (专家名录库)."""

    person_id: str
    name: str


@dataclass(frozen=True)
class Participant:
    """A participant (参与单位) of a joint task (联合抽查): its items and its inspector quota
    per group; its inspectors are those whose division or department is one of ``units``
    (kernel/quotas.py, docs/draw-spec.md §6.5)."""

    code: str
    name: str
    tenant: str
    units: tuple[str, ...]
    item_codes: tuple[str, ...]
    quota: int = 1


@dataclass(frozen=True)
class DrawParams:
    """How to draw people and batches for a task.

    Give ``group_count`` or ``targets_per_group`` (neither: no inspector groups are drawn).
    ``group_size`` defaults to the pack's minimum. ``inspection_date`` (default: the task's
    start date) is the day credentials must still be valid on.
    """

    scope: str = "within_department"
    group_count: int | None = None
    targets_per_group: int | None = None
    group_size: int | None = None
    experts_count: int = 0
    batch_count: int | None = None
    inspection_date: date | None = None


@dataclass(frozen=True)
class DrawRules:
    """The pack rules the draw of batches and people obeys."""

    item_category: ItemCategory
    group_rule: GroupRule
    eligibility: Eligibility


# --- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumDraw:
    """The targets drawn from one stratum, in drawn order."""

    name: str
    selected: tuple[str, ...]


@dataclass(frozen=True)
class Batch:
    """An inspection batch: ``number`` counts batches before their order was drawn."""

    number: int
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """An inspection group (检查组): members in drawn order, its leader (组长), its targets."""

    number: int
    members: tuple[str, ...]
    leader: str | None
    targets: tuple[str, ...]


@dataclass(frozen=True)
class RecusalStep:
    """One recusal (回避), as asked and as carried out."""

    step: int
    person_id: str
    target_id: str
    mode: str  # "swap" | "withdraw"
    rule: RecusalRule
    conflicts: tuple[tuple[str, str], ...]  # declared (person_id, credit_code), sorted
    role: str  # "inspector" | "expert"
    group: int | None  # the person's group (inspectors)
    replacement: str | None = None  # withdraw: who was drawn in
    new_leader: str | None = None  # withdraw of a leader: the leader drawn anew
    swap_group: int | None = None  # swap: the other group
    swap_target: str | None = None  # swap: the target received in exchange


@dataclass(frozen=True)
class DrawResult:
    """A draw: targets per stratum, batches, groups, experts, and recusals applied since.

    ``groups`` and ``experts`` are as drawn; ``final_groups`` and ``final_experts`` are
    after every recusal step in ``recusals``.
    """

    pool: FrozenPool
    seed: str
    params: DrawParams
    rules: DrawRules
    inspectors: tuple[Inspector, ...]
    experts_directory: tuple[Expert, ...]
    strata: tuple[StratumDraw, ...]
    batches: tuple[Batch, ...]
    eligible_inspectors: tuple[str, ...]
    groups: tuple[Group, ...]
    experts: tuple[str, ...]
    final_groups: tuple[Group, ...]
    final_experts: tuple[str, ...]
    recusals: tuple[RecusalStep, ...] = field(default_factory=tuple)
    #: conflicts of interest declared in the announcement (person id, credit code), sorted
    conflicts: tuple[tuple[str, str], ...] = ()
    #: the participants of a joint task with their quotas (§6.5); empty when not joint
    participants: tuple[Participant, ...] = ()

    @property
    def selected(self) -> tuple[str, ...]:
        """Every drawn target, in inspection order (batch order when batches were drawn)."""
        if self.batches:
            return tuple(code for b in self.batches for code in b.targets)
        return tuple(code for s in self.strata for code in s.selected)


@dataclass(frozen=True)
class RecusalOutcome:
    """What :func:`apply_recusal` returns: the step taken and the result after it."""

    step: RecusalStep
    result: DrawResult

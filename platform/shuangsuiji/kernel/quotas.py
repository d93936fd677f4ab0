"""Joint tasks (联合抽查): participants, their inspectors and the quota of each per group.

docs/draw-spec.md §6.5. A joint task names its participants (units of one tenant, or
tenants), each with its items and a quota: the least number of its own inspectors in every
group (default 1). The groups are drawn by participant first — participant ``p`` (in code
order) fills ``quota`` places of every group from its own eligible inspectors on stream
``inspectors/<code>`` — and the places left over are drawn from the rest of the eligible
inspectors of every participant on stream ``inspectors``. A person replaced later (a
declared conflict, §4 6a; a withdrawal, §5) is replaced by another of the same participant,
so the quotas hold to the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput, NotEnoughPeople, RuleRefused
from shuangsuiji.kernel.model import (
    DrawParams,
    DrawRules,
    Group,
    Inspector,
    Participant,
    Task,
)
from shuangsuiji.kernel.people import LEADERS_LABEL
from shuangsuiji.kernel.streams import Stream, sample
from shuangsuiji.messages import msg

JOINT_KEY = "joint"
QUOTA_LABEL = "inspectors/"  # + participant code
REST_LABEL = "inspectors"


def canonical_participants(participants: Iterable[Participant],
                           task: Task) -> tuple[Participant, ...]:
    """Participants in canonical text, sorted by code, checked against ``task``.

    Refused: fewer than two participants, a code twice, a quota below 1, an item of no
    participant or of two, an item a participant names that the task does not cover.
    """
    out = sorted(
        (Participant(canonical_text(p.code), canonical_text(p.name), canonical_text(p.tenant),
                     tuple(sorted({canonical_text(u) for u in p.units}, key=_key)),
                     tuple(sorted({canonical_text(i) for i in p.item_codes}, key=_key)),
                     p.quota)
         for p in participants),
        key=lambda p: _key(p.code),
    )
    if len(out) < 2:
        raise InvalidInput(msg("a joint inspection (联合抽查) needs at least two participants; "
                               "%(n)s given", n=len(out)))
    owner: dict[str, str] = {}
    seen: set[str] = set()
    for p in out:
        if p.code in seen or not p.code:
            raise InvalidInput(msg("participant %(code)r is named twice or has no code",
                                   code=p.code))
        seen.add(p.code)
        if isinstance(p.quota, bool) or not isinstance(p.quota, int) or p.quota < 1:
            raise InvalidInput(msg("participant %(code)s: the quota %(quota)r must be a whole "
                                   "number of at least 1", code=p.code, quota=p.quota))
        if not p.units:
            raise InvalidInput(msg("participant %(code)s names no unit its inspectors come "
                                   "from", code=p.code))
        if not p.item_codes:
            raise InvalidInput(msg("participant %(code)s brings no item", code=p.code))
        for item in p.item_codes:
            if item in owner:
                raise InvalidInput(msg("item %(item)s is brought by both %(a)s and %(b)s: each "
                                       "item belongs to one participant", item=item,
                                       a=owner[item], b=p.code))
            owner[item] = p.code
    if set(owner) != set(task.item_codes):
        missing = sorted(set(task.item_codes) - set(owner), key=_key)
        extra = sorted(set(owner) - set(task.item_codes), key=_key)
        raise InvalidInput(msg("the participants' items %(found)s are not the task's items "
                               "(no participant: %(missing)s; not of the task: %(extra)s)",
                               found=sorted(owner, key=_key), missing=missing or "-",
                               extra=extra or "-"))
    return tuple(out)


def _key(s: str) -> bytes:
    return s.encode("utf-8")


def participant_of(person: Inspector, participants: Sequence[Participant]) -> str | None:
    """The code of the first participant (code order) one of whose units is the person's
    division, else their department; None when the person is of no participant."""
    for p in participants:
        if person.division in p.units or person.department in p.units:
            return p.code
    return None


def sides(directory: Sequence[Inspector], participants: Sequence[Participant]) -> dict[str, str]:
    """Person id → participant code, for the people of some participant."""
    out: dict[str, str] = {}
    for person in directory:
        code = participant_of(person, participants)
        if code is not None:
            out[person.person_id] = code
    return out


def joint_eligible(eligible: Sequence[str], side: Mapping[str, str]) -> tuple[str, ...]:
    """The eligible inspectors of a joint task: those of a participant (canonical order)."""
    return tuple(p for p in eligible if p in side)


def draw_joint_groups(
    seed: str,
    eligible: tuple[str, ...],
    side: Mapping[str, str],
    participants: Sequence[Participant],
    order: Sequence[str],
    params: DrawParams,
    rules: DrawRules,
    count: int,
) -> tuple[Group, ...]:
    """The groups of a joint task (§6.5): each participant's quota first, then the rest."""
    rule = rules.group_rule
    size = rule.min_size if params.group_size is None else params.group_size
    if size < rule.min_size:
        raise RuleRefused(msg(
            "groups of %(size)s are too small: at least %(minimum)s inspectors per group "
            "(%(cite)s)", size=size, minimum=rule.min_size, cite=str(rule.cite),
        ))
    total = sum(p.quota for p in participants)
    if total > size:
        raise InvalidInput(msg(
            "the participants' quotas add up to %(total)s inspectors per group, more than the "
            "group size %(size)s: raise the group size or lower a quota", total=total, size=size))
    chosen: list[list[str]] = [[] for _ in range(count)]
    taken: set[str] = set()
    for p in participants:
        own = [x for x in eligible if side.get(x) == p.code]
        need = count * p.quota
        if len(own) < need:
            raise NotEnoughPeople(
                msg("participant %(code)s (%(name)s) has %(eligible)s eligible inspectors; "
                    "%(count)s groups with %(quota)s each need %(need)s: %(missing)s missing — "
                    "add inspectors of %(name)s, lower its quota or form fewer groups",
                    code=p.code, name=p.name, eligible=len(own), count=count, quota=p.quota,
                    need=need, missing=need - len(own)),
                needed=need, available=len(own))
        picks = [own[i] for i in sample(Stream(seed, QUOTA_LABEL + p.code), len(own), need)]
        for g in range(count):
            chosen[g].extend(picks[g * p.quota:(g + 1) * p.quota])
        taken.update(picks)
    rest = [x for x in eligible if x not in taken]
    free = size - total
    need = count * free
    if len(rest) < need:
        raise NotEnoughPeople(
            msg("after the participants' quotas %(rest)s eligible inspectors are left for "
                "%(need)s other places (%(count)s groups of %(size)s): %(missing)s missing — add "
                "inspectors or form smaller groups", rest=len(rest), need=need, count=count,
                size=size, missing=need - len(rest)),
            needed=need, available=len(rest))
    if need:
        picks = [rest[i] for i in sample(Stream(seed, REST_LABEL), len(rest), need)]
        for g in range(count):
            chosen[g].extend(picks[g * free:(g + 1) * free])
    leaders = Stream(seed, LEADERS_LABEL)
    groups = []
    for g in range(count):
        members = tuple(chosen[g])
        leader = members[leaders.below(size)] if rule.leader else None
        groups.append(Group(g + 1, members, leader, tuple(order[g::count])))
    return tuple(groups)


def joint_object(participants: Sequence[Participant]) -> dict[str, Any]:
    """The bundle's ``joint`` object (§6.5)."""
    return {"participants": [
        {"code": p.code, "name": p.name, "tenant": p.tenant, "units": list(p.units),
         "item_codes": list(p.item_codes), "quota": p.quota} for p in participants]}

"""The draw spec (docs/draw-spec.md) written out plainly, section by section: read this first.

This is the short reference implementation of §1–§5: canonical text and order, the random
streams, exclusions, strata and sizes, the pool's canonical lines and digest, the draw
(targets, batches, eligible inspectors, groups, leaders, declared conflicts, experts) and
the withdraw recusal. It is written in the spec's own order and words, with none of the
fast path's tricks (no byte-translate tables, no text pages, no lazy member lists): lists,
dicts and loops a reader checks line by line against the text.

The real draw (:mod:`.pool`, :mod:`.draw`, :mod:`.people`, :mod:`.recusal`) must agree with
it: ``tests/kernel/test_reference.py`` draws random pools and configurations through both
and compares every field. Nothing here is imported by the platform.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from datetime import date
from typing import Any

from shuangsuiji.kernel.model import (
    DrawParams,
    DrawRules,
    Expert,
    Inspection,
    Inspector,
    Participant,
    PoolRules,
    Sampling,
    Target,
    Task,
)
from shuangsuiji.rules import Citation


# §1 Canonical text, order and JSON -------------------------------------------------------
def canonical(s: str) -> str:
    return unicodedata.normalize("NFC", s).strip()  # str.strip() removes what isspace() is


def order_key(s: str) -> bytes:
    return s.encode("utf-8")  # ascending UTF-8 bytes


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# §2 Random streams -----------------------------------------------------------------------
class Stream:
    def __init__(self, seed: str, label: str) -> None:
        self.seed, self.label, self.c = seed, label, 0
        self.words: list[int] = []

    def word(self) -> int:
        if not self.words:  # block(seed, label, c) = HMAC-SHA256(seed, label || uint64_be(c))
            block = hmac.new(self.seed.encode(), self.label.encode() + self.c.to_bytes(8, "big"),
                             hashlib.sha256).digest()
            self.words = [int.from_bytes(block[i:i + 8], "big") for i in (0, 8, 16, 24)]
            self.c += 1
        return self.words.pop(0)

    def below(self, n: int) -> int:
        limit = 2**64 - (2**64 % n)
        while True:
            w = self.word()
            if w < limit:
                return w % n


def sample(stream: Stream, n: int, k: int) -> list[int]:
    a = list(range(n))  # the virtual array, here a real one
    out = []
    for i in range(k):
        j = i + stream.below(n - i)
        a[i], a[j] = a[j], a[i]
        out.append(a[i])
    return out


# §3 The frozen pool ----------------------------------------------------------------------
def cite(c: Citation) -> dict[str, str]:
    return {"pack": c.pack, "version": c.version, "article": c.article}


def header(task: Task, sampling: Sampling, rules: PoolRules) -> dict[str, Any]:
    """The bundle's ``task``, ``sampling`` and ``pool_rules`` objects (§6)."""
    p = rules.exclusion_policy
    return {
        "task": {"task_id": canonical(task.task_id),
                 "item_codes": sorted({canonical(i) for i in task.item_codes}, key=order_key),
                 "start_date": task.start_date.isoformat(),
                 "department": canonical(task.department), "division": canonical(task.division),
                 "special": task.special, "joint": task.joint},
        "sampling": {"ratio_permille": sampling.ratio_permille, "min_count": sampling.min_count,
                     "max_count": sampling.max_count},
        "rules": {
            "exclusion_policy": {"once_per_year": p.once_per_year,
                                 "same_quarter_other_divisions": p.same_quarter_other_divisions,
                                 "exempt_risk_flags": sorted(p.exempt_risk_flags, key=order_key),
                                 "cite": cite(p.cite)},
            "extra_exclusions": [{"code": r.code, "kind": r.kind,
                                  "params": [[k, v] for k, v in r.params], "cite": cite(r.cite)}
                                 for r in rules.extra_exclusions],
            "risk_rules": [{"flag": r.flag, "ratio_permille": r.ratio_permille,
                            "multiplier": r.multiplier, "cite": cite(r.cite)}
                           for r in rules.risk_rules],
        },
    }


def exclusion(t: Target, flags: set[str], earlier: list[Inspection], task: Task,
              rules: PoolRules) -> tuple[str, str, str | None] | None:
    """§3.1: (rule code, article, trigger task id) of the first rule that excludes ``t``."""
    if task.special:
        return None
    day, p = task.start_date, rules.exclusion_policy
    quarter = (day.month - 1) // 3 + 1
    mine = [i for i in earlier if canonical(i.credit_code) == t.credit_code]

    def first(found: list[Inspection]) -> str | None:  # earliest date, then smallest task id
        found.sort(key=lambda i: (i.date, order_key(canonical(i.task_id))))
        return canonical(found[0].task_id) if found else None

    if not flags & set(p.exempt_risk_flags):
        items = {canonical(c) for c in task.item_codes}
        if p.once_per_year:
            hit = [i for i in mine if canonical(i.item_code) in items and i.date.year == day.year]
            if hit:
                return "once_per_year", p.cite.article, first(hit)
        if p.same_quarter_other_divisions and not task.joint:
            hit = [i for i in mine if i.date.year == day.year
                   and (i.date.month - 1) // 3 + 1 == quarter
                   and canonical(i.division) != canonical(task.division)]
            if hit:
                return "same_quarter_other_divisions", p.cite.article, first(hit)
    for r in rules.extra_exclusions:
        exempt = {f for f in str(dict(r.params).get("exempt_flags", "")).split(",") if f}
        if flags & exempt:
            continue
        if r.kind == "flag" and str(r.param("flag")) in flags:
            return r.code, r.cite.article, None
        if r.kind == "recently_inspected":
            since = date.fromordinal(day.toordinal() - int(r.param("days")))
            hit = [i for i in mine if i.date >= since]
            if hit:
                return r.code, r.cite.article, first(hit)
    return None


def stratum(flag: str) -> str:
    """§3.2: a credit-risk class's stratum is named by its flag ``class:<code>``, a risk
    flag's ``risk:<flag>``."""
    return flag if flag.startswith("class:") else "risk:" + flag


def size(n: int, ratio: int, sampling: Sampling) -> int:
    s = max((n * ratio + 999) // 1000, sampling.min_count)
    if sampling.max_count is not None:
        s = min(s, sampling.max_count)
    return min(s, n)


def freeze(targets: list[Target], history: list[Inspection], task: Task, sampling: Sampling,
           rules: PoolRules) -> dict[str, Any]:
    """§3: the strata (name, ratio, size, members) and the excluded, then §3.3 the digest."""
    earlier = [i for i in history if i.status != "voided" and i.date <= task.start_date
               and canonical(i.task_id) != canonical(task.task_id)]
    rows = sorted(((canonical(t.credit_code), canonical(t.name), {canonical(f) for f in t.flags})
                   for t in targets), key=lambda r: order_key(r[0]))
    members: dict[str, list[tuple[str, str, set[str]]]] = {}
    excluded = []
    for code, name, flags in rows:
        why = exclusion(Target(code, name), flags, earlier, task, rules)
        if why is not None:
            excluded.append((code, name, *why))
            continue
        if len({f for f in flags if f.startswith("class:")}) > 1:
            raise ValueError(f"{code}: two credit-risk classes")  # one class at a time
        rule = next((r for r in rules.risk_rules if r.flag in flags), None)
        members.setdefault(stratum(rule.flag) if rule else "general", []).append(
            (code, name, flags))
    strata = []
    for rule in (*rules.risk_rules, None):
        name = stratum(rule.flag) if rule else "general"
        if name not in members:
            continue
        ratio = (min(1000, max(sampling.ratio_permille * rule.multiplier, rule.ratio_permille))
                 if rule else sampling.ratio_permille)
        strata.append((name, ratio, size(len(members[name]), ratio, sampling), members[name]))
    lines = ["shuangsuiji-pool/1", canonical_json(header(task, sampling, rules))]
    for name, ratio, k, ms in strata:
        lines.append(f"stratum\t{name}\t{ratio}\t{k}\t{len(ms)}")
        lines += [f"member\t{c}\t{n}\t{','.join(sorted(f, key=order_key))}" for c, n, f in ms]
    lines += [f"excluded\t{c}\t{n}\t{rule}\t{article}\t{trigger or ''}"
              for c, n, rule, article, trigger in excluded]
    text = "".join(line + "\n" for line in lines)
    return {"strata": strata, "excluded": excluded,
            "digest": hashlib.sha256(text.encode()).hexdigest()}


# §4 The draw -----------------------------------------------------------------------------
def eligible(directory: list[Inspector], task: Task, params: DrawParams,
             rules: DrawRules) -> list[str]:
    on = params.inspection_date or task.start_date
    out = []
    for p in sorted(directory, key=lambda p: order_key(canonical(p.person_id))):
        in_scope = {"within_department": canonical(p.department) == canonical(task.department)
                    and not p.subordinate,
                    "with_subordinates": canonical(p.department) == canonical(task.department),
                    "across_departments": True}[params.scope]
        held = any(c.kind in rules.eligibility.credentials
                   and (not rules.eligibility.valid_on_date or c.expires is None or c.expires >= on)
                   for c in p.credentials)
        if in_scope and held:
            out.append(canonical(p.person_id))
    return out


def draw(pool: dict[str, Any], seed: str, task: Task, sampling: Sampling, rules: DrawRules,
         params: DrawParams, inspectors: list[Inspector], experts: list[Expert],
         conflicts: set[tuple[str, str]],
         participants: list[Participant] | None = None) -> dict[str, Any]:
    strata = [(name, [ms[i][0] for i in sample(Stream(seed, "targets/" + name), len(ms), k)])
              for name, _, k, ms in pool["strata"]]  # step 1
    drawn = [c for _, chosen in strata for c in chosen]
    order, batches = drawn, []
    if params.batch_count and params.batch_count >= 2:  # step 2 (refusals left to the kernel)
        b, runs, start = params.batch_count, [], 0
        for r in range(b):
            end = start + len(drawn) // b + (1 if r < len(drawn) % b else 0)
            runs.append((r + 1, drawn[start:end]))
            start = end
        batches = [runs[i] for i in sample(Stream(seed, "batches"), b, b)]
        order = [c for _, run in batches for c in run]
    ok = eligible(inspectors, task, params, rules)  # step 3
    joint = sorted(participants or [], key=lambda p: order_key(p.code))  # §6.5
    side: dict[str, str] = {}
    for person in inspectors:
        for p in joint:
            if canonical(person.division) in p.units or canonical(person.department) in p.units:
                side[canonical(person.person_id)] = p.code
                break
    if joint:
        ok = [p for p in ok if p in side]
    groups: list[dict[str, Any]] = []
    if params.group_count or params.targets_per_group:  # step 4
        g = params.group_count or -(-len(drawn) // (params.targets_per_group or 1))
        m = max(params.group_size or rules.group_rule.min_size, rules.group_rule.min_size)
        places: list[list[str]] = [[] for _ in range(g)]
        for p in joint:  # §6.5: each participant's quota first, on its own stream
            own = [x for x in ok if side[x] == p.code]
            d = sample(Stream(seed, "inspectors/" + p.code), len(own), g * p.quota)
            for n in range(g):
                places[n] += [own[i] for i in d[n * p.quota:(n + 1) * p.quota]]
        rest = [x for x in ok if not any(x in c for c in places)]
        free_places = m - sum(p.quota for p in joint)
        d = sample(Stream(seed, "inspectors"), len(rest), g * free_places)
        for n in range(g):
            places[n] += [rest[i] for i in d[n * free_places:(n + 1) * free_places]]
        leaders = Stream(seed, "leaders")
        for n in range(1, g + 1):
            members = places[n - 1]
            leader = members[leaders.below(m)] if rules.group_rule.leader else None  # step 5
            groups.append({"number": n, "members": members, "leader": leader,
                           "targets": [c for p, c in enumerate(order) if p % g == n - 1]})
        stream, out = Stream(seed, "conflicts"), set()  # step 6a
        for group in groups:
            for i, person in enumerate(group["members"]):
                if any((person, t) in conflicts for t in group["targets"]):
                    taken = {p for gr in groups for p in gr["members"]}
                    free = [p for p in ok if p not in taken and p not in out
                            and not any((p, t) in conflicts for t in group["targets"])
                            and side.get(p) == side.get(person)]
                    new = free[stream.below(len(free))]
                    out.add(person)
                    group["members"][i] = new
                    if group["leader"] == person:
                        group["leader"] = new
    directory = sorted((canonical(e.person_id) for e in experts), key=order_key)  # step 7
    directory = [e for e in directory if not any((e, t) in conflicts for t in drawn)]
    chosen = [directory[i] for i in sample(Stream(seed, "experts"), len(directory),
                                           params.experts_count)]
    return {"strata": strata, "batches": batches, "eligible": ok, "groups": groups,
            "experts": chosen, "side": side}


# §5 Recusal: withdraw of an inspector ----------------------------------------------------
def withdraw(result: dict[str, Any], seed: str, step: int, person: str, target: str,
             conflicts: set[tuple[str, str]], withdrawn: set[str]) -> dict[str, Any]:
    """Step ``step``: ``person`` leaves the group holding ``target``; who is drawn in."""
    stream = Stream(seed, f"recusal/{step}")
    group = next(g for g in result["groups"] if person in g["members"])
    taken = {p for g in result["groups"] for p in g["members"]}
    free = [p for p in result["eligible"] if p not in taken and p not in withdrawn
            and not any((p, t) in conflicts for t in group["targets"])
            and result["side"].get(p) == result["side"].get(person)]
    new = free[stream.below(len(free))]
    group["members"][group["members"].index(person)] = new
    new_leader = None
    if group["leader"] == person:
        new_leader = group["leader"] = group["members"][stream.below(len(group["members"]))]
    return {"group": group["number"], "replacement": new, "new_leader": new_leader}

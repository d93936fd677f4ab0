"""Flagged members without history, added in bulk: one decision per distinct set of flags.

A member that carries flags (risk flags, a credit-risk class: docs/draw-spec.md §3.2) but
has no earlier inspection is excluded or placed by its flags alone: the ``flag`` rules and
their exemptions, then the stratum of its first matching risk rule. A directory has a
handful of distinct flag sets for tens of thousands of such members, so the pool builder
decides each set once (:meth:`~shuangsuiji.kernel.poolbuilder._Builder.flag_plan`) and
adds the members of a set by C loops: their digest lines, or their exclusions. A set the
per-member path would refuse (two classes, a separator or comma in a flag) is left to that
path, which names what is wrong, so an awkward directory is slower, never different.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from shuangsuiji.kernel.model import Exclusion

_new_tuple: Any = tuple.__new__


def take_flagged(builder: Any, codes: Sequence[str], names: Sequence[str],
                 flags: Mapping[int, frozenset[str]], rest: list[int]) -> list[int]:
    """Of the positions ``rest`` of a chunk (codes and names already canonical and free of
    separators), add those that carry flags and have no history to ``builder`` (a pool
    builder: the duplicate checks, exclusions and lines its per-member path makes);
    return the positions left for that path, in their order."""
    hist = builder.hist_map
    groups: dict[frozenset[str], list[int]] = {}
    for i in rest:
        f = flags.get(i)
        if f and codes[i] not in hist:
            groups.setdefault(f, []).append(i)
    plans = {f: plan for f in groups if (plan := builder.flag_plan(f)) is not None}
    if not plans:
        return rest
    taken = [i for f in plans for i in groups[f]]
    fast_codes = list(map(codes.__getitem__, taken))
    builder.note_specials(fast_codes)
    builder.probe.extend(fast_codes)  # no history: a copy without flags would be plain
    for f, (into, what) in plans.items():
        at = groups[f]
        cs, ns = list(map(codes.__getitem__, at)), list(map(names.__getitem__, at))
        if into is None:  # excluded by a flag rule: (rule code, citation, no trigger)
            rule, cite, trigger = what
            builder.excluded.extend(map(_new_tuple, repeat(Exclusion), zip(
                cs, ns, repeat(rule), repeat(cite), repeat(trigger))))
        else:  # what: the lines' format, "member<TAB>{}<TAB>{}<TAB>flags"
            into.extend(map(str.encode, map(what.format, cs, ns)))
    done = set(taken)
    return [i for i in rest if i not in done]

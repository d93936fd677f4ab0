"""The pool builder: members added chunk by chunk (exclusions, strata, digest lines), then
sorted, checked for duplicate codes and sized (:func:`~shuangsuiji.kernel.pool.freeze_pool`)."""

# whole-module: one builder whose fast text path and per-member path must stay in step (the
# same verdicts, buckets and digest lines); the draw and every verifier go through it.

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from itertools import chain, compress, islice, repeat
from operator import itemgetter, lt, or_
from typing import Any

from shuangsuiji.kernel.canonical import check_field
from shuangsuiji.kernel.classes import CLASS_PREFIX, check_one_class
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.exclusionlines import ExclusionLines
from shuangsuiji.kernel.flaggedrows import take_flagged
from shuangsuiji.kernel.memberlines import CandidateLines
from shuangsuiji.kernel.model import (
    MEMBER_PREFIX,
    Candidates,
    CandidateText,
    Exclusion,
    FrozenPool,
    Inspection,
    PoolRules,
    Sampling,
    Task,
    TaskInspections,
    line_code,
    quarter_of,
)
from shuangsuiji.kernel.poolcolumns import (
    _canonical_columns,
    _columns,
    _text_columns,
    _text_rows,
    duplicate,
    no_duplicates,
)
from shuangsuiji.kernel.pooltext import (
    _FIELD0,
    _FIELD1,
    _FIELD2,
    ONCE_PER_YEAR,
    SAME_QUARTER,
    _build,
)
from shuangsuiji.messages import msg
from shuangsuiji.rules import Citation

_PLAIN_HEAD = MEMBER_PREFIX.decode()  # lines of members without flags are built as
_PLAIN_SEP = "\t\n" + _PLAIN_HEAD  # "member<TAB>code<TAB>" + "name<TAB>"
#: Characters below TAB: a code holding one could sort before a shorter code it extends
#: once the TAB after the code is compared; such pools are sorted by code explicitly.
_LOW = re.compile("[\x00-\x08]")
_EMPTY: frozenset[str] = frozenset()
_NOT = bytes([1, 0]) + bytes(254)  # bytes.translate table: 0 -> 1, 1 -> 0
_new_tuple: Any = tuple.__new__


class _Builder:
    """Collects the members chunk by chunk: exclusions, strata, lines; then sorts and sizes."""

    def __init__(self, task: Task, rules: PoolRules, *, exclude: bool) -> None:
        self.task = task
        self.rules = rules
        self.exclude = exclude
        self.index: dict[str, list[Inspection]] = {}
        #: codes whose members are handled one by one (excluded, or needing the history)
        self.hist_map: dict[str, object] = {}
        policy = rules.exclusion_policy
        self.once = exclude and policy.once_per_year
        self.quarter_rule = exclude and policy.same_quarter_other_divisions and not task.joint
        self.extras = rules.extra_exclusions if exclude else ()
        self.recent_from = {
            r.code: task.start_date - timedelta(days=int(r.param("days")))
            for r in self.extras
            if r.kind == "recently_inspected"
        }
        self.exempt = {r.code: r.exempt_flags for r in self.extras if r.exempt_flags}
        self.items = frozenset(task.item_codes)
        self.verdicts: dict[str, tuple[str, Citation, str | None]] = {}
        self.order: dict[str, int] = {}
        for i, rule in enumerate(rules.risk_rules):
            self.order.setdefault(rule.flag, i)
        #: per distinct set of flags, how its members without history are added in bulk
        #: (:meth:`flag_plan`)
        self.plans: dict[frozenset[str], tuple[list[bytes] | None, Any] | None] = {}
        self.plain: list[bytes] = []  # members without flags: the bulk of general
        self.general: list[bytes] = []  # members of general carrying some other flag
        self.buckets: list[list[bytes]] = [[] for _ in rules.risk_rules]
        self.excluded: list[Exclusion] = []
        #: exclusions given as their digest lines, in canonical order (a verifier's)
        self.given_lines: ExclusionLines | None = None
        self.special: set[str] = set()  # codes handled one by one (flags, history, excluded)
        self.probe: list[str] = []  # of those, codes that might also be among the plain
        self.low = False  # some code holds a character below TAB
        self.code_lengths: set[int] = set()
        self.line_widths: set[int] = set()  # of codes given in lines: in bytes
        self.ascii = True
        self.found_lines: list[tuple[list[bytes], list[int]] | None] | None = None
        self.clean = True  # the current chunk was canonical text as given
        self.history_codes: frozenset[str] | None = None  # hist_map's codes, for add_text
        #: the last code of the plain lines while every one came from text pages whose codes
        #: rise strictly, each page above the one before (the database's pages in code
        #: order): the lines are then sorted and hold no code twice, so neither is redone;
        #: None once that is not known
        self.rising: str | None = ""

    def set_history(self, records: list[TaskInspections]) -> None:
        """Earlier inspections, task by task; rules 1 and 2 are decided for each code at once.

        Their triggers (the earliest matching inspection: date, then task id by UTF-8
        bytes) depend on the history alone; only the exemption depends on the target's
        flags, and it is applied per target. A task's inspections match a rule together
        (same date, division and items), so the verdicts are dictionary updates over each
        matching task's codes, done in C: the latest trigger first, so the earliest wins,
        and rule 1 after rule 2, so rule 1 wins.

        Only inspections dated on or before the task's start count (docs/draw-spec.md
        §3.1): a rule looks back from the start, never forward to tasks planned later.
        """
        start = self.task.start_date
        if any(r.date > start for r in records):
            records = [r for r in records if r.date <= start]
        if any(r.kind == "recently_inspected" for r in self.extras):
            index: dict[str, list[Inspection]] = {}
            for record in records:
                for ins in record.inspections():
                    index.setdefault(ins.credit_code, []).append(ins)
            self.index = index
            self.hist_map = index  # type: ignore[assignment]
        else:
            # only the verdicts are needed: nothing per inspection is kept
            self.hist_map = self.verdicts  # type: ignore[assignment]
        policy = self.rules.exclusion_policy
        year, quarter, division = self.task.year, self.task.quarter, self.task.division
        department = self.task.department
        once: list[TaskInspections] = []
        same_quarter: list[TaskInspections] = []
        for record in records:
            if record.date.year != year:
                continue
            if self.once and not self.items.isdisjoint(record.item_codes):
                once.append(record)
            elif (
                self.quarter_rule
                and quarter_of(record.date) == quarter
                and record.division != division
                # 第十条第二款: other 处室 of the task's own 司局 only ("" : not known)
                and (not record.department or record.department == department)
            ):
                same_quarter.append(record)
        verdicts = self.verdicts
        for rule, matched in ((SAME_QUARTER, same_quarter), (ONCE_PER_YEAR, once)):
            for record in sorted(matched, key=_trigger_order, reverse=True):
                verdict = (rule, policy.cite, record.task_id)
                verdicts.update(dict.fromkeys(record.credit_codes, verdict))

    def note_special(self, code: str) -> None:
        if code in self.special:
            raise InvalidInput(msg(
                "credit code %(code)r occurs twice among the candidates: merge the duplicate "
                "entries in the directory", code=code,
            ))
        self.special.add(code)

    def note_specials(self, codes: Sequence[str]) -> None:
        """:meth:`note_special` for many codes at once, by C loops over sets."""
        seen = self.special
        if not seen.isdisjoint(codes):
            duplicate(next(c for c in codes if c in seen))
        before = len(seen)
        seen.update(codes)
        if len(seen) - before != len(codes):
            duplicate(next(c for c, n in Counter(codes).items() if n > 1))

    def add_chunk(self, chunk: Candidates | CandidateText | CandidateLines) -> None:
        if isinstance(chunk, CandidateText):
            self.add_text(chunk)
        elif isinstance(chunk, CandidateLines):
            self.add_lines(chunk)
        else:
            self.add(chunk)

    def add_lines(self, chunk: CandidateLines) -> None:
        """Members a verifier read from a bundle as their digest lines (canonical text,
        no flags, vouched for by :class:`~shuangsuiji.kernel.memberlines.MemberRuns`),
        and the chunk's other members, added by :meth:`add`. Only without history (a
        verifier's pool builder): such a member is plain."""
        lines, width, others, positions = chunk
        assert not self.hist_map, "lines are given by a verifier, which has no history"
        if width is not None:
            self.line_widths.add(width)
        elif lines:
            self.ascii = False  # codes of different lengths: compared by line_code
        if lines:
            self.rising = None  # (not text pages: sorted and checked for repeats at the end)
        self.plain.extend(lines)  # (sorted at the end: linear when in order already)
        found, self.found_lines = self.found_lines, None
        try:
            if positions:
                self.add(others)
        finally:
            self.found_lines = found
        if found is not None:
            found.append((lines, positions))

    def add_text(self, chunk: CandidateText) -> None:
        """Candidates as ``code<TAB>name`` rows: checked and made into digest lines by a few
        C passes over the whole text. Rows whose code has flags or history are added as
        columns (:meth:`add`); any text those passes cannot vouch for (a character that is
        not printable, a space at a field's edge, not NFC, codes of different widths) takes
        the exact path, which also names what is wrong."""
        text, count, flags = chunk
        if count == 0 and not text:
            return
        found = None if self.found_lines is not None else _text_rows(text, count)
        if found is None:
            self.add(_text_columns(text, count, flags))
            return
        rows, width = found
        codes = list(map(itemgetter(slice(0, width)), rows))
        self.ascii = self.ascii and "".join(codes).isascii()
        self.code_lengths.add(width)
        if self.rising is not None:  # one C pass: rising within the page, and above the last
            rising = codes[0] > self.rising and all(map(lt, codes, islice(codes, 1, None)))
            self.rising = codes[-1] if rising else None
        if self.history_codes is None:  # a set answers membership three times faster
            self.history_codes = frozenset(self.hist_map)
        marks = list(map(self.history_codes.__contains__, codes)) if self.hist_map else None
        if flags:
            flagged = map(flags.__contains__, codes)
            marks = list(map(or_, marks, flagged) if marks is not None else flagged)
        del codes
        special: list[str] = []
        if marks is not None and any(marks):
            keep = bytes(marks).translate(_NOT)
            special = list(compress(rows, marks))
            rows = list(compress(rows, keep))
        if rows:
            # "<SEP>row<SEP>row...<SEP>", SEP = "<TAB><LF>member<TAB>": split at the LFs, every
            # piece but the first and the last is a line (no copy of the text to frame it)
            lines = _PLAIN_SEP.join(chain(("",), rows, ("",))).encode().split(b"\n")
            del rows, lines[0]
            lines.pop()
            if self.rising is None:  # (rising codes: the lines are in order already)
                lines.sort()  # linear when the database gave them in order
            self.plain.extend(lines)
        if special or flags:
            # each row holds one TAB: joined by TAB they split into code, name, code, ...
            fields = "\t".join(special).split("\t") if special else []
            # canonical and free of separators already: the passes above vouched for them;
            # and every one of these rows has history or flags (that is why it is here)
            self._add_canonical(*_columns(fields[0::2], fields[1::2], flags), separable=True,
                                every=True)

    def add(self, chunk: Candidates) -> None:
        codes, names, flags = chunk
        if len(codes) != len(names):
            raise InvalidInput(msg("candidate columns of different lengths"))
        codes, names, joined, clean, separable = _canonical_columns(codes, names)
        if not all(codes):
            bad = names[list(map(bool, codes)).index(False)]
            raise InvalidInput(
                msg("a candidate target (%(name)r) has no credit code: fix the directory",
                    name=bad)
            )
        # printable (the usual case) means no control character at all: no need to search
        self.low = self.low or (
            not joined.replace("\n", "").isprintable() and _LOW.search(joined) is not None
        )
        self.ascii = self.ascii and joined.isascii()
        self.code_lengths.update(map(len, codes))
        self._add_canonical(codes, names, flags, clean=clean, separable=separable)

    def _add_canonical(self, codes: Sequence[str], names: Sequence[str],
                       flags: Mapping[int, frozenset[str]], *, clean: bool = True,
                       separable: bool, every: bool = False) -> None:
        """Add columns whose codes and names are canonical text (``separable``: none holds a
        TAB or LF; ``clean``: they were canonical as given; ``every``: each member has
        history or flags, so none is looked up to find out)."""
        n = len(codes)
        if every and self.found_lines is None:
            self._add_special(codes, names, flags, list(range(n)), separable)
            return
        hist_map = self.hist_map
        special = set(compress(range(n), map(hist_map.__contains__, codes))) if hist_map else set()
        if flags:
            special.update(i for i, f in flags.items() if f)
        keep_order = self.found_lines is not None
        if not special:
            as_found = self._plain(codes, names, keep_order=keep_order, checked=separable)
            if self.found_lines is not None:
                self.found_lines.append((as_found, []) if clean and as_found is not None else None)
            return
        keep = bytearray(b"\x01") * n
        for i in special:
            keep[i] = 0
        as_found = self._plain(
            list(compress(codes, keep)), list(compress(names, keep)), keep_order=keep_order,
            checked=separable,
        )
        if self.found_lines is not None:
            self.found_lines.append(
                (as_found, sorted(special)) if clean and as_found is not None else None
            )
        self._add_special(codes, names, flags, sorted(special), separable)

    def _add_special(self, codes: Sequence[str], names: Sequence[str],
                     flags: Mapping[int, frozenset[str]], order: list[int],
                     separable: bool) -> None:
        """Add the members at ``order`` (positions with history or flags, ascending)."""
        # members without flags whose code has a verdict (rules 1 and 2, decided per code
        # already; no exemption without flags) are excluded in bulk, by C loops
        if flags:
            bare = [i for i in order if i not in flags]
            rest = [i for i in order if i in flags]
        else:
            bare, rest = order, []
        ex_codes = list(map(codes.__getitem__, bare))
        hits = list(map(self.verdicts.get, ex_codes))
        if None in hits:  # history but no verdict: only with a recently_inspected rule
            rest = sorted([*rest, *(i for i, h in zip(bare, hits, strict=True) if h is None)])
            kept = [h is not None for h in hits]
            bare = list(compress(bare, kept))
            ex_codes = list(compress(ex_codes, kept))
            hits = list(compress(hits, kept))
        self.note_specials(ex_codes)
        # tuple.__new__ in C: the named tuple's own __new__ is a Python function per row
        self.excluded.extend(map(_new_tuple, repeat(Exclusion), zip(
            ex_codes, map(names.__getitem__, bare), map(_FIELD0, hits), map(_FIELD1, hits),
            map(_FIELD2, hits), strict=True)))
        if rest and separable:
            rest = take_flagged(self, codes, names, flags, rest)
        for i in rest:
            self._one(codes[i], names[i], flags.get(i) or _EMPTY)

    def _plain(
        self, codes: Sequence[str], names: Sequence[str], *, keep_order: bool = False,
        checked: bool = False,
    ) -> list[bytes] | None:
        """Add members without flags to the plain lines; with ``keep_order``, return their
        lines in the order given. ``checked``: no code or name holds a TAB or LF (the
        caller checked the whole chunk)."""
        if not codes:
            return [] if keep_order else None
        self.rising = None
        # each column joined, encoded and split in C: "member<TAB>code<TAB>" and
        # "name<TAB>" pieces, added pairwise into the lines
        heads = _PLAIN_HEAD + _PLAIN_SEP.join(codes) + "\t"
        tails = "\t\n".join(names) + "\t"
        n = len(codes)
        # a stray tab or line break would make lines ambiguous: count them in C
        if not checked and (
            heads.count("\t") != 2 * n
            or heads.count("\n") != n - 1
            or tails.count("\t") != n
            or tails.count("\n") != n - 1
        ):
            for c, nm in zip(codes, names, strict=True):
                check_field(c, msg("credit code"))
                check_field(nm, msg("name of %(code)r", code=c))
        lines = list(
            map(bytes.__add__, heads.encode().split(b"\n"), tails.encode().split(b"\n"))
        )
        del heads, tails
        if keep_order:
            self.plain.extend(sorted(lines))  # linear when already in order
            return lines
        lines.sort()  # sorted runs, while in cache: the final sort merges them
        self.plain.extend(lines)
        return None

    def _one(self, code: str, name: str, flags: frozenset[str]) -> None:
        """A member with flags or history: exclusions, then its stratum."""
        self.note_special(code)
        history = self.index.get(code, ())
        if code not in self.hist_map:  # a copy without flags would be among the plain
            self.probe.append(code)
        hit = self._exclusion(code, flags, history) if self.exclude else None
        if hit is not None:
            self.excluded.append(Exclusion(code, name, hit[0], hit[1], hit[2]))
            return
        check_field(code, msg("credit code"))
        check_field(name, msg("name of %(code)r", code=code))
        if len(flags) > 1:
            check_one_class(code, flags)
        for f in flags:
            check_field(f, msg("risk flag of %(code)r", code=code))
            if "," in f:
                raise InvalidInput(msg(
                    "risk flag %(flag)r of %(code)r contains a comma: flag codes are "
                    "identifiers such as 'bad_credit'", flag=f, code=code,
                ))
        line = f"member\t{code}\t{name}\t{','.join(sorted(flags))}".encode()
        ranks = [self.order[f] for f in flags if f in self.order]
        if ranks:
            self.buckets[min(ranks)].append(line)
        else:
            self.general.append(line)

    def flag_plan(self, flags: frozenset[str]) -> tuple[list[bytes] | None, Any] | None:
        """How members with exactly ``flags`` and no history are added in bulk
        (:func:`~shuangsuiji.kernel.flaggedrows.take_flagged`): ``(None, (rule code,
        citation, trigger))`` when a ``flag`` rule excludes them, else ``(their bucket, the
        format of their digest lines)``; None when the per-member path must see them (it
        refuses such flags and says why). Decided once per set."""
        if flags in self.plans:
            return self.plans[flags]
        plan: tuple[list[bytes] | None, Any] | None = None
        classes = sum(1 for f in flags if f.startswith(CLASS_PREFIX))
        if classes < 2 and not any("\t" in f or "\n" in f or "," in f for f in flags):
            hit = self._extra_hit(flags, ()) if self.exclude else None
            if hit is not None:
                plan = (None, hit)
            else:
                ranks = [self.order[f] for f in flags if f in self.order]
                into = self.buckets[min(ranks)] if ranks else self.general
                text = ",".join(sorted(flags)).replace("{", "{{").replace("}", "}}")
                plan = (into, "member\t{}\t{}\t" + text)
        self.plans[flags] = plan
        return plan

    def _exclusion(
        self, code: str, flags: frozenset[str], history: Sequence[Inspection]
    ) -> tuple[str, Citation, str | None] | None:
        if code in self.verdicts:
            hit = self.verdicts[code]
            if not (flags and flags & self.rules.exclusion_policy.exempt_risk_flags):
                return hit
        return self._extra_hit(flags, history)

    def _extra_hit(
        self, flags: frozenset[str], history: Sequence[Inspection]
    ) -> tuple[str, Citation, str | None] | None:
        """The first extra rule that excludes a member with ``flags`` and ``history``."""
        for rule in self.extras:
            if flags and not flags.isdisjoint(self.exempt.get(rule.code, _EMPTY)):
                continue  # the rule's own exempt flags (docs/draw-spec.md §3.1, rule 4)
            if rule.kind == "flag":
                if rule.param("flag") in flags:
                    return (rule.code, rule.cite, None)
            elif history:
                start = self.recent_from[rule.code]
                m = [i for i in history if i.date >= start]
                if m:
                    return (rule.code, rule.cite, _earliest(m))
        return None

    def finish(self, sampling: Sampling) -> FrozenPool:
        plain = self.plain
        self.plain = []
        rising = self.rising is not None  # sorted, no code twice: known from the pages
        if self.low:
            plain.sort(key=line_code)
        elif not rising:
            plain.sort()
        # every code of one length in bytes (ASCII: as long as in characters)?
        widths = self.code_lengths | self.line_widths
        one_width = len(widths) == 1 and self.ascii
        width = next(iter(widths)) if one_width else None
        no_duplicates(plain, self.probe, low=self.low, width=width, adjacent=not rising)
        self._release()
        general = plain
        if self.general:
            general.extend(self.general)
            general.sort(key=line_code if self.low else None)
        buckets = self.buckets
        for b in buckets:
            b.sort(key=line_code if self.low else None)
        excluded = self.excluded if self.given_lines is None else self.given_lines
        return _build(buckets, general, excluded, self.task, sampling, self.rules)

    def _release(self) -> None:
        """Let go of what only the chunks needed (the history's verdicts and index, the
        codes handled one by one and their set) before the pool's digest text is made: at a
        million targets about 40 MB, freed before the freeze's peak rather than after it."""
        self.index = {}
        self.hist_map = {}
        self.verdicts = {}
        self.history_codes = None
        self.special = set()
        self.probe = []


def _trigger_order(record: TaskInspections) -> tuple[date, bytes]:
    return record.date, record.task_id.encode("utf-8")


def _earliest(matches: list[Inspection]) -> str:
    if len(matches) == 1:
        return matches[0].task_id
    return min(matches, key=lambda i: (i.date, i.task_id.encode("utf-8"))).task_id



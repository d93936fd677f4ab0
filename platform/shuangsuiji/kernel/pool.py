"""Freezing the pool: exclusions, canonical order, strata, sizes and the pool digest.

The pool is frozen, and its digest shown, before the seed is known; :func:`freeze_pool` is
therefore separate from :mod:`shuangsuiji.kernel.draw`.

A pool holds each member as its digest line (``member<TAB>code<TAB>name<TAB>flags``, UTF-8,
docs/draw-spec.md §3.3) rather than as three objects: a million members are a million
``bytes`` (about half the memory of code, name and tuple), sorting them sorts by credit code
(UTF-8 byte order is code-point order, and the code is followed by a TAB), and the digest
and the stored pool are these very lines joined. Members without flags or history, nearly
all of them, never pass through Python code one by one: their lines are formatted, encoded
and split by C loops over whole chunks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import compress, islice, repeat
from operator import attrgetter, eq, itemgetter, or_
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json, canonical_text, check_field
from shuangsuiji.kernel.codec import plain
from shuangsuiji.kernel.errors import EmptyPool, InvalidInput
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import (
    COUNTED_STATUSES,
    GENERAL,
    MEMBER_PREFIX,
    RISK_PREFIX,
    VOIDED,
    Candidates,
    CandidateText,
    Exclusion,
    FrozenPool,
    Inspection,
    PoolRules,
    Sampling,
    Stratum,
    Target,
    Task,
    TaskInspections,
    line_code,
    quarter_of,
)
from shuangsuiji.kernel.ratio import risk_ratio, stratum_size, validate_sampling
from shuangsuiji.messages import Message, msg
from shuangsuiji.rules import Citation, ExclusionRule

POOL_FORMAT = "shuangsuiji-pool/1"
ONCE_PER_YEAR = "once_per_year"
SAME_QUARTER = "same_quarter_other_divisions"
#: Kinds of extra exclusion rule the kernel understands.
EXTRA_KINDS = ("recently_inspected", "flag")

_CHUNK = 65536  # members per chunk: bounded temporaries, few calls
_PLAIN_HEAD = MEMBER_PREFIX.decode()  # lines of members without flags are built as
_PLAIN_SEP = "\t\n" + _PLAIN_HEAD  # "member<TAB>code<TAB>" + "name<TAB>"
#: Characters below TAB: a code holding one could sort before a shorter code it extends
#: once the TAB after the code is compared; such pools are sorted by code explicitly.
_LOW = re.compile("[\x00-\x08]")
_EMPTY: frozenset[str] = frozenset()
_NOT = bytes([1, 0]) + bytes(254)  # bytes.translate table: 0 -> 1, 1 -> 0


def canonical_task(task: Task) -> Task:
    """The task with canonical text and its item codes sorted and unique."""
    items = sorted({canonical_text(c) for c in task.item_codes})
    return replace(
        task,
        task_id=canonical_text(task.task_id),
        item_codes=tuple(items),
        department=canonical_text(task.department),
        division=canonical_text(task.division),
    )


Chunks = Iterable[Target] | Iterable[Candidates | CandidateText]


def freeze_pool(
    candidates: Chunks,
    inspections: Iterable[Inspection | TaskInspections],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    """Apply the exclusions to ``candidates``, split the rest into strata, and digest it.

    ``candidates`` are :class:`Target` tuples, or chunks of them as :class:`Candidates`
    columns (what a database read gives cheaply) or as :class:`CandidateText` (what a
    database aggregate gives more cheaply still). ``inspections`` are this tenant's earlier
    inspections (ongoing and completed; voided ones are skipped), one by one or as
    :class:`TaskInspections` records (the cheap form). Raises :class:`EmptyPool`
    when no target is left, and :class:`InvalidInput` for malformed input (duplicate credit
    codes, a tab in a name, an unknown kind of extra rule, a bad ratio).
    """
    validate_sampling(sampling)
    task = canonical_task(task)
    if not task.item_codes:
        raise InvalidInput(msg("task %(task)r has no item codes: add its items first",
                               task=task.task_id))
    for extra in rules.extra_exclusions:
        _check_extra(extra)
    with paused_gc():
        builder = _Builder(task, rules, exclude=not task.special)
        if not task.special:
            builder.set_history(_history(inspections, task.task_id))
        for chunk in candidate_chunks(candidates):
            builder.add_chunk(chunk)
        return builder.finish(sampling)


def stratify(
    candidates: Chunks,
    excluded: Sequence[Exclusion],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    *,
    found_lines: list[tuple[list[bytes], list[int]] | None] | None = None,
    excluded_checked: bool = False,
) -> FrozenPool:
    """Sort the kept targets canonically, split them into strata, size them, digest the pool.

    ``found_lines``, if given, receives for each chunk of ``candidates`` (when it was
    canonical text as given, else ``None``) the lines of its members without flags or
    history, in the order given, and the positions of the others: a verifier compares them
    with the recomputed strata without formatting them again. ``excluded_checked``: the
    caller has made sure no excluded code is also among ``candidates`` (a verifier does so
    with one set of strings) and the excluded codes are unique.

    No exclusion is applied (``excluded`` are taken as given): this is what a verifier
    recomputes from a bundle. A target carrying several risk flags of the pack goes into the
    stratum of the first of ``rules.risk_rules`` whose flag it carries; targets with none go
    to ``"general"``. Strata are ordered as the risk rules, then general; empty strata are
    left out.
    """
    validate_sampling(sampling)
    with paused_gc():
        builder = _Builder(task, rules, exclude=False)
        builder.found_lines = found_lines
        builder.excluded.extend(excluded)
        if not excluded_checked:
            for e in excluded:
                builder.note_special(e.credit_code)
                builder.probe.append(e.credit_code)
        for chunk in candidate_chunks(candidates):
            builder.add_chunk(chunk)
        return builder.finish(sampling)


def candidate_chunks(candidates: Chunks) -> Iterator[Candidates | CandidateText]:
    """``candidates`` as :class:`Candidates` or :class:`CandidateText` chunks (passed
    through when they already are)."""
    codes: list[str] = []
    names: list[str] = []
    flags: dict[int, frozenset[str]] = {}
    for item in candidates:
        if isinstance(item, Candidates | CandidateText):
            if codes:
                yield Candidates(codes, names, flags)
                codes, names, flags = [], [], {}
            yield item
            continue
        code, name, f = item
        if f:
            flags[len(codes)] = f
        codes.append(code)
        names.append(name)
        if len(codes) >= _CHUNK:
            yield Candidates(codes, names, flags)
            codes, names, flags = [], [], {}
    if codes:
        yield Candidates(codes, names, flags)


def _canonical_columns(
    codes: Sequence[str], names: Sequence[str]
) -> tuple[Sequence[str], Sequence[str], str, bool, bool]:
    """Codes and names in canonical text (NFC, stripped); checked in bulk, in C, first.

    Returns them with the codes joined by LF (for further bulk checks by the caller),
    whether they were canonical as given, and whether no code or name holds a TAB or LF
    (which would make the digest lines ambiguous).
    """
    joined = "\n".join(codes)
    ok_codes = _canonical_joined(joined, codes)
    if not ok_codes:
        codes = [canonical_text(c) for c in codes]
        joined = "\n".join(codes)
    names_joined = "\n".join(names)
    ok_names = _canonical_joined(names_joined, names)
    if not ok_names:
        names = [canonical_text(n) for n in names]
        names_joined = "\n".join(names)
    lfs = max(len(codes) - 1, 0)
    separable = (
        "\t" not in joined and joined.count("\n") == lfs
        and "\t" not in names_joined and names_joined.count("\n") == lfs
    )
    return codes, names, joined, ok_codes and ok_names, separable


def _canonical_joined(text: str, fields: Sequence[str]) -> bool:
    """Whether every one of ``fields`` (joined by LF in ``text``) is canonical text.

    NFC: LF never composes with a neighbour, so the joined test is exact. Stripped: no
    field is shortened by ``str.strip`` (which returns the field itself when it is not).
    """
    total = len(text) - max(len(fields) - 1, 0)  # the fields' lengths, without the LFs
    return (text.isascii() or unicodedata.is_normalized("NFC", text)) and total == sum(
        map(len, map(str.strip, fields))
    )


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
        self.plain: list[bytes] = []  # members without flags: the bulk of general
        self.general: list[bytes] = []  # members of general carrying some other flag
        self.buckets: list[list[bytes]] = [[] for _ in rules.risk_rules]
        self.excluded: list[Exclusion] = []
        self.special: set[str] = set()  # codes handled one by one (flags, history, excluded)
        self.probe: list[str] = []  # of those, codes that might also be among the plain
        self.low = False  # some code holds a character below TAB
        self.code_lengths: set[int] = set()
        self.ascii = True
        self.found_lines: list[tuple[list[bytes], list[int]] | None] | None = None
        self.clean = True  # the current chunk was canonical text as given
        self.history_codes: frozenset[str] | None = None  # hist_map's codes, for add_text

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

    def add_chunk(self, chunk: Candidates | CandidateText) -> None:
        if isinstance(chunk, CandidateText):
            self.add_text(chunk)
        else:
            self.add(chunk)

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
            lines = (_PLAIN_HEAD + _PLAIN_SEP.join(rows) + "\t").encode().split(b"\n")
            del rows
            lines.sort()  # linear when the database gave them in order
            self.plain.extend(lines)
        if special or flags:
            # each row holds one TAB: joined by TAB they split into code, name, code, ...
            fields = "\t".join(special).split("\t") if special else []
            self.add(_columns(fields[0::2], fields[1::2], flags))

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
        n = len(codes)
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
        # members without flags whose code has a verdict (rules 1 and 2, decided per code
        # already; no exemption without flags) are excluded in bulk, by C loops
        order = sorted(special)
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
        seen = self.special
        if not seen.isdisjoint(ex_codes):
            self._duplicate(next(c for c in ex_codes if c in seen))
        before = len(seen)
        seen.update(ex_codes)
        if len(seen) - before != len(ex_codes):
            self._duplicate(next(c for c, n in Counter(ex_codes).items() if n > 1))
        self.excluded.extend(
            map(
                Exclusion,
                ex_codes,
                map(names.__getitem__, bare),
                map(_FIELD0, hits),
                map(_FIELD1, hits),
                map(_FIELD2, hits),
            )
        )
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
                check_field(c, "credit code")
                check_field(nm, f"name of {c!r}")
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
        check_field(code, "credit code")
        check_field(name, f"name of {code!r}")
        for f in flags:
            check_field(f, f"risk flag of {code!r}")
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

    def _exclusion(
        self, code: str, flags: frozenset[str], history: Sequence[Inspection]
    ) -> tuple[str, Citation, str | None] | None:
        if code in self.verdicts:
            hit = self.verdicts[code]
            if not (flags and flags & self.rules.exclusion_policy.exempt_risk_flags):
                return hit
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
        if self.low:
            plain.sort(key=line_code)
        else:
            plain.sort()
        self._no_duplicates(plain)
        general = plain
        if self.general:
            general.extend(self.general)
            general.sort(key=line_code if self.low else None)
        buckets = self.buckets
        for b in buckets:
            b.sort(key=line_code if self.low else None)
        return _build(buckets, general, self.excluded, self.task, sampling, self.rules)

    def _no_duplicates(self, plain: list[bytes]) -> None:
        """Duplicate codes among the plain members (adjacent once sorted), and between them
        and the members handled one by one (only those without history can be plain too)."""
        if len(self.code_lengths) == 1 and self.ascii:
            width = len(MEMBER_PREFIX) + next(iter(self.code_lengths)) + 1
            key = itemgetter(slice(0, width))
            # sorted: a duplicate starts with the code (and TAB) of the line before it
            dup = any(map(bytes.startswith, islice(plain, 1, None), map(key, plain)))
        else:
            codes = list(map(line_code, plain))
            dup = any(map(eq, codes, islice(codes, 1, None)))
            del codes
        if dup:
            a, b = next(
                (a, b)
                for a, b in zip(plain, islice(plain, 1, None), strict=False)
                if line_code(a) == line_code(b)
            )
            raise InvalidInput(msg(
                "credit code %(code)r occurs twice among the candidates (%(first)r, "
                "%(second)r): merge the duplicate entries in the directory",
                code=line_code(a).decode(), first=a.decode().split(chr(9))[2],
                second=b.decode().split(chr(9))[2],
            ))
        if not self.probe:
            return
        if self.low:
            for code in self.probe:
                key_bytes = code.encode()
                i = bisect_left(plain, key_bytes, key=line_code)
                if i < len(plain) and line_code(plain[i]) == key_bytes:
                    self._duplicate(code)
            return
        # sorted as bytes: the lines of a code start with MEMBER_PREFIX + code + TAB; the
        # searches run as C loops over all probes at once
        keys = [MEMBER_PREFIX + c + b"\t" for c in map(str.encode, self.probe)]
        at = list(map(bisect_left, repeat(plain, len(keys)), keys))
        end = len(plain)
        hits = [plain[i] if i < end else b"" for i in at]
        if any(map(bytes.startswith, hits, keys)):
            i = next(i for i, (h, k) in enumerate(zip(hits, keys, strict=True)) if h.startswith(k))
            self._duplicate(self.probe[i])

    @staticmethod
    def _duplicate(code: str) -> None:
        raise InvalidInput(msg(
            "credit code %(code)r occurs twice among the candidates: merge the duplicate "
            "entries in the directory", code=code,
        ))


def _text_rows(text: str, count: int) -> tuple[list[str], int] | None:
    """The rows of a CandidateText chunk and the width of their codes, if a few passes over
    the whole text show that its ``count`` rows are each a code of that width and a name,
    in canonical text, with one TAB between; else None (the exact path decides, and names
    what is wrong).

    ``str.isprintable`` is false for every white space but the space and for every control
    character, so a printable text with no space beside a TAB or LF has no field to strip,
    no stray separator and no character below TAB (which would change the sort order).
    """
    if count <= 0 or text.count("\n") != count - 1 or text.count("\t") != count:
        return None
    if not (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return None
    if not text.replace("\t", "").replace("\n", "").isprintable():
        return None
    if " " in text and (text[0] == " " or text[-1] == " " or any(
        edge in text for edge in (" \t", "\t ", " \n", "\n ")
    )):
        return None
    rows = text.split("\n")
    # every row's first TAB at the same place, and as many TABs as rows: one in each
    ends = set(map(str.find, rows, repeat("\t", count)))
    if len(ends) != 1 or ends == {0}:
        return None
    return rows, ends.pop()


def _text_columns(text: str, count: int, flags: Mapping[str, frozenset[str]]) -> Candidates:
    """A CandidateText chunk as columns, for the exact path."""
    rows = text.split("\n") if text else []
    if len(rows) != count:
        raise InvalidInput(msg(
            "the database counted %(count)s candidates but gave %(lines)s lines: a name or "
            "credit code holds a line break, or is missing; fix the directory",
            count=count, lines=len(rows),
        ))
    codes: list[str] = []
    names: list[str] = []
    for row in rows:
        code, tab, name = row.partition("\t")
        if not tab or "\t" in name:
            raise InvalidInput(msg(
                "candidate %(row)r is not a credit code and a name separated by one tab: "
                "a name or credit code holds a tab; fix the directory", row=row[:80],
            ))
        codes.append(code)
        names.append(name)
    return _columns(codes, names, flags)


def _columns(codes: list[str], names: list[str],
             flags: Mapping[str, frozenset[str]]) -> Candidates:
    """Columns with the flags given by credit code put at their positions."""
    at = dict(zip(codes, range(len(codes)), strict=True)) if flags else {}
    tagged: dict[int, frozenset[str]] = {}
    for code, f in flags.items():
        if code not in at:
            raise InvalidInput(msg(
                "risk flags were given for %(code)r, which is not among the candidates",
                code=code,
            ))
        if f:
            tagged[at[code]] = f
    return Candidates(codes, names, tagged)


def _check_extra(rule: ExclusionRule) -> None:
    if rule.kind not in EXTRA_KINDS:
        raise InvalidInput(msg(
            "extra exclusion %(rule)r (%(cite)s) has kind %(kind)r; the kernel knows "
            "%(kinds)s: fix the pack", rule=rule.code, cite=str(rule.cite), kind=rule.kind,
            kinds=EXTRA_KINDS,
        ))
    names = dict(rule.params)
    for option in ("categories", "exempt_flags"):
        if option in names and not isinstance(names[option], str):
            raise InvalidInput(msg(
                "extra exclusion %(rule)r (%(cite)s): params %(param)r must be text (codes "
                "joined by commas); fix the pack", rule=rule.code, cite=str(rule.cite),
                param=option,
            ))
    needed, typ = ("days", int) if rule.kind == "recently_inspected" else ("flag", str)
    if not isinstance(names.get(needed), typ) or isinstance(names.get(needed), bool):
        raise InvalidInput(msg(
            "extra exclusion %(rule)r (%(cite)s) of kind %(kind)r needs params %(param)r of "
            "type %(type)s; fix the pack", rule=rule.code, cite=str(rule.cite),
            kind=rule.kind, param=needed, type=typ.__name__,
        ))


def _history(
    inspections: Iterable[Inspection | TaskInspections], task_id: str
) -> list[TaskInspections]:
    """Earlier inspections as task records, codes canonical; voided ones and this task's
    own skipped. A loose :class:`Inspection` becomes a record of one code."""
    records: list[TaskInspections] = []
    for item in inspections:
        record = (
            item
            if isinstance(item, TaskInspections)
            else TaskInspections(
                item.task_id, (item.item_code,), item.date, item.division, item.status,
                (item.credit_code,), item.department,
            )
        )
        if record.status not in COUNTED_STATUSES:
            if record.status == VOIDED:
                continue  # a voided draw inspects nobody
            raise InvalidInput(msg(
                "earlier inspection of %(code)r in task %(task)r has status %(status)r; "
                "expected one of %(statuses)s or %(voided)s",
                code=next(iter(record.credit_codes), ""), task=record.task_id,
                status=record.status, statuses=COUNTED_STATUSES, voided=VOIDED,
            ))
        if record.task_id == task_id:
            continue  # freezing the same task again must not exclude by its own records
        codes = record.credit_codes
        joined = "\n".join(codes)
        # canonical already (the usual case, checked in bulk)? then no per-code canonical_text
        if not _canonical_joined(joined, codes):
            record = replace(record, credit_codes=[canonical_text(c) for c in codes])
        records.append(record)
    return records


def _trigger_order(record: TaskInspections) -> tuple[date, bytes]:
    return record.date, record.task_id.encode("utf-8")


def _earliest(matches: list[Inspection]) -> str:
    if len(matches) == 1:
        return matches[0].task_id
    return min(matches, key=lambda i: (i.date, i.task_id.encode("utf-8"))).task_id


def _build(
    buckets: list[list[bytes]],
    general: list[bytes],
    excluded: Sequence[Exclusion],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    strata: list[Stratum] = []
    for rule, bucket in zip(rules.risk_rules, buckets, strict=True):
        if bucket:
            ratio = risk_ratio(sampling.ratio_permille, rule)
            strata.append(
                Stratum(
                    RISK_PREFIX + rule.flag,
                    ratio,
                    stratum_size(len(bucket), ratio, sampling),
                    bucket,
                )
            )
    if general:
        r = sampling.ratio_permille
        strata.append(Stratum(GENERAL, r, stratum_size(len(general), r, sampling), general))
    if not strata:
        raise EmptyPool(_empty_message(task, excluded))
    exclusions = tuple(sorted(excluded, key=_excluded_code))
    excluded_text = tuple(excluded_lines(exclusions))
    h = hashlib.sha256()
    for part in pool_text(task, sampling, rules, strata, exclusions, excluded_text):
        h.update(part)
    return FrozenPool(
        task, sampling, rules, tuple(strata), exclusions, h.hexdigest(), excluded_text
    )


_excluded_code = itemgetter(0)  # of an Exclusion: its credit code


def _empty_message(task: Task, excluded: Sequence[Exclusion]) -> Message:
    if not excluded:
        return msg(
            "task %(task)r: the pool is empty, no candidate target for items %(items)s; "
            "import the target directory for these items first",
            task=task.task_id, items=tuple(task.item_codes),
        )
    counts = Counter(e.rule_code for e in excluded)
    why = tuple(f"{code}: {n}" for code, n in sorted(counts.items()))
    return msg(
        "task %(task)r: the pool is empty, all %(count)s candidates were excluded (%(why)s); "
        "nothing can be drawn — widen the items, wait for the next period, or run it as a "
        "special inspection if the rules allow",
        task=task.task_id, count=len(excluded), why=why,
    )


# --- the pool digest -------------------------------------------------------------------


def pool_header(task: Task, sampling: Sampling, rules: PoolRules) -> dict[str, object]:
    """The object whose canonical JSON is the second line of the pool digest."""
    return {"task": plain(task), "sampling": plain(sampling), "rules": plain(rules)}


def exclusion_citations(rules: PoolRules) -> dict[str, Citation]:
    """Citation of every exclusion rule code the pool may name."""
    cites = {
        ONCE_PER_YEAR: rules.exclusion_policy.cite,
        SAME_QUARTER: rules.exclusion_policy.cite,
    }
    for r in rules.extra_exclusions:
        cites[r.code] = r.cite
    return cites


def pool_text(
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    strata: Sequence[Stratum],
    excluded: Sequence[Exclusion],
    excluded_text: Sequence[bytes] | None = None,
) -> Iterator[bytes]:
    """The pool's canonical lines (docs/draw-spec.md §3.3), UTF-8, in chunks.

    Their SHA-256 is the pool digest; joined, they are also the pool as the platform stores
    it. A million members never become one string.
    """
    yield f"{POOL_FORMAT}\n".encode()
    yield canonical_json(pool_header(task, sampling, rules)) + b"\n"
    for s in strata:
        check_field(s.name, "stratum name")
        yield f"stratum\t{s.name}\t{s.ratio_permille}\t{s.size}\t{len(s.lines)}\n".encode()
        lines = s.lines
        for start in range(0, len(lines), _CHUNK):
            yield b"\n".join(lines[start : start + _CHUNK]) + b"\n"
    yield from excluded_lines(excluded) if excluded_text is None else excluded_text


_EXCLUDED = "excluded\t{}\t{}\t{}\t{}\t{}\n".format
# fields of a verdict or an exclusion, read by C loops (typed loosely: they serve both)
_FIELD0: Any = itemgetter(0)
_FIELD1: Any = itemgetter(1)
_FIELD2: Any = itemgetter(2)
_FIELD4: Any = itemgetter(4)
_ARTICLE = attrgetter("citation.article")


def excluded_lines(excluded: Sequence[Exclusion]) -> Iterator[bytes]:
    """The excluded targets' digest lines, UTF-8, in chunks."""
    for start in range(0, len(excluded), _CHUNK):
        ex = excluded[start : start + _CHUNK]
        text = "".join(
            map(
                _EXCLUDED,
                map(_FIELD0, ex),
                map(_FIELD1, ex),
                map(_FIELD2, ex),
                map(_ARTICLE, ex),
                [t or "" for t in map(_FIELD4, ex)],
            )
        )
        if text.count("\t") != 5 * len(ex) or text.count("\n") != len(ex):
            for e in ex:
                check_field(e.credit_code, "credit code")
                check_field(e.name, f"name of {e.credit_code!r}")
                check_field(e.rule_code, "exclusion rule code")
                check_field(e.citation.article, "citation article")
                check_field(e.trigger_task_id or "", "task id")
        yield text.encode("utf-8")


def frozen_pool_text(pool: FrozenPool) -> Iterator[bytes]:
    """:func:`pool_text` of a frozen pool."""
    return pool_text(
        pool.task,
        pool.sampling,
        pool.rules,
        pool.strata,
        pool.excluded,
        pool.excluded_text if pool.excluded_text or not pool.excluded else None,
    )


def pool_digest(
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    strata: Sequence[Stratum],
    excluded: Sequence[Exclusion],
) -> str:
    """SHA-256 (hex) of the pool's canonical line serialisation (docs/draw-spec.md)."""
    h = hashlib.sha256()
    for part in pool_text(task, sampling, rules, strata, excluded):
        h.update(part)
    return h.hexdigest()


def parse_pool_text(data: bytes) -> dict[str, object]:
    """The bundle's ``pool`` object from the pool's canonical lines (:func:`pool_text`).

    The inverse of the serialisation, for a pool stored as its lines: ``{"strata": [{name,
    ratio_permille, size, members: [[code, name, [flags]]]}], "excluded": [[code, name, rule
    code, trigger or null]]}``.
    """
    text = data.decode("utf-8")
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] != POOL_FORMAT or lines[-1] != "":
        raise InvalidInput(msg("not a stored pool (shuangsuiji-pool/1 lines)"))
    strata: list[dict[str, object]] = []
    excluded: list[list[str | None]] = []
    i, end = 2, len(lines) - 1
    while i < end and lines[i].startswith("stratum\t"):
        _, name, ratio, size, count = lines[i].split("\t")
        n = int(count)
        rows = [f.split("\t") for f in lines[i + 1 : i + 1 + n]]
        strata.append(
            {
                "name": name,
                "ratio_permille": int(ratio),
                "size": int(size),
                "members": [[c, nm, fl.split(",") if fl else []] for _, c, nm, fl in rows],
            }
        )
        i += 1 + n
    for line in lines[i:end]:
        tag, code, name, rule, _article, trigger = line.split("\t")
        if tag != "excluded":
            raise InvalidInput(msg("stored pool: unexpected line %(line)r", line=line[:60]))
        excluded.append([code, name, rule, trigger or None])
    return {"strata": strata, "excluded": excluded}

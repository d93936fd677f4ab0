"""Candidates given as text (``CandidateText``, what a database aggregate gives) freeze the
same pool as the same candidates given as ``Target`` tuples, and are refused the same way."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.kernel import (
    CandidateText,
    EmptyPool,
    InvalidInput,
    Sampling,
    Target,
    TaskInspections,
    freeze_pool,
)
from shuangsuiji.kernel.poolcolumns import _text_rows
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel.builders import policy, pool_rules, risk, task, uscc

RECENT = ExclusionRule(
    "recent-60", "recently_inspected", (("days", 60),), Citation("p", "1", "第三条")
)
FLAG_RULE = ExclusionRule(
    "no-penalised", "flag", (("flag", "administrative_penalty"),), Citation("p", "1", "第四条")
)

#: Names a directory may hold: plain, with inner or edge spaces (stripped), ideographic
#: space, decomposed (NFD, normalised), a control character, empty.
NAMES = st.sampled_from([
    "重庆华信电子科技有限公司", "ABC Co., Ltd", " 渝通通信 ", "嘉陵\u3000机械", "Cafe\u0301",
    "\x01控制", "", "恒达", "Ärger GmbH",
])
#: Names the fast path takes as they are (any other name sends its chunk the exact way).
CLEAN = st.sampled_from(["重庆华信电子科技有限公司", "ABC Co., Ltd", "恒达", "", "Ärger GmbH"])
FLAGS = st.sampled_from([
    frozenset(), frozenset(), frozenset({"complaints"}), frozenset({"bad_credit"}),
    frozenset({"complaints", "bad_credit"}), frozenset({"administrative_penalty"}),
])

history_records = st.lists(
    st.builds(
        TaskInspections,
        task_id=st.sampled_from(["T-A", "T-B", "T-C"]),
        item_codes=st.lists(st.sampled_from(["ITEM-A", "ITEM-B"]), min_size=1, max_size=2,
                            unique=True).map(tuple),
        date=st.dates(date(2025, 1, 1), date(2025, 12, 31)),
        division=st.sampled_from(["DIV-1", "DIV-9"]),
        status=st.sampled_from(["completed", "ongoing", "voided"]),
        credit_codes=st.lists(st.integers(0, 39).map(uscc), max_size=10),
    ),
    max_size=6,
)


def as_text(chunk: list[Target]) -> CandidateText:
    text = "\n".join(f"{t.credit_code}\t{t.name}" for t in chunk)
    return CandidateText(text, len(chunk), {t.credit_code: t.flags for t in chunk if t.flags})


@settings(max_examples=200, deadline=None)
@given(
    rows=st.one_of(*(st.lists(st.tuples(st.integers(0, 39), names, FLAGS), max_size=40,
                              unique_by=lambda r: r[0]) for names in (CLEAN, NAMES))),
    split=st.integers(0, 40),
    ordered=st.booleans(),
    history=history_records,
    recent=st.booleans(),
    exempt=st.booleans(),
)
def test_text_freezes_the_same_pool_as_targets(
    rows: list[tuple[int, str, frozenset[str]]], split: int, ordered: bool,
    history: list[TaskInspections], recent: bool, exempt: bool,
) -> None:
    ts = [Target(uscc(i), name, flags) for i, name, flags in rows]
    if ordered:
        ts.sort()
    rules = pool_rules(
        exclusion_policy=policy(True, True, frozenset({"complaints"} if exempt else ())),
        risk_rules=(risk("complaints"), risk("bad_credit")),
        extra_exclusions=(FLAG_RULE, *((RECENT,) if recent else ())),
    )
    t = task(task_id="T-NEW")
    try:
        expected = freeze_pool(ts, history, t, Sampling(300), rules)
    except EmptyPool:
        with pytest.raises(EmptyPool):
            freeze_pool([as_text(ts)], history, t, Sampling(300), rules)
        return
    # two text chunks, and text mixed with tuples
    for chunks in ([as_text(ts[:split]), as_text(ts[split:])], [as_text(ts[:split]), *ts[split:]]):
        got = freeze_pool(chunks, history, t, Sampling(300), rules)
        assert got.digest == expected.digest
        assert got.excluded == expected.excluded
        assert [s.lines for s in got.strata] == [s.lines for s in expected.strata]


def test_clean_text_takes_the_fast_path_and_other_text_the_exact_one() -> None:
    clean = as_text([Target(uscc(2), "ABC Co., Ltd"), Target(uscc(1), "重庆华信")])
    found = _text_rows(clean.text, clean.rows)
    assert found == ([f"{uscc(2)}\tABC Co., Ltd", f"{uscc(1)}\t重庆华信"], 18)
    for name in (" 渝通", "渝通 ", "嘉陵\u3000机械", "Cafe\u0301", "\x01控制"):
        chunk = as_text([Target(uscc(1), name)])
        assert _text_rows(chunk.text, chunk.rows) is None, name


def test_a_duplicate_code_across_text_and_tuples_is_refused() -> None:
    history = [TaskInspections("T-A", ("ITEM-A",), date(2025, 3, 1), "DIV-1", "completed",
                               [uscc(2)])]
    for dup in (1, 2):  # without history, and with history (taken out of the text again)
        chunks = [as_text([Target(uscc(1), "甲"), Target(uscc(2), "乙")]),
                  Target(uscc(dup), "丙")]
        with pytest.raises(InvalidInput, match="occurs twice"):
            freeze_pool(chunks, history, task(), Sampling(300), pool_rules())
    twice = CandidateText(f"{uscc(2)}\t乙\n{uscc(2)}\t乙", 2, {})
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([twice], history, task(), Sampling(300), pool_rules())


@pytest.mark.parametrize(("text", "count", "problem"), [
    (f"{uscc(1)}\t甲\n{uscc(2)}\t乙", 3, "counted 3 candidates but gave 2 lines"),
    (f"{uscc(1)}\t甲\t乙\n{uscc(2)}", 2, "separated by one tab"),
    (f"{uscc(1)}\t甲\n\t乙", 2, "has no credit code"),
])
def test_malformed_text_is_refused_with_what_is_wrong(text: str, count: int,
                                                      problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        freeze_pool([CandidateText(text, count, {})], [], task(), Sampling(300), pool_rules())


def test_flags_for_a_code_not_in_the_text_are_refused() -> None:
    chunk = CandidateText(f"{uscc(1)}\t甲", 1, {uscc(9): frozenset({"complaints"})})
    with pytest.raises(InvalidInput, match="not among the candidates"):
        freeze_pool([chunk], [], task(), Sampling(300), pool_rules())


def _pages(*codes: list[int]) -> list[CandidateText]:
    return [CandidateText("\n".join(f"{uscc(i)}\t企业{i}" for i in page), len(page), {})
            for page in codes]


@pytest.mark.parametrize("pages", [
    ([1, 2, 3], [3, 4]),  # the next page starts at the last code of the one before
    ([1, 2, 3], [2, 9]),  # ... below it
    ([1, 2, 2, 3], [4]),  # within one page, one after the other
    ([1, 5], [7, 5]),  # the next page falls back below its own first code, onto page one's
])
def test_a_code_twice_in_rising_text_pages_is_refused(pages: tuple[list[int], ...]) -> None:
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool(_pages(*pages), [], task(), Sampling(300), pool_rules())


def test_pages_in_any_order_freeze_the_pool_of_pages_in_code_order() -> None:
    ordered = freeze_pool(_pages([1, 2, 3], [4, 5, 6]), [], task(), Sampling(300), pool_rules())
    for shuffled in (([4, 5, 6], [1, 2, 3]), ([3, 1, 2], [6, 4, 5]), ([1, 2, 3, 5], [4, 6])):
        pool = freeze_pool(_pages(*shuffled), [], task(), Sampling(300), pool_rules())
        assert pool.digest == ordered.digest
        assert [s.lines for s in pool.strata] == [s.lines for s in ordered.strata]

"""The stream reader keeps a bundle's excluded rows as text in chunks (like the members), and
the verifier reads them a chunk at a time (kernel/excludedrows.py): a good bundle verifies,
and every kind of bad excluded row is reported as when the bundle is read whole."""

from __future__ import annotations

import copy
import io
import json
from random import Random
from typing import Any

import pytest

from shuangsuiji.kernel import (
    DrawParams,
    Sampling,
    canonical_json,
    draw,
    freeze_pool,
    make_bundle,
    verify_bundle,
)
from shuangsuiji.kernel.codec import BundleFormatError
from shuangsuiji.kernel.excludedruns import ExcludedRuns
from shuangsuiji.kernel.strictjson import PLAIN_RUNS, RawRows, load, loads
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel import builders as b
from tests.kernel.test_bundle_stream import _pool_with_everything


def _streamed(data: bytes) -> Any:
    return load(io.BytesIO(data), rows=2, read_size=11)


def _outcome(read: Any, data: bytes) -> tuple[Any, ...]:
    try:
        bundle = read(data)
    except BundleFormatError as e:
        return ("refused", e.path, e.problem)
    report = verify_bundle(bundle)
    return ("report", report.ok, report.path, str(report.message))


def _bundle() -> dict[str, Any]:
    result = draw(_pool_with_everything(), "dice 3-5-1-6-2-4", rules=b.draw_rules(),
                  params=DrawParams(scope="within_department", group_count=2, experts_count=1),
                  inspectors=b.inspectors(6), experts=b.experts(3))
    bundle = make_bundle(result)
    assert len(bundle["pool"]["excluded"]) >= 3, "the fixture must exclude a few targets"
    return bundle


def test_the_excluded_rows_are_read_as_chunks_of_text_and_verify() -> None:
    bundle = _bundle()
    data = canonical_json(bundle)
    streamed = _streamed(data)
    excluded = streamed["pool"]["excluded"]
    assert isinstance(excluded, RawRows) and len(excluded.counts) > 1
    assert list(excluded) == bundle["pool"]["excluded"]
    assert _outcome(_streamed, data)[:2] == ("report", True)


def _changed(change: str) -> dict[str, Any]:
    bundle = copy.deepcopy(_bundle())
    rows = bundle["pool"]["excluded"]
    last = len(rows) - 1  # in the last chunk: the offset of its rows must be right
    if change == "rule not enabled":
        rows[last][2] = "no_such_rule"
    elif change == "no trigger":
        rows[last][3] = None
    elif change == "empty trigger":  # draw-spec §3.3: "" is not null, and is refused
        rows[last][3] = ""
    elif change == "three fields":
        rows[last] = rows[last][:3]
    elif change == "name":
        rows[last][1] += "（改）"
    elif change == "order":
        rows[0], rows[last] = rows[last], rows[0]
    elif change == "one more":
        rows.append(["91500000999999999X", "某公司", rows[0][2], rows[0][3]])
    elif change == "a number":
        rows[last][0] = 7
    return bundle


@pytest.mark.parametrize("change", ["rule not enabled", "no trigger", "empty trigger",
                                    "three fields", "name", "order", "one more", "a number"])
def test_a_bad_excluded_row_is_reported_as_when_read_whole(change: str) -> None:
    data = canonical_json(_changed(change))
    whole = _outcome(loads, data)
    assert whole[:2] == ("report", False) or whole[0] == "refused"
    assert _outcome(_streamed, data) == whole


@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")])
def test_runs_of_plain_excluded_rows_found_without_the_expression_are_what_it_matches(
        separators: tuple[str, str]) -> None:
    """Every run :class:`ExcludedRuns` finds is one the regular expression matches whole,
    of plain rows only (four strings each); rows that are not plain (a null trigger, three
    or five fields, an escape, a raw control character) are never in one."""
    rng = Random(17)
    shapes = ["plain"] * 12 + ["null", "three", "five", "quote", "backslash", "ideographic",
                               "control"]
    texts, plain = [], []
    for i in range(3000):
        shape = rng.choice(shapes)
        row: list[Any] = [f"9150{i:014d}", f"企业{i}, ]],[", "once_per_year", f"T-{i % 9}"]
        if shape == "null":
            row[3] = None
        elif shape == "three":
            row = row[:3]
        elif shape == "five":
            row.append("x")
        elif shape == "quote":
            row[1] = '带"引号'
        elif shape == "backslash":
            row[1] = "反\\斜杠"
        elif shape == "ideographic":
            row[1] = "全角\u3000空格"  # plain: a string may hold it
        text = json.dumps(row, ensure_ascii=False, separators=separators)
        if shape == "control":
            text = text.replace("T-", "T-\x01")  # raw: JSON does not allow it
        texts.append(text)
        plain.append(shape in ("plain", "ideographic"))
    data = "[" + separators[0].join(texts) + "]"
    starts = [1]
    for text in texts:
        starts.append(starts[-1] + len(text) + len(separators[0]))
    expression = PLAIN_RUNS["excluded"][0]
    runs, i, found = ExcludedRuns(), 0, 0
    while i < len(texts):
        taken = runs.take(data, starts[i], 500)
        if taken is None:
            i += 1
            continue
        n, end = taken
        assert 1 <= n <= 500 and i + n < len(texts)  # (followed by another row)
        assert end == starts[i + n] - len(separators[0])
        assert all(plain[i:i + n])
        assert expression.fullmatch(data, starts[i], end) is not None
        found += n
        i += n
    assert found > sum(plain) * 3 // 4


def _flag_bundle() -> dict[str, Any]:
    """Five targets excluded by an extra rule of kind ``flag``: no task triggers them."""
    closed = ExclusionRule("closed", "flag", (("flag", "closed"),),
                           Citation("test", "1", "第十二条"))
    pool = freeze_pool(b.targets(12, {i: frozenset({"closed"}) for i in (1, 3, 5, 7, 9)}), [],
                       b.task(), Sampling(500), b.pool_rules(extra_exclusions=(closed,)))
    result = draw(pool, "dice 3-5-1-6-2-4", rules=b.draw_rules(),
                  params=DrawParams(scope="within_department", group_count=1),
                  inspectors=b.inspectors(4), experts=[])
    return make_bundle(result)


def test_an_empty_trigger_in_a_later_chunk_is_named_by_its_index() -> None:
    """Each row of a flag rule (no trigger: null) made ``""`` in turn, read as a stream in
    chunks of two: refused at that row's own path, as when read whole."""
    bundle = _flag_bundle()
    rows = bundle["pool"]["excluded"]
    assert [r[2:] for r in rows] == [["closed", None]] * 5
    assert _outcome(_streamed, canonical_json(bundle))[:2] == ("report", True)
    for i in range(len(rows)):
        changed = copy.deepcopy(bundle)
        changed["pool"]["excluded"][i][3] = ""
        data = canonical_json(changed)
        found = _outcome(_streamed, data)
        assert found == _outcome(loads, data)
        assert found[:3] == ("report", False, f"pool.excluded[{i}][3]"), found

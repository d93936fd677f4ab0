"""The public pool JSON made straight from a frozen pool (kernel/pooljson.py) is, byte for
byte, the pool JSON made from the pool's lines (bundlestream.pool_json), which is the
canonical JSON of the parsed pool: for plain chunks (the fast path), chunks with flags, a
quote, a backslash, a control character or an empty trigger (the ordinary path), and mixes."""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.kernel import (
    FrozenPool,
    Inspection,
    Sampling,
    canonical_json,
    freeze_pool,
    frozen_pool_text,
    parse_pool_text,
    pooljson,
)
from shuangsuiji.kernel.bundlestream import pool_json
from tests.kernel import builders as b


def _pool(n: int, names: dict[int, str] | None = None, *, flagged: bool = True) -> FrozenPool:
    # 40-43: flags no risk rule names, so members of the general stratum carry them
    flags = {3: frozenset({"bad_credit"}), 9: frozenset({"complaint"}),
             12: frozenset({"bad_credit", "complaint"}), 40: frozenset({"other"}),
             41: frozenset({"other", "more"}), 43: frozenset({"other"})} if flagged else None
    targets = b.targets(n, flagged=flags)
    for i, name in (names or {}).items():
        targets[i] = targets[i]._replace(name=name)
    rules = b.pool_rules(risk_rules=(b.risk("bad_credit", 300), b.risk("complaint", 200)))
    history = [Inspection(targets[i].credit_code, "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD",
                          "completed") for i in (1, 2, 20)]
    return freeze_pool(targets, history, b.task(), Sampling(100), rules)


def _expected(pool: FrozenPool) -> bytes:
    text = b"".join(frozen_pool_text(pool))
    from_lines = b"".join(pool_json(lambda: iter([text])))
    assert from_lines == canonical_json(parse_pool_text(text))
    return from_lines


AWKWARD = {
    1: '被排除 "引号"',  # an excluded target
    5: '名称 "带引号"',
    7: "反斜杠 \\ 在中间",
    30: "控制\x01字符",
    33: "",
    34: "逗号,在名称里",
    35: "名称以member结尾member",
}


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 65536])
@pytest.mark.parametrize("awkward", [False, True])
def test_the_pool_json_from_the_frozen_pool_is_the_pool_json_of_its_lines(
        rows: int, awkward: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pooljson, "_ROWS", rows)
    monkeypatch.setattr(pooljson, "_EXCLUDED_ROWS", max(1, rows // 2))
    pool = _pool(60, AWKWARD if awkward else None)
    assert pool.excluded and len(pool.strata) >= 2
    assert any(not line.endswith(b"\t") for line in pool.strata[-1].lines)  # flags in general
    assert b"".join(pooljson.frozen_pool_json(pool)) == _expected(pool)


def test_the_fast_path_is_taken_for_plain_chunks_and_refused_for_others() -> None:
    pool = _pool(50, flagged=False)
    general = pool.strata[-1].lines
    assert pooljson._plain_members(general) is not None
    flagged = _pool(50).strata[0].lines  # a risk stratum: every member has a flag
    assert pooljson._plain_members(flagged) is None
    for name in ('a "quote"', "a \\ backslash", "a \x1f control"):
        odd = _pool(50, {4: name}, flagged=False)
        assert pooljson._plain_members(odd.strata[-1].lines) is None
        assert b"".join(pooljson.frozen_pool_json(odd)) == _expected(odd)


def test_an_exclusion_with_an_empty_trigger_is_written_as_null() -> None:
    pool = _pool(40)
    first = pool.excluded[0]._replace(trigger_task_id="")
    changed = FrozenPool(pool.task, pool.sampling, pool.rules, pool.strata,
                         (first, *pool.excluded[1:]), pool.digest)
    assert b"".join(pooljson.frozen_pool_json(changed)) == _expected(changed)


@pytest.mark.parametrize("name", ["反斜杠 \\ 被排除", "控制\x02字符", "百分号 %s %d", "引号\"",
                                  "行分隔\u2028在中间"])
def test_an_awkward_excluded_name_is_written_as_json_writes_it(name: str) -> None:
    # target 2 is excluded by the history (_pool); the fast path is refused, or agrees
    pool = _pool(40, {2: name})
    assert any(e.name == name for e in pool.excluded)
    assert b"".join(pooljson.frozen_pool_json(pool)) == _expected(pool)

"""The bundle written as a stream from the pool's lines is the bundle's canonical JSON, byte
for byte; a committed bundle's draw read back (not recomputed) makes the same bundle."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest

from shuangsuiji.kernel import (
    FrozenPool,
    Inspection,
    Sampling,
    apply_recusal,
    canonical_json,
    freeze_pool,
    frozen_pool_text,
    make_bundle,
    parse_pool_text,
)
from shuangsuiji.kernel.bundlestream import bundle_json, lines_of, pool_json, result_without_pool
from shuangsuiji.kernel.errors import InvalidInput
from tests.kernel import builders as b
from tests.kernel.builders import MIIT_RECUSAL, small_result
from tests.kernel.test_announce import v2_bundle


def _cut(data: bytes, seed: int) -> Iterator[bytes]:
    """``data`` cut at random places (some pieces empty, some one byte)."""
    rnd = random.Random(seed)
    at = 0
    while at < len(data):
        n = rnd.choice((0, 1, 2, 7, 50, 400))
        yield data[at:at + n]
        at += n


def _without_pool(bundle: dict) -> dict:
    return {k: v for k, v in bundle.items() if k != "pool"}


def _pool_with_everything() -> FrozenPool:
    """Flags, two risk strata, exclusions, a name with a quote, a backslash and CJK."""
    targets = b.targets(40, flagged={3: frozenset({"bad_credit"}), 9: frozenset({"complaint"}),
                                     12: frozenset({"bad_credit", "complaint"})})
    targets[5] = targets[5]._replace(name='名称 "带引号" \\ 反斜杠')
    rules = b.pool_rules(risk_rules=(b.risk("bad_credit", 300), b.risk("complaint", 200)))
    history = [Inspection(targets[i].credit_code, "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD",
                          "completed") for i in (1, 2, 20)]
    return freeze_pool(targets, history, b.task(), Sampling(100), rules)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pool_json_from_lines_cut_anywhere_is_canonical_json(seed: int) -> None:
    pool = _pool_with_everything()
    assert pool.excluded and len(pool.strata) >= 2
    text = b"".join(frozen_pool_text(pool))
    streamed = b"".join(pool_json(lambda: _cut(text, seed)))
    assert streamed == canonical_json(parse_pool_text(text))


def test_the_bundle_stream_is_the_canonical_json_of_the_bundle() -> None:
    for bundle in (make_bundle(small_result()), v2_bundle()):
        pool = bundle["pool"]
        out = b"".join(bundle_json(_without_pool(bundle), [canonical_json(pool)]))
        assert out == canonical_json(bundle)


def test_a_committed_draw_read_back_makes_the_same_bundle_after_recusals() -> None:
    result = small_result()
    committed = make_bundle(result, pool=False, annotations={"attempt": 1})
    lean = result_without_pool(committed)
    assert make_bundle(lean, pool=False, annotations={"attempt": 1}) == committed
    g1 = result.groups[0]
    steps = [(1, g1.members[1], g1.targets[0], "withdraw")]
    full, thin = result, lean
    for step, person, target, mode in steps:
        full = apply_recusal(full, full.seed, step, person, target, mode, MIIT_RECUSAL).result
        thin = apply_recusal(thin, thin.seed, step, person, target, mode, MIIT_RECUSAL).result
    assert (make_bundle(thin, pool=False, annotations={"attempt": 1})
            == make_bundle(full, pool=False, annotations={"attempt": 1}))


def test_a_stored_pool_cut_short_is_refused() -> None:
    text = b"".join(frozen_pool_text(_pool_with_everything()))
    with pytest.raises(InvalidInput):
        list(lines_of([text[:-1]]))

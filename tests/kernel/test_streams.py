"""Random streams, the rejection sampler and partial Fisher–Yates: determinism and uniformity."""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections import Counter
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from shuangsuiji.kernel import InvalidInput, Stream, permutation, sample

P_MIN = 1e-4  # a fair sampler fails this on a fixed seed set with probability 1e-4


def test_stream_words_are_hmac_sha256_blocks_split_big_endian() -> None:
    # an independent computation from the construction, not from the kernel's code
    seed, label = "种子 seed", "targets/general"
    words = []
    for counter in range(2):
        block = hmac.new(
            seed.encode(), label.encode() + counter.to_bytes(8, "big"), hashlib.sha256
        ).digest()
        words.extend(struct.unpack(">4Q", block))
    s = Stream(seed, label)
    assert [s.word() for _ in range(8)] == words


def test_labels_give_independent_streams() -> None:
    a, b = Stream("x", "recusal/1"), Stream("x", "recusal/2")
    assert [a.word() for _ in range(4)] != [b.word() for _ in range(4)]


def test_empty_seed_is_refused() -> None:
    with pytest.raises(InvalidInput, match="seed is empty"):
        Stream("", "targets/general")


class Scripted(Stream):
    """A stream whose words are given, to test the rejection rule exactly."""

    def __init__(self, words: list[int]) -> None:
        super().__init__("scripted", "test")
        self.words = list(words)

    def word(self) -> int:
        return self.words.pop(0)


def test_below_rejects_the_uneven_tail() -> None:
    # 2**64 mod 3 == 1, so the single word 2**64 - 1 is the tail and must be redrawn
    s = Scripted([2**64 - 1, 5])
    assert s.below(3) == 5 % 3
    assert s.words == []
    # the last accepted word is limit - 1
    assert Scripted([2**64 - 2]).below(3) == (2**64 - 2) % 3


def test_below_is_unbiased_where_modulo_would_be_badly_biased() -> None:
    # n = 0.75 * 2**64: a bare `% n` returns a value below 2**62 half of the time, not 1/3
    n = 3 * 2**62
    s = Stream("bias-check", "below")
    hits = sum(s.below(n) < 2**62 for _ in range(6000))
    assert abs(hits / 6000 - 1 / 3) < 0.03


@given(st.integers(1, 10**6), st.text(min_size=1, max_size=20))
def test_below_stays_in_range(n: int, seed: str) -> None:
    s = Stream(seed, "range")
    assert all(0 <= s.below(n) < n for _ in range(5))


@given(
    st.integers(0, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    st.text(min_size=1, max_size=30),
)
def test_sample_is_k_distinct_positions_and_reproducible(nk: tuple[int, int], seed: str) -> None:
    n, k = nk
    first = sample(Stream(seed, "targets/general"), n, k)
    assert len(first) == k == len(set(first))
    assert all(0 <= i < n for i in first)
    assert sample(Stream(seed, "targets/general"), n, k) == first


def test_full_sample_is_a_permutation() -> None:
    assert sorted(permutation(Stream("p", "batches"), 50)) == list(range(50))


def test_sample_of_k_is_the_prefix_of_a_larger_sample() -> None:
    # partial Fisher–Yates: drawing more continues the same sequence
    assert sample(Stream("s", "l"), 100, 10) == sample(Stream("s", "l"), 100, 40)[:10]


def test_per_position_selection_is_uniform_over_many_seeds() -> None:
    n, k, seeds = 10, 3, 2000
    counts = Counter()
    first = Counter()
    for i in range(seeds):
        chosen = sample(Stream(f"u-{i}", "targets/general"), n, k)
        counts.update(chosen)
        first[chosen[0]] += 1
    observed = [counts[p] for p in range(n)]
    assert sum(observed) == seeds * k
    assert chisquare(observed).pvalue > P_MIN
    assert chisquare([first[p] for p in range(n)]).pvalue > P_MIN


def test_ordered_outcomes_are_uniform() -> None:
    # every ordered 2-of-4 outcome (12 of them) equally likely
    outcomes = Counter(tuple(sample(Stream(f"u-{i}", "o"), 4, 2)) for i in range(2400))
    assert set(outcomes) == set(permutations(range(4), 2))
    assert chisquare(list(outcomes.values())).pvalue > P_MIN


def test_below_is_uniform_for_a_non_power_of_two() -> None:
    s = Stream("u-below", "below")
    counts = Counter(s.below(7) for _ in range(7000))
    assert chisquare([counts[v] for v in range(7)]).pvalue > P_MIN


def test_below_refuses_an_empty_range() -> None:
    stream = Stream("seed", "targets/general")
    for n in (0, -1):
        with pytest.raises(ValueError, match="at least 1"):
            stream.below(n)


@pytest.mark.parametrize(("n", "k"), [(3, 4), (3, -1), (0, 1)])
def test_sample_refuses_more_than_there_are_or_a_negative_count(n: int, k: int) -> None:
    with pytest.raises(ValueError, match=f"cannot choose {k} of {n}"):
        sample(Stream("seed", "targets/general"), n, k)


def test_sample_of_none_and_of_all() -> None:
    assert sample(Stream("seed", "x"), 5, 0) == []
    assert sorted(sample(Stream("seed", "x"), 5, 5)) == [0, 1, 2, 3, 4]


def _sample_word_by_word(stream: Stream, n: int, k: int) -> list[int]:
    """docs/draw-spec.md's partial Fisher–Yates, one below() per step, as the spec says."""
    a: dict[int, int] = {}
    out = []
    for i in range(k):
        j = i + stream.below(n - i)
        a[i], a[j] = a.get(j, j), a.get(i, i)
        out.append(a[i])
    return out


@given(st.integers(0, 7), st.integers(0, 40), st.text(min_size=1, max_size=8))
def test_words_are_the_next_words_whatever_was_taken_before(before: int, count: int,
                                                             seed: str) -> None:
    one, other = Stream(seed, "l"), Stream(seed, "l")
    for _ in range(before):  # leaves part of a block in the buffer
        one.word()
        other.word()
    assert one.words(count) == [other.word() for _ in range(count)]
    assert one.word() == other.word()  # and the stream goes on from the same place


@pytest.mark.parametrize("n", [2**63 + 1, 3 * 2**62 + 7, 10, 1_000_003])
def test_sample_takes_the_same_words_as_below_step_by_step(n: int) -> None:
    # n just above 2**63 rejects about half the words: the batched path must take the words
    # after a rejected one exactly as below() does, and leave the stream where it would
    for seed in ("a", "b", "种子"):
        fast, slow = Stream(seed, "targets/general"), Stream(seed, "targets/general")
        k = min(n, 300)
        assert sample(fast, n, k) == _sample_word_by_word(slow, n, k)
        assert fast.word() == slow.word()

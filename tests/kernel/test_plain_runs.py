"""The stream reader's fast path (kernel/strictjson.py PLAIN_RUNS, RawRows.columns) and the
exclusions kept as digest lines (kernel/exclusionlines.py) are exactly as strict as the
whole-text reader: good bundles with awkward names verify; every changed member or excluded
field, every refusal, is reported alike, whatever the layout of the JSON and the sizes of
the buffers and chunks."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest

from shuangsuiji.kernel import (
    DrawParams,
    FrozenPool,
    Inspection,
    Sampling,
    canonical_json,
    draw,
    freeze_pool,
    make_bundle,
    verify_bundle,
)
from shuangsuiji.kernel.bundlerows import FoundExcluded
from shuangsuiji.kernel.bundleverify import result_from_bundle
from shuangsuiji.kernel.exclusionlines import ExclusionLines
from shuangsuiji.kernel.strictjson import RawRows, load, loads
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel import builders as b
from tests.kernel.test_bundle import leaves, mutated, set_at
from tests.kernel.test_strict_stream import _outcome

FLAG_RULE = ExclusionRule(
    "no-penalised", "flag", (("flag", "administrative_penalty"),), Citation("p", "1", "第四条")
)
#: names whose unescaped text holds JSON's structural characters, or white space JSON does
#: not allow between tokens; and two that need escapes (a quote, a backslash)
AWKWARD = {
    4: '公司, []], [号', 5: "[", 6: "]", 7: ",", 8: "名称[", 10: "全角\u3000空格",
    11: "不换行\xa0空格", 14: '带"引号', 15: "反\\斜杠", 16: '", "', 17: "],[",
}


def _pool() -> FrozenPool:
    targets = b.targets(70, flagged={
        3: frozenset({"bad_credit"}), 9: frozenset({"complaint"}),
        12: frozenset({"bad_credit", "complaint"}), 40: frozenset({"other"}),
        50: frozenset({"administrative_penalty"}), 51: frozenset({"administrative_penalty"}),
    })
    for i, name in AWKWARD.items():
        targets[i] = targets[i]._replace(name=name)
    rules = b.pool_rules(risk_rules=(b.risk("bad_credit", 300), b.risk("complaint", 200)),
                         extra_exclusions=(FLAG_RULE,))
    history = [Inspection(targets[i].credit_code, "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD",
                          "completed") for i in (1, 2, 6, 20, 33)]
    return freeze_pool(targets, history, b.task(), Sampling(100), rules)


def _bundle() -> dict[str, Any]:
    result = draw(_pool(), "dice 3-5-1-6-2-4", rules=b.draw_rules(),
                  params=DrawParams(scope="within_department", group_count=2, experts_count=1),
                  inspectors=b.inspectors(6), experts=b.experts(3))
    bundle = make_bundle(result)
    triggers = {row[3] for row in bundle["pool"]["excluded"]}
    assert None in triggers and "T-OLD" in triggers, "both kinds of excluded row"
    return bundle


def _texts(bundle: dict[str, Any]) -> list[bytes]:
    return [canonical_json(bundle), json.dumps(bundle, ensure_ascii=False).encode(),
            json.dumps(bundle, ensure_ascii=False, indent=1).encode(),
            json.dumps(bundle).encode()]  # (\u escapes: no plain run at all)


SIZES = [(2, 7), (3, 64), (5, 4096), (16384, 1 << 20)]  # (rows per chunk, read size)


def _streamed(rows: int, size: int) -> Any:
    return lambda data: load(io.BytesIO(data), rows=rows, read_size=size)


@pytest.mark.parametrize(("rows", "size"), SIZES)
def test_awkward_names_verify_through_the_fast_path_in_every_layout(rows: int,
                                                                    size: int) -> None:
    bundle = _bundle()
    for data in _texts(bundle):
        streamed = _streamed(rows, size)(data)
        for k, s in enumerate(bundle["pool"]["strata"]):
            members = streamed["pool"]["strata"][k]["members"]
            assert isinstance(members, RawRows)
            assert list(members) == s["members"]
            assert sum(members.counts) == len(s["members"])
            assert all(n <= rows for n in members.counts)
        assert _outcome(_streamed(rows, size), data) == _outcome(loads, data)
        assert _outcome(_streamed(rows, size), data)[:2] == ("report", True)


def test_the_plain_rows_are_cut_from_the_text_and_the_others_noted() -> None:
    bundle = _bundle()
    general = next(s for s in bundle["pool"]["strata"] if s["name"] == "general")
    # indented: no layout the reader makes lines of, so the chunk is kept as text
    data = json.dumps(bundle, ensure_ascii=False, indent=1).encode()
    streamed = load(io.BytesIO(data), rows=16384)
    members = next(s for s in streamed["pool"]["strata"] if s["name"] == "general")["members"]
    assert isinstance(members, RawRows) and members.odd is not None
    assert members.lines(0) is None
    cut = members.columns(0)
    assert cut is not None
    (codes, names), odd = cut
    # the escaped names and the flagged member are read by the scanner, the rest cut
    expected_odd = {i for i, row in enumerate(general["members"])
                    if row[2] or '"' in row[1] or "\\" in row[1]}
    assert set(odd) == expected_odd and 2 <= len(odd) < len(general["members"])
    assert {i: general["members"][i] for i in odd} == odd
    plain = [row for i, row in enumerate(general["members"]) if i not in odd]
    assert codes == [r[0] for r in plain] and names == [r[1] for r in plain]


@pytest.mark.parametrize("compact", [True, False])
def test_the_plain_rows_are_made_lines_and_the_others_kept_as_their_text(compact: bool) -> None:
    bundle = _bundle()
    rows = next(s for s in bundle["pool"]["strata"] if s["name"] == "general")["members"]
    data = canonical_json(bundle) if compact else json.dumps(bundle, ensure_ascii=False).encode()
    streamed = load(io.BytesIO(data), rows=16384)
    members = next(s for s in streamed["pool"]["strata"] if s["name"] == "general")["members"]
    assert isinstance(members, RawRows) and members.counts == [len(rows)]
    lined = members.lines(0)
    assert lined is not None and members.columns(0) is None
    lines, kept = lined
    # every row not kept is a flagless member, and its line is its digest line, in order
    plain = [row for i, row in enumerate(rows) if i not in kept]
    assert lines == [f"member\t{code}\t{name}\t".encode() for code, name, _ in plain]
    assert not any(flags for _, _, flags in plain)
    # kept as their JSON text: the flagged, the escaped and those with a white space JSON
    # allows in a string but a digest line's check does not vouch for (and the last row)
    awkward = {i for i, row in enumerate(rows)
               if row[2] or any(c in row[1] for c in '"\\\u3000\xa0')}
    assert awkward <= set(kept) and len(kept) <= len(awkward) + 3
    assert {i: json.loads(text) for i, text in kept.items()} == {i: rows[i] for i in kept}
    assert list(members) == rows


def test_the_exclusions_are_kept_as_their_digest_lines() -> None:
    bundle = _bundle()
    pool = _pool()
    streamed = load(io.BytesIO(canonical_json(bundle)), rows=2, read_size=11)
    assert verify_bundle(streamed).ok
    found = streamed["pool"]["excluded"]
    assert isinstance(found, FoundExcluded) and isinstance(found.excluded, ExclusionLines)
    lines = found.excluded
    assert len(lines) == len(pool.excluded) >= 5 and len(lines.counts) > 1
    assert list(lines) == list(pool.excluded) and lines == pool.excluded
    assert lines[-1] == pool.excluded[-1] and lines[1:4] == list(pool.excluded[1:4])
    assert b"".join(lines.text) == b"".join(pool.excluded_text)
    recomputed = result_from_bundle(loads(canonical_json(bundle))).pool
    assert isinstance(recomputed.excluded, ExclusionLines)
    assert recomputed.digest == pool.digest
    # out of canonical order: the exact path (tuples) decides, as before
    rows = bundle["pool"]["excluded"]
    swapped = set_at(bundle, ("pool", "excluded"), [rows[1], rows[0], *rows[2:]])
    assert not isinstance(result_from_bundle(swapped).pool.excluded, ExclusionLines)


def _pool_paths(bundle: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [p for p, _ in leaves(bundle["pool"]) if p and p[0] in ("strata", "excluded")]


@pytest.mark.parametrize("layout", [0, 1, 2])
def test_every_changed_member_and_excluded_field_is_reported_alike(layout: int) -> None:
    bundle = _bundle()
    accepted = []
    for path in _pool_paths(bundle):
        node: Any = bundle["pool"]
        for key in path:
            node = node[key]
        for value in [mutated(node), 7, None, "", [], "a\tb", '"']:
            if value == node:
                continue
            changed = set_at(bundle, ("pool", *path), value)
            data = _texts(changed)[layout]
            whole = _outcome(loads, data)
            if whole[:2] == ("report", True):
                accepted.append((path, value))
            for rows, size in SIZES[:2]:
                assert _outcome(_streamed(rows, size), data) == whole, (path, value)
    # the one change no reader sees: a trigger null made "" (the digest line is the same)
    assert all(p[0] == "excluded" and p[2] == 3 and v == "" for p, v in accepted), accepted


def _between_plain_rows(text: str) -> int:
    """Where, in the general stratum's members, a flagless row ends and another begins."""
    general = text.rindex('"members":[[', 0, text.index('"name":"general"'))
    at = text.index('[]],["', general + 200) + len("[]],")
    assert text[at - 40:at + 40].count("[]]") >= 1
    return at


@pytest.mark.parametrize("insert", ["\u3000", "\xa0", "\u2028", "1.5,", "NaN,", "\x01"])
def test_what_json_does_not_allow_inside_a_run_is_refused_alike(insert: str) -> None:
    text = canonical_json(_bundle()).decode()
    at = _between_plain_rows(text)  # between two rows of a run
    for data in (text[:at] + insert + text[at:],
                 text[:at + 2] + insert + text[at + 2:]):  # inside the row's first string
        raw = data.encode()
        whole = _outcome(loads, raw)
        for rows, size in SIZES:
            assert _outcome(_streamed(rows, size), raw) == whole, (insert, whole)


def test_a_row_cut_short_or_doubled_inside_a_run_is_refused_or_reported_alike() -> None:
    text = canonical_json(_bundle()).decode()
    at = _between_plain_rows(text)
    end = text.index("]", text.index("[]", at)) + 1  # the next row, flagless
    row = text[at:end]
    cases = [text[:at] + row[:-1] + text[end:],  # a bracket missing
             text[:at] + row + "," + text[at:],  # the row twice
             text[:at] + row.replace('",', '" ,', 1) + text[end:],  # white space
             text[:at] + row.replace("[]", '["x"]') + text[end:]]  # a flag
    for data in cases:
        raw = data.encode()
        whole = _outcome(loads, raw)
        for rows, size in SIZES:
            assert _outcome(_streamed(rows, size), raw) == whole


def test_runs_made_lines_stop_before_an_awkward_row_and_the_text_looked_at_shrinks() -> None:
    from shuangsuiji.kernel.memberlines import MemberRuns

    names = [f"企业{i}" for i in range(2000)]
    for i in range(0, 2000, 97):
        names[i] = f"全角\u3000{i}"  # not vouched for: left to the exact path
    rows = [[f"91500000{i:09d}X", name, []] for i, name in enumerate(names)]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    runs, pos, got, left = MemberRuns(), 1, [], []
    while pos < len(text) - 1:
        taken = runs.take(text, pos, 300)
        if taken is None:  # one row by the exact path
            end = text.index("]]", pos) + 2
            left.append(json.loads(text[pos:end]))
            got.append(None)
        else:
            lines, end = taken
            assert 1 <= len(lines) <= 300 and text[end] in ",]"
            assert json.loads("[" + text[pos:end] + "]") == [
                [code, name, []] for code, name, _ in
                (line.decode().split("\t")[1:] for line in lines)]
            got.extend(lines)
        pos = end + 1
    made = [line for line in got if line is not None]
    assert len(made) + len(left) == len(rows)
    assert {row[1] for row in left} >= {n for n in names if "\u3000" in n}
    # and no good row but the last (no row after it)
    assert [row for row in left if "\u3000" not in row[1]] == [rows[-1]]
    assert runs.window < 1 << 20  # shrunk where the rows failed their checks

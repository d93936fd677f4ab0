"""The bundle as a text file, ``shuangsuiji-draw/3`` (docs/draw-spec.md §16): the same draw as
its JSON bundle, its pool as the very lines the pool digest hashes; verified by the same
checks, and refused at the first line that is not the canonical text."""

from __future__ import annotations

import gzip
import io
import unicodedata
from datetime import date
from typing import Any

import pytest

from shuangsuiji.kernel import Inspection, Sampling, freeze_pool, make_bundle, verify_bundle
from shuangsuiji.kernel.bundletext import MAGIC, TEXT_FORMAT, read_text, text_file
from shuangsuiji.kernel.pooltext import frozen_pool_text
from shuangsuiji.kernel.verify import main, read_bundle
from tests.kernel import builders as b
from tests.kernel.test_pool_blocks import _bundle


def as_text(bundle: dict[str, Any], pool: Any) -> bytes:
    """The /3 file of ``bundle`` (whose pool is ``pool``)."""
    rest = {k: v for k, v in bundle.items() if k != "pool"}
    return b"".join(text_file(rest, frozen_pool_text(pool)))


def _read(data: bytes) -> Any:
    f = io.BytesIO(data)
    assert f.read(len(MAGIC)) == MAGIC
    return read_text(f.read)


def _named_pool() -> Any:
    """A pool with a risk stratum, flagged members, Chinese and accented names, and targets
    excluded by an earlier inspection."""
    flags = {i: frozenset({"complaints"}) for i in range(0, 900, 40)}
    flags |= {7: frozenset({"complaints", "zz_other"}), 9: frozenset({"zz_other"})}
    targets = [t._replace(name=f"重庆市第{i}号制造有限公司") if i % 3 == 0 else t
               for i, t in enumerate(b.targets(900, flags))]
    targets[1] = targets[1]._replace(name="Café Ltd")
    history = [Inspection(b.uscc(i), "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD")
               for i in (4, 5, 6)]
    pool = freeze_pool(targets, history, b.task(), Sampling(150),
                       b.pool_rules(risk_rules=(b.risk("complaints"),)))
    assert len(pool.strata) == 2 and len(pool.excluded) == 3
    return pool


@pytest.fixture(scope="module")
def drawn() -> tuple[dict[str, Any], Any]:
    pool = _named_pool()
    return _bundle(pool), pool


def test_a_text_file_verifies_as_its_json_bundle_with_the_same_digests(drawn: Any) -> None:
    bundle, pool = drawn
    data = as_text(bundle, pool)
    assert data.startswith(b"shuangsuiji-draw/3\n{")
    # the file's pool is the very text the pool digest hashes
    pool_part = data.split(b"\n", 2)[2]
    assert pool_part == b"".join(frozen_pool_text(pool))
    report = verify_bundle(_read(data))
    assert report.ok, report
    assert report.summary["pool_digest"] == bundle["digests"]["pool"]
    assert report.summary["draw_digest"] == bundle["digests"]["draw"]
    assert report.summary.pop("file") == TEXT_FORMAT
    assert verify_bundle(bundle).summary == report.summary


def test_the_command_line_reads_the_text_file_plain_and_gzip(drawn: Any, tmp_path: Any,
                                                             capsys: Any) -> None:
    bundle, pool = drawn
    data = as_text(bundle, pool)
    plain, packed = tmp_path / "draw.ssj3", tmp_path / "draw.ssj3.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    for path in (plain, packed):
        assert main([str(path), "--lang", "en"]) == 0
        out = capsys.readouterr().out
        assert "bundle OK" in out and "read as a text file (shuangsuiji-draw/3)" in out
        assert main([str(path), "--lang", "zh"]) == 0
        assert "按文本格式（shuangsuiji-draw/3）读取" in capsys.readouterr().out
        assert isinstance(read_bundle(str(path))["pool"]["strata"], list)


def test_a_version_1_bundle_has_a_text_file_too() -> None:
    result = b.small_result()
    bundle = make_bundle(result)
    report = verify_bundle(_read(as_text(bundle, result.pool)))
    assert report.ok, report
    assert report.summary["format"] == "shuangsuiji-draw/1"


def _lines(data: bytes) -> tuple[bytes, list[bytes]]:
    head, rest = data.split(b"\n", 1)[1].split(b"\n", 1)
    return head, rest.split(b"\n")[:-1]


def _file(head: bytes, lines: list[bytes]) -> bytes:
    return MAGIC + head + b"\n" + b"".join(line + b"\n" for line in lines)


def _first_member(lines: list[bytes], plain: bool) -> int:
    return next(i for i, line in enumerate(lines)
                if line.startswith(b"member\t") and line.endswith(b"\t") == plain)


def _refused(data: bytes) -> tuple[str | None, str]:
    from shuangsuiji.kernel.errors import BundleFormatError

    try:
        report = verify_bundle(_read(data))
    except BundleFormatError as e:
        return e.path, str(e.problem)
    assert not report.ok, "a changed file was verified"
    return report.path, str(report.message)


def test_a_name_that_is_not_nfc_is_refused_at_its_line(drawn: Any) -> None:
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    i = next(j for j, line in enumerate(lines) if "Café".encode() in line)
    # written decomposed (e + U+0301): the same pool once made canonical, so refused for
    # its form, by the path its JSON bundle would be (the member's name)
    lines[i] = lines[i].replace("Café".encode(), unicodedata.normalize("NFD", "Café").encode())
    path, why = _refused(_file(head, lines))
    assert path == "pool.strata[1].members[0][1]", why


def _only_form_changed(drawn: Any, change: Any) -> tuple[str | None, str, int]:
    """Refusal of a file in which one line's form is changed, its meaning kept."""
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    i = change(lines)
    return (*_refused(_file(head, lines)), i)


def test_flags_out_of_order_are_refused_at_their_line(drawn: Any) -> None:
    def swap(lines: list[bytes]) -> int:
        i = next(j for j, line in enumerate(lines) if line.endswith(b"\tcomplaints,zz_other"))
        lines[i] = lines[i].replace(b"complaints,zz_other", b"zz_other,complaints")
        return i
    path, why, _i = _only_form_changed(drawn, swap)
    assert path == "pool.strata[0].members[1][2][0]", why  # as in its JSON bundle


def test_a_space_at_a_names_edge_is_refused_at_its_line(drawn: Any) -> None:
    def pad(lines: list[bytes]) -> int:
        i = _first_member(lines, plain=True)
        lines[i] = lines[i][:-1] + b" \t"
        return i
    path, why, _i = _only_form_changed(drawn, pad)
    assert path == "pool.strata[1].members[0][1]", why  # as in its JSON bundle


def test_a_changed_header_or_article_is_refused_at_its_line(drawn: Any) -> None:
    def header(lines: list[bytes]) -> int:
        lines[1] = lines[1].replace(b'{"rules"', b'{ "rules"')
        return 1
    path, why, _i = _only_form_changed(drawn, header)
    assert path == "pool line 2", why
    assert "canonical text" in why


def test_an_excluded_lines_article_must_be_its_rules(drawn: Any) -> None:
    def article(lines: list[bytes]) -> int:
        assert lines[-1].startswith(b"excluded\t")
        fields = lines[-1].split(b"\t")
        fields[4] = "第九十九条".encode()
        lines[-1] = b"\t".join(fields)
        return len(lines) - 1
    path, why, i = _only_form_changed(drawn, article)
    assert path == f"pool line {i + 1}", why


def test_a_member_changed_or_moved_is_refused_as_in_the_json(drawn: Any) -> None:
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    i = _first_member(lines, plain=True)
    renamed = list(lines)
    renamed[i] = renamed[i][:-1] + b"X\t"
    assert _refused(_file(head, renamed))[0] == "digests.pool"
    # a risk member put among the general stratum's lines, the counts mended: the strata
    # are rebuilt from the members' flags
    j = _first_member(lines, plain=False)
    first, second = (k for k, line in enumerate(lines) if line.startswith(b"stratum\t"))
    moved = list(lines)
    for k, by in ((first, -1), (second, 1)):
        fields = moved[k].split(b"\t")
        fields[4] = b"%d" % (int(fields[4]) + by)
        moved[k] = b"\t".join(fields)
    moved.insert(second + 1, moved[j])
    del moved[j]
    path, why = _refused(_file(head, moved))
    assert path is not None and path.startswith("pool.strata[0]"), why


@pytest.mark.parametrize("change, where", [
    (lambda ls: ls.__setitem__(0, b"shuangsuiji-pool/2"), "pool line 1"),
    (lambda ls: ls.__setitem__(2, ls[2].replace(b"\t", b" ", 1)), "pool line 3"),
    (lambda ls: ls.insert(4, ls[4] + b"\tmore"), "pool line 5"),
    (lambda ls: ls.append(b"excluded\tX"), None),
])
def test_lines_not_of_the_form_are_named(drawn: Any, change: Any, where: str | None) -> None:
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    change(lines)
    path, _ = _refused(_file(head, lines))
    assert path == (where or f"pool line {len(lines)}")


def test_the_json_line_is_strict_and_holds_no_pool(drawn: Any) -> None:
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    twice = head[:-1] + b',"seed":"other"}'
    assert _refused(_file(twice, lines))[0] == "bundle.seed"
    with_pool = head[:-1] + b',"pool":{}}'
    assert _refused(_file(with_pool, lines))[0] == "bundle.pool"
    data = _file(head, lines)
    assert _refused(data[:-1])[0] == f"pool line {len(lines)}"  # no final LF
    assert _refused(MAGIC + head)[0] == "bundle"  # cut before the pool


def test_the_format_name() -> None:
    assert TEXT_FORMAT == "shuangsuiji-draw/3"


def test_a_member_that_is_also_excluded_is_refused(drawn: Any) -> None:
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    ex = next(line for line in lines if line.startswith(b"excluded\t"))
    code = ex.split(b"\t")[1]
    i = _first_member(lines, plain=True)
    # the member's code made the excluded one's, the line kept in its place by order
    lines[i] = b"member\t" + code + b"\t" + lines[i].split(b"\t")[2] + b"\t"
    path, why = _refused(_file(head, lines))
    assert "occurs twice" in why, (path, why)


@pytest.mark.parametrize("where", ["forked child", "this process"])
def test_the_facts_are_the_same_found_apart_or_here(drawn: Any, where: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from shuangsuiji.kernel import textcheck

    if where == "this process":
        monkeypatch.delattr(os, "fork")
    bundle, pool = drawn
    data = as_text(bundle, pool)
    text = data.split(b"\n", 2)[2]
    checked = textcheck.check_apart(text)
    assert checked.canonical() is True
    facts = checked.facts()
    from shuangsuiji.kernel import poolmerkle

    assert facts == textcheck.TextFacts(True, poolmerkle.pool_root(pool)[0])
    twice = text.replace(b"excluded\t" + pool.excluded[0].credit_code.encode(),
                         b"excluded\t" + pool.strata[0].members[0].credit_code.encode())
    assert textcheck.check_apart(twice).facts().distinct is False
    assert textcheck.check_apart(text.replace("Café".encode(), "Cafe\u0301".encode())
                                 ).canonical() is False
    assert verify_bundle(_read(data)).ok


def test_two_bad_excluded_lines_do_not_add_up_to_good_rows(drawn: Any) -> None:
    """One excluded line a field short and the next a field long hold the right number of
    fields between them: each line is still checked for its own six."""
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    first = next(i for i, line in enumerate(lines) if line.startswith(b"excluded\t"))
    a, b_ = lines[first].split(b"\t"), lines[first + 1].split(b"\t")
    lines[first] = b"\t".join(a[:4] + a[5:])  # no article
    lines[first + 1] = b"\t".join([b"excluded", *b_[:]])  # one field more at its start
    path, _ = _refused(_file(head, lines))
    assert path == f"pool line {first + 1}"


def test_refused_files_leave_no_child_behind(drawn: Any) -> None:
    """A reader refused before it asks for the text's facts leaves its child running; the
    next check waits for every child that has ended, so none stays a zombie."""
    import os
    import time

    from shuangsuiji.kernel import textcheck

    if not hasattr(os, "fork"):
        pytest.skip("no fork here: the facts are found in the process itself")
    bundle, pool = drawn
    head, lines = _lines(as_text(bundle, pool))
    lines.append(b"excluded\tX")  # refused at its line, after the child was started
    for _ in range(5):
        _refused(_file(head, lines))
    deadline = time.monotonic() + 10
    while len(textcheck._children) > 1 and time.monotonic() < deadline:
        textcheck.check_apart(b"member\tA\tB\t\n").facts()
        time.sleep(0.05)
    assert len(textcheck._children) <= 1

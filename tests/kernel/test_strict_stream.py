"""The stream reader and the whole-text reader of a bundle agree: on good bundles (written
compactly or indented, read through buffers and chunks far smaller than the bundle), on every
single changed field, and on the strict-JSON refusals, which both name by path
(docs/draw-spec.md §13.2)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from shuangsuiji.kernel import canonical_json, verify_bundle
from shuangsuiji.kernel.codec import BundleFormatError
from shuangsuiji.kernel.strictjson import SAFE_INTEGER, RawRows, load, loads
from shuangsuiji.kernel.verify import main
from tests.kernel.test_announce import v2_bundle
from tests.kernel.test_bundle import bundle_with_recusals, leaves, mutated, set_at


def _streamed(data: bytes, rows: int = 3, read_size: int = 7) -> Any:
    return load(io.BytesIO(data), rows=rows, read_size=read_size)


def _texts(bundle: dict[str, Any]) -> list[bytes]:
    return [canonical_json(bundle), json.dumps(bundle, ensure_ascii=False, indent=1).encode(),
            json.dumps(bundle).encode(), b"\n " + canonical_json(bundle) + b"\r\n"]


def _outcome(read: Any, data: bytes) -> tuple[Any, ...]:
    try:
        bundle = read(data)
    except BundleFormatError as e:
        return ("refused", e.path, e.problem)
    report = verify_bundle(bundle)
    return ("report", report.ok, report.path, str(report.message))


@pytest.mark.parametrize("make", [bundle_with_recusals, v2_bundle])
def test_good_bundles_read_as_a_stream_verify_as_when_read_whole(make: Any) -> None:
    bundle = make()
    for data in _texts(bundle):
        streamed = _streamed(data)
        k = max(range(len(bundle["pool"]["strata"])),
                key=lambda i: len(bundle["pool"]["strata"][i]["members"]))
        members = streamed["pool"]["strata"][k]["members"]
        assert isinstance(members, RawRows) and len(members.counts) > 1  # chunks of 3 rows
        assert list(members) == bundle["pool"]["strata"][k]["members"]
        assert _outcome(_streamed, data) == _outcome(loads, data)
        assert _outcome(_streamed, data)[:2] == ("report", True)


def test_every_changed_field_is_reported_alike() -> None:
    bundle = bundle_with_recusals()
    paths = [p for p, _ in leaves(bundle)]
    for path in paths[::3]:
        data = canonical_json(set_at(bundle, path, mutated(_at(bundle, path))))
        assert _outcome(_streamed, data) == _outcome(loads, data), path


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _refusals() -> dict[str, tuple[bytes, str]]:
    text = canonical_json(bundle_with_recusals()).decode()
    member = text.index('"members":[[') + len('"members":[[')
    return {
        "key twice at the top": (text.replace('"seed":', '"seed":"x","seed":', 1),
                                 "bundle.seed"),
        "key twice in a stratum": (text.replace('"name":"general"',
                                                '"name":"general","name":"general"', 1),
                                   "bundle.pool.strata[1].name"),
        "a fraction among members": (text[:member] + "1.5," + text[member:],
                                     "bundle.pool.strata[0].members[0][0]"),
        "an exponent": (text.replace('"ratio_permille":', '"ratio_permille":1e2,"x":', 1),
                        "bundle.pool.strata[0].ratio_permille"),
        "an unsafe integer": (text.replace('"min_count":', f'"min_count":{SAFE_INTEGER + 1},'
                                           '"y":', 1), "bundle.sampling.min_count"),
        "NaN": (text.replace('"seed":', '"seed":NaN,"z":', 1), "bundle.seed"),
        "bad JSON": (text[:-1], "bundle"),
    }


@pytest.mark.parametrize("case", sorted(_refusals()))
def test_strict_refusals_are_named_alike_by_both_readers(case: str) -> None:
    data, path = _refusals()[case]
    raw = data if isinstance(data, bytes) else data.encode()
    whole = _outcome(loads, raw)
    assert whole[0] == "refused" and whole[1] == path, whole
    assert _outcome(_streamed, raw) == whole
    assert _outcome(lambda d: _streamed(d, rows=65536, read_size=1 << 20), raw) == whole


def test_the_largest_safe_integer_is_accepted() -> None:
    assert loads(f'{{"n":{SAFE_INTEGER},"m":{-SAFE_INTEGER}}}') == {"n": SAFE_INTEGER,
                                                                  "m": -SAFE_INTEGER}


def test_other_encodings_read_as_when_whole() -> None:
    text = canonical_json(bundle_with_recusals()).decode()
    for data in (b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        assert _outcome(_streamed, data) == _outcome(loads, data)
        assert _outcome(_streamed, data)[:2] == ("report", True)
    bad = text.encode().replace("企业".encode(), b"\xff\xfe", 1)
    assert _outcome(_streamed, bad) == _outcome(loads, bad) == ("refused", "bundle",
                                                                 "not UTF-8 text")


def test_the_command_line_reads_gzip_and_standard_input(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = canonical_json(bundle_with_recusals())
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(data))
    assert main([str(tmp_path / "b.json.gz")], env={}) == 0
    assert "bundle OK" in capsys.readouterr().out
    (tmp_path / "cut.json.gz").write_bytes(gzip.compress(data)[:-20])
    assert main([str(tmp_path / "cut.json.gz")], env={}) == 2
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["-"], env={}) == 0
    refused = _refusals()["key twice at the top"][0]
    (tmp_path / "twice.json").write_bytes(refused if isinstance(refused, bytes)
                                          else refused.encode())
    assert main([str(tmp_path / "twice.json")], env={}) == 2
    assert "bundle.seed" in capsys.readouterr().err


@pytest.mark.parametrize("case", sorted(_refusals()))
def test_a_gzip_bundle_is_refused_alike(case: str) -> None:
    # a refusal makes the stream reader read the file again from the start (seek(0))
    data, _ = _refusals()[case]
    raw = data if isinstance(data, bytes) else data.encode()
    with gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(raw))) as z:
        assert _outcome(lambda _: load(cast(BinaryIO, z), read_size=64), raw) == \
            _outcome(loads, raw)


def test_a_gzip_bundle_verifies_and_a_cut_one_is_refused() -> None:
    raw = canonical_json(bundle_with_recusals())
    with gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(raw))) as z:
        assert _outcome(lambda _: load(cast(BinaryIO, z), read_size=64), raw)[:2] == \
            ("report", True)
    with gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(raw)[:-20])) as z, \
            pytest.raises(EOFError):
        z.read()


def _damaged_gzip(data: bytes) -> bytes:
    """gzip of ``data`` whose first deflate block has the reserved type 3: not cut short and
    no CRC mismatch, but an inflate error (zlib's, or ISA-L's when it reads)."""
    packed = bytearray(gzip.compress(data))
    packed[10] |= 0b110  # the byte after the 10-byte header: BTYPE = 11
    return bytes(packed)


def test_a_damaged_gzip_bundle_is_a_clear_refusal_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from click.testing import CliRunner

    from shuangsuiji.cli import cli

    path = tmp_path / "damaged.json.gz"
    path.write_bytes(_damaged_gzip(canonical_json(bundle_with_recusals())))
    assert main([str(path)], env={}) == 2
    assert "cannot read the bundle" in capsys.readouterr().err
    done = CliRunner().invoke(cli, ["verify", str(path)])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.exception
    assert "cannot read the bundle" in done.output and "Traceback" not in done.output

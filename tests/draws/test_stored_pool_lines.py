"""A stored pool inflated on a second thread while its lines are cut (storage.inflated_lines):
the same lines and digest as inflating it whole, across piece boundaries; a damaged stream
refused as a changed database."""

from __future__ import annotations

import hashlib
import zlib

import pytest

from shuangsuiji.errors import Conflict
from shuangsuiji.services.draws import storage


def _text(n: int) -> bytes:
    return b"".join(f"member\t91500000{i:010d}\t企业{i}\t\n".encode() for i in range(n))


@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_the_lines_and_digest_are_those_of_the_whole_text(
    step: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_INFLATE_STEP", step)  # lines cut across every piece
    text = b"shuangsuiji-pool/1\n{}\n" + _text(2000)
    lines, digest = storage.inflated_lines(bytes(zlib.compress(text, 1)))
    assert lines == text[:-1].split(b"\n")
    assert digest == hashlib.sha256(text).hexdigest()


@pytest.mark.parametrize("damage", [
    lambda packed: packed[: len(packed) // 2],  # cut short
    lambda packed: packed + b"\x00trailing",  # bytes after the stream's end
    lambda packed: packed[:10] + bytes([packed[10] ^ 0xFF]) + packed[11:],  # a byte changed
    lambda packed: zlib.compress(b"member\tno line feed at the end"),  # not the text
])
def test_a_damaged_stored_pool_is_refused(damage: object) -> None:
    packed = zlib.compress(_text(500), 1)
    with pytest.raises(Conflict, match="stored pool is damaged"):
        storage.inflated_lines(damage(packed))  # type: ignore[operator]

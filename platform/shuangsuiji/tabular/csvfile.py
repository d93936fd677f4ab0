"""CSV in UTF-8 (with or without BOM) or GBK/GB18030, as regulators' systems export it.

Read as a stream: a first pass over the bytes decides the encoding (and hashes the file and
counts its lines), a second decodes while the rows are read, so a million-row file is never
held in memory as bytes or as text.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import IO, BinaryIO

from shuangsuiji.messages import msg
from shuangsuiji.tabular import limits
from shuangsuiji.tabular.cells import restore_row
from shuangsuiji.tabular.errors import TabularError

_SAVE_AS_UTF8 = msg("re-save the file as “CSV UTF-8” (Excel) or UTF-8 (WPS, a text editor)")
_BOM = b"\xef\xbb\xbf"
#: Bytes read at a time by the first pass.
PIECE_BYTES = 1 << 20


def _pieces(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """The stream from its start in pieces of about :data:`PIECE_BYTES` that end after a
    newline, each with its offset. Neither UTF-8 nor GB18030 has the byte 0x0A inside a
    character, so every piece decodes on its own."""
    stream.seek(0)
    offset = 0
    pending: list[bytes] = []
    while True:
        block = stream.read(PIECE_BYTES)
        if not block:
            if pending:
                yield offset, b"".join(pending)
            return
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # a line longer than a piece: read on
            pending.append(block)
            continue
        piece = b"".join((*pending, block[:cut]))
        pending = [block[cut:]]
        yield offset, piece
        offset += len(piece)


def _decodes(stream: BinaryIO, encoding: str) -> tuple[int | None, bool]:
    """Where ``encoding`` first fails on the stream (a byte offset; None: never), and
    whether the text is blank up to there."""
    blank = True
    for offset, piece in _pieces(stream):
        skip = 3 if offset == 0 and encoding == "utf-8" and piece.startswith(_BOM) else 0
        try:
            text = piece[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            return offset + skip + exc.start, blank
        if blank and text.strip():
            blank = False
    return None, blank


@dataclass(frozen=True)
class Scan:
    """What the first pass found: the encoding, the SHA-256 and the line count."""

    encoding: str
    sha256: str
    lines: int


def scan(stream: BinaryIO, name: str) -> Scan:
    """Decide the encoding strictly: UTF-8 (BOM allowed) first, then GB18030 (a superset of
    GBK). An undecodable byte is an error naming its line. The encoding that decoded further
    is taken as the one the file was meant to be in, so the line named is the bad one, not the
    first Chinese character of a GBK file. An empty (blank) file is refused.
    """
    stream.seek(0)
    start = stream.read(3)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TabularError(msg("the file is in UTF-16 (Excel “Unicode text”)"), where=name,
                           hint=_SAVE_AS_UTF8)
    digest = hashlib.sha256()
    lines = 0
    for _, piece in _pieces(stream):
        digest.update(piece)
        lines += piece.count(b"\n")
    utf8_error, blank = _decodes(stream, "utf-8")
    if utf8_error is None:
        encoding = "utf-8-sig" if start == _BOM else "utf-8"
    else:
        gb_error, blank = _decodes(stream, "gb18030")
        if gb_error is not None:
            _undecodable(stream, name, utf8_error, gb_error)
        encoding = "gb18030"
    if blank:
        raise TabularError(msg("the file is empty"), where=name,
                           hint=msg("the first row must hold the column headings"))
    return Scan(encoding, digest.hexdigest(), lines)


def _undecodable(stream: BinaryIO, name: str, utf8_error: int, gb_error: int) -> None:
    worst = max(utf8_error, gb_error)
    meant = "UTF-8" if utf8_error >= gb_error else "GBK"
    line = 1
    for offset, piece in _pieces(stream):
        if offset >= worst:
            break
        line += piece.count(b"\n", 0, worst - offset)
    stream.seek(worst)
    bad = stream.read(4).hex(" ")
    raise TabularError(
        msg("line %(line)d: undecodable text (bytes %(bytes)s); the file is neither valid "
            "UTF-8 nor valid GBK (it reads as %(meant)s up to this point)",
            line=line, bytes=bad, meant=meant),
        where=name,
        hint=_SAVE_AS_UTF8,
    )


def _rows(reader: Iterator[list[str]], name: str,
          stream: IO[str]) -> Iterator[tuple[int, list[object]]]:
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            limits.check_row(row_number, len(cells), name)
            if any(cells):
                yield row_number, restore_row(cells)
    except csv.Error as exc:
        raise TabularError(msg("row %(row)d: unreadable CSV (%(problem)s)", row=row_number + 1,
                               problem=str(exc)), where=name,
                           hint=msg("check the quoting of that row, or re-save the file")
                           ) from None
    finally:
        stream.close()


def read(stream: BinaryIO, name: str) -> tuple[
    list[str], Iterator[tuple[int, list[object]]], int, Scan
]:
    """Headings, rows, row-count hint and :class:`Scan` of a CSV file. The rows close
    ``stream`` when they have all been read."""
    found = scan(stream, name)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=found.encoding, newline="")
    # The dialect: regulators' exports use commas; a tab-separated export is sniffed from
    # the heading line only, so a comma inside a company name never changes the guess.
    first_line = text.readline()
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(chain([first_line], text), delimiter=delimiter)
    try:
        headings = next(reader)
    except csv.Error as exc:
        raise TabularError(msg("row %(row)d: unreadable CSV (%(problem)s)", row=1,
                               problem=str(exc)), where=name) from None
    return [str(h) for h in headings], _rows(reader, name, text), max(found.lines - 1, 0), found

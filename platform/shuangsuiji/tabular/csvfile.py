"""CSV in UTF-8 (with or without BOM) or GBK/GB18030, as regulators' systems export it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from shuangsuiji.messages import msg
from shuangsuiji.tabular import limits
from shuangsuiji.tabular.cells import restore
from shuangsuiji.tabular.errors import TabularError

_SAVE_AS_UTF8 = msg("re-save the file as “CSV UTF-8” (Excel) or UTF-8 (WPS, a text editor)")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode ``data`` strictly: UTF-8 (BOM allowed) first, then GB18030 (a superset of GBK).

    An undecodable byte is an error naming its line. The encoding that decoded further is
    taken as the one the file was meant to be in, so the line named is the bad one, not the
    first Chinese character of a GBK file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TabularError(msg("the file is in UTF-16 (Excel “Unicode text”)"), where=name,
                           hint=_SAVE_AS_UTF8)
    try:
        bom = data.startswith(b"\xef\xbb\xbf")
        return data.decode("utf-8-sig"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        gb_error = exc
    worst = utf8_error if utf8_error.start >= gb_error.start else gb_error
    meant = "UTF-8" if worst is utf8_error else "GBK"
    bad = data[worst.start : worst.start + 4].hex(" ")
    raise TabularError(
        msg("line %(line)d: undecodable text (bytes %(bytes)s); the file is neither valid "
            "UTF-8 nor valid GBK (it reads as %(meant)s up to this point)",
            line=_line_of(data, worst.start), bytes=bad, meant=meant),
        where=name,
        hint=_SAVE_AS_UTF8,
    )


def _rows(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[object]]]:
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            limits.check_row(row_number, len(cells), name)
            if any(cells):
                yield row_number, [restore(c) for c in cells]
    except csv.Error as exc:
        raise TabularError(msg("row %(row)d: unreadable CSV (%(problem)s)", row=row_number + 1,
                               problem=str(exc)), where=name,
                           hint=msg("check the quoting of that row, or re-save the file")
                           ) from None


def read(data: bytes, name: str) -> tuple[list[str], Iterator[tuple[int, list[object]]], int, str]:
    """Headings, rows, row-count hint and encoding of a CSV file."""
    text, encoding = decode(data, name)
    if not text.strip():
        raise TabularError(msg("the file is empty"), where=name,
                           hint=msg("the first row must hold the column headings"))
    # The dialect: regulators' exports use commas; a tab-separated export is sniffed from
    # the heading line only, so a comma inside a company name never changes the guess.
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = next(reader)
    except csv.Error as exc:
        raise TabularError(msg("row %(row)d: unreadable CSV (%(problem)s)", row=1,
                               problem=str(exc)), where=name) from None
    size = max(text.count("\n") - 1, 0)
    return [str(h) for h in headings], _rows(reader, name), size, encoding

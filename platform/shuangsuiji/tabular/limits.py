"""Bounds on what a file may make us read: a small upload must not expand into gigabytes.

An XLSX is a ZIP archive of XML: a 1 MiB file can declare (and hold) a gigabyte of XML.
Before openpyxl opens one, :func:`check_archive` reads the ZIP's directory and refuses an
archive whose members together expand beyond :data:`MAX_UNCOMPRESSED_BYTES`, or one member
compressed more than :data:`MAX_RATIO` to one (XML of real data compresses 5–30 times;
a bomb, a thousand). Python's ``zipfile`` never inflates a member beyond the size its
directory declares, so the declared sizes bound what is read. While rows are read, tables
longer than :data:`MAX_ROWS` (Excel's own limit) or wider than :data:`MAX_COLUMNS` are
refused, naming the row. The XML itself is parsed by openpyxl through ``defusedxml`` (no
entity expansion, no external entities), which openpyxl uses whenever it is installed.
"""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO

from shuangsuiji.messages import msg
from shuangsuiji.tabular.errors import TabularError

#: All members of an XLSX together, uncompressed.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
#: A member larger than :data:`RATIO_FLOOR_BYTES` may be compressed at most this much.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000
#: Data rows (Excel's limit is 1,048,576 rows including the heading) and columns.
MAX_ROWS = 1_048_575
MAX_COLUMNS = 200

_SAVE_SMALLER = msg("this is not a normal spreadsheet (it expands far beyond its size); "
                    "save the data again from Excel or WPS, or split it into several files")


def _size(data: bytes | BinaryIO) -> int:
    if isinstance(data, bytes):
        return len(data)
    return data.seek(0, io.SEEK_END)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB"


def check_archive(data: bytes | BinaryIO, name: str) -> None:
    """Refuse an XLSX (its bytes, or a seekable stream) whose ZIP directory declares too much,
    before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data
                                  ).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a ZIP at all: the reader says so in its own words
    if len(members) > MAX_MEMBERS:
        raise TabularError(msg("the workbook holds %(count)d parts; at most %(limit)d are read",
                               count=len(members), limit=MAX_MEMBERS),
                           where=name, hint=_SAVE_SMALLER)
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise TabularError(msg("the workbook expands to %(size)s (%(packed)s on disk); at most "
                               "%(limit)s are read", size=_mib(total), packed=_mib(_size(data)),
                               limit=_mib(MAX_UNCOMPRESSED_BYTES)),
                           where=name, hint=_SAVE_SMALLER)
    for member in members:
        if (member.file_size > RATIO_FLOOR_BYTES
                and member.file_size > MAX_RATIO * max(member.compress_size, 1)):
            raise TabularError(
                msg("the part %(part)s expands %(ratio)d times (%(size)s); a spreadsheet's "
                    "data expands far less", part=member.filename,
                    ratio=member.file_size // max(member.compress_size, 1),
                    size=_mib(member.file_size)),
                where=name, hint=_SAVE_SMALLER)


def check_row(row_number: int, width: int, name: str) -> None:
    """Refuse a row beyond :data:`MAX_ROWS` or wider than :data:`MAX_COLUMNS`."""
    if row_number - 1 > MAX_ROWS:
        raise TabularError(msg("the file has more than %(limit)d data rows", limit=MAX_ROWS),
                           where=name, hint=msg("split it into several files"))
    if width > MAX_COLUMNS:
        raise TabularError(msg("row %(row)d has %(count)d columns; at most %(limit)d are read",
                               row=row_number, count=width, limit=MAX_COLUMNS),
                           where=name,
                           hint=msg("delete the empty columns on the right, or the stray "
                                    "cells far from the table"))

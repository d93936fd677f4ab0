"""Open a CSV or XLSX file (a path or its bytes) as a :class:`Table`.

A path is read as a stream (never loaded whole), so a million-row file costs memory for the
row being read, not for the file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shuangsuiji.messages import msg
from shuangsuiji.tabular import csvfile, xlsxfile
from shuangsuiji.tabular.errors import TabularError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Table:
    """A file's headings (row 1) and its data rows as ``(row_number, cells)``.

    ``rows`` is an iterator and can be walked once. Entirely blank rows are skipped but still
    counted, so row numbers match what a spreadsheet shows. ``size_hint`` is the number of
    data rows when the format tells it cheaply (for a progress bar), else ``None``.
    """

    headings: list[str]
    rows: Iterator[tuple[int, list[object]]]
    size_hint: int | None
    source_format: str  # "csv" or "xlsx"
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig" or "gb18030"
    sha256: str = ""  # of the file's bytes


def load_bytes(source: bytes | str | Path, filename: str | None = None) -> tuple[bytes, str]:
    """The bytes of ``source`` (a path, or uploaded bytes) and the file name to report."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise TabularError(msg("cannot read the file: %(problem)s", problem=exc.strerror),
                               where=str(path)) from None
    return source, filename or "upload"


def open_source(source: bytes | str | Path, filename: str | None = None) -> tuple[BinaryIO, str]:
    """A binary stream over ``source`` (a path, opened; or uploaded bytes) and the file name
    to report."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return path.open("rb"), filename or path.name
        except OSError as exc:
            raise TabularError(msg("cannot read the file: %(problem)s", problem=exc.strerror),
                               where=str(path)) from None
    return io.BytesIO(source), filename or "upload"


def read_table(
    source: bytes | str | Path,
    filename: str | None = None,
    *,
    sheet: str | None = None,
) -> Table:
    """Open ``source`` (a path, or the file's bytes with its ``filename``) as a table.

    The format comes from the file name's suffix; bytes without a known suffix are sniffed
    (an XLSX is a ZIP archive). ``sheet`` picks an XLSX worksheet by name (default: the first).
    Raises :class:`TabularError` when the file cannot be read at all.
    """
    stream, name = open_source(source, filename)
    try:
        return _open(stream, name, sheet)
    except BaseException:
        stream.close()
        raise


def _open(stream: BinaryIO, name: str, sheet: str | None) -> Table:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise TabularError(
            msg("the old Excel format (.xls) is not supported"),
            where=name,
            hint=msg("open it in Excel or WPS and save it as .xlsx or as CSV (UTF-8)"),
        )
    magic = stream.read(4)
    stream.seek(0)
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and magic == b"PK\x03\x04"):
        sha256 = hashlib.file_digest(stream, "sha256").hexdigest()  # type: ignore[arg-type]
        stream.seek(0)
        headings, rows, size = xlsxfile.read(stream, name, sheet)
        return Table(headings, rows, size, "xlsx", sha256=sha256)
    if sheet is not None:
        raise TabularError(msg("--sheet applies to XLSX files only"), where=name,
                           hint=msg("leave out --sheet for a CSV file"))
    headings, rows, size, found = csvfile.read(stream, name)
    return Table(headings, rows, size, "csv", found.encoding, found.sha256)

"""An XLSX's shared-string table, held compactly.

Excel and WPS (and openpyxl, and our own exports) put every text cell's text in one table,
``xl/sharedStrings.xml``, that the cells point into by number; a million-row directory has two
million or more of them (every credit code and name is its own). openpyxl reads the table
into a list of Python strings before the first row, and leaves an emptied element behind for
each one until the table's end: at a million rows that alone was most of the import's peak
memory (docs/performance.md). :func:`read_shared_strings` keeps the texts as UTF-8 in one
buffer with an array of end offsets (a string is decoded when a cell asks for it) and drops
each element once read. The text of an entry is what openpyxl gives (the plain text and the
rich-text runs, without phonetic runs, ``x005F_`` removed), tests/directories/test_xlsx_stream.py
compares both on the same table. The XML is parsed with openpyxl's ``iterparse``, which is
``defusedxml``'s when it is installed (it is, for openpyxl: no entity expansion).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import IO, overload

from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"


class SharedStrings(Sequence[str]):
    """The table: ``strings[i]`` decodes entry ``i``."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("Q")

    def append(self, text: str) -> None:
        self._text += text.encode("utf-8")
        self._ends.append(len(self._text))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        end = self._ends[index]  # IndexError for a cell pointing past the table
        if index < 0:
            index += len(self._ends)
        start = self._ends[index - 1] if index else 0
        return self._text[start:end].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def nbytes(self) -> int:
        """Bytes held (the texts and their offsets)."""
        return len(self._text) + self._ends.itemsize * len(self._ends)


def _text(si: object) -> str:
    """An entry's text as ``openpyxl.cell.text.Text.content`` gives it: its plain ``t`` and
    the ``t`` of each rich-text run ``r``; phonetic runs (``rPh``) left out."""
    parts = []
    for child in si:  # type: ignore[attr-defined]
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            t = child.find(_T)
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts).replace("x005F_", "")


def read_shared_strings(source: IO[bytes]) -> SharedStrings:
    """The table in ``source`` (the archive member ``xl/sharedStrings.xml``)."""
    strings = SharedStrings()
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if root is None:
            root = node
        elif event == "end" and node.tag == _SI:
            strings.append(_text(node))
            root.clear()  # the entry and any before it: read
    return strings


class CompactReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader with the shared strings read by :func:`read_shared_strings`
    (the rest of the workbook, styles and dates included, as openpyxl reads it)."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as src:
                self.shared_strings = read_shared_strings(src)

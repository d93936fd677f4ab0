"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

A :class:`Table` is the file's headings and its rows, each with the row number the user sees
in a spreadsheet (the heading row is row 1). Cell values are ``str`` from CSV; XLSX cells keep
their type (numbers, dates) so that an Excel date is read as a date, not as a serial number.
"""

from shuangsuiji.tabular.dates import parse_date
from shuangsuiji.tabular.errors import TabularError
from shuangsuiji.tabular.reader import Table, load_bytes, read_table
from shuangsuiji.tabular.writer import Sheet, write_sheets, write_table

__all__ = [
    "Sheet",
    "Table",
    "TabularError",
    "load_bytes",
    "parse_date",
    "read_table",
    "write_sheets",
    "write_table",
]

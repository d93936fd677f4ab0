"""A refused 统一社会信用代码 is a problem of its row and column, never an exception.

The targets import remembers each checked code in a compact form (an integer, for the
duplicates in the file); these fail if that form is ever taken of a code the reader refused
(the streamed import once raised ValueError from ``int(code, 36)`` on such a cell and the user
got "the job failed unexpectedly" instead of the row).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from shuangsuiji.services import audit
from shuangsuiji.services.import_fields import credit_code, credit_code_key
from shuangsuiji.services.imports import SINK_CHUNK, ImportFailed, import_file
from tests.directories.conftest import counts
from tests.directories.samples import (
    TARGET_HEADINGS_ZH,
    bad_check,
    code,
    csv_bytes,
    target_rows,
    xlsx_bytes,
)

HEADING = "统一社会信用代码"

#: Refused codes, each with the reason's telling words: no base-36 integer can be made of
#: the first two; Python's int() would read the last two (it allows "_" between digits and
#: takes full-width digits, which the reader accepts too, as ASCII, when the check character
#: is right), so they must never get that far either.
NOT_CODES = [
    ("not-a-code", "this one has 8"),
    ("91500103MA统一代码", "this one has 14"),
    ("91500103_23456789X", "not a credit code"),
    ("９１５００１０３１２３４５６７８９１", "should be 0, not 1"),
]

FILES: dict[str, Callable[[list[list[object]]], tuple[bytes, str]]] = {
    "csv-utf8": lambda rows: (csv_bytes(TARGET_HEADINGS_ZH, rows), "名录.csv"),
    "csv-gbk": lambda rows: (csv_bytes(TARGET_HEADINGS_ZH, rows, "gbk"), "名录.csv"),
    "xlsx": lambda rows: (xlsx_bytes(TARGET_HEADINGS_ZH, rows), "名录.xlsx"),
}


def _rows_with_bad_codes() -> tuple[list[list[object]], list[tuple[int, str]]]:
    """Rows (data row i is file row i + 2) and the (file row, reason words) expected."""
    rows: list[list[object]] = [list(r) for r in target_rows(12)]
    expected = []
    for i, (text, words) in enumerate(NOT_CODES):
        rows[2 * i + 1][0] = text
        expected.append((2 * i + 3, words))
    rows[10][0] = "not-a-code"  # the same refused text twice: its own problem, no duplicate
    expected.append((12, "this one has 8"))
    rows[11][0] = bad_check(code(12))
    expected.append((13, "check character"))
    return rows, expected


@pytest.mark.parametrize("form", sorted(FILES))
def test_refused_codes_are_row_numbered_problems(cq: Session, form: str) -> None:
    tid = cq.info["tenant_id"]
    rows, expected = _rows_with_bad_codes()
    data, name = FILES[form](rows)
    before, chain = counts(cq), audit.count(cq, tid)
    with pytest.raises(ImportFailed) as caught:
        import_file(cq, tid, "targets", data, name)
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(row, HEADING) for row, _ in expected]
    for problem, (_, words) in zip(problems, expected, strict=True):
        assert words in str(problem.reason), (problem.row, problem.reason)
    assert counts(cq) == before and audit.count(cq, tid) == chain


def test_code_typed_as_a_number_in_xlsx_is_its_rows_problem(cq: Session) -> None:
    rows: list[list[object]] = [list(r) for r in target_rows(3)]
    rows[1][0] = 915001031234567890  # Excel keeps 15 digits of it
    with pytest.raises(ImportFailed) as caught:
        import_file(cq, cq.info["tenant_id"], "targets",
                    xlsx_bytes(TARGET_HEADINGS_ZH, rows), "名录.xlsx")
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, HEADING)
    assert "stored as a number" in str(problem.reason)


def test_refused_code_after_staged_chunks(cq: Session) -> None:
    """A refused code in a later chunk, once rows are already staged: its problem, nothing
    written, and the same session imports a good file at once."""
    tid = cq.info["tenant_id"]
    rows = target_rows(SINK_CHUNK + 3)
    rows[-2][0] = "统一社会信用代码"  # a heading repeated inside the data
    before = counts(cq)
    with pytest.raises(ImportFailed) as caught:
        import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, rows), "t.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(len(rows), HEADING)]
    assert counts(cq) == before
    assert import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, target_rows(4)),
                       "good.csv").inserted == 4


def test_cli_names_the_row_and_column_of_a_refused_code(
        app: Flask, tenant_tree: dict[str, int], tmp_path: Path, cq: Session) -> None:
    rows = target_rows(4)
    rows[2][0] = "91500103-ABC"
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes(TARGET_HEADINGS_ZH, rows, "gbk"))
    before = counts(cq)
    result: Result = app.test_cli_runner().invoke(
        args=["import", "targets", "--tenant", "chongqing", str(path)])
    assert result.exit_code == 1, result.output
    assert f"row 4, column {HEADING}" in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output and "ValueError" not in result.output
    assert counts(cq) == before


def test_credit_code_key_is_one_to_one_and_never_raises() -> None:
    codes = [code(n, region) for n in range(1, 200) for region in ("500103", "110105")]
    keys = {credit_code_key(credit_code(c)) for c in codes}
    assert len(keys) == len(codes) and all(isinstance(k, int) for k in keys)
    for text, _ in NOT_CODES:
        assert credit_code_key(text) == text  # its own text, not an exception

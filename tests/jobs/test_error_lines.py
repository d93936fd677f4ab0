"""A refused import job lists its rows' problems (the first 50) — the import that names them
must resolve at run time."""

from __future__ import annotations

from shuangsuiji.services.import_report import SHOWN_PROBLEMS, ImportFailed, RowProblem
from shuangsuiji.services.jobs import error_lines


def test_a_refused_import_job_lists_its_problems() -> None:
    problems = [RowProblem(n, "抽查方式", "testing", "not allowed") for n in range(2, 60)]
    lines = [str(line) for line in error_lines(ImportFailed("items.csv", problems))]
    assert lines[0].startswith("items.csv: ")
    assert sum("row " in line for line in lines) == SHOWN_PROBLEMS
    assert any("more" in line for line in lines)

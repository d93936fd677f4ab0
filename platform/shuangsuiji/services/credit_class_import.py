"""Import a class file: each target's credit-risk class (信用风险分类) with the days it is in
force. Called by ``ssj credit-classes import``, by the staff page's upload and by its
background job.

Columns (Chinese or English headings; docs/imports.md): 统一社会信用代码 / ``credit_code``,
信用风险分类 (风险等级) / ``class``, 生效日期 / ``starts_on``, 失效日期 / ``ends_on``
(optional, exclusive: the first day the class no longer holds). Every row is checked first;
any problem (an unknown target, a class the tenant's pack does not declare on the row's
first day, a 失效日期 not after the 生效日期, two rows of one target whose days overlap) is
reported with its row number and column, and nothing is written. Otherwise the file states
the classes of the targets it names: their earlier class records are replaced by the file's
rows, other targets keep theirs, and one audit event records the counts and the file's
SHA-256, all in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import normalise
from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.messages import either, msg, reason
from shuangsuiji.models.credit_classes import TargetCreditClass
from shuangsuiji.models.directories import Target
from shuangsuiji.services import audit
from shuangsuiji.services import import_fields as f
from shuangsuiji.services.import_columns import Column, Schema
from shuangsuiji.services.import_report import ImportFailed, RowProblem
from shuangsuiji.services.imports import EMPTY_REQUIRED, _tenant_id, map_headings
from shuangsuiji.tabular import load_bytes, read_table

KIND = "credit_classes"

SCHEMA = Schema(
    kind=KIND,
    entity_zh="信用风险分类",
    columns=(
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), required=True),
        Column("class", "信用风险分类", ("风险等级", "信用风险等级", "风险分类", "分类",
                                        "credit_class", "class_code"), required=True),
        Column("starts_on", "生效日期", ("起始日期", "开始日期", "生效时间", "start"),
               required=True),
        Column("ends_on", "失效日期", ("截止日期", "结束日期", "失效时间", "end"),
               required=False),
    ),
    keys=("credit_code",),
)

#: ``declared(day)``: the classes the tenant's pack declares on ``day``.
Declared = Callable[[date], Sequence[CreditClass]]


@dataclass(frozen=True)
class ClassRow:
    row: int
    credit_code: str
    class_code: str
    starts_on: date
    ends_on: date | None


@dataclass
class ClassImportReport:
    filename: str
    sha256: str
    rows: int
    targets: int
    replaced: int = 0
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        text = (f"{verb} {self.rows} credit-risk class rows for {self.targets} targets from "
                f"{self.filename}; {self.replaced} earlier records replaced")
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text


def _cell(cells: list[object], index: int | None) -> object:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    if value is None:
        return ""
    return normalise(value) if isinstance(value, str) else value


def parse(session: Session, tenant_id: int, source: bytes | str | Path, filename: str | None,
          declared: Declared, *, sheet: str | None = None
          ) -> tuple[list[ClassRow], dict[str, int], str, str, str | None, list[str]]:
    """Read and check every row: ``(rows, target id by credit code, file name, sha256,
    encoding, ignored headings)``; :class:`ImportFailed` with every problem."""
    data, name = load_bytes(source, filename)
    sha256 = hashlib.sha256(data).hexdigest()
    table = read_table(data, name, sheet=sheet)
    mapped, ignored = map_headings(SCHEMA, table.headings, name)
    at = {c.field: i for i, c, _ in mapped}
    heading = {c.field: h for _, c, h in mapped}
    known = dict(session.execute(select(Target.credit_code, Target.id).where(
        Target.tenant_id == tenant_id)).all())
    problems: list[RowProblem] = []
    rows: list[ClassRow] = []
    for row, cells in table.rows:
        ok = True
        values: dict[str, object] = {}
        for name_ in ("credit_code", "class", "starts_on", "ends_on"):
            raw = _cell(cells, at.get(name_))
            if raw == "":
                if SCHEMA.column(name_).required:
                    problems.append(RowProblem(row, heading.get(name_), None, EMPTY_REQUIRED))
                    ok = False
                values[name_] = None
                continue
            try:
                if name_ == "credit_code":
                    values[name_] = f.credit_code(raw)
                elif name_ == "class":
                    values[name_] = f.text(raw).strip()
                else:
                    values[name_] = f.a_date(raw)
            except ValueError as exc:
                problems.append(RowProblem(row, heading[name_], f.text(raw), reason(exc)))
                ok = False
        if not ok:
            continue
        code, klass = str(values["credit_code"]), str(values["class"])
        start = values["starts_on"]
        end = values["ends_on"]
        assert isinstance(start, date) and (end is None or isinstance(end, date))
        if code not in known:
            problems.append(RowProblem(row, heading["credit_code"], code, msg(
                "no target with this credit code in this tenant's directory; import the "
                "target first (ssj import targets) or correct the code")))
            ok = False
        classes = {c.code: c for c in declared(start)}
        if klass not in classes:
            hint = either([c.code for c in classes.values()]) if classes else None
            problems.append(RowProblem(row, heading["class"], klass, msg(
                "class %(code)s is not a credit-risk class of this tenant's rules on "
                "%(day)s; use one of %(known)s", code=klass, day=start.isoformat(),
                known=hint) if hint else msg(
                "this tenant's rules declare no credit-risk classes on %(day)s; classes "
                "cannot be imported for that day", day=start.isoformat())))
            ok = False
        if end is not None and end <= start:
            problems.append(RowProblem(row, heading["ends_on"], end.isoformat(), msg(
                "the class ends on %(end)s, not after it starts (%(start)s); the 失效日期 is the "
                "first day the class no longer holds", end=end.isoformat(),
                start=start.isoformat())))
            ok = False
        if ok:
            rows.append(ClassRow(row, code, klass, start, end))
    problems += _overlaps(rows, heading["starts_on"])
    if problems:
        problems.sort(key=lambda p: p.row)
        raise ImportFailed(name, problems)
    return rows, known, name, sha256, table.encoding, ignored


def _overlaps(rows: list[ClassRow], column: str) -> list[RowProblem]:
    """Rows of one target whose days overlap: each names the earlier row it overlaps."""
    out = []
    by_code: dict[str, list[ClassRow]] = {}
    for r in rows:
        by_code.setdefault(r.credit_code, []).append(r)
    for spans in by_code.values():
        spans.sort(key=lambda r: (r.starts_on, r.row))
        for before, after in pairwise(spans):
            if before.ends_on is None:
                out.append(RowProblem(after.row, column, after.starts_on.isoformat(), msg(
                    "target %(code)s: these days overlap row %(other)d (from %(start)s, with "
                    "no 失效日期); a target has one class at a time — end row %(other)d on or "
                    "before this row's 生效日期", code=after.credit_code, other=before.row,
                    start=before.starts_on.isoformat())))
            elif after.starts_on < before.ends_on:
                out.append(RowProblem(after.row, column, after.starts_on.isoformat(), msg(
                    "target %(code)s: these days overlap row %(other)d (%(start)s to "
                    "%(end)s); a target has one class at a time — end row %(other)d on or "
                    "before this row's 生效日期", code=after.credit_code, other=before.row,
                    start=before.starts_on.isoformat(), end=before.ends_on.isoformat())))
    return out


def import_classes(session: Session, tenant_id: int, source: bytes | str | Path,
                   filename: str | None, declared: Declared, *, actor: str | None = None,
                   sheet: str | None = None, dry_run: bool = False) -> ClassImportReport:
    """Check the whole file, then replace the classes of the targets it names, in the
    caller's transaction (the caller commits)."""
    _tenant_id(session, tenant_id)
    rows, known, name, sha256, encoding, ignored = parse(session, tenant_id, source, filename,
                                                         declared, sheet=sheet)
    ids = sorted({known[r.credit_code] for r in rows})
    report = ClassImportReport(name, sha256, len(rows), len(ids), encoding=encoding,
                               ignored_columns=ignored, dry_run=dry_run)
    c = TargetCreditClass
    named = set(ids)
    old = [i for i, t in session.execute(select(c.id, c.target_id).where(
        c.tenant_id == tenant_id)) if t in named]
    report.replaced = len(old)
    if dry_run:
        return report
    if old:
        for start in range(0, len(old), 500):
            session.execute(delete(c).where(c.tenant_id == tenant_id,
                                            c.id.in_(old[start:start + 500])))
    session.add_all(TargetCreditClass(target_id=known[r.credit_code], class_code=r.class_code,
                                      starts_on=r.starts_on, ends_on=r.ends_on,
                                      source_sha256=sha256) for r in rows)
    session.flush()
    audit.record(session, tenant_id=tenant_id, action="import.credit_classes",
                 object_type="credit_classes", object_id=sha256[:16], actor=actor,
                 payload={"file": name, "sha256": sha256, "rows": report.rows,
                          "targets": report.targets, "replaced": report.replaced})
    return report

"""Export a directory to CSV or XLSX, with Chinese (default) or English headings.

An exported file imports back unchanged: the cells are written in the forms the import reads
(see :mod:`shuangsuiji.services.import_fields`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Expert, Inspector, Target, TargetFlag
from shuangsuiji.services import import_fields as f
from shuangsuiji.services import items as item_service
from shuangsuiji.services.import_columns import SCHEMAS, Schema
from shuangsuiji.tabular import write_table

LANGS = ("zh", "en")
EXPORT_KINDS = ("targets", "inspectors", "experts", "items")


def headings(schema: Schema, lang: str) -> list[str]:
    """The heading row of an export."""
    return [c.zh if lang == "zh" else c.field for c in schema.columns]


def _cell(value: object, lang: str) -> object:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return "" if value is None else value


def _targets(session: Session, lang: str) -> Iterator[list[object]]:
    flags: dict[int, list[f.FlagEntry]] = {}
    for row in session.execute(select(TargetFlag.target_id, TargetFlag.flag,
                                      TargetFlag.listed_on, TargetFlag.removed_on)):
        flags.setdefault(row.target_id, []).append((row.flag, row.listed_on, row.removed_on))
    fields = [c.field for c in SCHEMAS["targets"].columns if c.stored]
    rows = session.execute(select(Target.id, *[getattr(Target, n) for n in fields]))
    for row in sorted(rows, key=lambda r: r.credit_code):
        yield [_cell(v, lang) for v in row[1:]] + [f.format_flags(flags.get(row.id, []), lang)]


def _people(session: Session, model: type, kind: str, lang: str) -> Iterator[list[object]]:
    fields = [c.field for c in SCHEMAS[kind].columns]
    rows = session.execute(select(*[getattr(model, n) for n in fields]))
    for row in sorted(rows, key=lambda r: tuple(str(v) for v in r)):
        yield [_cell(v, lang) for v in row]


def _items(session: Session, lang: str) -> Iterator[list[object]]:
    for item in item_service.list_items(session):
        yield [item.code, item.name, item.content, item.legal_basis, item.subject,
               f.format_methods(item.methods, lang), item.frequency,
               f.format_category(item.category, lang), f.format_cap(item.cap_permille),
               f.format_cap(item.batch_order_min_permille),
               f.format_publication(item.publication_mode, lang), "; ".join(item.departments)]


def export_table(session: Session, kind: str, lang: str = "zh") -> tuple[list[str],
                                                                        Iterator[list[object]]]:
    """Headings and rows of the current tenant's ``kind`` directory."""
    if kind not in EXPORT_KINDS:
        raise UserError(msg("cannot export %(kind)r", kind=kind),
                        hint=msg("use one of: %(choices)s", choices=EXPORT_KINDS))
    if lang not in LANGS:
        raise UserError(msg("unknown language %(lang)r", lang=lang), hint=msg("use zh or en"))
    schema = SCHEMAS[kind]
    if kind == "targets":
        rows = _targets(session, lang)
    elif kind == "inspectors":
        rows = _people(session, Inspector, kind, lang)
    elif kind == "experts":
        rows = _people(session, Expert, kind, lang)
    else:
        rows = _items(session, lang)
    return headings(schema, lang), rows


def export_file(session: Session, kind: str, filename: str | Path, lang: str = "zh") -> bytes:
    """The current tenant's ``kind`` directory as the bytes of a .csv or .xlsx file."""
    heads, rows = export_table(session, kind, lang)
    return write_table(filename, heads, rows, sheet_title=kind)

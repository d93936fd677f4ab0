"""Finding a target by what a person types (issue #16 item 3): a name, part of one, or the
start of a credit code, in the current tenant's target directory — one page at a time, so a
pool of 1,000,000 targets is searched without reading it.

The search walks the ``(tenant_id, credit_code)`` index in code order and stops once a page
(and one row more, to know whether another page follows) is found: a credit code's prefix is
a range of that index; a name matches where it contains the text. A name rare in a very
large directory is the slow case (the walk reads the index until the page is full).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Target

#: Targets on one page of results.
PAGE_SIZE = 20
#: The most pages a person is shown (beyond them: type more of the name).
MAX_PAGE = 50
#: Fewest characters searched for (one Chinese character matches too much of a directory).
MIN_CHARS = 2


@dataclass(frozen=True)
class Found:
    credit_code: str
    name: str


@dataclass(frozen=True)
class Page:
    query: str
    page: int
    results: list[Found]
    more: bool


def _like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped (matched literally, escape ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, query: str, *, page: int = 1,
           page_size: int = PAGE_SIZE) -> Page:
    """Targets whose name contains ``query`` or whose credit code starts with it (its letters
    upper-cased), in credit-code order, page ``page`` (from 1)."""
    text = " ".join(query.split())
    if len(text) < MIN_CHARS:
        raise UserError(msg("type at least two characters of a name or credit code"),
                        where="q")
    if page < 1 or page > MAX_PAGE:
        raise UserError(msg("page %(page)s is out of range (1 to %(most)s); type more of the "
                            "name instead", page=page, most=MAX_PAGE), where="page")
    escaped = _like(text)
    rows = session.execute(
        select(Target.credit_code, Target.name)
        .where(or_(Target.credit_code.like(f"{escaped.upper()}%", escape="\\"),
                   Target.name.like(f"%{escaped}%", escape="\\")))
        .order_by(Target.credit_code)
        .offset((page - 1) * page_size).limit(page_size + 1)).all()
    return Page(text, page, [Found(code, name) for code, name in rows[:page_size]],
                len(rows) > page_size)


def resolve(session: Session, typed: str) -> Found:
    """The one target ``typed`` names: its credit code exactly, else the one target with
    exactly that name. Refused (with up to five candidates named) when none or several."""
    text = " ".join(typed.split())
    if not text:
        raise UserError(msg("name the target: its credit code or its name"))
    row = session.execute(select(Target.credit_code, Target.name)
                          .where(Target.credit_code == text.upper())).first()
    if row is not None:
        return Found(row[0], row[1])
    named = session.execute(select(Target.credit_code, Target.name)
                            .where(Target.name == text)
                            .order_by(Target.credit_code).limit(6)).all()
    if len(named) == 1:
        return Found(named[0][0], named[0][1])
    if named:
        raise UserError(msg("several targets are named %(name)s (%(codes)s); give the credit "
                            "code", name=text,
                            codes="、".join(code for code, _name in named[:5])))
    raise UserError(msg("no target in the directory has the credit code or the name "
                        "%(typed)s", typed=text),
                    hint=msg("type part of the name and choose from the list, or check the "
                             "target directory"))

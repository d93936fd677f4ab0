"""Names beside codes (issue #16 item 3): the company behind a credit code, the person
behind a 执法证号 or expert code, in the current tenant's directories.

Pages list targets and people by code (what draws and records store); these look-ups give
them the names people read, in one query per list rather than one per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Expert, Inspector, Target
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.services.directories import draw_id

#: Codes asked for in one ``IN (...)`` (well below every database's parameter limit).
CHUNK = 500


def drawn_target_names(session: Session, draw: int) -> dict[str, str]:
    """Credit code → company name of the targets a draw selected."""
    rows = session.execute(
        select(DrawSelection.credit_code, Target.name)
        .join(Target, Target.id == DrawSelection.target_id)
        .where(DrawSelection.draw_id == draw))
    return {code: name for code, name in rows}


def target_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Credit code → company name, for the codes the target directory has."""
    wanted = sorted(set(codes))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        found.update({code: name for code, name in session.execute(
            select(Target.credit_code, Target.name).where(Target.credit_code.in_(part)))})
    return found


def people_names(session: Session) -> dict[str, str]:
    """The id a person carries in draws and records → their name: inspectors by 执法证号
    (else ``work:`` and the work ID), experts by expert code."""
    names = {draw_id(certificate, work): name for name, certificate, work in session.execute(
        select(Inspector.name, Inspector.certificate_no, Inspector.work_id))}
    for name, code in session.execute(select(Expert.name, Expert.expert_code)):
        if code:
            names.setdefault(code, name)
    return names


def labelled(code: str, known: dict[str, str]) -> str:
    """A code as a choice reads: the name, then the code (the code alone when unknown)."""
    name = known.get(code)
    return f"{name} {code}" if name else code

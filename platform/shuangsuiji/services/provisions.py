"""Superseding provisions: CQ 第十条第一款 "国家及我市另有规定的，从其规定".

A tenant records a national or municipal provision (document number, article, the items it
covers, its dates, the frequency it sets). While it is in force, a task whose items it
covers draws under its frequency instead of the pack's once-a-year rule, and the draw's
pool rules cite the provision (document and article) instead of the pack's article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Item
from shuangsuiji.models.provisions import SupersedingProvision
from shuangsuiji.rules import Citation, ExclusionPolicy
from shuangsuiji.services import audit

#: The ``pack`` part of a provision's citation.
CITE_PACK = "另有规定"


def record(session: Session, *, document: str, article: str, item_codes: Sequence[str],
           effective: date, ends: date | None = None, once_per_year: bool = False,
           frequency: str = "", title: str = "", actor: str) -> SupersedingProvision:
    """Record a provision; every field a draw will cite is required."""
    tenant_id = require_tenant(session)
    document, article = document.strip(), article.strip()
    codes = sorted({c.strip() for c in item_codes if c.strip()})
    missing = [n for n, v in (("document", document), ("article", article), ("items", codes))
               if not v]
    if missing:
        raise UserError(msg("a superseding provision needs its document number, article and "
                            "items; missing: %(missing)s", missing=missing), where="provision",
                        hint=msg("e.g. --document 渝府办发〔2026〕5号 --article 第三条 "
                                 "--item SX-003"))
    known = set(session.scalars(select(Item.code).where(Item.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UserError(msg("no item %(codes)s in the item list", codes=unknown),
                        where="items")
    if ends is not None and ends < effective:
        raise UserError(msg("the provision ends (%(ends)s) before it takes effect "
                            "(%(effective)s)", ends=ends.isoformat(),
                            effective=effective.isoformat()), where="ends")
    row = SupersedingProvision(document=document, article=article, title=title.strip(),
                               item_codes=codes, effective=effective, ends=ends,
                               once_per_year=once_per_year, frequency=frequency.strip(),
                               actor=actor)
    session.add(row)
    session.flush()
    audit.record(session, tenant_id=tenant_id, action="provision.record",
                 object_type="superseding_provision", object_id=row.id, actor=actor,
                 payload={"document": document, "article": article, "items": codes,
                          "effective": effective, "ends": ends,
                          "once_per_year": once_per_year, "frequency": row.frequency})
    return row


def list_provisions(session: Session) -> list[SupersedingProvision]:
    return list(session.scalars(select(SupersedingProvision)
                                .order_by(SupersedingProvision.effective,
                                          SupersedingProvision.id)))


def in_force(session: Session, on: date) -> list[SupersedingProvision]:
    """The provisions in force on ``on``."""
    return [p for p in list_provisions(session)
            if p.effective <= on and (p.ends is None or on <= p.ends)]


def cite(provision: SupersedingProvision) -> Citation:
    """How a draw cites the provision: its document and article."""
    return Citation(pack=CITE_PACK, version=provision.document, article=provision.article)


def exclusion_policy(session: Session, policy: ExclusionPolicy, on: date,
                     item_codes: Sequence[str]) -> ExclusionPolicy:
    """The exclusion policy of a task starting ``on`` with ``item_codes``: the pack's, or,
    where a provision in force covers the task's items, the provision's frequency with its
    citation. A task mixing covered and uncovered items is refused: split it."""
    codes = set(item_codes)
    covering = [p for p in in_force(session, on) if codes & set(p.item_codes)]
    if not covering:
        return policy
    provision = covering[-1]  # the latest in force
    outside = sorted(codes - set(provision.item_codes))
    if outside:
        raise UserError(msg("items %(codes)s fall under %(document)s %(article)s, which does "
                            "not cover %(outside)s", codes=sorted(codes & set(
                                provision.item_codes)), document=provision.document,
                            article=provision.article, outside=outside), where="items",
                        hint=msg("make one task for the items the provision covers and "
                                 "another for the rest"))
    return replace(policy, once_per_year=provision.once_per_year, cite=cite(provision))

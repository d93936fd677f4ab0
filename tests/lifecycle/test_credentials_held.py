"""On-site credentials are the inspector's real ones, as of the inspection date (issue #14
point 13).

MIIT 第十三条: "采取现场检查的，执法检查人员不得少于两人，并应当出示行政执法证件或者工作证";
CQ 第十三条: "…并应当出示行政执法证". The record's claim is checked against the inspector
directory: a credential the person does not hold, or one expired before the inspection
date, is refused.
"""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.db import audit_guard
from shuangsuiji.models.directories import Inspector
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import RuleRefused, drawn_targets
from shuangsuiji.services.records import InspectorPresent
from tests.lifecycle.conftest import CODES, drawn_task

ON = date(2026, 5, 10)


def _record(world, task, credentials: tuple[str, str]):  # type: ignore[no-untyped-def]
    ids = next(d.inspectors for d in drawn_targets(world.session, task)
               if d.credit_code == CODES[0])
    return ids, lambda: record_service.record_on_site(
        world.session, world.platform, world.tenant, task.id, CODES[0], method="on_site",
        inspected_on=ON, inspectors=[InspectorPresent(ids[0], credentials[0]),
                                     InspectorPresent(ids[1], credentials[1])],
        findings="未发现问题", acknowledgement="signature", today=date(2026, 5, 20))


def _edit(world, certificate_no: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    with audit_guard.unaudited(world.session, "test: the directory changed by hand"):
        row = world.session.query(Inspector).filter_by(certificate_no=certificate_no).one()
        for k, v in values.items():
            setattr(row, k, v)
        world.session.flush()


def test_miit_art_13_a_work_id_not_held_is_refused(world_for) -> None:
    """出示…工作证: an inspector whose directory entry holds no work ID cannot claim one."""
    w = world_for("miit")
    task = drawn_task(w)
    ids, write = _record(w, task, ("enforcement_certificate", "work_id"))
    _edit(w, ids[1], work_id=None)
    with pytest.raises(RuleRefused, match=r"holds no 'work_id'.*miit 2018 第十三条"):
        write()


def test_cq_art_13_an_expired_enforcement_certificate_is_refused(world_for) -> None:
    """出示行政执法证: a certificate that expired before the inspection day is refused; one
    valid on that day (the expiry day itself counts) is accepted."""
    w = world_for("chongqing")
    task = drawn_task(w)
    ids, write = _record(w, task, ("enforcement_certificate", "enforcement_certificate"))
    _edit(w, ids[0], certificate_expiry=date(2026, 5, 9))
    with pytest.raises(RuleRefused, match=r"expired on 2026-05-09, before the inspection on "
                       r"2026-05-10.*chongqing 2021 第十三条"):
        write()
    _edit(w, ids[0], certificate_expiry=ON)
    assert write().inspected_on == ON


def test_pack_check_warns_where_eligibility_admits_what_the_on_site_rule_refuses() -> None:
    """第十三条 vs 第六条: a pack drawing work-ID holders but accepting only 执法证 on site."""
    from shuangsuiji.hookspecs import hookimpl
    from shuangsuiji.packkit.conformance import credential_warnings
    from shuangsuiji.packs import Pack, PackRules
    from shuangsuiji.packs.registry import PackRegistry
    from shuangsuiji.rules import Eligibility, OnSiteRule, PackVersion
    from shuangsuiji_chongqing import pack as chongqing
    from shuangsuiji_miit import pack as miit

    class Loose(PackRules):
        @hookimpl
        def ssj_eligibility(self, as_of: date) -> Eligibility:
            return Eligibility(("enforcement_certificate", "work_id"), True, self.cite("第六条"))

        @hookimpl
        def ssj_on_site_rule(self, as_of: date) -> OnSiteRule:
            return OnSiteRule(2, ("enforcement_certificate",), self.cite("第十三条"))

    v1 = PackVersion("2026", "示工信发〔2026〕1号", "示例", date(2026, 1, 1), date(2026, 1, 1))
    loose = Pack(name="loose", title="示例", versions=((v1, Loose),), extends="miit")
    registry = PackRegistry([miit, chongqing, loose])
    [warning] = credential_warnings(loose, registry)
    assert "work_id" in warning and "loose 2026 第十三条" in warning
    assert credential_warnings(chongqing, registry) == []
    assert credential_warnings(miit, registry) == []

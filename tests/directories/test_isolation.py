"""An import into one tenant never reads or touches another tenant's rows (Core statements
are not covered by the ORM tenant filter, so the import filters by tenant itself)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.models.directories import DirectoryChange, Target, TargetFlag
from shuangsuiji.services import directories
from shuangsuiji.services.imports import import_file
from tests.directories.samples import TARGET_HEADINGS_ZH, csv_bytes, target_rows


def test_import_into_chongqing_is_invisible_to_miit(
    tenant_session: Callable[[str], Session], tenant_tree: dict[str, int]
) -> None:
    cq, miit = tenant_session("chongqing"), tenant_session("miit")
    import_file(cq, tenant_tree["chongqing"], "targets",
                csv_bytes(TARGET_HEADINGS_ZH, target_rows()), "t.csv")
    cq.commit()
    assert miit.scalars(select(Target)).all() == []
    assert directories.load_targets(miit, on=date(2026, 4, 1)) == []
    assert len(directories.load_targets(cq, on=date(2026, 4, 1))) == 3


def test_same_codes_in_two_tenants_stay_apart(
    tenant_session: Callable[[str], Session], tenant_tree: dict[str, int]
) -> None:
    cq, miit = tenant_session("chongqing"), tenant_session("miit")
    import_file(cq, tenant_tree["chongqing"], "targets",
                csv_bytes(TARGET_HEADINGS_ZH, target_rows()), "t.csv")
    cq.commit()
    # MIIT imports the same credit codes with other names and no flags
    rows = [[r[0], r[1] + "（部）", r[2], r[3], "D", ""] for r in target_rows()]
    report = import_file(miit, tenant_tree["miit"], "targets", csv_bytes(TARGET_HEADINGS_ZH, rows),
                         "t.csv")
    miit.commit()
    assert report.inserted == 3 and report.updated == 0  # not matched to Chongqing's rows

    cq.expire_all()
    names = [t.name for t in directories.load_targets(cq, on=date(2026, 4, 1))]
    assert names == [r[1] for r in target_rows()]
    assert all(t.credit_rating != "D" for t in cq.scalars(select(Target)))
    # Chongqing's open flags were not ended by MIIT's flag-less file
    assert cq.scalars(select(TargetFlag).where(TargetFlag.removed_on.is_not(None))).all() == [
        f for f in cq.scalars(select(TargetFlag)) if f.flag == "abnormal_operations"
    ]
    with cross_tenant(miit):
        tenants = {c.tenant_id for c in miit.scalars(select(DirectoryChange))}
    assert tenants <= {tenant_tree["miit"]}
    # re-import in MIIT with changes touches only MIIT's rows
    rows[0][4] = "A"
    assert import_file(miit, tenant_tree["miit"], "targets", csv_bytes(TARGET_HEADINGS_ZH, rows),
                       "t.csv").updated == 1
    miit.commit()
    cq.expire_all()
    assert directories.history(cq, "targets", rows[0][0]) == []

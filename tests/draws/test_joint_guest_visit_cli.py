"""``ssj joint record --host``: the other tenant of a joint task writes the one visit's
on-site record of a drawn target from its own tenant, with its own items' results; one
record per visit (written again by it, corrected); bad input is a message, never a
traceback, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.platform import Platform
from shuangsuiji.services import joint
from shuangsuiji.services.lifecycle import drawn_targets
from tests.draws.test_joint_tenants import DAY, GUEST, HOST, _drawn, _in
from tests.draws.test_joint_tenants import two as two  # the fixture


def test_the_other_tenant_records_a_visit_from_the_command_line(
    app: Flask, platform: Platform, two: Callable[..., str],
) -> None:
    code = _drawn(platform, two)
    first = _in(platform, HOST, lambda s, t: drawn_targets(s, joint.get_task(s, code))[0])
    runner = app.test_cli_runner()

    def run(*extra: str) -> Any:
        args = ["joint", "record", "--tenant", GUEST, "--host", HOST, "--task", code,
                "--target", first.credit_code, "--method", "on_site", "--on", DAY.isoformat(),
                "--findings", "两区联合检查", "--ack", "signature", *extra]
        with app.app_context():
            return runner.invoke(args=args)

    people = [a for p in first.inspectors for a in ("--inspector",
                                                    f"{p}:enforcement_certificate")]
    bad = run(*people, "--result", "SX-001")
    assert bad.exit_code != 0 and "ITEM=RESULT" in bad.output and "Traceback" not in bad.output
    alone = run(*people[:2], "--result", "SX-001=no_problem")
    assert alone.exit_code != 0 and "第十三条" in alone.output, alone.output

    def rows(s: Any, t: Any) -> tuple[list[str], list[tuple[str, str]]]:
        return (list(s.scalars(select(InspectionRecord.credit_code))),
                [(r.item_code, r.result) for r in s.scalars(select(ItemResult))])

    assert _in(platform, HOST, rows) == ([], [])
    ok = run(*people, "--result", "SX-001=problem_rectified:责令整改")
    assert ok.exit_code == 0, ok.output
    assert f"recorded {first.credit_code} of {HOST}/{code}" in ok.output
    assert _in(platform, HOST, rows) == ([first.credit_code],
                                         [(f"{GUEST}/SX-001", "problem_rectified")])
    # one record per visit: written again by the tenant that wrote it, it is corrected (the
    # item left out keeps its result); a record the host wrote is refused
    # (tests/web/test_joint_guest_corrections.py)
    again = run(*people)
    assert again.exit_code == 0, again.output
    assert _in(platform, HOST, rows) == ([first.credit_code],
                                         [(f"{GUEST}/SX-001", "problem_rectified")])

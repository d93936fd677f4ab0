"""`ssj pack rules`, `ssj tenants show` (every rule, not five) and `ssj pack diff --all`."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from click.testing import CliRunner

import shuangsuiji.models  # noqa: F401 - registers every table on Base.metadata
from shuangsuiji.cli import cli
from shuangsuiji.cli.pack_dev import pack
from shuangsuiji.packkit.listing import NOT_RULES, plan_window_on, rule_lines
from shuangsuiji.packs import PackRegistry
from tests.conftest import builtin_packs


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(pack, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _block(out: str, label: str) -> list[str]:
    """The heading line of rule ``label`` and its indented fields."""
    lines = out.splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip().startswith(label + "  ("))
    block = [lines[i]]
    for line in lines[i + 1:]:
        if not line.startswith(" " * (len(lines[i]) - len(lines[i].lstrip()) + 4)):
            break
        block.append(line)
    return block


def test_rule_lines_cover_every_rule_of_the_ruleset() -> None:
    policy = PackRegistry(builtin_packs()).policy(["chongqing"])
    rules = policy.rules(date(2026, 5, 1))
    lines = rule_lines(rules, plan_window_on(policy, date(2026, 5, 1)))
    named = {line.rule for line in lines}
    assert named == ({f.name for f in dataclasses.fields(rules)} - set(NOT_RULES)
                     | {"plan_window"})
    # an empty collection is listed too, as declared by no pack
    assert [line.cite for line in lines if line.rule == "result_types"] == [None]
    # a collection is listed member by member
    assert [line.key for line in lines if line.rule == "item_categories"] == ["key", "general"]


def test_pack_rules_prints_value_citation_and_answering_pack() -> None:
    code, out = _run("rules", "chongqing", "--as-of", "2026-05-01")
    assert code == 0, out
    assert "rules of pack chongqing as of 2026-05-01" in out
    assert "chain: miit 2018 → chongqing 2021" in out
    deadline = _block(out, "publication_deadline")
    assert "(chongqing 2021 第十四条)" in deadline[0] and "[from" not in deadline[0]
    assert "    working_days = 20" in deadline
    # a hook Chongqing leaves to MIIT is answered, and marked, by MIIT
    window = _block(out, "plan_window")
    assert "(miit 2018 第七条)" in window[0] and "[from miit]" in window[0]
    assert "    start = 2026-01-01" in window
    general = _block(out, "item_categories[general]")
    # CQ 第五条: each general item's cap is set in the item list, none pack-wide
    assert "    cap_permille = none" in general and "    cap_required = yes" in general
    assert "(chongqing 2021 第五条)" in general[0]
    for label in ("org_roles", "exclusion_policy", "special_inspections", "group_rule",
                  "eligibility", "recusal_rule", "methods", "on_site_rule", "report_rule",
                  "risk_rules[abnormal_operations]"):
        assert _block(out, label), label


def test_pack_rules_of_a_version_and_of_a_province_file() -> None:
    code, out = _run("rules", "example-province@2019")
    assert code == 0, out
    assert "as of 2019-07-01" in out and "chain: miit 2018 → example-province 2019" in out
    assert "    working_days = 20" in _block(out, "publication_deadline")
    assert "[from miit]" in _block(out, "methods")[0]


def test_pack_rules_needs_a_pack_or_a_tenant() -> None:
    code, out = _run("rules")
    assert code != 0 and "name a pack" in out and "Traceback" not in out
    code, out = _run("rules", "atlantis")
    assert code != 0 and "is not installed" in out


def test_diff_all_lists_equal_rules_too() -> None:
    code, plain = _run("diff", "miit", "chongqing", "--as-of", "2026-05-01")
    assert code == 0
    code, full = _run("diff", "miit", "chongqing", "--as-of", "2026-05-01", "--all")
    assert code == 0, full
    assert "= group_rule.min_size" in full and "group_rule.min_size" not in plain
    assert "= exclusion_policy.once_per_year" in full
    assert "= risk_rules[complaints].multiplier" in full
    assert "risk_rules[complaints].flag" not in full  # the key is in the label already
    # the differences are the same, unmarked
    assert "publication_deadline.working_days" in full
    assert "= publication_deadline.working_days" not in full
    differences = plain.splitlines()[2].split()[0]
    assert f"{differences} difference(s), " in full and " equal (=):" in full


@pytest.fixture()
def cq_tenants(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SSJ_DATABASE_URL", database_url)
    runner = CliRunner()
    for args in (["db", "upgrade"],
                 ["tenants", "create", "cq", "--name", "重庆市经济和信息化委员会", "--pack",
                  "chongqing"],
                 ["tenants", "create", "yz", "--name", "渝中区", "--parent", "cq",
                  "--level", "district"]):
        done = runner.invoke(cli, args)
        assert done.exit_code == 0, done.output
    return runner


@pytest.mark.empty_database  # `ssj db upgrade` makes the schema itself
def test_tenants_show_lists_every_rule(cq_tenants: CliRunner) -> None:
    done = cq_tenants.invoke(cli, ["tenants", "show", "yz", "--as-of", "2026-05-01"])
    assert done.exit_code == 0, done.output
    out = done.output
    assert "miit 2018 → chongqing 2021" in out
    policy = PackRegistry(builtin_packs()).policy(["chongqing"])
    lines = rule_lines(policy.rules(date(2026, 5, 1)), plan_window_on(policy, date(2026, 5, 1)))
    assert len(lines) > 15
    for line in lines:
        shown = f"{line.label}  ({line.cite})" if line.cite else f"{line.label}  (none"
        assert shown in out, line.label
    assert "plan_window  (miit 2018 第七条)  [from miit]" in out


@pytest.mark.empty_database  # `ssj db upgrade` makes the schema itself
def test_pack_rules_of_a_tenant_use_its_chain(cq_tenants: CliRunner) -> None:
    done = cq_tenants.invoke(cli, ["pack", "rules", "--tenant", "yz", "--as-of", "2026-05-01"])
    assert done.exit_code == 0, done.output
    assert "rules of tenant yz (渝中区) as of 2026-05-01" in done.output
    assert "chain: miit 2018 → chongqing 2021" in done.output
    assert "    working_days = 20" in _block(done.output, "publication_deadline")
    refused = cq_tenants.invoke(cli, ["pack", "rules", "example-province", "--tenant", "yz"])
    assert refused.exit_code != 0 and "does not govern tenant yz" in refused.output
    assert "Traceback" not in refused.output

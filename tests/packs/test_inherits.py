"""TOML versions inherit (`inherits = "2025"`), and `ssj pack check` warns of silent fallbacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from shuangsuiji.cli.pack_dev import pack
from shuangsuiji.packkit.conformance import check_pack, fallbacks
from shuangsuiji.packs import PackRegistry
from shuangsuiji_provinces import ProvinceFileError, parse_province
from tests.conftest import builtin_packs

HEAD = '''name = "jh-toml"
title = "江淮省工业和信息化厅“双随机、一公开”监管实施细则"
contract = "1.0"

[[versions]]
version = "2025"
document = "江工信规〔2025〕3号"
title = "江淮省细则"
issued = 2025-02-10
effective = 2025-03-01
repealed = 2027-01-01

[versions.rules.recusal_rule]
modes = ["withdraw"]
article = "第九条"

[versions.rules.publication_deadline]
working_days = 15
article = "第十四条"

[versions.rules.item_categories]
article = "第五条"

[[versions.rules.item_categories.categories]]
code = "general"
name_zh = "一般检查事项"
name_en = "general item"
cap_permille = 50
cap_required = true

[[versions]]
version = "2027"
INHERITS
document = "江工信规〔2026〕11号"
title = "江淮省细则（2026年修订）"
issued = 2026-11-20
effective = 2027-01-01

[versions.rules.item_categories]
article = "第五条"

[[versions.rules.item_categories.categories]]
code = "general"
name_zh = "一般检查事项"
name_en = "general item"
cap_permille = 80
cap_required = true
'''


def _file(inherits: str | None) -> str:
    return HEAD.replace("INHERITS", f'inherits = "{inherits}"' if inherits else "")


@pytest.fixture(scope="module")
def registry() -> PackRegistry:
    return PackRegistry(builtin_packs())


def test_a_later_version_states_only_what_changed(registry: PackRegistry) -> None:
    found = parse_province(_file("2025"), "jh.toml")
    policy = PackRegistry([*builtin_packs(), found]).policy(["jh-toml"])
    before, after = policy.rules(date(2026, 12, 31)), policy.rules(date(2027, 1, 1))
    assert before.category("general").cap_permille == 50
    assert after.category("general").cap_permille == 80  # its own table
    # inherited tables carry over, citing the version in force (as a Python subclass does)
    assert after.publication_deadline.working_days == 15
    assert str(after.publication_deadline.cite) == "jh-toml 2027 第十四条"
    assert after.recusal_rule.modes == ("withdraw",)
    assert check_pack(found, registry) == []
    assert not [w for w in fallbacks(found, registry) if w.version == "2027"]
    # problems in an inherited table point at the table where it is written
    line = _file("2025").splitlines().index("[versions.rules.recusal_rule]") + 1
    assert found.locate("2027", "recusal_rule") == f"jh.toml:{line}"


def test_without_inherits_left_out_tables_fall_back_to_miit_and_check_warns(
        registry: PackRegistry) -> None:
    found = parse_province(_file(None), "jh.toml")
    after = PackRegistry([*builtin_packs(), found]).policy(["jh-toml"]).rules(date(2027, 1, 1))
    assert after.publication_deadline.working_days == 30  # MIIT's: the silent fallback
    warnings = [str(w) for w in fallbacks(found, registry) if w.version == "2027"]
    assert len(warnings) == 2
    assert any("leaves out [versions.rules.publication_deadline], which version '2025' "
               "states: from 2027-01-01 miit answers it instead" in w for w in warnings)
    assert any("[versions.rules.recusal_rule]" in w for w in warnings)
    assert all('add inherits = "2025"' in w for w in warnings)


def test_pack_check_prints_the_warning_and_still_passes(tmp_path: Path) -> None:
    file = tmp_path / "jh.toml"
    file.write_text(_file(None), encoding="utf-8")
    result = CliRunner().invoke(pack, ["check", str(file)])
    assert result.exit_code == 0, result.output
    assert "warn " in result.output and "leaves out [versions.rules.recusal_rule]" in result.output
    assert "conforms to contract" in result.output
    file.write_text(_file("2025"), encoding="utf-8")
    result = CliRunner().invoke(pack, ["check", str(file)])
    assert result.exit_code == 0 and "leaves out" not in result.output


def test_python_versions_that_drop_a_hook_are_warned_of_too(registry: PackRegistry) -> None:
    from shuangsuiji.toolkit import Pack, PackRules, PackVersion, RecusalRule, hookimpl

    class Old(PackRules):
        @hookimpl
        def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
            return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))

    class New(PackRules):  # forgot to subclass Old
        pass

    v1 = PackVersion("1", "X〔2025〕1号", "x", date(2025, 1, 1), date(2025, 1, 1),
                     repealed=date(2026, 1, 1))
    v2 = PackVersion("2", "X〔2026〕1号", "x", date(2026, 1, 1), date(2026, 1, 1))
    found = Pack(name="py-drop", title="x", versions=((v1, Old), (v2, New)), source="test")
    warnings = [str(w) for w in fallbacks(found, registry) if w.version == "2"]
    assert len(warnings) == 1 and "leaves out ssj_recusal_rule" in warnings[0]
    assert "subclass the rules of '1'" in warnings[0]


@pytest.mark.parametrize(("value", "needle"), [
    ('"2024"', "no version '2024' in this file (versions: 2025, 2027); did you mean '2025'?"),
    ('"2027"', "version '2027' cannot inherit from itself"),
])
def test_bad_inherits_is_refused_at_its_line(value: str, needle: str) -> None:
    text = HEAD.replace("INHERITS", f"inherits = {value}")
    with pytest.raises(ProvinceFileError) as exc:
        parse_province(text, "jh.toml")
    line = text.splitlines().index(f"inherits = {value}") + 1
    assert f"jh.toml:{line}: versions[1].inherits: {needle}" in str(exc.value)


def test_inheriting_from_a_later_version_is_refused() -> None:
    text = HEAD.replace("INHERITS", "").replace(
        'repealed = 2027-01-01\n', 'repealed = 2027-01-01\ninherits = "2027"\n')
    with pytest.raises(ProvinceFileError, match="a version inherits from an earlier one"):
        parse_province(text, "jh.toml")


def test_the_example_province_uses_inherits(registry: PackRegistry) -> None:
    example = registry.get("example-province")
    assert example.declared_in("2023", "recusal_rule") == "2019"  # type: ignore[attr-defined]
    rules = registry.policy(["example-province"]).rules(date(2023, 6, 1))
    assert rules.recusal_rule.modes == ("withdraw",)
    assert rules.recusal_rule.cite.version == "2023"

"""The declarative provinces pack: the example province, the schema, and line-exact errors."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

import shuangsuiji_provinces as provinces
from shuangsuiji.packs import PackError, PackRegistry
from shuangsuiji_provinces import ProvinceFileError, parse_province
from shuangsuiji_provinces.locate import LineIndex
from tests.conftest import builtin_packs

EXAMPLE = provinces.BUNDLED / "example-province.toml"

HEADER = """\
name = "atlantis"
title = "亚特兰蒂斯省实施细则"
contract = "1.0"

[[versions]]
version = "2024"
document = "亚工信发〔2024〕1号"
title = "亚特兰蒂斯省“双随机、一公开”监管实施细则"
issued = 2024-01-02
effective = 2024-02-01
"""


def _problems(text: str) -> list[provinces.FileProblem]:
    with pytest.raises(ProvinceFileError) as info:
        parse_province(text, "atlantis.toml")
    return info.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def registry() -> PackRegistry:
    return PackRegistry(builtin_packs())


def test_example_province_is_shipped_and_overrides_miit(registry: PackRegistry) -> None:
    assert "example-province" in registry
    policy = registry.policy(["example-province"])
    rules = policy.rules(date(2026, 5, 1))
    assert rules.governing == ("example-province", "2023")
    assert rules.publication_deadline.working_days == 15
    assert rules.publication_deadline.cite.article == "第十四条"
    assert rules.recusal_rule.modes == ("withdraw",)
    assert rules.eligibility.credentials == ("enforcement_certificate",)
    assert rules.on_site_rule.credentials == ("enforcement_certificate",)
    (extra,) = rules.extra_exclusions
    assert (extra.kind, extra.param("days")) == ("recently_inspected", 180)
    abnormal = next(r for r in rules.risk_rules if r.flag == "abnormal_operations")
    assert (abnormal.ratio_permille, abnormal.multiplier) == (300, 2)
    assert "credit_sanction" in rules.result_codes()
    assert policy.plan_window(2025).end == date(2025, 2, 28)
    # tables the file leaves out fall through to MIIT
    assert rules.methods.cite.pack == "miit" and "testing" in rules.methods.methods
    assert rules.report_rule.cite.pack == "miit"


def test_example_province_versions_in_time(registry: PackRegistry) -> None:
    policy = registry.policy(["example-province"])
    old = policy.rules(date(2023, 4, 30))
    assert old.governing == ("example-province", "2019")
    assert old.publication_deadline.working_days == 20
    assert old.eligibility.cite.pack == "miit"  # the 2019 file said nothing on eligibility
    assert policy.rules(date(2023, 5, 1)).governing == ("example-province", "2023")


def test_extra_folders_from_environment(tmp_path: Path) -> None:
    (tmp_path / "atlantis.toml").write_text(
        HEADER + '[versions.rules.recusal_rule]\nmodes = ["swap"]\narticle = "第九条"\n',
        encoding="utf-8",
    )
    packs = provinces.load_packs({provinces.PATH_VARIABLE: os.pathsep.join(["", str(tmp_path)])})
    assert [p.name for p in packs] == ["example-province", "atlantis"]
    rules = PackRegistry([*builtin_packs(), packs[1]]).policy(["atlantis"]).rules(date(2025, 1, 1))
    assert rules.recusal_rule.modes == ("swap",)


def test_missing_folder_and_duplicate_names_stop_start_up(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"SSJ_PROVINCES_PATH names .*nowhere.* not a folder"):
        provinces.load_packs({provinces.PATH_VARIABLE: str(tmp_path / "nowhere")})
    (tmp_path / "copy.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PackError, match=r"'example-province'.*two province files"):
        provinces.load_packs({provinces.PATH_VARIABLE: str(tmp_path)})


def test_broken_file_in_path_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "atlantis.toml"
    bad.write_text(HEADER + "[versions.rules.methods]\nmethods = [\"mind_reading\"]\n"
                   "article = \"第十二条\"\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        provinces.load_packs({provinces.PATH_VARIABLE: str(tmp_path)})
    assert f"{bad}:12: versions[0].rules.methods.methods: 'mind_reading' is not one of" in str(
        info.value
    )


@pytest.mark.parametrize(
    ("table", "needle", "field", "message"),
    [
        ('[versions.rules.publication_deadline]\nworking_days = -5\narticle = "第十四条"\n',
         "working_days = -5", "publication_deadline.working_days", "below the minimum 1"),
        ('[versions.rules.methods]\nmethods = ["written", "telepathy"]\narticle = "第十二条"\n',
         "telepathy", "methods.methods", "'telepathy' is not one of"),
        ('[versions.rules.recusal_rule]\nmodes = ["swop"]\narticle = "第九条"\n',
         "swop", "recusal_rule.modes", "did you mean 'swap'"),
        ('[versions.rules.item_categories]\narticle = "第五条"\n'
         '[[versions.rules.item_categories.categories]]\ncode = "general"\nname_zh = "一般"\n'
         'name_en = "general"\ncap_permille = 1200\n',
         "cap_permille", "item_categories.categories[0].cap_permille", "above the maximum 1000"),
        ('[versions.rules.recusal_rule]\nmodes = ["withdraw"]\n',
         "[versions.rules.recusal_rule]", "recusal_rule", "missing required key 'article'"),
        ('[versions.rules.recusal_rule]\nmodes = ["withdraw"]\narticle = "第九条"\nmode = 1\n',
         "mode = 1", "recusal_rule.mode", "unknown key 'mode'"),
        ('[versions.rules.group_rule]\nmin_size = "two"\nscopes = ["within_department"]\n'
         'article = "第八条"\n', "min_size", "group_rule.min_size", "must be an integer"),
        ('[versions.rules.on_site_rule]\nmin_inspectors = true\ncredentials = ["work_id"]\n'
         'article = "第十三条"\n', "min_inspectors", "on_site_rule.min_inspectors",
         "must be an integer, not a boolean"),
        ('[versions.rules.extra_exclusions]\narticle = "第十条"\n'
         '[[versions.rules.extra_exclusions.exclusions]]\ncode = "recent"\n'
         'kind = "recently_inspected"\n', "[[versions.rules.extra_exclusions.exclusions]]",
         "extra_exclusions.exclusions[0]", "needs the key 'days'"),
        ('[versions.rules.plan_window]\nstart = "04-01"\nend = "03-31"\narticle = "第七条"\n',
         "end = ", "plan_window.end", "before the start"),
        ('[versions.rules.recusl_rule]\nmodes = ["withdraw"]\narticle = "第九条"\n',
         "recusl_rule", "recusl_rule", "did you mean 'recusal_rule'"),
    ],
)
def test_errors_name_file_line_and_field(table: str, needle: str, field: str,
                                         message: str) -> None:
    text = HEADER + "\n" + table
    problems = _problems(text)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == "atlantis.toml"
    assert problem.field == f"versions[0].rules.{field}"
    assert problem.line == _line_of(text, needle)
    assert message in problem.message
    assert str(problem).startswith(f"atlantis.toml:{problem.line}: versions[0].rules.{field}: ")


def test_overlapping_versions_are_refused_at_the_line_of_the_earlier_one() -> None:
    text = HEADER + """
[[versions]]
version = "2025"
document = "亚工信发〔2025〕3号"
title = "修订"
issued = 2025-01-01
effective = 2025-01-01
"""
    (problem,) = _problems(text)
    assert problem.line == _line_of(text, "effective = 2024-02-01")
    assert "overlap" in problem.message and "repealed = 2025-01-01" in problem.message


def test_incompatible_contract_is_refused_with_what_changed() -> None:
    (problem,) = _problems(HEADER.replace('contract = "1.0"', 'contract = "2.0"'))
    assert problem.field == "contract" and problem.line == 3
    assert "this platform speaks 1.0" in problem.message


def test_invalid_toml_reports_tomllib_position() -> None:
    (problem,) = _problems(HEADER + "[versions.rules.methods\n")
    assert "not valid TOML" in problem.message and problem.line == 11


def test_line_index_ignores_lines_inside_multiline_values() -> None:
    text = 'a = [\n  "x = 1",\n]\ns = """\nb = 2\n"""\n[[t]]\nk = 1\n[[t]]\nk = 2\n[t.u]\nv = 3\n'
    index = LineIndex(text)
    assert index.line(("a",)) == 1
    assert ("b",) not in index.lines and ('"x',) not in index.lines
    assert index.line(("t", 0, "k")) == 8
    assert index.line(("t", 1, "k")) == 10
    assert index.line(("t", 1, "u", "v")) == 12
    assert index.line(("t", 1, "u", "missing")) == 11  # nearest ancestor

"""``ssj pack new NAME``: a standalone pack project, ready to test, install and assign.

The template lives here as text rather than as data files, so that it ships inside any
install of the platform (wheel or editable) without package-data rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from shuangsuiji.errors import UserError
from shuangsuiji.hookspecs import CONTRACT_VERSION

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "shuangsuiji policy pack: $name"
requires-python = ">=3.11"
dependencies = ["shuangsuiji"]

# The platform finds the pack through this entry point: `pip install` is all it takes.
[project.entry-points."shuangsuiji.packs"]
$name = "$module:pack"

[tool.setuptools]
packages = ["$module"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

MODULE = '''\
"""The $name policy pack: the 实施细则 of $name, over the MIIT baseline.

Each hook below answers where the 实施细则 differs from MIIT (工信厅政〔2018〕45号); every
other hook falls through to MIIT. Everything imported comes from shuangsuiji.toolkit, the
one surface a pack may use (docs/plugins.md, "The toolkit"). Replace the document number,
dates and articles with the real ones.
"""

from __future__ import annotations

from datetime import date

from shuangsuiji.toolkit import (
    DeadlineRule,
    MethodRule,
    Pack,
    PackRules,
    PackVersion,
    RecusalRule,
    TaskFacts,
    hookimpl,
)

V1 = PackVersion(
    version="$year",
    document="待填写〔$year〕1号",
    title="$name “双随机、一公开”监管实施细则",
    issued=date($year, 1, 1),
    effective=date($year, 1, 1),
)


class Rules$year(PackRules):
    """Rules of version $year, where they differ from MIIT."""

    @hookimpl
    def ssj_publication_deadline(self, as_of: date, task: TaskFacts) -> DeadlineRule:
        """Publish within 20 working days of the end of the work (MIIT: 30)."""
        return DeadlineRule(
            working_days=20,
            start_event="work_end",
            excluded_periods=("testing", "inspection", "appraisal"),
            channels=("portal", "credit_publicity"),
            per_target_results=True,
            cite=self.cite("第十四条"),
        )

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        """A recused inspector withdraws and a replacement is drawn (MIIT also allows swap)."""
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))

    @hookimpl
    def ssj_methods(self, as_of: date) -> MethodRule:
        """No testing (检验检测) among the methods (MIIT allows it)."""
        return MethodRule(methods=("written", "on_site", "network_monitoring"),
                          cite=self.cite("第十二条"))


pack = Pack(
    name="$name",
    title="$name “双随机、一公开”监管实施细则",
    versions=((V1, Rules$year),),
    contract="$contract",
    description="$name 实施细则, over the MIIT baseline",
    source=__name__,
    extends="miit",
)
'''

TESTS = '''\
"""Tests of the $name pack: the conformance kit, then the pack's own rules."""

from __future__ import annotations

from datetime import date

from shuangsuiji.toolkit import PackRegistry, ssj_pack_conformance

# One test per conformance check (contract, versions, hooks, types, values, citations,
# resolution over MIIT, a deadline and a draw on generated data).
test_conformance = ssj_pack_conformance("$name")


def test_rules_over_miit(ssj_pack_registry: PackRegistry) -> None:
    rules = ssj_pack_registry.policy(["$name"]).rules(date($year, 6, 1))
    assert rules.publication_deadline.working_days == 20
    assert rules.recusal_rule.modes == ("withdraw",)
    assert "testing" not in rules.methods.methods
    assert rules.on_site_rule.cite.pack == "miit"  # not overridden: MIIT answers
'''

README = '''\
# $name — a shuangsuiji policy pack

The 实施细则 of $name as a policy pack for the shuangsuiji platform (双随机、一公开).

    pip install -e .              # install into the platform's environment
    pytest                        # conformance kit + this pack's own tests
    ssj packs list                # the platform now lists "$name"
    ssj pack check $name          # the conformance checks, in plain language
    ssj pack diff miit $name      # what this pack changes, with articles on both sides
    ssj pack rules $name          # every rule in force, its article and the pack answering
    ssj tenants create my-province --name "..." --pack $name --parent miit

Edit `$module/__init__.py`: one method per rule that differs from MIIT, each citing its
article with `self.cite("第N条")`. A new 细则 is a new `PackVersion` (set `repealed` on the
old one) whose rules class subclasses the old one. Import only from `shuangsuiji.toolkit`;
its names and the hook reference are in the platform's docs/plugins.md.
'''


def module_name(name: str) -> str:
    return "shuangsuiji_pack_" + name.replace("-", "_")


def scaffold(name: str, directory: Path, *, year: int = 2024) -> list[Path]:
    """Write a new pack project for ``name`` into ``directory`` (which must not exist or be
    empty); return the files written."""
    if not NAME.match(name):
        raise UserError(f"pack name {name!r} is not usable",
                        hint="use lower case letters, digits and hyphens, e.g. atlantis-2024")
    if directory.exists() and any(directory.iterdir()):
        raise UserError(f"{directory} exists and is not empty",
                        hint="choose another --dir, or remove the folder")
    module = module_name(name)
    values = {"name": name, "module": module, "dist": f"shuangsuiji-pack-{name}",
              "year": str(year), "contract": CONTRACT_VERSION}
    files = {
        "pyproject.toml": PYPROJECT,
        f"{module}/__init__.py": MODULE,
        "tests/test_pack.py": TESTS,
        "README.md": README,
    }
    written = []
    for rel, template in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
        written.append(path)
    return written

"""Meta-tests of the plugin contract: documented, exercised, versioned, strict at load.

"Exercised" is checked the way datasette does, made stricter: every hookspec needs a test
named ``test_hook_<name>`` in tests/packs/test_hooks.py, and that module's ``hook_calls``
fixture fails a test that did not actually call its hook through a PluginManager (pluggy's
hook-call monitoring records what was called). So a new hook without a test, or a test
that only pretends, fails the suite.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date
from pathlib import Path

import pytest

from shuangsuiji import create_app, hookspecs
from shuangsuiji.hookspecs import hookimpl
from shuangsuiji.packkit.conformance import HOOK_NAMES
from shuangsuiji.packkit.docgen import render
from shuangsuiji.packs import Pack, PackError, PackRegistry, PackRules
from shuangsuiji.rules import PackVersion, RecusalRule
from tests.conftest import builtin_packs

ROOT = Path(__file__).resolve().parent.parent
V1 = PackVersion("2024", "亚工信发〔2024〕1号", "亚特兰蒂斯省实施细则", date(2024, 1, 2),
                 date(2024, 2, 1))


def test_the_contract_has_hooks() -> None:
    assert len(HOOK_NAMES) >= 15 and "ssj_publication_deadline" in HOOK_NAMES


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hookspec_is_documented_and_annotated(hook: str) -> None:
    spec = getattr(hookspecs, hook)
    assert hasattr(spec, f"{hookspecs.PROJECT}_spec"), f"{hook} is not marked @hookspec"
    assert (inspect.getdoc(spec) or "").strip(), f"{hook} has no docstring"
    assert "return" in spec.__annotations__, f"{hook} has no return annotation"


def test_every_hookspec_has_a_test_that_calls_it() -> None:
    tree = ast.parse((ROOT / "tests" / "packs" / "test_hooks.py").read_text(encoding="utf-8"))
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [h for h in HOOK_NAMES if "test_hook_" + h.removeprefix("ssj_") not in tests]
    assert not missing, f"hooks without a test_hook_<name> in tests/packs/test_hooks.py: {missing}"
    extra = sorted(t for t in tests if t.startswith("test_hook_")
                   and "ssj_" + t.removeprefix("test_hook_") not in HOOK_NAMES)
    assert not extra, f"tests named after hooks that do not exist: {extra}"


def test_hook_reference_in_docs_matches_hookspecs() -> None:
    doc = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert render(doc) == doc, (
        "docs/plugins.md is out of date with hookspecs.py or the province schema: run "
        "`python -m shuangsuiji.packkit.docgen docs/plugins.md`"
    )
    for hook in HOOK_NAMES:
        assert f"### `{hook}`" in doc


class Fine(PackRules):
    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))


class Misspelled(PackRules):
    @hookimpl
    def ssj_recusal_rules(self, as_of: date) -> RecusalRule:  # one letter too many
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))


def _app(tmp_path: Path, pack: Pack) -> object:
    return create_app({"TESTING": True, "SECRET_KEY": "x",
                       "SSJ_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                       "SSJ_PACKS": [*builtin_packs(), pack]})


def test_incompatible_contract_major_is_refused_at_start_up(tmp_path: Path) -> None:
    future = Pack(name="atlantis", title="t", versions=((V1, Fine),), contract="2.0")
    with pytest.raises(PackError) as info:
        _app(tmp_path, future)
    message = str(info.value)
    assert "'atlantis'" in message and "contract 2.0" in message
    assert f"speaks {hookspecs.CONTRACT_VERSION}" in message and "What changed: 2:" in message


def test_a_misspelled_hook_is_an_error_at_load_naming_the_pack(tmp_path: Path) -> None:
    bad = Pack(name="atlantis", title="t", versions=((V1, Misspelled),))
    with pytest.raises(PackError, match=r"'atlantis'.*ssj_recusal_rules"):
        _app(tmp_path, bad)
    with pytest.raises(PackError, match=r"'atlantis'.*ssj_recusal_rules"):
        PackRegistry([bad])


def test_a_correct_pack_is_accepted_at_start_up(tmp_path: Path) -> None:
    app = _app(tmp_path, Pack(name="atlantis", title="t", versions=((V1, Fine),)))
    assert "atlantis" in app.extensions["shuangsuiji"].packs  # type: ignore[attr-defined]

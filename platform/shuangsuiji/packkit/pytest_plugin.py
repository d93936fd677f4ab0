"""pytest plugin of the conformance kit, registered through the ``pytest11`` entry point.

A pack author gets two ways to check a pack from their own ``pytest`` run:

1. In a test module, one test per conformance check::

       from shuangsuiji.packkit.pytest_plugin import ssj_pack_conformance

       test_conformance = ssj_pack_conformance("atlantis")   # name, Pack, or province file

2. From the command line, for any installed pack or province file, without writing a
   test: ``pytest --ssj-pack atlantis --ssj-pack provinces/atlantis.toml``.

Installed packs are discovered through the ``shuangsuiji.packs`` entry points only when one
of these is used, so a test run that asks for neither sees exactly the packs it registers.
The fixture ``ssj_pack_registry`` gives the discovered registry to a pack's own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.packkit.conformance import CHECK_NAMES, CHECKS, run_checks
from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.registry import PackRegistry

PackSpec = str | Path | Pack
RegistrySpec = PackRegistry | Callable[[], PackRegistry] | None

_discovered: list[PackRegistry] = []


def discovered_registry() -> PackRegistry:
    """The installed packs, discovered once per test session."""
    if not _discovered:
        _discovered.append(PackRegistry.discover())
    return _discovered[0]


def resolve_pack(spec: PackSpec, registry: PackRegistry) -> Pack:
    """A Pack from a Pack, an installed pack's name, or the path of a province file."""
    if isinstance(spec, Pack):
        return spec
    text = str(spec)
    if text.endswith(".toml") or Path(text).is_file():
        from shuangsuiji_provinces import load_province

        return load_province(text)
    return registry.get(text)


def _registry(registry: RegistrySpec) -> PackRegistry:
    if registry is None:
        return discovered_registry()
    return registry() if callable(registry) else registry


def format_problems(problems: list[Any]) -> str:
    return "\n".join(str(p) for p in problems)


def ssj_pack_conformance(pack: PackSpec, registry: RegistrySpec = None) -> Callable[..., None]:
    """A test function, parametrized with one case per conformance check, for ``pack``.

    ``registry`` supplies the baseline (MIIT) and the pack ``pack`` extends; by default the
    installed packs. Assign the result to a ``test_*`` name in a test module.
    """

    @pytest.mark.parametrize("ssj_check", CHECK_NAMES)
    def test_conformance(ssj_check: str) -> None:
        reg = _registry(registry)
        found = resolve_pack(pack, reg)
        problems = run_checks(found, reg, only=(ssj_check,))[ssj_check]
        if problems:
            pytest.fail(format_problems(problems), pytrace=False)

    test_conformance.__doc__ = f"Conformance of pack {pack!s} (shuangsuiji.packkit)."
    return test_conformance


class ConformanceItem(pytest.Item):
    """One conformance check of one pack, added by ``--ssj-pack``."""

    def __init__(self, *, spec: str, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.check = check

    def runtest(self) -> None:
        reg = discovered_registry()
        problems = run_checks(resolve_pack(self.spec, reg), reg, only=(self.check,))[self.check]
        if problems:
            raise ConformanceFailure(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            return format_problems(excinfo.value.problems)
        return str(excinfo.value)  # e.g. the pack is not installed: a message, no traceback

    def reportinfo(self) -> tuple[str, int | None, str]:
        doc = next(c.doc for c in CHECKS if c.name == self.check)
        return self.spec, None, f"ssj pack {self.spec}: {self.check} ({doc})"


class ConformanceFailure(Exception):
    def __init__(self, problems: list[Any]) -> None:
        super().__init__(format_problems(problems))
        self.problems = problems


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("shuangsuiji", "shuangsuiji pack conformance")
    group.addoption("--ssj-pack", action="append", default=[], metavar="NAME_OR_FILE",
                    help="check an installed policy pack (or a province TOML file) against "
                    "the hook contract; repeatable")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    for spec in config.getoption("ssj_pack", default=[]) or []:
        for check in CHECK_NAMES:
            items.append(ConformanceItem.from_parent(
                session, name=f"ssj-pack[{spec}]::{check}", spec=spec, check=check))


@pytest.fixture(scope="session")
def ssj_pack_registry() -> PackRegistry:
    """The installed packs (entry points of ``shuangsuiji.packs``), discovered once."""
    return discovered_registry()

"""The toolkit is the whole surface a pack imports, and every name of it is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shuangsuiji import toolkit
from shuangsuiji.packkit.scaffold import scaffold
from tests.processes import unmeasured_env

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
#: Python packs we ship or publish as examples: written against the toolkit alone.
SHIPPED_PACKS = [
    ROOT / "plugins" / "miit",
    ROOT / "plugins" / "chongqing",
    ROOT / "docs" / "examples" / "jianghuai",
]


def platform_imports(source: str) -> list[tuple[str, str]]:
    """Every ``(module, name)`` a module imports from the platform (``shuangsuiji.*``)."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module == "shuangsuiji" or node.module.startswith("shuangsuiji.")):
            found.extend((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "*") for alias in node.names
                         if alias.name.split(".")[0] == "shuangsuiji")
    return found


def outside_toolkit(files: list[Path]) -> list[str]:
    bad = []
    for file in files:
        for module, name in platform_imports(file.read_text(encoding="utf-8")):
            if module != "shuangsuiji.toolkit" or name not in toolkit.__all__:
                bad.append(f"{file.name}: from {module} import {name}")
    return bad


def test_the_scaffold_imports_only_the_toolkit(tmp_path: Path) -> None:
    files = [f for f in scaffold("atlantis", tmp_path / "p") if f.suffix == ".py"]
    assert len(files) == 2  # the pack module and its tests
    assert outside_toolkit(files) == []
    # and it does import something, from the toolkit: the check is not vacuous
    assert all(platform_imports(f.read_text(encoding="utf-8")) for f in files)


@pytest.mark.parametrize("folder", SHIPPED_PACKS, ids=lambda p: p.name)
def test_shipped_python_packs_import_only_the_toolkit(folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*.py") if "tests" not in p.parts)
    assert files
    assert outside_toolkit(files) == []


def test_the_check_catches_an_import_from_elsewhere(tmp_path: Path) -> None:
    file = tmp_path / "x.py"
    file.write_text("from shuangsuiji.packs import Pack\nimport shuangsuiji.rules\n"
                    "from shuangsuiji.toolkit import NotThere\n", encoding="utf-8")
    assert len(outside_toolkit([file])) == 3


def documented_names() -> set[str]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("\n## The toolkit\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", section, re.M))


def test_every_toolkit_name_is_documented_and_nothing_else() -> None:
    documented = documented_names()
    public = set(toolkit.__all__)
    assert public - documented == set(), "toolkit names missing from docs/plugins.md"
    assert documented - public == set(), "docs/plugins.md documents names not in the toolkit"


def test_every_toolkit_name_resolves() -> None:
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name
    public = {n for n in vars(toolkit) if n.isidentifier() and not n.startswith("_")}
    # nothing public leaks in besides __all__ and the module's own imports for typing
    assert public - set(toolkit.__all__) <= {"annotations", "Callable", "Path",
                                             "TYPE_CHECKING"}


def test_importing_the_toolkit_does_not_import_pytest() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import sys, shuangsuiji.toolkit; "
                           "print('pytest' in sys.modules)"], capture_output=True, text=True,
                          check=True, timeout=120, env=unmeasured_env())
    assert done.stdout.strip() == "False"

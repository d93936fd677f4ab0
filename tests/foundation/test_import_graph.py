"""No circle among the platform's modules: the layers (kernel → services → cli/web/api) read
one way. Every import counts, also one inside a function or under TYPE_CHECKING: a circle
hidden in a function is still a circle a reader has to untangle."""

from __future__ import annotations

import ast
from pathlib import Path

import shuangsuiji

PACKAGE = Path(shuangsuiji.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the platform modules it imports (a package import counts as its
    ``__init__``; ``from pkg import mod`` counts as ``pkg.mod`` when that is a module)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else base)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read_from_the_real_modules() -> None:
    graph = import_graph()
    assert "shuangsuiji.services.audit" in graph["shuangsuiji.services.imports"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


#: Circles that came in with work merged on the same day, each inside one helper's area and
#: left to it (issue #18, item 7): a new circle fails this test; removing one of these means
#: deleting its line.
KNOWN_CIRCLES = [
    ["shuangsuiji.services.audit", "shuangsuiji.services.translog"],  # transparency log
    ["shuangsuiji.services.job_kinds", "shuangsuiji.services.jobs"],  # background jobs
]


def test_the_services_import_no_new_circle() -> None:
    graph = import_graph()
    services = {m: {d for d in deps if d.startswith("shuangsuiji.services.")}
                for m, deps in graph.items() if m.startswith("shuangsuiji.services.")}
    found = cycles(services)
    assert [c for c in found if c not in KNOWN_CIRCLES] == []


def test_directories_imports_and_items_import_no_circle() -> None:
    trio = {"shuangsuiji.services.directories", "shuangsuiji.services.imports",
            "shuangsuiji.services.items"}
    graph = import_graph()
    assert cycles({m: graph[m] & trio for m in trio}) == []

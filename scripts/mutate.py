"""A small mutation run: plant one bug at a time in the code that decides a draw's fairness
and its audit, run the tests meant to catch it, and count the bugs they catch.

The targets (modules, the functions in them, the tests that guard them) are listed in
scripts/mutate.toml, so a new target is a few lines there. Each mutant is one change of the
syntax tree (a comparison flipped, a guard skipped, a constant moved, a role added to an
``allow(...)``); it is loaded in the pytest process in place of the module by an import hook
(scripts/mutate_loader.py), so the working tree is never written to.

A mutant is *killed* when its tests fail (or time out), *survives* when they pass. Every
survivor must be killed by a new test or explained in mutate.toml's ``[explained]`` table
(keyed by the mutant's id, printed by this script). Exit status: 0 when every survivor is
explained, 1 otherwise, 2 when the unmutated tests fail.

Usage: scripts/mutate [--target NAME]... [--list] [--timeout S] [--report FILE]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "scripts" / "mutate.toml"
PYTHON = ROOT / ".venv" / "bin" / "python"

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr,
    ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv,
}
#: The role a mutated ``allow(...)`` lets in when it did not before.
INTRUDER_ROLE = "operator"


@dataclass(frozen=True)
class Mutant:
    target: str
    module: str
    index: int  # which mutation point of the module, in tree-walk order
    line: str  # line.column
    what: str
    in_body: bool  # inside a function body: swapped in process (scripts/mutate_worker.py)

    @property
    def id(self) -> str:
        return f"{self.module}:{self.line}:{self.what}"


@dataclass
class Target:
    name: str
    module: str
    functions: list[str]
    tests: list[str]
    only: list[str] = field(default_factory=list)  # kinds of mutation, e.g. ["allow"]
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        spec = importlib.util.find_spec(self.module)
        if spec is None or spec.origin is None:
            raise SystemExit(f"mutate.toml: target {self.name!r}: no module {self.module!r}")
        self.path = Path(spec.origin)


# --- finding mutation points ----------------------------------------------------------------


def _scopes(tree: ast.Module, functions: list[str]) -> Iterator[ast.AST]:
    """The nodes to mutate: the named functions (``name`` or ``Class.name``), or, for an
    entry ``"*"``, the whole module."""
    if "*" in functions:
        yield tree
        return
    wanted = set(functions)
    found: set[str] = set()

    def visit(node: ast.AST, prefix: str) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if name in wanted:  # a function, or a whole class
                    found.add(name)
                    yield child
                else:
                    yield from visit(child, f"{name}.")

    yield from visit(tree, "")
    missing = wanted - found
    if missing:
        raise SystemExit(f"mutate.toml: no function {sorted(missing)} in the module")


def _is_guard(node: ast.If) -> bool:
    """An ``if`` whose body leaves (raise, return, continue, abort...): skipping it is the
    typical 'check removed' bug."""
    last = node.body[-1]
    if isinstance(last, ast.Raise | ast.Return | ast.Continue | ast.Break):
        return True
    return (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
            and isinstance(last.value.func, ast.Name) and last.value.func.id == "abort")


def _allow_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "allow"
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args))


def _points(node: ast.AST) -> Iterator[tuple[str, str]]:
    """(line, description) of each mutation of ``node`` itself, in a fixed order."""
    line = f"{getattr(node, 'lineno', 0)}.{getattr(node, 'col_offset', 0)}"
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in COMPARE_SWAPS:
                swap = COMPARE_SWAPS[type(op)].__name__
                yield line, f"compare[{i}] {type(op).__name__}->{swap}"
    elif isinstance(node, ast.BoolOp):
        other = "Or" if isinstance(node.op, ast.And) else "And"
        yield line, f"boolop {type(node.op).__name__}->{other}"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield line, "drop not"
    elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
        yield line, f"binop {type(node.op).__name__}->{BINOP_SWAPS[type(node.op)].__name__}"
    elif isinstance(node, ast.If) and _is_guard(node):
        yield line, "skip guard"
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield line, f"const {node.value}->{node.value + 1}"
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        yield line, f"const {node.value}->{not node.value}"
    if _allow_call(node):
        roles = [a.value for a in node.args]  # type: ignore[attr-defined]
        if INTRUDER_ROLE not in roles:
            yield line, f"allow +{INTRUDER_ROLE}"
        elif len(roles) > 1:
            yield line, f"allow -{INTRUDER_ROLE}"


def _body_nodes(tree: ast.Module) -> set[int]:
    """Ids of the nodes inside some function's body (not its decorators or defaults)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for stmt in node.body:
                inside.update(id(n) for n in ast.walk(stmt))
    return inside


def _walk(tree: ast.Module, functions: list[str],
          only: list[str]) -> Iterator[tuple[ast.AST, str, str]]:
    seen: set[int] = set()
    # annotations are not code (and strings, with `from __future__ import annotations`)
    for node in ast.walk(tree):
        notes = [getattr(node, "returns", None), getattr(node, "annotation", None)]
        for note in notes:
            if isinstance(note, ast.AST):
                seen.update(id(n) for n in ast.walk(note))
    for scope in _scopes(tree, functions):
        for node in ast.walk(scope):
            if id(node) in seen:
                continue
            seen.add(id(node))
            # docstrings and f-string parts are not code
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                continue
            for line, what in _points(node):
                if not only or any(what.startswith(kind) for kind in only):
                    yield node, line, what


def mutants(target: Target) -> list[Mutant]:
    tree = ast.parse(target.path.read_text(encoding="utf-8"))
    body = _body_nodes(tree)
    return [Mutant(target.name, target.module, i, line, what, id(node) in body)
            for i, (node, line, what) in enumerate(_walk(tree, target.functions, target.only))]


def mutate(source: str, target: Target, mutant: Mutant) -> str:
    tree = ast.parse(source)
    for i, (node, _line, what) in enumerate(_walk(tree, target.functions, target.only)):
        if i == mutant.index:
            _apply(node, what)
            return ast.unparse(ast.fix_missing_locations(tree))
    raise LookupError(mutant.id)


def _apply(node: ast.AST, what: str) -> None:
    if isinstance(node, ast.Compare) and what.startswith("compare["):
        i = int(what[len("compare["):what.index("]")])
        node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp) and what == "drop not":
        # `not x` -> `not not x`, i.e. the truth of `x` (the node stays where it is)
        node.operand = ast.UnaryOp(ast.Not(), node.operand)
    elif isinstance(node, ast.BinOp):
        node.op = BINOP_SWAPS[type(node.op)]()
    elif isinstance(node, ast.If):
        node.test = ast.Constant(False)
    elif isinstance(node, ast.Call) and what.startswith("allow +"):
        node.args.append(ast.Constant(INTRUDER_ROLE))
    elif isinstance(node, ast.Call) and what.startswith("allow -"):
        node.args = [a for a in node.args
                     if not (isinstance(a, ast.Constant) and a.value == INTRUDER_ROLE)]
    elif isinstance(node, ast.Constant):
        node.value = (not node.value) if type(node.value) is bool else node.value + 1
    else:  # pragma: no cover - _points and _apply disagree
        raise AssertionError(what)


# --- running ---------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"),
                                          os.environ.get("PYTHONPATH", "")])}
    env.pop("SSJ_TEST_DATABASE_URL", None)  # SQLite: the fastest honest run
    return env


PYTEST_ARGS = ["-x", "-q", "--no-header", "-p", "no:randomly", "-p", "no:cacheprovider",
               "-W", "ignore"]


def run_in_process(target: Target, todo: list[tuple[Mutant, Path]],
                   timeout: float) -> Iterator[tuple[str, str]]:
    """(mutant id, outcome) for mutants in function bodies, one worker process for all."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([[m.id, str(path)] for m, path in todo], f)
    args = [str(PYTHON), str(ROOT / "scripts" / "mutate_worker.py"), target.module, f.name,
            str(timeout), "--", *PYTEST_ARGS, *target.tests]
    with subprocess.Popen(args, cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                          text=True) as worker:
        assert worker.stdout is not None
        for line in worker.stdout:
            if line.startswith("{"):
                found = json.loads(line)
                yield found["id"], found["outcome"]
    os.unlink(f.name)


def run_in_subprocess(target: Target, mutant_file: Path | None, timeout: float) -> str:
    """'passed', 'failed', 'timeout' or 'error N', in a fresh pytest process (for mutants
    outside function bodies, loaded by scripts/mutate_loader.py)."""
    env = _env()
    args = [str(PYTHON), "-m", "pytest", *PYTEST_ARGS]
    if mutant_file is not None:
        env["SSJ_MUTANT_MODULE"] = target.module
        env["SSJ_MUTANT_SOURCE"] = str(mutant_file)
        args += ["-p", "mutate_loader"]
    args += target.tests
    try:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode == 0:
        return "passed"
    # 2..5: the run itself broke (the mutant does not import...): a kill, reported as such
    return "failed" if done.returncode == 1 else f"error {done.returncode}"


def outcomes(target: Target, found: list[Mutant], tmp: Path,
             timeout: float) -> Iterator[tuple[Mutant, str]]:
    source = target.path.read_text(encoding="utf-8")
    files = {}
    for m in found:
        files[m.id] = tmp / f"mutant-{m.index}.py"
        files[m.id].write_text(mutate(source, target, m), encoding="utf-8")
    by_id = {m.id: m for m in found}
    body = [(m, files[m.id]) for m in found if m.in_body]
    rest = [m for m in found if not m.in_body]
    if body:
        for mutant_id, outcome in run_in_process(target, body, timeout):
            if mutant_id == "baseline":
                if outcome != "passed":
                    raise SystemExit(f"the tests of {target.name} fail without any mutant "
                                     f"({outcome}): fix them first")
                continue
            if outcome == "not swappable":
                rest.append(by_id[mutant_id])
                continue
            yield by_id[mutant_id], outcome
    if rest and run_in_subprocess(target, None, timeout) != "passed":
        raise SystemExit(f"the tests of {target.name} fail without any mutant: fix them first")
    for m in rest:
        yield m, run_in_subprocess(target, files[m.id], timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", help="run only these targets")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant")
    parser.add_argument("--report", type=Path, default=ROOT / "test-output" / "mutation.json")
    options = parser.parse_args()
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    explained: dict[str, str] = config.get("explained", {})
    targets = [Target(t["name"], t["module"], t["functions"], t["tests"], t.get("only", []))
               for t in config["target"]
               if not options.target or t["name"] in options.target]
    results: list[dict[str, object]] = []
    for target in targets:
        found = mutants(target)
        print(f"== {target.name}: {target.module} ({len(found)} mutants) — "
              f"{' '.join(target.tests)}", flush=True)
        if options.list:
            for m in found:
                print(f"   {m.id}")
            continue
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="ssj-mutant-") as tmp:
            for m, outcome in outcomes(target, found, Path(tmp), options.timeout):
                verdict = "survived" if outcome == "passed" else "killed"
                note = explained.get(m.id, "") if verdict == "survived" else ""
                flag = "SURVIVED" if verdict == "survived" and not note else verdict
                print(f"   {flag:9} {m.id}  ({outcome})"
                      + (f"  — explained: {note}" if note else ""), flush=True)
                results.append({"target": target.name, "id": m.id, "outcome": outcome,
                                "verdict": verdict, "explained": note})
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    if options.list:
        return 0
    total = len(results)
    killed = sum(r["verdict"] == "killed" for r in results)
    unexplained = [r["id"] for r in results if r["verdict"] == "survived" and not r["explained"]]
    print(f"\n== mutation score: {killed}/{total} killed"
          + (f" ({100 * killed / total:.1f} %)" if total else ""))
    for target in targets:
        mine = [r for r in results if r["target"] == target.name]
        print(f"   {target.name:12} {sum(r['verdict'] == 'killed' for r in mine)}/{len(mine)}")
    if unexplained:
        print("survivors neither killed nor explained in scripts/mutate.toml [explained]:")
        for mid in unexplained:
            print(f"   {mid}")
    options.report.parent.mkdir(parents=True, exist_ok=True)
    options.report.write_text(json.dumps(results, ensure_ascii=False, indent=1),
                              encoding="utf-8")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())

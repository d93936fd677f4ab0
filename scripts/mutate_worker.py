"""The in-process half of scripts/mutate.py: one Python process per target runs the target's
tests once per mutant, swapping the mutated functions' code in place.

Starting pytest costs seconds (Flask, SQLAlchemy, hypothesis imports) while the kernel's
tests run in a fraction of one, so each mutant is run with ``pytest.main`` in this process:
the mutant's module source is executed in a scratch namespace, and every function and
method of the real module whose code differs takes the mutant's ``__code__`` (every
reference to it, also ``from x import f`` elsewhere, sees the change); afterwards the
original code is put back. Mutants outside function bodies (module constants, decorator
arguments such as ``@allow(...)``) cannot be swapped that way: scripts/mutate.py runs those
in a fresh process with scripts/mutate_loader.py instead.

Input (argv): the module's dotted name, a JSON file listing ``[mutant id, source file]``,
the per-mutant timeout, then ``--`` and the pytest arguments. Output: one JSON object per
line on stdout, ``{"id": ..., "outcome": "passed" | "failed" | "timeout" | "error N"}``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import signal
import sys
import types
from collections.abc import Iterator
from typing import Any


class MutantTimeout(BaseException):
    """Raised by the alarm: a mutant that loops forever counts as caught."""


def _functions(namespace: dict[str, Any], module_name: str) -> Iterator[tuple[str, Any]]:
    """(qualified name, function) of every function and method defined in the module."""
    for name, obj in namespace.items():
        if isinstance(obj, types.FunctionType) and obj.__module__ == module_name:
            yield name, obj
        elif isinstance(obj, type) and obj.__module__ == module_name:
            for attr, member in vars(obj).items():
                func = member
                if isinstance(member, staticmethod | classmethod):
                    func = member.__func__
                elif isinstance(member, property):
                    func = member.fget
                if isinstance(func, types.FunctionType):
                    yield f"{name}.{attr}", func


def _unwrap(func: Any) -> Any:
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
    return func


def swap_in(module: types.ModuleType, source: str) -> dict[Any, types.CodeType]:
    """Give the module's functions the mutant's code; return what to restore."""
    scratch = types.ModuleType(module.__name__)
    scratch.__dict__.update(__file__=module.__file__, __package__=module.__package__,
                            __name__=module.__name__)
    exec(compile(source, module.__file__ or module.__name__, "exec"), scratch.__dict__)
    new = dict(_functions(scratch.__dict__, module.__name__))
    saved: dict[Any, types.CodeType] = {}
    for name, func in _functions(module.__dict__, module.__name__):
        other = new.get(name)
        if other is None:
            continue
        old_f, new_f = _unwrap(func), _unwrap(other)
        if old_f.__code__ != new_f.__code__:
            saved[old_f] = old_f.__code__
            old_f.__code__ = new_f.__code__
    if not saved:
        raise LookupError("the mutant changes no function body")
    return saved


def restore(saved: dict[Any, types.CodeType]) -> None:
    for func, code in saved.items():
        func.__code__ = code


def _alarm(_signum: int, _frame: Any) -> None:
    raise MutantTimeout


def run(pytest_args: list[str], timeout: float) -> str:
    import pytest

    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            code = pytest.main(pytest_args)
    except MutantTimeout:
        return "timeout"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if code == 0:
        return "passed"
    return "failed" if code == 1 else f"error {int(code)}"


def main() -> int:
    module_name, listing, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    pytest_args = sys.argv[sys.argv.index("--") + 1:]
    module = importlib.import_module(module_name)
    with open(listing, encoding="utf-8") as f:
        todo = json.load(f)
    baseline = run(pytest_args, timeout * 3)
    print(json.dumps({"id": "baseline", "outcome": baseline}), flush=True)
    if baseline != "passed":
        return 2
    for mutant_id, source_file in todo:
        with open(source_file, encoding="utf-8") as f:
            source = f.read()
        try:
            saved = swap_in(module, source)
        except LookupError:
            print(json.dumps({"id": mutant_id, "outcome": "not swappable"}), flush=True)
            continue
        except Exception as exc:  # the mutant does not even run its module body
            print(json.dumps({"id": mutant_id, "outcome": f"error {type(exc).__name__}"}),
                  flush=True)
            continue
        try:
            outcome = run(pytest_args, timeout)
        finally:
            restore(saved)
        print(json.dumps({"id": mutant_id, "outcome": outcome}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""pytest plugin for scripts/mutate.py: load one module from a mutant's source.

``-p mutate_loader`` with ``SSJ_MUTANT_MODULE`` (a dotted name) and ``SSJ_MUTANT_SOURCE`` (a
file) set: when that module is imported, its code is compiled from the mutant file, while
its ``__file__``, package and everything else stay the real module's. The working tree is
never written to. Loaded by ``-p`` before any conftest, so before the module is imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from types import CodeType
from typing import Any

MODULE = os.environ.get("SSJ_MUTANT_MODULE", "")
SOURCE = os.environ.get("SSJ_MUTANT_SOURCE", "")


class _MutantLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname: str) -> CodeType:
        with open(SOURCE, encoding="utf-8") as f:
            return compile(f.read(), self.path, "exec", dont_inherit=True)


class _MutantFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.origin:
                spec.loader = _MutantLoader(fullname, spec.origin)
                return spec
        return None


if MODULE and SOURCE:
    if MODULE in sys.modules:
        raise RuntimeError(f"mutate_loader: {MODULE} was imported before the plugin")
    sys.meta_path.insert(0, _MutantFinder())

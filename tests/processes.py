"""Child processes that see only what they import themselves.

scripts/test measures coverage in every Python process the tests start (``[tool.coverage.run]
patch = ["subprocess"]``), and coverage imports modules of its own (``random`` among them).
A test that asks which modules a fresh process loads starts it without that measurement."""

from __future__ import annotations

import os


def unmeasured_env(**extra: str) -> dict[str, str]:
    """This process's environment without coverage's start-up variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env.update(extra)
    return env

"""What the conformance checks share: the problem a check reports, the context it reads,
the shape of a check, and the contract's hook names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from shuangsuiji import hookspecs, rules
from shuangsuiji.packs.base import Pack

#: The hook names of the contract, in the order hookspecs.py declares them.
HOOK_NAMES: tuple[str, ...] = tuple(
    name for name, obj in vars(hookspecs).items()
    if name.startswith("ssj_") and callable(obj)
)


@dataclass(frozen=True)
class Problem:
    """One way a pack fails a check, said so that its author knows what to change."""

    check: str
    message: str
    pack: str
    version: str | None = None
    hook: str | None = None
    where: str | None = None  # "file:line" for a province file, else the pack's module

    def __str__(self) -> str:
        scope = self.pack + (f"@{self.version}" if self.version else "")
        if self.hook:
            scope += f" {self.hook}"
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}[{self.check}] {scope}: {self.message}"


@dataclass
class Context:
    """What the checks share: the pack, the chain it is checked in, and earlier findings."""

    pack: Pack
    chain: tuple[Pack, ...]  # most general first, ending with the pack
    failed: set[str] = dataclasses.field(default_factory=set)

    def problem(self, check: str, message: str, *, version: str | None = None,
                hook: str | None = None, table: str | None = None,
                key: str | None = None) -> Problem:
        return Problem(check, message, self.pack.name, version, hook,
                       self.where(version, hook, table, key))

    def where(self, version: str | None, hook: str | None, table: str | None = None,
              key: str | None = None) -> str:
        """``file:line`` when the pack can locate its rules (province files), else its source."""
        locate = getattr(self.pack, "locate", None)
        if locate is not None and version is not None:
            return str(locate(version, table or (hook[4:] if hook else None), key))
        return self.pack.source

    def versions(self) -> Iterator[rules.PackVersion]:
        for meta, _ in self.pack.versions:
            yield meta

    def probe_dates(self, meta: rules.PackVersion) -> tuple[date, ...]:
        """The days a version is asked about: its first day and, if repealed, its last."""
        days = [meta.effective]
        if meta.repealed is not None and meta.repealed - timedelta(days=1) > meta.effective:
            days.append(meta.repealed - timedelta(days=1))
        return tuple(days)


@dataclass(frozen=True)
class Check:
    """A named check; ``needs`` are checks whose failure makes this one meaningless."""

    name: str
    doc: str
    run: Callable[[Context], list[Problem]]
    needs: tuple[str, ...] = ()

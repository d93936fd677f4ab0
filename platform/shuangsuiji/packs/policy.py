"""One tenant's policy: its chain of packs, resolved into rules as of a date."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pluggy

from shuangsuiji import hookspecs
from shuangsuiji.messages import msg
from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.errors import NoVersionInForce
from shuangsuiji.packs.ruleset import RuleSet, deadline_rule, plan_window, resolve
from shuangsuiji.rules import DeadlineRule, PackVersion, PlanWindow, TaskFacts


class TenantPolicy:
    """The packs that govern one tenant, most general first, and the rules they give.

    For each combination of pack versions in force, one :class:`pluggy.PluginManager` is
    built (registering the baseline first, so that pluggy asks the most specific pack
    first) and kept, so two tenants' packs never mix.
    """

    def __init__(self, chain: tuple[Pack, ...]) -> None:
        self.chain = chain
        self._managers: dict[tuple[str, ...], pluggy.PluginManager] = {}
        self._resolve = lru_cache(maxsize=256)(self._resolve_uncached)

    @property
    def pack_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.chain)

    def versions_on(self, day: date) -> tuple[tuple[Pack, PackVersion], ...]:
        """The version of each pack in the chain in force on ``day``; error if one has none."""
        found = []
        for pack in self.chain:
            meta = pack.version_on(day)
            if meta is None:
                known = tuple(
                    msg("%(version)s from %(effective)s to %(repealed)s", version=m.version,
                        effective=str(m.effective), repealed=str(m.repealed)) if m.repealed
                    else msg("%(version)s from %(effective)s", version=m.version,
                             effective=str(m.effective))
                    for m, _ in pack.versions
                )
                first = min((m for m, _ in pack.versions), key=lambda m: m.effective,
                            default=None)
                if first is not None and day < first.effective and first.repeals:
                    # a day under the document the first version repealed: say so by name
                    raise NoVersionInForce(pack.name, msg(
                        "%(day)s is before %(document)s took effect (%(effective)s); on that "
                        "day %(repealed)s was in force, which this version repealed, and its "
                        "rules are not in the pack", day=day.isoformat(),
                        document=first.document, effective=first.effective.isoformat(),
                        repealed=first.repeals))
                raise NoVersionInForce(
                    pack.name, msg("has no version in force on %(day)s (versions: %(known)s)",
                                   day=day.isoformat(), known=known)
                )
            found.append((pack, meta))
        return tuple(found)

    def plugin_manager(self, day: date) -> pluggy.PluginManager:
        """The plugin manager holding the versions in force on ``day``."""
        versions = self.versions_on(day)
        key = tuple(f"{p.name}@{v.version}" for p, v in versions)
        pm = self._managers.get(key)
        if pm is None:
            pm = pluggy.PluginManager(hookspecs.PROJECT)
            pm.add_hookspecs(hookspecs)
            for (pack, meta), name in zip(versions, key, strict=True):
                pm.register(pack.plugin(meta), name=name)
            pm.check_pending()
            self._managers[key] = pm
        return pm

    def rules(self, as_of: date) -> RuleSet:
        """Every rule as of ``as_of``, resolved through the chain."""
        return self._resolve(as_of)

    def _resolve_uncached(self, as_of: date) -> RuleSet:
        versions = self.versions_on(as_of)
        return resolve(
            self.plugin_manager(as_of),
            as_of=as_of,
            versions=tuple((p.name, v.version) for p, v in versions),
        )

    def deadline_rule(self, as_of: date, task: TaskFacts) -> DeadlineRule:
        """The publication deadline for ``task`` whose work ended on ``as_of``."""
        return deadline_rule(self.plugin_manager(as_of), as_of=as_of, task=task)

    def plan_window(self, year: int) -> PlanWindow:
        """The annual-plan window for ``year``, under the rules in force on 1 January."""
        as_of = date(year, 1, 1)
        return plan_window(self.plugin_manager(as_of), as_of=as_of, year=year)

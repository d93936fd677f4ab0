"""Discovery of installed packs through the ``shuangsuiji.packs`` entry-point group."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points
from itertools import pairwise

import pluggy

from shuangsuiji import hookspecs
from shuangsuiji.messages import msg
from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.errors import PackError
from shuangsuiji.packs.policy import TenantPolicy

ENTRY_POINT_GROUP = "shuangsuiji.packs"
BASELINE = "miit"


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows the whole hook contract and nothing else."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _major(version: str) -> int:
    return int(version.split(".", 1)[0])


def validate_pack(pack: Pack) -> None:
    """Refuse a pack that would misbehave at run time: raise :class:`PackError`.

    Checks the contract version, that versions exist, have effective dates and do not
    overlap, and that every version's hooks exist in the contract (``check_pending``).
    """
    host_major = _major(hookspecs.CONTRACT_VERSION)
    try:
        pack_major = _major(pack.contract)
    except ValueError:
        raise PackError(
            pack.name, msg("contract version %(contract)r is not MAJOR.MINOR",
                           contract=pack.contract)
        ) from None
    if pack_major != host_major:
        changes = "; ".join(
            f"{v}: {hookspecs.CONTRACT_CHANGES.get(v, 'unknown')}"
            for v in range(min(pack_major, host_major) + 1, max(pack_major, host_major) + 1)
        )
        raise PackError(
            pack.name,
            msg("written for hook contract %(contract)s, but this platform speaks %(host)s. "
                "What changed: %(changes)s. Update the pack to the current contract (see "
                "docs/plugins.md).", contract=pack.contract, host=hookspecs.CONTRACT_VERSION,
                changes=changes or "unknown"),
        )
    if not pack.versions:
        raise PackError(pack.name, msg("declares no versions"))
    metas = sorted((meta for meta, _ in pack.versions), key=lambda m: m.effective)
    for meta in metas:
        if meta.repealed is not None and meta.repealed <= meta.effective:
            raise PackError(
                pack.name,
                msg("version %(version)s: repealed %(repealed)s is not after effective "
                    "%(effective)s", version=meta.version, repealed=str(meta.repealed),
                    effective=str(meta.effective)),
            )
    for earlier, later in pairwise(metas):
        if earlier.repealed is None or earlier.repealed > later.effective:
            raise PackError(
                pack.name,
                msg("versions %(earlier)s and %(later)s overlap: %(earlier)s must be repealed "
                    "on or before %(effective)s", earlier=earlier.version, later=later.version,
                    effective=str(later.effective)),
            )
    for meta, _ in pack.versions:
        pm = new_plugin_manager()
        try:
            pm.register(pack.plugin(meta), name=f"{pack.name}@{meta.version}")
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PackError(pack.name, msg("version %(version)s: %(problem)s",
                                           version=meta.version, problem=str(exc))) from None


class PackRegistry:
    """The packs this deployment knows, by name."""

    def __init__(self, packs: Iterable[Pack] = ()) -> None:
        self._packs: dict[str, Pack] = {}
        for pack in packs:
            self.add(pack)

    @classmethod
    def discover(cls) -> PackRegistry:
        """Load every pack installed under the entry-point group; fail naming the pack."""
        registry = cls()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = ep.load()
                found = loaded() if callable(loaded) and not isinstance(loaded, Pack) else loaded
            except PackError:
                raise
            except Exception as exc:  # a broken pack must name itself, whatever it raised
                raise PackError(ep.name, msg("failed to load (%(entry_point)s): %(problem)s",
                                             entry_point=ep.value, problem=str(exc))) from exc
            for pack in [found] if isinstance(found, Pack) else list(found):
                registry.add(pack)
        return registry

    def add(self, pack: Pack) -> None:
        if not isinstance(pack, Pack):
            raise PackError(str(pack), msg("entry point did not give a shuangsuiji.packs.Pack"))
        if pack.name in self._packs:
            raise PackError(
                pack.name, msg("installed twice (%(first)s, %(second)s)",
                               first=self._packs[pack.name].source, second=pack.source)
            )
        validate_pack(pack)
        self._packs[pack.name] = pack

    def get(self, name: str) -> Pack:
        try:
            return self._packs[name]
        except KeyError:
            installed = tuple(sorted(self._packs))
            raise PackError(
                name, msg("is not installed (installed: %(installed)s)", installed=installed)
                if installed else msg("is not installed (no pack is installed)")
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._packs

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._packs.values(), key=lambda p: p.name))

    def policy(self, chain: Iterable[str]) -> TenantPolicy:
        """The policy of a tenant whose packs, from its root ancestor down, are ``chain``.

        The MIIT baseline always comes first; duplicates keep their first place.
        """
        names: list[str] = [BASELINE] if BASELINE in self._packs else []
        for name in chain:
            if name and name not in names:
                names.append(name)
        return TenantPolicy(tuple(self.get(n) for n in names))

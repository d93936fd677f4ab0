"""What a pack is: a name, a contract version and its versions in time, each with rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from shuangsuiji.rules import Citation, PackVersion


class PackRules:
    """Base class for the hook implementations of one pack version.

    Subclass it, decorate methods with :data:`shuangsuiji.hookspecs.hookimpl`, and use
    :meth:`cite` to build the citation every rule carries. A later version usually
    subclasses the earlier one and overrides only what changed.
    """

    def __init__(self, pack: str, version: PackVersion) -> None:
        self.pack_name = pack
        self.version = version

    def cite(self, article: str) -> Citation:
        """A citation of ``article`` in this pack version."""
        return Citation(pack=self.pack_name, version=self.version.version, article=article)


@dataclass(frozen=True)
class Pack:
    """A policy pack as found through the ``shuangsuiji.packs`` entry-point group.

    ``versions`` maps each :class:`PackVersion` to the factory of its hook implementations
    (usually a :class:`PackRules` subclass, called as ``factory(pack_name, version)``).
    ``contract`` is the hook-contract version the pack was written for.
    """

    name: str
    title: str
    versions: Sequence[tuple[PackVersion, Callable[[str, PackVersion], object]]]
    contract: str = "1.0"
    description: str = ""
    source: str = ""  # where the pack was defined (module or file), for error messages
    extends: str | None = None  # the pack it is written against; informative
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def version_on(self, day: date) -> PackVersion | None:
        """The version in force on ``day``, or None."""
        for meta, _factory in self.versions:
            if meta.in_force(day):
                return meta
        return None

    def version_named(self, name: str) -> PackVersion | None:
        for meta, _factory in self.versions:
            if meta.version == name:
                return meta
        return None

    def plugin(self, version: PackVersion) -> object:
        """The hook-implementation object of ``version`` (built once, then reused)."""
        if version.version not in self._cache:
            for meta, factory in self.versions:
                if meta == version:
                    self._cache[version.version] = factory(self.name, meta)
                    break
            else:
                raise KeyError(version.version)
        return self._cache[version.version]

"""Host side of the plugin system: pack objects, discovery, and per-tenant rule resolution."""

from shuangsuiji.packs.base import Pack, PackRules
from shuangsuiji.packs.errors import NoVersionInForce, PackError
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.registry import PackRegistry
from shuangsuiji.packs.ruleset import RuleSet

__all__ = [
    "NoVersionInForce",
    "Pack",
    "PackError",
    "PackRegistry",
    "PackRules",
    "RuleSet",
    "TenantPolicy",
]

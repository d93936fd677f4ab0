"""The host object kept on the Flask app: database, installed packs, per-tenant policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shuangsuiji.db import Database
from shuangsuiji.messages import msg
from shuangsuiji.packs import PackRegistry, TenantPolicy
from shuangsuiji.packs.errors import PackError


@dataclass
class Platform:
    """What ``app.extensions["shuangsuiji"]`` holds.

    One :class:`TenantPolicy` (and so one set of plugin managers) per tenant, built on first
    use and kept here rather than in a module global, so two tenants' packs never mix.
    """

    db: Database
    packs: PackRegistry
    _policies: dict[tuple[int, tuple[str, ...]], TenantPolicy] = field(default_factory=dict)
    #: the transparency log's signing keys (:class:`shuangsuiji.services.logkeys.LogKeys`)
    log_keys: Any = None

    def policy_for(self, tenant: object) -> TenantPolicy:
        """The policy of ``tenant`` (a :class:`shuangsuiji.models.Tenant`).

        Kept per tenant *and* pack chain, read from the tenant row each time: when a tenant's
        pack or parent changes (in any worker), the next call builds the new policy.
        """
        chain = tuple(tenant.pack_chain())  # type: ignore[attr-defined]
        key = (tenant.id, chain)  # type: ignore[attr-defined]
        policy = self._policies.get(key)
        if policy is None:
            try:
                policy = self.packs.policy(chain)
            except PackError as exc:
                slug = tenant.slug  # type: ignore[attr-defined]
                raise PackError(exc.pack, msg("%(problem)s (tenant %(tenant)s)",
                                              problem=exc.problem, tenant=slug)) from None
            self._policies[key] = policy
        return policy

"""The host object kept on the Flask app: database, installed packs, per-tenant policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from shuangsuiji.db import Database
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
    _policies: dict[int, TenantPolicy] = field(default_factory=dict)

    def policy_for(self, tenant: object) -> TenantPolicy:
        """The policy of ``tenant`` (a :class:`shuangsuiji.models.Tenant`)."""
        tid: int = tenant.id  # type: ignore[attr-defined]
        policy = self._policies.get(tid)
        if policy is None:
            try:
                policy = self.packs.policy(tenant.pack_chain())  # type: ignore[attr-defined]
            except PackError as exc:
                raise PackError(exc.pack, f"{exc.problem} (tenant {tenant.slug})") from None  # type: ignore[attr-defined]
            self._policies[tid] = policy
        return policy

    def forget_policies(self) -> None:
        """Drop cached policies after a tenant's pack or parent changed (subtrees too)."""
        self._policies.clear()

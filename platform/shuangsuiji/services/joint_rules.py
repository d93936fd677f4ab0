"""Rule conflicts between the packs of a joint task's tenants (联合抽查 across tenants).

A joint task of two tenants is one pool, one set of groups and one visit per target under
the rules of every participating pack. Some rules can both hold by taking the stricter
reading (each pack's ratio cap on its own items, each pack's methods, the recusal modes both
allow); others cannot, because the draw applies one rule to the one pool and the one set of
groups (the exclusion policy, the risk strata and credit classes, who is eligible). A
conflict is refused before anything is written, naming the rule and the article of each
pack. Publication is not a conflict: each tenant publishes its own items by its own pack's
deadline (docs/organisations.md §"Joint tasks of two tenants").

Plain values in, plain values out: no database, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shuangsuiji import kernel
from shuangsuiji.messages import msg
from shuangsuiji.packs import RuleSet
from shuangsuiji.rules import Citation

#: The scope a joint task of two tenants draws its inspectors in: every participant's
#: people are in the one pool (MIIT 第八条第二款 跨司局, the widest scope both packs allow).
JOINT_SCOPE = "across_departments"


@dataclass(frozen=True)
class ItemFacts:
    """What the conflict check needs of one item: its code and category, its cap."""

    code: str
    category: str
    cap_permille: int | None


@dataclass(frozen=True)
class TaskFacts:
    """What the conflict check needs of the task."""

    code: str
    ratio_permille: int
    methods: tuple[str, ...]
    scope: str
    special: bool


def _cite(c: Citation) -> str:
    return str(c)


def conflicts(host_slug: str, host: RuleSet, guest_slug: str, guest: RuleSet, task: TaskFacts,
              guest_items: Sequence[ItemFacts]) -> list[str]:
    """Every rule of the two packs that cannot hold for this joint task, as messages naming
    the rule and each pack's article; [] when none."""
    out: list[str] = []

    def pair(rule: str, a: object, ca: Citation, b: object, cb: Citation) -> None:
        out.append(msg("rule conflict (%(rule)s): %(host)s says %(a)s (%(cite_a)s), %(guest)s "
                       "says %(b)s (%(cite_b)s); both cannot hold for one joint task",
                       rule=rule, host=host_slug, guest=guest_slug, a=a, b=b,
                       cite_a=_cite(ca), cite_b=_cite(cb)))

    he, ge = host.exclusion_policy, guest.exclusion_policy
    if he.once_per_year != ge.once_per_year:
        pair(msg("once-a-year exclusion"), he.once_per_year, he.cite, ge.once_per_year, ge.cite)
    if he.same_quarter_other_divisions != ge.same_quarter_other_divisions:
        pair(msg("same-quarter exclusion"), he.same_quarter_other_divisions, he.cite,
             ge.same_quarter_other_divisions, ge.cite)
    if he.exempt_risk_flags != ge.exempt_risk_flags:
        pair(msg("risk flags exempt from the exclusions"), ", ".join(sorted(he.exempt_risk_flags)),
             he.cite, ", ".join(sorted(ge.exempt_risk_flags)), ge.cite)
    hr = {f"{r.flag} {r.ratio_permille}‰ ×{r.multiplier}": r for r in host.risk_rules}
    gr = {f"{r.flag} {r.ratio_permille}‰ ×{r.multiplier}": r for r in guest.risk_rules}
    if list(hr) != list(gr):
        a = host.risk_rules[0].cite if host.risk_rules else he.cite
        b = guest.risk_rules[0].cite if guest.risk_rules else ge.cite
        pair(msg("risk strata (flag, ratio, multiplier)"), "; ".join(hr) or "-", a,
             "; ".join(gr) or "-", b)
    hc = [f"{c.code} {c.ratio_permille}‰" for c in host.credit_classes]
    gc = [f"{c.code} {c.ratio_permille}‰" for c in guest.credit_classes]
    if hc != gc:
        a = host.credit_classes[0].cite if host.credit_classes else he.cite
        b = guest.credit_classes[0].cite if guest.credit_classes else ge.cite
        pair(msg("credit-risk classes and their ratios"), "; ".join(hc) or "-", a,
             "; ".join(gc) or "-", b)
    hl, gl = host.eligibility, guest.eligibility
    if (hl.credentials, hl.valid_on_date) != (gl.credentials, gl.valid_on_date):
        pair(msg("who may be drawn as an inspector (credentials)"), ", ".join(hl.credentials),
             hl.cite, ", ".join(gl.credentials), gl.cite)
    for rule in guest.extra_exclusions:
        same = next((r for r in host.extra_exclusions if r.code == rule.code), None)
        if same is not None and same.params != rule.params:
            pair(msg("exclusion %(code)s", code=rule.code), dict(same.params), same.cite,
                 dict(rule.params), rule.cite)
    modes = set(host.recusal_rule.modes) & set(guest.recusal_rule.modes)
    if not modes:
        pair(msg("recusal mode"), ", ".join(host.recusal_rule.modes), host.recusal_rule.cite,
             ", ".join(guest.recusal_rule.modes), guest.recusal_rule.cite)
    if host.group_rule.leader != guest.group_rule.leader:
        pair(msg("a group leader is drawn"), host.group_rule.leader, host.group_rule.cite,
             guest.group_rule.leader, guest.group_rule.cite)
    for side, rules in ((host_slug, host), (guest_slug, guest)):
        for method in task.methods:
            if method not in rules.methods.methods:
                out.append(msg("rule conflict (inspection methods): task %(task)s uses "
                               "%(method)s, which %(tenant)s does not allow (%(cite)s; "
                               "allowed: %(allowed)s)", task=task.code, method=method,
                               tenant=side, cite=_cite(rules.methods.cite),
                               allowed=", ".join(rules.methods.methods)))
        if task.scope not in rules.group_rule.scopes:
            out.append(msg("rule conflict (inspector scope): task %(task)s draws %(scope)s, "
                           "which %(tenant)s does not allow (%(cite)s)", task=task.code,
                           scope=task.scope, tenant=side, cite=_cite(rules.group_rule.cite)))
    if task.scope != JOINT_SCOPE:
        out.append(msg("a joint task of two tenants draws its inspectors across departments "
                       "(%(joint)s), not %(scope)s: every participant's people are in the one "
                       "pool", joint=JOINT_SCOPE, scope=task.scope))
    if not task.special:
        codes = {c.code for c in guest.item_categories}
        for item in guest_items:
            if item.category not in codes:
                out.append(msg("item %(item)s of %(tenant)s is of category %(cat)s, which its "
                               "pack does not know", item=item.code, tenant=guest_slug,
                               cat=item.category))
                continue
            problem = kernel.check_ratio(guest.category(item.category), task.ratio_permille,
                                         item.cap_permille)
            if problem:
                out.append(msg("rule conflict (ratio cap) for item %(item)s of %(tenant)s: "
                               "%(problem)s", item=item.code, tenant=guest_slug,
                               problem=problem))
    return out


def recusal_modes(host: RuleSet, guest: RuleSet) -> tuple[str, ...]:
    """The recusal modes both packs allow (the stricter reading), in the host's order."""
    return tuple(m for m in host.recusal_rule.modes if m in guest.recusal_rule.modes)

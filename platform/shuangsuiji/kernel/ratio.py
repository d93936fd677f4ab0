"""Integer arithmetic of ratios (per mille), stratum sizes and ratio caps."""

from __future__ import annotations

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import Sampling
from shuangsuiji.messages import msg
from shuangsuiji.rules import ItemCategory, RiskRule

PER_MILLE = 1000


def stratum_size(n: int, ratio_permille: int, sampling: Sampling) -> int:
    """How many of ``n`` members to draw: ceil(n·r/1000) in integers, clamped.

    ``(n * r + 999) // 1000`` rounds up without floating point; the result is then raised
    to ``min_count``, lowered to ``max_count`` (when set), and finally lowered to ``n``.
    """
    size = (n * ratio_permille + PER_MILLE - 1) // PER_MILLE
    size = max(size, sampling.min_count)
    if sampling.max_count is not None:
        size = min(size, sampling.max_count)
    return min(size, n)


def risk_ratio(task_ratio_permille: int, rule: RiskRule) -> int:
    """Ratio of a risk stratum: min(1000, max(task ratio × multiplier, rule ratio))."""
    return min(PER_MILLE, max(task_ratio_permille * rule.multiplier, rule.ratio_permille))


def validate_sampling(sampling: Sampling) -> None:
    """Raise InvalidInput when the sampling parameters cannot describe a draw."""
    r = sampling.ratio_permille
    if not isinstance(r, int) or isinstance(r, bool) or not 0 <= r <= PER_MILLE:
        raise InvalidInput(msg(
            "ratio_permille=%(ratio)r: give the ratio as an integer per mille from 0 to 1000 "
            "(100 means 10 %%)", ratio=r,
        ))
    if sampling.min_count < 0:
        raise InvalidInput(msg("min_count=%(min_count)s: must be 0 or more",
                               min_count=sampling.min_count))
    if sampling.max_count is not None and sampling.max_count < sampling.min_count:
        raise InvalidInput(msg(
            "max_count=%(max_count)s is below min_count=%(min_count)s: raise max_count or "
            "lower min_count", max_count=sampling.max_count, min_count=sampling.min_count,
        ))


def check_ratio(
    category: ItemCategory, ratio_permille: int, item_cap_permille: int | None
) -> str | None:
    """Return why ``ratio_permille`` is refused for an item of ``category``, or None if allowed.

    Refused when the category requires each item to carry its own cap and this item has
    none (CQ Art. 5 general items), when the ratio exceeds the category's cap, or when it
    exceeds the item's own cap. The message cites the category's rule.
    """
    cite = str(category.cite)
    if category.cap_required and item_cap_permille is None:
        return msg(
            "%(category)s (%(code)s) must have a ratio cap set on the item (%(cite)s); set the "
            "item's cap before drawing", category=category.name_zh, code=category.code,
            cite=cite,
        )
    if category.cap_permille is not None and ratio_permille > category.cap_permille:
        return msg(
            "ratio %(ratio)s ‰ exceeds the cap of %(cap)s ‰ for %(category)s (%(code)s) "
            "(%(cite)s); lower the ratio", ratio=ratio_permille, cap=category.cap_permille,
            category=category.name_zh, code=category.code, cite=cite,
        )
    if item_cap_permille is not None and ratio_permille > item_cap_permille:
        return msg(
            "ratio %(ratio)s ‰ exceeds this item's own cap of %(cap)s ‰ (%(cite)s); lower the "
            "ratio or change the item's cap in the item list", ratio=ratio_permille,
            cap=item_cap_permille, cite=cite,
        )
    return None

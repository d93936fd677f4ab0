"""Plain (JSON-ready) forms of the kernel's inputs and rules, and back.

Used by the pool digest's header, by bundles and by the verifier. The plain form of a
dataclass is an object of its fields; frozensets become sorted lists, tuples lists, dates
ISO strings (``YYYY-MM-DD``). Reading back is strict: a missing or mistyped field raises
:class:`BundleFormatError` naming its path.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from shuangsuiji.kernel.errors import BundleFormatError  # defined there, read from here too
from shuangsuiji.kernel.model import (
    Credential,
    DrawParams,
    DrawRules,
    Expert,
    Inspector,
    PoolRules,
    Sampling,
    Task,
)
from shuangsuiji.messages import msg
from shuangsuiji.rules import (
    Citation,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    RecusalRule,
    RiskRule,
)


def plain(value: Any) -> Any:
    """Return the JSON-ready form of a dataclass, collection, date or scalar."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- strict readers --------------------------------------------------------------------


class Reader:
    """Typed access to one JSON object, with the path of each field for error messages."""

    def __init__(self, obj: Any, path: str) -> None:
        if not isinstance(obj, dict):
            raise BundleFormatError(
                path, msg("expected an object, found %(type)s", type=type(obj).__name__)
            )
        self.obj = obj
        self.path = path

    def _get(self, key: str) -> Any:
        if key not in self.obj:
            raise BundleFormatError(f"{self.path}.{key}", msg("missing field"))
        return self.obj[key]

    def at(self, key: str) -> str:
        """Path of field ``key``."""
        return f"{self.path}.{key}"

    def text(self, key: str) -> str:
        v = self._get(key)
        if not isinstance(v, str):
            raise BundleFormatError(self.at(key), msg("expected a string, found %(value)s",
                                                      value=repr(v)))
        return v

    def opt_text(self, key: str) -> str | None:
        v = self._get(key)
        return None if v is None else self.text(key)

    def integer(self, key: str) -> int:
        v = self._get(key)
        if not isinstance(v, int) or isinstance(v, bool):
            raise BundleFormatError(self.at(key), msg("expected an integer, found %(value)s",
                                                      value=repr(v)))
        return v

    def opt_integer(self, key: str) -> int | None:
        v = self._get(key)
        return None if v is None else self.integer(key)

    def boolean(self, key: str) -> bool:
        v = self._get(key)
        if not isinstance(v, bool):
            raise BundleFormatError(self.at(key), msg("expected true or false, found %(value)s",
                                                      value=repr(v)))
        return v

    def array(self, key: str) -> list[Any]:
        v = self._get(key)
        if not isinstance(v, list):
            raise BundleFormatError(self.at(key), msg("expected a list, found %(value)s",
                                                      value=repr(v)))
        return v

    def strs(self, key: str) -> tuple[str, ...]:
        items = self.array(key)
        for i, v in enumerate(items):
            if not isinstance(v, str):
                raise BundleFormatError(f"{self.at(key)}[{i}]",
                                        msg("expected a string, found %(value)s", value=repr(v)))
        return tuple(items)

    def day(self, key: str) -> date:
        text = self.text(key)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BundleFormatError(
                self.at(key), msg("expected a date YYYY-MM-DD, found %(value)s", value=repr(text))
            ) from None

    def opt_day(self, key: str) -> date | None:
        return None if self._get(key) is None else self.day(key)

    def sub(self, key: str) -> Reader:
        return Reader(self._get(key), self.at(key))

    def subs(self, key: str) -> list[Reader]:
        return [Reader(v, f"{self.at(key)}[{i}]") for i, v in enumerate(self.array(key))]


def read_citation(r: Reader) -> Citation:
    return Citation(pack=r.text("pack"), version=r.text("version"), article=r.text("article"))


def read_exclusion_policy(r: Reader) -> ExclusionPolicy:
    return ExclusionPolicy(
        once_per_year=r.boolean("once_per_year"),
        same_quarter_other_divisions=r.boolean("same_quarter_other_divisions"),
        exempt_risk_flags=frozenset(r.strs("exempt_risk_flags")),
        cite=read_citation(r.sub("cite")),
    )


def read_exclusion_rule(r: Reader) -> ExclusionRule:
    params: list[tuple[str, str | int]] = []
    for i, pair in enumerate(r.array("params")):
        ok = (
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], str | int)
            and not isinstance(pair[1], bool)
        )
        if not ok:
            raise BundleFormatError(f"{r.at('params')}[{i}]",
                                    msg("expected [name, value], %(value)s", value=repr(pair)))
        params.append((pair[0], pair[1]))
    return ExclusionRule(
        code=r.text("code"),
        kind=r.text("kind"),
        params=tuple(params),
        cite=read_citation(r.sub("cite")),
    )


def read_risk_rule(r: Reader) -> RiskRule:
    return RiskRule(
        flag=r.text("flag"),
        ratio_permille=r.integer("ratio_permille"),
        multiplier=r.integer("multiplier"),
        cite=read_citation(r.sub("cite")),
    )


def read_pool_rules(r: Reader) -> PoolRules:
    return PoolRules(
        exclusion_policy=read_exclusion_policy(r.sub("exclusion_policy")),
        extra_exclusions=tuple(read_exclusion_rule(x) for x in r.subs("extra_exclusions")),
        risk_rules=tuple(read_risk_rule(x) for x in r.subs("risk_rules")),
    )


def read_task(r: Reader) -> Task:
    return Task(
        task_id=r.text("task_id"),
        item_codes=r.strs("item_codes"),
        start_date=r.day("start_date"),
        department=r.text("department"),
        division=r.text("division"),
        special=r.boolean("special"),
        joint=r.boolean("joint"),
    )


def read_sampling(r: Reader) -> Sampling:
    return Sampling(
        ratio_permille=r.integer("ratio_permille"),
        min_count=r.integer("min_count"),
        max_count=r.opt_integer("max_count"),
    )


def read_item_category(r: Reader) -> ItemCategory:
    return ItemCategory(
        code=r.text("code"),
        name_zh=r.text("name_zh"),
        name_en=r.text("name_en"),
        cap_permille=r.opt_integer("cap_permille"),
        cap_required=r.boolean("cap_required"),
        batch_order=r.boolean("batch_order"),
        batch_order_min_permille=r.integer("batch_order_min_permille"),
        cite=read_citation(r.sub("cite")),
    )


def read_group_rule(r: Reader) -> GroupRule:
    return GroupRule(
        min_size=r.integer("min_size"),
        leader=r.boolean("leader"),
        scopes=r.strs("scopes"),
        cite=read_citation(r.sub("cite")),
    )


def read_eligibility(r: Reader) -> Eligibility:
    return Eligibility(
        credentials=r.strs("credentials"),
        valid_on_date=r.boolean("valid_on_date"),
        cite=read_citation(r.sub("cite")),
    )


def read_recusal_rule(r: Reader) -> RecusalRule:
    return RecusalRule(modes=r.strs("modes"), cite=read_citation(r.sub("cite")))


def read_draw_rules(r: Reader) -> DrawRules:
    return DrawRules(
        item_category=read_item_category(r.sub("item_category")),
        group_rule=read_group_rule(r.sub("group_rule")),
        eligibility=read_eligibility(r.sub("eligibility")),
    )


def read_draw_params(r: Reader) -> DrawParams:
    return DrawParams(
        scope=r.text("scope"),
        group_count=r.opt_integer("group_count"),
        targets_per_group=r.opt_integer("targets_per_group"),
        group_size=r.opt_integer("group_size"),
        experts_count=r.integer("experts_count"),
        batch_count=r.opt_integer("batch_count"),
        inspection_date=r.opt_day("inspection_date"),
    )


def read_inspector(r: Reader) -> Inspector:
    return Inspector(
        person_id=r.text("person_id"),
        name=r.text("name"),
        department=r.text("department"),
        division=r.text("division"),
        subordinate=r.boolean("subordinate"),
        credentials=tuple(
            Credential(kind=c.text("kind"), expires=c.opt_day("expires"))
            for c in r.subs("credentials")
        ),
    )


def read_expert(r: Reader) -> Expert:
    return Expert(person_id=r.text("person_id"), name=r.text("name"))


# --- strict JSON ---------------------------------------------------------------------------


def strict_loads(text: str | bytes) -> Any:
    """Parse a bundle's JSON strictly: a key twice in an object, a number with a fraction or
    exponent, NaN or Infinity, an integer beyond ±(2^53 − 1) are refused
    (:class:`BundleFormatError`, naming the path); so is bad JSON. See
    :mod:`shuangsuiji.kernel.strictjson`, which also reads a bundle as a stream."""
    from shuangsuiji.kernel.strictjson import loads

    return loads(text)

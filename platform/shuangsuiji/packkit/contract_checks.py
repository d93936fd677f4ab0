"""Conformance checks of the contract itself: its major version, the pack's versions, its
hooks as declared and the types they return.
"""

from __future__ import annotations

import dataclasses
import itertools
import types
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

import pluggy

from shuangsuiji import hookspecs, rules
from shuangsuiji.packkit.problems import HOOK_NAMES, Context, Problem
from shuangsuiji.packs.registry import new_plugin_manager

# --- contract and versions ---------------------------------------------------------------


def _major(version: str) -> int | None:
    try:
        return int(version.split(".", 1)[0])
    except ValueError:
        return None


def check_contract(ctx: Context) -> list[Problem]:
    host = _major(hookspecs.CONTRACT_VERSION)
    mine = _major(ctx.pack.contract)
    if mine is None:
        return [ctx.problem("contract", f"contract version {ctx.pack.contract!r} is not "
                            "MAJOR.MINOR; declare contract=\"" + hookspecs.CONTRACT_VERSION + "\"")]
    if mine != host:
        assert host is not None
        changed = "; ".join(f"{v}: {hookspecs.CONTRACT_CHANGES.get(v, 'unknown')}"
                            for v in range(min(mine, host) + 1, max(mine, host) + 1))
        return [ctx.problem("contract", f"written for contract {ctx.pack.contract}, the "
                            f"platform speaks {hookspecs.CONTRACT_VERSION}; what changed: "
                            f"{changed}. Update the pack and its contract version.")]
    return []


def check_versions(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    metas = list(ctx.versions())
    if not metas:
        return [ctx.problem("versions", "declares no versions; add one with its effective date")]
    seen: set[str] = set()
    for m in metas:
        p = lambda msg, key=None, m=m: ctx.problem(  # noqa: E731 - a local shorthand
            "versions", msg, version=m.version, key=key)
        if m.version in seen:
            out.append(p(f"version name {m.version!r} is used twice"))
        seen.add(m.version)
        for name in ("issued", "effective"):
            value = getattr(m, name)
            if not isinstance(value, date) or isinstance(value, _datetime_type()):
                out.append(p(f"{name} must be a date, not {value!r}"))
        if not (m.document or "").strip():
            out.append(p("has no document number (e.g. 渝经信发〔2021〕6号)"))
        if isinstance(m.issued, date) and isinstance(m.effective, date) and m.issued > m.effective:
            out.append(p(f"effective {m.effective} is before issued {m.issued}"))
        if m.repealed is not None and isinstance(m.effective, date) and m.repealed <= m.effective:
            out.append(p(f"repealed {m.repealed} is not after effective {m.effective}"))
    if out:
        return out
    ordered = sorted(metas, key=lambda m: m.effective)
    for a, b in itertools.pairwise(ordered):
        if a.repealed is None or a.repealed > b.effective:
            out.append(ctx.problem(
                "versions", f"overlaps version {b.version} (effective {b.effective}): set "
                f"{a.version}'s repealed date to {b.effective} or earlier", version=a.version,
                key="repealed" if a.repealed else "effective"))
    return out


def _datetime_type() -> type:
    from datetime import datetime

    return datetime


# --- hooks as declared ---------------------------------------------------------------------


def _is_hookimpl(obj: object) -> bool:
    return hasattr(obj, f"{hookspecs.PROJECT}_impl")


def check_hooks(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    for meta in ctx.versions():
        try:
            plugin = ctx.pack.plugin(meta)
        except Exception as exc:  # the factory is pack code: report whatever it raised
            out.append(ctx.problem("hooks", f"building the rules object failed: {exc!r}",
                                   version=meta.version))
            continue
        for name in dir(plugin):
            attr = getattr(plugin, name, None)
            if name.startswith("ssj_") and callable(attr) and not _is_hookimpl(attr):
                hint = "" if name in HOOK_NAMES else " (and the contract has no such hook)"
                out.append(ctx.problem(
                    "hooks", f"method {name} is not decorated with @hookimpl, so pluggy never "
                    f"calls it{hint}", version=meta.version, hook=name))
        pm = new_plugin_manager()
        try:
            pm.register(plugin, name=f"{ctx.pack.name}@{meta.version}")
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            ctx.failed.add("register")  # the checks that call hooks cannot run
            out.append(ctx.problem("hooks", f"{exc}. The contract's hooks are: "
                                   f"{', '.join(HOOK_NAMES)}", version=meta.version))
    return out


def single_manager(ctx: Context, meta: rules.PackVersion) -> pluggy.PluginManager:
    pm = new_plugin_manager()
    pm.register(ctx.pack.plugin(meta), name=f"{ctx.pack.name}@{meta.version}")
    return pm


def hook_kwargs(hook: str, as_of: date) -> dict[str, Any]:
    """Arguments to call ``hook`` with as of ``as_of`` (a regular task, that year's plan)."""
    spec = getattr(hookspecs, hook)
    names = spec.__code__.co_varnames[: spec.__code__.co_argcount]
    values: dict[str, Any] = {"as_of": as_of, "task": rules.TaskFacts(), "year": as_of.year}
    return {n: values[n] for n in names}


def implemented_answers(ctx: Context) -> Iterator[tuple[rules.PackVersion, str, date, Any]]:
    """(version, hook, day, answer) for every hook the pack implements, on each probe day.

    A hook that raises is reported by :func:`check_types` and skipped here.
    """
    for meta in ctx.versions():
        pm = single_manager(ctx, meta)
        for hook in HOOK_NAMES:
            caller = getattr(pm.hook, hook)
            if not caller.get_hookimpls():
                continue
            for day in ctx.probe_dates(meta):
                try:
                    answer = caller(**hook_kwargs(hook, day))
                except Exception:
                    continue
                if not caller.spec.opts.get("firstresult"):
                    answer = answer[0] if answer else None
                yield meta, hook, day, answer


# --- types ---------------------------------------------------------------------------------


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "").replace("shuangsuiji.rules.", "").replace(
        "datetime.", "")


def conforms(value: Any, tp: Any, path: str) -> list[str]:
    """Where ``value`` differs from the annotation ``tp`` (a subset of typing: what
    :mod:`shuangsuiji.rules` uses); empty when it conforms."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return []
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return []
        others = [a for a in args if a is not type(None)]
        if value is not None and len(others) == 1:
            return conforms(value, others[0], path)  # say what inside it is wrong
        for option in args:
            if not conforms(value, option, path):
                return []
        return [f"{path} is {type(value).__name__} {value!r:.60}, expected {_type_name(tp)}"]
    if tp is type(None):
        return [] if value is None else [f"{path} is {value!r:.60}, expected None"]
    if origin in (tuple, list, frozenset):
        if not isinstance(value, origin):
            return [f"{path} is {type(value).__name__}, expected {_type_name(tp)}"]
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                return [f"{path} has {len(value)} elements, expected {len(args)}"]
            return [e for i, (v, t) in enumerate(zip(value, args, strict=True))
                    for e in conforms(v, t, f"{path}[{i}]")]
        return [e for i, v in enumerate(value) for e in conforms(v, args[0], f"{path}[{i}]")]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, tp):
            return [f"{path} is {type(value).__name__}, expected {tp.__name__}"]
        hints = typing.get_type_hints(tp)
        return [e for f in dataclasses.fields(tp)
                for e in conforms(getattr(value, f.name), hints[f.name], f"{path}.{f.name}")]
    if tp is int and isinstance(value, bool):
        return [f"{path} is a bool, expected int"]
    if tp is date and isinstance(value, _datetime_type()):
        return [f"{path} is a datetime, expected a date"]
    if isinstance(tp, type) and not isinstance(value, tp):
        return [f"{path} is {type(value).__name__} {value!r:.60}, expected {tp.__name__}"]
    return []


def return_type(hook: str) -> Any:
    """The documented return type of ``hook`` (its hookspec's annotation)."""
    return typing.get_type_hints(getattr(hookspecs, hook))["return"]


def check_types(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    for meta in ctx.versions():
        pm = single_manager(ctx, meta)
        for hook in HOOK_NAMES:
            caller = getattr(pm.hook, hook)
            if not caller.get_hookimpls():
                continue
            for day in ctx.probe_dates(meta):
                try:
                    answer = caller(**hook_kwargs(hook, day))
                except Exception as exc:
                    out.append(ctx.problem("types", f"raised {type(exc).__name__}: {exc} when "
                                           f"asked as of {day}", version=meta.version, hook=hook))
                    continue
                if not caller.spec.opts.get("firstresult"):
                    answer = answer[0] if answer else None
                for error in conforms(answer, return_type(hook), "the answer"):
                    out.append(ctx.problem("types", f"{error} (as of {day})",
                                           version=meta.version, hook=hook))
    return out

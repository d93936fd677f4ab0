"""`ssj pack new|check|diff`: the plugin developer kit.

These commands need no database: ``check`` and ``diff`` read the installed packs (the
running app's, when there is one; else the ``shuangsuiji.packs`` entry points), and a
province file given by path.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app, has_app_context

from shuangsuiji.cli.common import SsjGroup
from shuangsuiji.errors import UserError
from shuangsuiji.packkit.conformance import CHECKS, credential_warnings, fallbacks, run_checks
from shuangsuiji.packkit.diff import ABSENT, diff_rules, side
from shuangsuiji.packkit.listing import chain_text, format_rules, plan_window_on
from shuangsuiji.packkit.scaffold import module_name, scaffold
from shuangsuiji.packs import Pack, PackRegistry


def _registry() -> PackRegistry:
    if has_app_context() and "shuangsuiji" in current_app.extensions:
        return current_app.extensions["shuangsuiji"].packs
    return PackRegistry.discover()


def _is_file(spec: str) -> bool:
    return spec.endswith(".toml") or Path(spec).is_file()


def _load(spec: str, registry: PackRegistry) -> Pack:
    if _is_file(spec):
        from shuangsuiji_provinces import load_province

        return load_province(spec)
    return registry.get(spec)


@click.group("pack", cls=SsjGroup)
def pack() -> None:
    """Write, check and compare policy packs (plugin developer kit)."""


@pack.command("new", with_appcontext=False)
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where to create the project (default: ./shuangsuiji-pack-NAME).")
def new(name: str, directory: Path | None) -> None:
    """Create a standalone pack project NAME: pyproject, package, tests, README."""
    target = directory or Path(f"shuangsuiji-pack-{name}")
    files = scaffold(name, target)
    click.echo(f"created pack project {name!r} in {target}:")
    for f in files:
        click.echo(f"    {f.relative_to(target)}")
    click.echo(f"next:\n    cd {target}\n    pip install -e .\n    pytest\n"
               f"    ssj pack check {name}\n    (edit {module_name(name)}/__init__.py)")


@pack.command("check", with_appcontext=False)
@click.argument("pack_or_file")
def check(pack_or_file: str) -> None:
    """Run the conformance checks on an installed pack or a province TOML file."""
    registry = _registry()
    found = _load(pack_or_file, registry)
    results = run_checks(found, registry)
    total = sum(len(v) for v in results.values())
    for c in CHECKS:
        problems = results.get(c.name, [])
        mark = "ok  " if not problems else "FAIL"
        click.echo(f"{mark} {c.name:<11} {c.doc}")
        for p in problems:
            click.echo(f"       {p}")
    for warning in fallbacks(found, registry):
        click.echo(f"warn {warning}")
    for text in credential_warnings(found, registry):
        click.echo(f"warn {text}")
    versions = ", ".join(m.version for m, _ in found.versions)
    if total:
        raise click.ClickException(f"pack {found.name!r} (versions {versions}): {total} "
                                   "problem(s); fix them and run the check again")
    click.echo(f"pack {found.name!r} (versions {versions}) conforms to contract "
               f"{found.contract}")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_show(v)}" for k, v in value.items() if k not in ("code", "flag"))
    return str(value)


@pack.command("diff", with_appcontext=False)
@click.argument("a")
@click.argument("b")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Compare the rules in force on this day (default: today, or the first day "
              "of a version named as PACK@VERSION).")
@click.option("--all", "show_all", is_flag=True,
              help="Also list the rules on which A and B agree (marked '=').")
def diff(a: str, b: str, as_of: Any, show_all: bool) -> None:
    """Show where the rules of A and B differ (each over MIIT), citing both sides.

    A and B are pack names, PACK@VERSION (e.g. chongqing@2021), or province files.
    """
    registry = _registry()
    day = as_of.date() if as_of else None
    today = date.today()
    sides = [side(spec, registry, day, today, pack=_load(spec, registry) if _is_file(spec)
                  else None) for spec in (a, b)]
    ra, rb = (s.rules() for s in sides)
    differences = diff_rules(ra, rb, equal=show_all)

    def chain(r: Any) -> str:
        return ", ".join(f"{p} {v}" for p, v in r.versions)

    click.echo(f"A = {a}: {chain(ra)}, as of {sides[0].day}")
    click.echo(f"B = {b}: {chain(rb)}, as of {sides[1].day}")
    unequal = [d for d in differences if not d.equal]
    if not unequal and not show_all:
        click.echo("no differences")
        return
    rows = [(("= " if d.equal else "") + d.label, _show(d.a), str(d.cite_a or ""), _show(d.b),
             str(d.cite_b or "")) for d in differences]
    rows = [(lab, va if va != ABSENT else ABSENT, ca, vb if vb != ABSENT else ABSENT, cb)
            for lab, va, ca, vb, cb in rows]
    w_label = max(_width(r[0]) for r in rows)
    w_a = min(48, max(_width(r[1]) for r in rows))
    click.echo(f"{len(unequal)} difference(s)"
               + (f", {len(differences) - len(unequal)} equal (=):" if show_all else ":"))
    click.echo(f"{_pad('rule', w_label)}  {_pad('A', w_a)}  B")
    for label, va, ca, vb, cb in rows:
        click.echo(f"{_pad(label, w_label)}  {_pad(va, w_a)}  {vb}")
        click.echo(f"{_pad('', w_label)}  {_pad('  ' + ca, w_a)}  {'  ' + cb}")


def _tenant_rules(slug: str, pack_spec: str | None, day: date) -> tuple[Any, Any, str]:
    """The rules of tenant ``slug`` on ``day`` (needs the app and its database)."""
    from flask.cli import ScriptInfo

    from shuangsuiji.cli.common import platform, session
    from shuangsuiji.services import tenants as tenant_service

    app = current_app if has_app_context() else (
        click.get_current_context().ensure_object(ScriptInfo).load_app())
    with app.app_context(), session() as (s, _):
        tenant = tenant_service.get(s, slug)
        policy = platform().policy_for(tenant)
        if pack_spec and pack_spec.partition("@")[0] not in policy.pack_names:
            raise UserError(f"pack {pack_spec!r} does not govern tenant {slug} (its chain: "
                            f"{' → '.join(policy.pack_names)})",
                            hint=f"run `ssj pack rules --tenant {slug}` without a pack, or "
                            "name a pack of its chain")
        return policy.rules(day), plan_window_on(policy, day), f"tenant {slug} ({tenant.name})"


@pack.command("rules", with_appcontext=False)
@click.argument("pack_spec", metavar="[PACK]", required=False)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The rules in force on this day (default: today, or the first day of a "
              "version named as PACK@VERSION).")
@click.option("--tenant", default=None, metavar="SLUG",
              help="The rules of this tenant, through its whole chain (needs the database).")
def rules_(pack_spec: str | None, as_of: Any, tenant: str | None) -> None:
    """Print every rule in force, with its value, its citation and the pack that answered.

    PACK is an installed pack, PACK@VERSION or a province file, resolved over MIIT (and the
    pack it extends); with --tenant, the tenant's own chain is used instead.
    """
    day = as_of.date() if as_of else None
    if tenant is not None:
        ruleset, window, what = _tenant_rules(tenant, pack_spec, day or date.today())
    elif pack_spec is None:
        raise UserError("name a pack (or a province file), or a tenant with --tenant",
                        hint="e.g. `ssj pack rules chongqing` or `ssj pack rules --tenant cq`")
    else:
        registry = _registry()
        found = side(pack_spec, registry, day, date.today(),
                     pack=_load(pack_spec, registry) if _is_file(pack_spec) else None)
        ruleset, what = found.rules(), f"pack {pack_spec}"
        window = plan_window_on(found.policy, found.day)
    click.echo(f"rules of {what} as of {ruleset.as_of}")
    click.echo(f"chain: {chain_text(ruleset)} (most specific last; each rule names the pack "
               "and article that answered it, [from ...] where a parent answers)")
    for line in format_rules(ruleset, window):
        click.echo(line)


commands: list[click.Command] = [pack]

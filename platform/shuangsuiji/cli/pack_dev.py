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
from shuangsuiji.packkit.conformance import CHECKS, credential_warnings, run_checks
from shuangsuiji.packkit.diff import ABSENT, diff_rules, side
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
    for warning in credential_warnings(found, registry):
        click.echo(f"warn        {warning}")
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
def diff(a: str, b: str, as_of: Any) -> None:
    """Show where the rules of A and B differ (each over MIIT), citing both sides.

    A and B are pack names, PACK@VERSION (e.g. chongqing@2021), or province files.
    """
    registry = _registry()
    day = as_of.date() if as_of else None
    today = date.today()
    sides = [side(spec, registry, day, today, pack=_load(spec, registry) if _is_file(spec)
                  else None) for spec in (a, b)]
    ra, rb = (s.rules() for s in sides)
    differences = diff_rules(ra, rb)

    def chain(r: Any) -> str:
        return ", ".join(f"{p} {v}" for p, v in r.versions)

    click.echo(f"A = {a}: {chain(ra)}, as of {sides[0].day}")
    click.echo(f"B = {b}: {chain(rb)}, as of {sides[1].day}")
    if not differences:
        click.echo("no differences")
        return
    rows = [(d.label, _show(d.a), str(d.cite_a or ""), _show(d.b), str(d.cite_b or ""))
            for d in differences]
    rows = [(lab, va if va != ABSENT else ABSENT, ca, vb if vb != ABSENT else ABSENT, cb)
            for lab, va, ca, vb, cb in rows]
    w_label = max(_width(r[0]) for r in rows)
    w_a = min(48, max(_width(r[1]) for r in rows))
    click.echo(f"{len(differences)} difference(s):")
    click.echo(f"{_pad('rule', w_label)}  {_pad('A', w_a)}  B")
    for label, va, ca, vb, cb in rows:
        click.echo(f"{_pad(label, w_label)}  {_pad(va, w_a)}  {vb}")
        click.echo(f"{_pad('', w_label)}  {_pad('  ' + ca, w_a)}  {'  ' + cb}")


commands: list[click.Command] = [pack]

"""Read a province file into a :class:`~shuangsuiji.packs.Pack`, or say exactly what is wrong.

Values come from :mod:`tomllib`; line numbers from :class:`.locate.LineIndex`. Every problem
names the file, the line and the field (``provinces/x.toml:42: versions[1].rules.
recusal_rule.modes: 'swop' is not one of swap, withdraw``), and all of a file's problems
are reported at once, so an author fixes them in one pass.
"""

# whole-module: one walk over a province file, each field read and checked where its
# problem (file, line, field) is worded; split, an author's error message would be traced
# through two modules that share every helper.

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from shuangsuiji.errors import UserError
from shuangsuiji.hookspecs import CONTRACT_CHANGES, CONTRACT_VERSION
from shuangsuiji.packs import Pack
from shuangsuiji.rules import PackVersion
from shuangsuiji_provinces.hooks import DeclarativeRules
from shuangsuiji_provinces.locate import LineIndex
from shuangsuiji_provinces.locate import Path as KeyPath
from shuangsuiji_provinces.schema import RULES_BY_NAME, TOP, VERSION, Field, Table


@dataclass(frozen=True)
class FileProblem:
    """One problem in a province file: where it is and what to do."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else (
            f"{where}: {self.message}"
        )


class ProvinceFileError(UserError):
    """A province file that cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        first = problems[0].file if problems else "?"
        super().__init__(
            f"{len(problems)} problem(s) in province file {first}:\n"
            + "\n".join(f"  {p}" for p in problems),
            hint="fix the file (schema: docs/plugins.md, 'Declarative provinces'), then run "
            "`ssj pack check FILE`",
        )


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Reader:
    """Collects the problems of one file while checking it against the schema."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.index = LineIndex(text)
        self.problems: list[FileProblem] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(FileProblem(self.file, self.index.line(path), _dotted(path), message))

    def table(self, path: KeyPath, data: Any, fields: tuple[Field, ...], *,
              allowed_extra: tuple[str, ...] = ()) -> dict[str, Any]:
        """Check one table's keys and values; return its values with defaults filled in."""
        if not isinstance(data, dict):
            self.problem(path, f"must be a table, not {_kind(data)}")
            return {}
        known = {f.name for f in fields} | set(allowed_extra)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem((*path, key), f"unknown key {key!r} (known: "
                             f"{', '.join(sorted(known))}){hint}")
        out: dict[str, Any] = {}
        for f in fields:
            if f.name not in data:
                if f.required:
                    self.problem(path, f"missing required key {f.name!r} ({f.doc})")
                out[f.name] = f.default
                continue
            value = data[f.name]
            if self.value((*path, f.name), value, f):
                out[f.name] = value
            else:
                out[f.name] = f.default
        return out

    def value(self, path: KeyPath, value: Any, f: Field) -> bool:
        """Check one value against its field; record a problem and return False if wrong."""
        expected: type = {"string": str, "month-day": str, "integer": int, "boolean": bool,
                          "date": date, "string list": list}[f.kind]
        # bool is an int in Python, and a TOML datetime is a date: refuse both explicitly
        if (not isinstance(value, expected) or (expected is int and isinstance(value, bool))
                or (expected is date and hasattr(value, "hour"))):
            self.problem(path, f"must be {_article_for(f.kind)} {f.kind}, not {_kind(value)} "
                         f"{value!r}")
            return False
        ok = True
        items: list[Any] = cast("list[Any]", value) if f.kind == "string list" else [value]
        if f.kind == "string list":
            for item in items:
                if not isinstance(item, str):
                    self.problem(path, f"every entry must be a string, not {_kind(item)} {item!r}")
                    return False
            dupes = sorted({v for v in items if items.count(v) > 1})
            if dupes:
                self.problem(path, f"lists {', '.join(dupes)} more than once")
                ok = False
            if f.required and not items:
                self.problem(path, "must not be empty")
                ok = False
        for item in items:
            if f.choices and item not in f.choices:
                close = difflib.get_close_matches(str(item), f.choices, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(path, f"{item!r} is not one of {', '.join(f.choices)}{hint}")
                ok = False
            if f.pattern is not None and isinstance(item, str) and not f.pattern.match(item):
                self.problem(path, f"{item!r} does not have the form {f.pattern.pattern}")
                ok = False
            if f.kind == "string" and isinstance(item, str) and not item.strip():
                self.problem(path, "must not be empty")
                ok = False
            if f.minimum is not None and isinstance(item, int) and item < f.minimum:
                self.problem(path, f"{item} is below the minimum {f.minimum}")
                ok = False
            if f.maximum is not None and isinstance(item, int) and item > f.maximum:
                unit = " ‰ (1000 ‰ = 100 %)" if "permille" in f.name else ""
                self.problem(path, f"{item} is above the maximum {f.maximum}{unit}")
                ok = False
            for check in f.checks:
                message = check(item)
                if message:
                    self.problem(path, message)
                    ok = False
        return ok


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _article_for(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _check_contract(reader: _Reader, contract: str | None) -> None:
    if not contract or "." not in contract:
        return
    try:
        major = int(contract.split(".")[0])
    except ValueError:
        return
    host = int(CONTRACT_VERSION.split(".")[0])
    if major != host:
        changed = "; ".join(f"{v}: {CONTRACT_CHANGES.get(v, 'unknown')}"
                            for v in range(min(major, host) + 1, max(major, host) + 1))
        reader.problem(("contract",), f"written for contract {contract}, but this platform "
                       f"speaks {CONTRACT_VERSION} (what changed: {changed}); update the file")


def _rules(reader: _Reader, path: KeyPath, data: Any) -> dict[str, dict[str, Any]]:
    """Check ``versions[i].rules``; return each rule table, entries checked too."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        reader.problem(path, f"must be a table, not {_kind(data)}")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, table_data in data.items():
        table: Table | None = RULES_BY_NAME.get(name)
        if table is None:
            close = difflib.get_close_matches(name, sorted(RULES_BY_NAME), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reader.problem((*path, name), f"unknown rule table {name!r} (known: "
                           f"{', '.join(sorted(RULES_BY_NAME))}){hint}")
            continue
        extra = (table.entries_key,) if table.entries_key else ()
        values = reader.table((*path, name), table_data, table.fields, allowed_extra=extra)
        if table.entries_key and isinstance(table_data, dict):
            values[table.entries_key] = _entries(reader, (*path, name), table, table_data)
        out[name] = values
    window = out.get("plan_window")
    if window and window.get("start") and window.get("end") and window["start"] > window["end"]:
        # "MM-DD" strings order like the days they name
        reader.problem((*path, "plan_window", "end"), f"{window['end']} is before the start "
                       f"{window['start']}; the window must lie within one calendar year")
    return out


def _entries(reader: _Reader, path: KeyPath, table: Table, data: dict[str, Any]) -> list[dict]:
    key = str(table.entries_key)
    raw = data.get(key, [])
    epath = (*path, key)
    if not isinstance(raw, list):
        reader.problem(epath, f"must be a list of tables ([[...{key}]]), not {_kind(raw)}")
        return []
    entries: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for i, item in enumerate(raw):
        values = reader.table((*epath, i), item, table.entry_fields)
        ident = values.get(str(table.entry_id))
        if ident is not None and ident in seen:
            reader.problem((*epath, i, str(table.entry_id)),
                           f"{ident!r} already declared in entry {seen[ident] + 1}")
        elif ident is not None:
            seen[ident] = i
        if table.name == "extra_exclusions":
            _exclusion_params(reader, (*epath, i), values)
        entries.append(values)
    return entries


def _exclusion_params(reader: _Reader, path: KeyPath, values: dict[str, Any]) -> None:
    needs = {"recently_inspected": "days", "flag": "flag"}.get(values.get("kind") or "")
    if needs and values.get(needs) is None:
        reader.problem(path, f"kind {values['kind']!r} needs the key {needs!r}")
    other = {"days": "flag", "flag": "days"}.get(needs or "")
    if other and values.get(other) is not None:
        reader.problem((*path, other), f"kind {values['kind']!r} takes no {other!r}")


def _versions(reader: _Reader, data: Any) -> list[tuple[PackVersion, dict[str, dict], int]]:
    if not isinstance(data, list) or not data:
        reader.problem(("versions",), "the file needs at least one [[versions]] table")
        return []
    found: list[tuple[PackVersion, dict[str, dict], int]] = []
    names: dict[str, int] = {}
    for i, raw in enumerate(data):
        path: KeyPath = ("versions", i)
        meta = reader.table(path, raw, VERSION.fields, allowed_extra=("rules",))
        raw_rules = raw.get("rules") if isinstance(raw, dict) else None
        rules = _rules(reader, (*path, "rules"), raw_rules)
        if meta.get("version") in names:
            reader.problem((*path, "version"), f"version {meta['version']!r} is declared twice "
                           f"(also versions[{names[meta['version']]}])")
        elif meta.get("version"):
            names[meta["version"]] = i
        if not all(isinstance(meta.get(k), date) for k in ("issued", "effective")) or not \
                meta.get("version"):
            continue
        if meta["issued"] > meta["effective"]:
            reader.problem((*path, "effective"), f"{meta['effective']} is before the day of issue "
                           f"{meta['issued']}")
        if meta.get("repealed") is not None and meta["repealed"] <= meta["effective"]:
            reader.problem((*path, "repealed"), f"{meta['repealed']} is not after effective "
                           f"{meta['effective']}")
            continue
        found.append((PackVersion(
            version=meta["version"], document=meta["document"] or "", title=meta["title"] or "",
            issued=meta["issued"], effective=meta["effective"], repealed=meta.get("repealed"),
            repeals=meta.get("repeals"),
        ), rules, i))
    _inherit(reader, data, found, names)
    ordered = sorted(found, key=lambda v: v[0].effective)
    for (a, _, ia), (b, _, ib) in pairwise(ordered):
        if a.repealed is None or a.repealed > b.effective:
            end = f"repealed {a.repealed}" if a.repealed else "never repealed"
            reader.problem(("versions", ia, "repealed" if a.repealed else "effective"),
                           f"versions {a.version!r} ({a.effective}, {end}) and {b.version!r} "
                           f"(effective {b.effective}, versions[{ib}]) overlap: set "
                           f"repealed = {b.effective} on {a.version!r}")
    return found


#: The key in a version's rule tables recording, per table, the version that declared it.
ORIGIN = "__declared_in__"


def _inherit(reader: _Reader, data: list[Any],
             found: list[tuple[PackVersion, dict[str, dict], int]], names: dict[str, int]) -> None:
    """Carry rule tables over along ``inherits``, in place: a version's own tables replace its
    ancestor's, table by table. Each table records the version that declared it."""
    by_index = {i: (meta, rules) for meta, rules, i in found}
    parent: dict[int, int] = {}
    for meta, _rules, i in found:
        raw = data[i]
        wanted = raw.get("inherits") if isinstance(raw, dict) else None
        if wanted is None:
            continue
        path: KeyPath = ("versions", i, "inherits")
        if wanted not in names:
            others = sorted(n for n in names if n != meta.version)
            close = difflib.get_close_matches(str(wanted), others, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reader.problem(path, f"no version {wanted!r} in this file (versions: "
                           f"{', '.join(names)}){hint}")
        elif wanted == meta.version:
            reader.problem(path, f"version {wanted!r} cannot inherit from itself")
        elif names[wanted] in by_index and not (
                by_index[names[wanted]][0].effective < meta.effective):
            reader.problem(path, f"{wanted!r} takes effect on "
                           f"{by_index[names[wanted]][0].effective}, not before "
                           f"{meta.version!r} ({meta.effective}): a version inherits from an "
                           "earlier one")
        elif names[wanted] in by_index:
            parent[i] = names[wanted]
    for declaring, rules, _i in found:
        for name in rules:
            rules[name][ORIGIN] = declaring.version
    done: set[int] = set()

    def merged(i: int) -> dict[str, dict]:
        rules = by_index[i][1]
        if i in done or i not in parent:
            done.add(i)
            return rules
        inherited = merged(parent[i])  # parents are earlier, so this ends
        for name, table in inherited.items():
            rules.setdefault(name, table)
        done.add(i)
        return rules

    for i in by_index:
        merged(i)


@dataclass(frozen=True)
class ProvincePack(Pack):
    """A pack read from a province file; ``file`` and ``lines`` locate its rules."""

    file: str = ""
    lines: LineIndex | None = field(default=None, compare=False, repr=False)

    def tables(self, version: str) -> dict[str, dict[str, Any]]:
        """The rule tables of ``version``, inherited ones included."""
        for meta, _factory in self.versions:
            if meta.version == version:
                return getattr(self.plugin(meta), "tables", {})
        return {}

    def declared_in(self, version: str, table: str) -> str:
        """The version whose ``[versions.rules.TABLE]`` ``version`` uses (itself, or the
        version it inherits the table from)."""
        return str(self.tables(version).get(table, {}).get(ORIGIN, version))

    def locate(self, version: str, table: str | None = None, key: str | None = None) -> str:
        """``file:line`` of a version's rule table (or key), for problem reports."""
        if table is not None:
            version = self.declared_in(version, table)
        index = next((i for i, (m, _) in enumerate(self.versions) if m.version == version), None)
        if index is None or self.lines is None:
            return self.file
        # the n-th version in our list is the n-th [[versions]] in the file (same order)
        path: KeyPath = ("versions", index)
        if table:
            path = (*path, "rules", table) + ((key,) if key else ())
        line = self.lines.line(path)
        return f"{self.file}:{line}" if line else self.file


def parse_province(text: str, file: str) -> ProvincePack:
    """Check ``text`` (the content of ``file``) and build its pack; raise
    :class:`ProvinceFileError` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)": lift the line out of it
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise ProvinceFileError([FileProblem(
            file, int(found.group(1)) if found else None, "", f"not valid TOML: {exc}"
        )]) from None
    reader = _Reader(file, text)
    top = reader.table((), data, TOP.fields, allowed_extra=("versions",))
    _check_contract(reader, top.get("contract"))
    versions = _versions(reader, data.get("versions"))
    if reader.problems:
        raise ProvinceFileError(reader.problems)
    name = top["name"]
    # keep file order, so ProvincePack.locate can map a version back to its [[versions]]
    by_file_order = sorted(versions, key=lambda v: v[2])
    return ProvincePack(
        name=name,
        title=top["title"],
        versions=tuple((meta, DeclarativeRules.factory(rules)) for meta, rules, _ in by_file_order),
        contract=top["contract"],
        description=top.get("description") or f"declarative province file {Path(file).name}",
        source=file,
        extends=top.get("extends") or "miit",
        file=file,
        lines=reader.index,
    )


def load_province(path: str | Path) -> ProvincePack:
    """Read the province file at ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read province file {p}: {exc.strerror}",
                        hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise ProvinceFileError([FileProblem(str(p), None, "", f"is not UTF-8 ({exc.reason} at "
                                             f"byte {exc.start}); save it as UTF-8")]) from None
    return parse_province(text, str(p))

"""Declarative provinces: one TOML file per province's 实施细则, read as a policy pack.

A province issues its rules as data: a file in this package's ``provinces/`` folder, or in
a folder named by the environment variable ``SSJ_PROVINCES_PATH`` (several folders joined
with ``os.pathsep``), so that a province adds its file without a Python release. The file
format is documented in docs/plugins.md ("Declarative provinces") and defined, as code, in
:mod:`shuangsuiji_provinces.schema`.
"""

from __future__ import annotations

import os
from pathlib import Path

from shuangsuiji.packs import Pack
from shuangsuiji.packs.errors import PackError
from shuangsuiji_provinces.loader import (
    FileProblem,
    ProvinceFileError,
    ProvincePack,
    load_province,
    parse_province,
)

#: Environment variable naming extra folders of province files.
PATH_VARIABLE = "SSJ_PROVINCES_PATH"
BUNDLED = Path(__file__).parent / "provinces"

__all__ = [
    "BUNDLED",
    "PATH_VARIABLE",
    "FileProblem",
    "ProvinceFileError",
    "ProvincePack",
    "load_packs",
    "load_province",
    "parse_province",
    "province_dirs",
]


def province_dirs(environ: dict[str, str] | None = None) -> list[Path]:
    """The folders searched for ``*.toml`` files: the bundled one, then ``SSJ_PROVINCES_PATH``."""
    env = os.environ if environ is None else environ
    extra = [Path(p) for p in env.get(PATH_VARIABLE, "").split(os.pathsep) if p.strip()]
    return [BUNDLED, *extra]


def load_packs(environ: dict[str, str] | None = None) -> list[Pack]:
    """Every province pack found in :func:`province_dirs`, in a stable order.

    A folder in ``SSJ_PROVINCES_PATH`` that does not exist, a broken file, or two files
    declaring the same pack name stop the start-up with a message naming the file (and
    line): a province whose rules were silently skipped would be governed by MIIT's instead.
    """
    packs: list[Pack] = []
    seen: dict[str, str] = {}
    for folder in province_dirs(environ):
        if not folder.is_dir():
            raise PackError("provinces", f"{PATH_VARIABLE} names {folder}, which is not a folder; "
                            "fix the variable or create the folder")
        for file in sorted(folder.glob("*.toml")):
            try:
                pack = load_province(file)
            except ProvinceFileError as exc:
                raise PackError("provinces", str(exc)) from None
            if pack.name in seen:
                raise PackError(pack.name, f"declared by two province files: {seen[pack.name]} "
                                f"and {file}; rename one (the `name` key)")
            seen[pack.name] = str(file)
            packs.append(pack)
    return packs

"""The bundle as a stream of canonical-JSON bytes, its pool written from the pool's stored
lines a chunk at a time: a million members never become a million Python lists.

:func:`bundle_json` gives the very bytes of ``canonical_json(bundle)`` (keys sorted, no
white space), with the ``pool`` value taken from :func:`pool_json`, which reads the pool's
canonical lines (docs/draw-spec.md §3.3) twice: once for the excluded targets (first in
key order), once for the strata. :func:`result_without_pool` reads a committed bundle's
draw back without recomputing it, so recusal steps can be replayed on it and the rest of
the bundle made without the pool.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.checks import read_conflicts
from shuangsuiji.kernel.codec import (
    Reader,
    read_draw_params,
    read_draw_rules,
    read_expert,
    read_inspector,
    read_pool_rules,
    read_sampling,
    read_task,
)
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.jointread import read_joint
from shuangsuiji.kernel.model import (
    Batch,
    DrawResult,
    FrozenPool,
    Group,
    StratumDraw,
)
from shuangsuiji.kernel.pooltext import POOL_FORMAT
from shuangsuiji.messages import msg

_ROWS = 8192  # rows per json.dumps call: bounded temporaries (~8 MB), few calls
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def lines_of(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """Complete lines (without their LF) of a byte stream cut anywhere, a list per chunk."""
    tail = b""
    for chunk in chunks:
        if not chunk:
            continue
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        if parts:
            yield parts
    if tail:
        raise InvalidInput(msg("not a stored pool: the last line has no line feed"))


def _rows_json(rows: list[Any]) -> bytes:
    return _dumps(rows)[1:-1].encode("utf-8")


def pool_json(open_text: Callable[[], Iterable[bytes]]) -> Iterator[bytes]:
    """Canonical JSON of the bundle's ``pool`` object, from the pool's lines.

    ``open_text()`` gives the lines' bytes (cut anywhere) afresh each time it is called; it
    is called twice. Equal to ``canonical_json(parse_pool_text(text))``.
    """
    yield b'{"excluded":['
    first = True
    for lines in lines_of(open_text()):
        rows: list[list[str | None]] = []
        for line in lines:
            if line.startswith(b"excluded\t"):
                _, code, name, rule, _article, trigger = line.decode("utf-8").split("\t")
                rows.append([code, name, rule, trigger or None])
        if rows:
            yield (b"" if first else b",") + _rows_json(rows)
            first = False
    yield b'],"strata":['
    head: list[str] | None = None  # the open stratum: name, ratio, size
    left = 0  # members of it still to come
    first = True  # first member of the open stratum
    seen = 0  # lines read
    n_strata = 0
    for lines in lines_of(open_text()):
        at = 0
        while at < len(lines):
            if seen + at < 2:  # format and header lines
                if seen + at == 0 and lines[at] != POOL_FORMAT.encode():
                    raise InvalidInput(msg("not a stored pool (shuangsuiji-pool/1 lines)"))
                at += 1
                continue
            if left:
                take = lines[at:at + min(left, _ROWS)]
                text = b"\n".join(take).decode("utf-8")
                members = [[c, nm, fl.split(",") if fl else []]
                           for _, c, nm, fl in map(_split_tab, text.split("\n"))]
                yield (b"" if first else b",") + _rows_json(members)
                first = False
                left -= len(take)
                at += len(take)
                continue
            line = lines[at]
            if head is not None:
                yield _stratum_tail(head)
                head = None
            if line.startswith(b"stratum\t"):
                _, name, ratio, size, count = line.decode("utf-8").split("\t")
                head = [name, ratio, size]
                left = int(count)
                yield (b"," if n_strata else b"") + b'{"members":['
                n_strata += 1
                first = True
            elif not line.startswith(b"excluded\t"):
                raise InvalidInput(msg("stored pool: unexpected line %(line)r",
                                       line=line[:60].decode("utf-8", "replace")))
            at += 1
        seen += len(lines)
    if head is not None:
        yield _stratum_tail(head)
    yield b"]}"


def _split_tab(line: str) -> list[str]:
    return line.split("\t")


def _stratum_tail(head: list[str]) -> bytes:
    name, ratio, size = head
    return (b'],"name":' + _dumps(name).encode("utf-8")
            + b',"ratio_permille":%d,"size":%d}' % (int(ratio), int(size)))


def bundle_json(rest: dict[str, Any], pool: Iterable[bytes]) -> Iterator[bytes]:
    """``canonical_json`` of ``rest`` with a ``pool`` key whose value is the bytes ``pool``
    gives (canonical JSON already), put in its place in key order."""
    keys = sorted([*rest, "pool"])
    yield b"{"
    for i, key in enumerate(keys):
        yield (b"," if i else b"") + _dumps(key).encode("utf-8") + b":"
        if key == "pool":
            yield from pool
        else:
            yield canonical_json(rest[key])
    yield b"}"


def _groups(r: Reader, key: str) -> tuple[Group, ...]:
    return tuple(Group(g.integer("number"), g.strs("members"), g.opt_text("leader"),
                       g.strs("targets")) for g in r.subs(key))


def result_without_pool(bundle: dict[str, Any]) -> DrawResult:
    """The draw a committed bundle (made with or without its pool) records, read as it is
    (not recomputed), its pool only its task, sampling, rules and digest: what recusal
    steps and :func:`~shuangsuiji.kernel.bundle.make_bundle` with ``pool=False`` need."""
    top = Reader(bundle, "bundle")
    pool = FrozenPool(read_task(top.sub("task")), read_sampling(top.sub("sampling")),
                      read_pool_rules(top.sub("pool_rules")), (), (),
                      top.sub("digests").text("pool"))
    r = top.sub("result")
    final = top.sub("final")
    v2 = "announcement" in bundle
    return DrawResult(
        pool=pool,
        seed=top.text("seed"),
        params=read_draw_params(top.sub("draw_parameters")),
        rules=read_draw_rules(top.sub("draw_rules")),
        inspectors=tuple(read_inspector(x) for x in top.subs("inspectors")),
        experts_directory=tuple(read_expert(x) for x in top.subs("experts_directory")),
        strata=tuple(StratumDraw(s.text("name"), s.strs("selected")) for s in r.subs("strata")),
        batches=tuple(Batch(b.integer("number"), b.strs("targets")) for b in r.subs("batches")),
        eligible_inspectors=r.strs("eligible_inspectors"),
        groups=_groups(r, "groups"),
        experts=r.strs("experts"),
        final_groups=_groups(final, "groups"),
        final_experts=final.strs("experts"),
        conflicts=tuple(sorted(read_conflicts(top.sub("announcement"), "conflicts")))
        if v2 else (),
        participants=read_joint(top),  # a joint task's quotas (§6.5)
    )

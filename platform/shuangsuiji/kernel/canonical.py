"""Canonical text and canonical JSON: the forms that digests and sort orders are taken over.

Canonical text is Unicode NFC with surrounding white space removed. Canonical order is the
order of the UTF-8 bytes of a key. Python compares ``str`` by code point, and UTF-8
preserves code-point order, so sorting canonical ``str`` keys sorts their UTF-8 bytes: no
database collation or locale is ever involved.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.messages import Message, msg


def canonical_text(value: str) -> str:
    """Return ``value`` in canonical form: NFC, stripped."""
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value.strip()


def check_field(value: str, what: Message) -> str:
    """Return ``value`` if it may appear in a digest line, else raise InvalidInput naming it
    (``what``: the field, e.g. ``msg("name of %(code)r", code=...)``)."""
    if "\t" in value:
        raise InvalidInput(msg("%(what)s %(value)r contains a tab; remove it in the directory "
                               "and freeze the pool again", what=what, value=value))
    if "\n" in value:
        raise InvalidInput(msg("%(what)s %(value)r contains a line break; remove it in the "
                               "directory and freeze the pool again", what=what, value=value))
    return value


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` as canonical JSON, UTF-8 encoded.

    Keys sorted, no insignificant white space, non-ASCII characters written as themselves.
    Only strings, integers, booleans, null, lists and objects may occur (no floats), so
    every language produces the same bytes (see docs/draw-spec.md, "Canonical JSON").
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )

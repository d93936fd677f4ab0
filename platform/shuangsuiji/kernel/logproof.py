"""Log evidence: a signed checkpoint and, for some events, their public fields and inclusion
proofs — what shows that a draw's announcement and commit are in the tenant's transparency
log, in that order, under a root the deployment signed. Pure, standard library only, so
the one-file verifier and ``ssj log check-evidence`` share it (docs/transparency-log.md §11).

Evidence is a JSON object::

    {"format": "shuangsuiji-log-evidence/1",
     "checkpoint": "<the signed note, exactly>",
     "entries": [{"index": i, "fields": {<§1 leaf fields>}, "proof": ["<base64>", ...]}]}
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from shuangsuiji.kernel import logtree, merkle, note

FORMAT = "shuangsuiji-log-evidence/1"


def verify_evidence(evidence: Mapping[str, Any], verifiers: list[note.Verifier],
                    origin: str | None = None) -> tuple[note.Checkpoint, list[dict[str, Any]]]:
    """Check the checkpoint's signature and every entry's inclusion; return the checkpoint
    and the entries' fields in log order. Raises :class:`note.NoteError` naming what fails."""
    if not isinstance(evidence, Mapping) or evidence.get("format") != FORMAT:
        raise note.NoteError(f"log evidence: 'format' must be {FORMAT!r}")
    if set(evidence) != {"format", "checkpoint", "entries"}:
        raise note.NoteError("log evidence: expected exactly the keys format, checkpoint, "
                             f"entries; got {', '.join(sorted(evidence))}")
    text = evidence["checkpoint"]
    if not isinstance(text, str):
        raise note.NoteError("log evidence: 'checkpoint' is not the note text")
    cp, _ = note.open_checkpoint(text, verifiers, origin=origin)
    entries = evidence["entries"]
    if not isinstance(entries, list):
        raise note.NoteError("log evidence: 'entries' is not a list")
    out = []
    for number, entry in enumerate(entries, start=1):
        where = f"log evidence entry {number}"
        if not isinstance(entry, Mapping) or set(entry) != {"index", "fields", "proof"}:
            raise note.NoteError(f"{where}: expected the keys index, fields, proof")
        index, fields, proof = entry["index"], entry["fields"], entry["proof"]
        if type(index) is not int or not isinstance(fields, Mapping) \
                or not isinstance(proof, list):
            raise note.NoteError(f"{where}: index must be an integer, fields an object, "
                                 "proof a list")
        if fields.get("seq") != index + 1:
            raise note.NoteError(f"{where}: leaf {index} must be the event with seq "
                                 f"{index + 1}, not {fields.get('seq')!r}")
        try:
            leaf = merkle.leaf_hash(logtree.event_leaf(fields))
            path = [base64.b64decode(p, validate=True) for p in proof]
        except (ValueError, TypeError, binascii.Error) as exc:
            raise note.NoteError(f"{where}: {exc}") from None
        if not merkle.verify_inclusion(index, cp.size, leaf, path, cp.root):
            raise note.NoteError(f"{where} (seq {index + 1}, {fields.get('action')}): not in "
                                 f"the signed tree of {cp.size} entries — the event's fields "
                                 "or the proof were changed")
        out.append(dict(fields))
    out.sort(key=lambda f: f["seq"])
    return cp, out

"""The worked example in docs/transparency-log.md is real: recomputed here, every value must
appear in the document verbatim (run this file as a script to print them)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shuangsuiji.kernel import logtree, merkle, note
from shuangsuiji.services.logkeys import Signer

DOC = Path(__file__).resolve().parents[2] / "docs" / "transparency-log.md"

EVENTS = [
    {"action": "tenant.create", "actor": "cli:root", "at": "2026-12-01T01:00:00.000000Z",
     "object_id": "anhui", "object_type": "tenant",
     "payload_digest": hashlib.sha256(b"{}").hexdigest(), "seq": 1, "tenant": "anhui"},
    {"action": "draw.announce", "actor": "张三", "at": "2026-12-01T02:30:00.123456Z",
     "object_id": "7", "object_type": "announcement",
     "payload_digest": hashlib.sha256(b'{"task":"T-2026-001"}').hexdigest(), "seq": 2,
     "tenant": "anhui"},
    {"action": "draw.commit", "actor": "张三", "at": "2026-12-01T03:00:00.000001Z",
     "object_id": "12", "object_type": "draw",
     "payload_digest": hashlib.sha256(b'{"draw":12}').hexdigest(), "seq": 3,
     "tenant": "anhui"},
]


def _signer(label: bytes, name: str, kind: int) -> Signer:
    seed = hashlib.sha256(label).digest()
    return Signer(name, kind, Ed25519PrivateKey.from_private_bytes(seed))


def vectors() -> dict[str, str]:
    log_key = _signer(b"shuangsuiji example log key", "ssj.example.gov.cn", note.SIG_ED25519)
    witness = _signer(b"shuangsuiji example witness key", "ssj.example.gov.cn/witness",
                      note.SIG_COSIGNATURE_V1)
    leaf_data = [logtree.event_leaf(e) for e in EVENTS]
    leaves = [merkle.leaf_hash(d) for d in leaf_data]
    body = note.Checkpoint("ssj.example.gov.cn/anhui", 3, merkle.root(leaves)).body()
    signed = note.Note(body, (log_key.sign_note(body),))
    cosigned = note.Note(body, (*signed.signatures, witness.cosign(body, 1764558000)))
    old = note.Checkpoint("ssj.example.gov.cn/anhui", 2, merkle.root(leaves[:2])).body()
    return {
        "seed": hashlib.sha256(b"shuangsuiji example log key").hexdigest(),
        "public": log_key.verifier.public_key.hex(),
        "key_id": log_key.verifier.key_id.hex(),
        "vkey": log_key.verifier.vkey,
        "private_line": log_key.private_line(),
        "witness_vkey": witness.verifier.vkey,
        "leaf_fields": json.dumps(EVENTS[1], ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":")),
        "leaf_bytes_hex": leaf_data[1].hex(),
        "leaf_hashes": "\n".join(h.hex() for h in leaves),
        "root_hex": merkle.root(leaves).hex(),
        "checkpoint": signed.render(),
        "cosigned": cosigned.render(),
        "old_checkpoint_body": old,
        "inclusion_1_3": "\n".join(
            base64.b64encode(p).decode() for p in merkle.inclusion_proof(leaves, 1)),
        "consistency_2_3": "\n".join(
            base64.b64encode(p).decode() for p in merkle.consistency_proof(leaves, 2)),
    }


def test_every_vector_is_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [k for k, v in vectors().items() if v.strip() not in text]
    assert missing == []


def test_the_doc_checkpoint_verifies_with_the_doc_key() -> None:
    v = vectors()
    key = note.parse_vkey(v["vkey"])
    cp, parsed = note.open_checkpoint(v["cosigned"], [key], origin="ssj.example.gov.cn/anhui")
    assert cp.size == 3 and cp.root.hex() == v["root_hex"]
    assert note.verify_cosignature(parsed, note.parse_vkey(v["witness_vkey"])) == 1764558000


if __name__ == "__main__":
    for k, value in vectors().items():
        print(f"--- {k}\n{value}")

"""The drand public randomness beacon: round times, and checking a round's signature.

A drand chain publishes one value per round. On the League of Entropy's *quicknet* chain
(scheme ``bls-unchained-g1-rfc9380``) round ``r`` is signed at ``genesis_time + (r − 1) ×
period`` (UNIX seconds); its signature is a BLS signature on G1 (48 bytes, compressed) of
``SHA-256(uint64_be(r))`` under the chain's public key on G2 (96 bytes), hashed to the curve
with the domain separation tag :data:`DST` (RFC 9380); its randomness is ``SHA-256(signature)``.

The randomness is always rechecked here (standard library). The BLS signature needs a
pairing library: :func:`check_signature` uses ``py_arkworks_bls12381`` or ``drand_verify``
when one can be imported and otherwise says plainly that the signature was **not** checked
(the offline ``ssj-verify.pyz`` runs on a bare Python). Nothing here reads the clock or the
network: times and values are passed in.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from typing import Any

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.messages import msg

SCHEME = "bls-unchained-g1-rfc9380"
DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

#: quicknet's chain information, as served at ``/info`` by every drand relay.
QUICKNET: dict[str, Any] = {
    "chain_hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "public_key": (
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d"
        "1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76ea"
        "e8991ef5ece45a"
    ),
    "genesis_time": 1692803367,
    "period": 3,
    "scheme": SCHEME,
}
#: The keys of a chain object (announcement ``seed_procedure.beacon`` adds ``round``).
CHAIN_KEYS = ("chain_hash", "public_key", "genesis_time", "period", "scheme")


def round_time(chain: dict[str, Any], round_no: int) -> int:
    """UNIX time at which ``round_no`` is produced: genesis + (round − 1) × period."""
    if round_no < 1:
        raise InvalidInput(msg("beacon round %(round)s: rounds start at 1", round=round_no))
    return int(chain["genesis_time"]) + (round_no - 1) * int(chain["period"])


def first_round_after(chain: dict[str, Any], unix_time: int) -> int:
    """The first round produced strictly after ``unix_time``."""
    genesis, period = int(chain["genesis_time"]), int(chain["period"])
    if unix_time < genesis:
        return 1
    return (unix_time - genesis) // period + 2


def randomness_of(signature_hex: str) -> str:
    """The round's randomness: SHA-256 (hex) of the signature's bytes."""
    return hashlib.sha256(_hex_bytes(signature_hex, "beacon signature")).hexdigest()


def round_message(round_no: int) -> bytes:
    """What the chain signs for ``round_no`` (unchained scheme): SHA-256(uint64_be(round))."""
    return hashlib.sha256(round_no.to_bytes(8, "big")).digest()


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of :func:`check_signature`: ``checked`` False means no library was found."""

    checked: bool
    valid: bool
    library: str | None = None


def check_signature(chain: dict[str, Any], round_no: int, signature_hex: str) -> SignatureCheck:
    """Check the BLS signature of ``round_no`` against the chain's public key.

    Returns ``checked=False`` (and ``valid=False``) when no pairing library is importable;
    the caller must then say that the signature was not checked.
    """
    if chain.get("scheme") != SCHEME:
        raise InvalidInput(msg("beacon scheme %(scheme)r is not supported; this verifier "
                               "checks %(ours)s", scheme=chain.get("scheme"), ours=SCHEME))
    sig = _hex_bytes(signature_hex, "beacon signature")
    key = _hex_bytes(str(chain["public_key"]), "beacon public key")
    if len(sig) != 48 or len(key) != 96:
        return SignatureCheck(True, False, None)
    for name in ("py_arkworks_bls12381", "drand_verify"):
        try:
            lib = importlib.import_module(name)
        except ImportError:
            continue
        return SignatureCheck(True, _check_with(name, lib, round_no, sig, key), name)
    return SignatureCheck(False, False, None)


def _check_with(name: str, lib: Any, round_no: int, sig: bytes, key: bytes) -> bool:
    try:
        if name == "py_arkworks_bls12381":
            s = lib.G1Point.from_compressed_bytes(sig)
            pk = lib.G2Point.from_compressed_bytes(key)
            h = lib.G1Point.hash_to_curve(round_message(round_no), DST)
            return bool(lib.GT.pairing(s, lib.G2Point()) == lib.GT.pairing(h, pk))
        lib.verify_bls_unchained_g1_rfc9380(round_no, sig.hex(), key.hex())
        return True
    except (ValueError, TypeError, RuntimeError, OverflowError):
        # the libraries raise on a malformed point or a failed verification
        return False
    except Exception:
        return False


def _hex_bytes(text: str, what: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except (ValueError, TypeError):
        raise InvalidInput(msg("%(what)s is not hexadecimal: %(value)r", what=what,
                               value=str(text)[:40])) from None

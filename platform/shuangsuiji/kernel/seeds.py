"""Commit–reveal and the seeds of an announced draw (docs/draw-spec.md §11.1, §11.3, §12).

Each named party registers SHA-256 of a secret after the announcement and reveals it at the
ceremony; the seed hashes the announcement's digest, the commitments, the reveals and the
beacon's randomness. A v2 recusal step's stream key mixes the draw's seed with a beacon
value that did not exist when the step was declared. Pure: no clock, no randomness.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.messages import msg

SEED_FORMAT = "shuangsuiji-seed/1"
RECUSAL_SEED_FORMAT = "shuangsuiji-recusal-seed/1"
#: Smallest secret accepted for commit–reveal (a short one could be guessed from its hash).
MIN_SECRET = 16


def _sha256_json(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()



def commitment(secret: str) -> str:
    """SHA-256 (hex) of the secret's UTF-8 bytes: what a party registers before the draw."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_secret(secret: str) -> None:
    """Refuse a secret too short to stay unguessable from its published commitment."""
    if len(secret) < MIN_SECRET:
        raise InvalidInput(msg(
            "the secret has %(n)s characters; use at least %(min)s (e.g. 32 random hex digits "
            "from `ssj draw commit --generate`)", n=len(secret), min=MIN_SECRET))


def check_commitment(value: str) -> str:
    """A commitment as 64 lower-case hex digits, or InvalidInput."""
    v = value.strip().lower()
    if len(v) != 64 or any(ch not in "0123456789abcdef" for ch in v):
        raise InvalidInput(msg("a commitment is SHA-256 as 64 hex digits, found %(value)r",
                               value=value[:70]))
    return v


def derive_seed(
    announcement_hex: str,
    commitments: Sequence[Sequence[str]],
    reveals: Sequence[Sequence[str]],
    beacon_randomness: str | None,
) -> str:
    """The seed of a commit–reveal and/or beacon procedure (§11.3): SHA-256 (hex) of the
    canonical JSON of ``{"announcement", "beacon", "commitments", "format", "reveals"}``,
    commitments and reveals as ``[party, value]`` sorted by party."""
    return _sha256_json({
        "format": SEED_FORMAT,
        "announcement": announcement_hex,
        "commitments": sorted([str(p), str(c)] for p, c in commitments),
        "reveals": sorted([str(p), str(s)] for p, s in reveals),
        "beacon": beacon_randomness,
    })


def recusal_seed(seed: str, step: int, declaration: dict[str, Any], randomness: str) -> str:
    """The stream key of a v2 recusal step (§12): the draw's seed mixed with a fresh beacon
    value that did not exist when the step was declared."""
    return _sha256_json({
        "format": RECUSAL_SEED_FORMAT,
        "seed": seed,
        "step": step,
        "declaration": declaration,
        "beacon": randomness,
    })

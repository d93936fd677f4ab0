"""The deployment's signing keys: the log key that signs checkpoints, and the witness key
that cosigns other logs' checkpoints. Kept outside the database.

A key is the private-key line of the signed-note tools,
``PRIVATE+KEY+<name>+<key ID hex>+<base64(type || 32-byte Ed25519 seed)>``, read from the
environment (``SSJ_LOG_SIGNING_KEY``, ``SSJ_WITNESS_SIGNING_KEY``) or from a file in the
instance folder (``log-signing.key``, ``witness-signing.key``, mode 0600), generated there on
first use. Every log public key ever used is listed in ``log-keys.txt`` (verifier keys, one a
line, current first), so checkpoints signed before a rotation still verify
(docs/transparency-log.md §8).
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shuangsuiji.kernel import note

# The kernel and `cryptography` are imported when a key is first used, not when the
# platform is built: a quick command (`ssj tenants list`) signs nothing.

#: ``session.info`` key of the deployment's :class:`LogKeys` (every session of the app's
#: sessionmaker carries it; :mod:`shuangsuiji.services.translog` reads it).
LOG_KEYS = "ssj_log_keys"
#: C2SP signed-note key types (as :mod:`shuangsuiji.kernel.note`): Ed25519, cosignature/v1.
SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04

DEFAULT_ORIGIN = "shuangsuiji.localhost"
LOG_FILE = "log-signing.key"
WITNESS_FILE = "witness-signing.key"
PUBLIC_FILE = "log-keys.txt"


@dataclass(frozen=True)
class Signer:
    name: str
    kind: int
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> note.Verifier:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        from shuangsuiji.kernel import note

        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return note.Verifier(self.name, self.kind, raw)

    def sign_note(self, text: str) -> note.Signature:
        from shuangsuiji.kernel import note

        return note.Signature(self.name, self.verifier.key_id,
                              self.private.sign(text.encode("utf-8")))

    def cosign(self, text: str, timestamp: int) -> note.Signature:
        from shuangsuiji.kernel import note

        sig = self.private.sign(note.cosignature_message(timestamp, text))
        return note.Signature(self.name, self.verifier.key_id, struct.pack(">Q", timestamp) + sig)

    def private_line(self) -> str:
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        blob = base64.b64encode(bytes([self.kind]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{blob}"


def parse_private(line: str, where: str) -> Signer:
    parts = line.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise UserError(msg("%(where)s: not a signing key (expected "
                            "PRIVATE+KEY+<name>+<key id>+<base64>)", where=where))
    _, _, name, hexid, blob = parts
    try:
        raw = base64.b64decode(blob, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 33 or raw[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1):
        raise UserError(msg("%(where)s: the key is not a base64 Ed25519 seed", where=where))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signer = Signer(name, raw[0], Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier.key_id.hex() != hexid:
        raise UserError(msg("%(where)s: the key ID does not match the key", where=where))
    return signer


def generate(name: str, kind: int) -> Signer:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Signer(name, kind, Ed25519PrivateKey.generate())


class LogKeys:
    """The keys of one deployment, loaded (or generated) on first use."""

    def __init__(self, instance_path: Callable[[], str], origin: str | None = None,
                 log_key: str | None = None, witness_key: str | None = None) -> None:
        self._instance = instance_path
        self.origin = origin or DEFAULT_ORIGIN
        self._env = {LOG_FILE: log_key, WITNESS_FILE: witness_key}
        self._cache: dict[str, Signer] = {}
        #: tenant id → slug, for the leaves (slugs never change; see services/translog.py)
        self.slugs: dict[int, str] = {}
        #: tenant id → ((size, chain hash of the last event), frontier) after this app's
        #: latest append (services/translog.py :func:`append`)
        self.frontiers: dict[int, tuple[tuple[int, str], dict[tuple[int, int], bytes]]] = {}

    def _folder(self) -> Path:
        return Path(self._instance())

    def _load(self, filename: str, name: str, kind: int) -> Signer:
        if filename in self._cache:
            return self._cache[filename]
        env = self._env[filename]
        if env:
            signer = parse_private(env, "SSJ_" + filename.split(".")[0].upper()
                                   .replace("-", "_"))
        else:
            path = self._folder() / filename
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fresh = generate(name, kind)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(fresh.private_line() + "\n")
            signer = parse_private(path.read_text(), str(path))
        if filename == LOG_FILE:
            self._list(signer.verifier)
        self._cache[filename] = signer
        return signer

    def log_signer(self) -> Signer:
        return self._load(LOG_FILE, self.origin, SIG_ED25519)

    def witness_signer(self) -> Signer:
        return self._load(WITNESS_FILE, f"{self.origin}/witness", SIG_COSIGNATURE_V1)

    def _list(self, current: note.Verifier) -> None:
        path = self._folder() / PUBLIC_FILE
        listed = path.read_text().split() if path.exists() else []
        if current.vkey not in listed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{k}\n" for k in [current.vkey, *listed]))

    def verifiers(self) -> list[note.Verifier]:
        """Every log public key, current first (rotated-out keys stay listed)."""
        from shuangsuiji.kernel import note

        current = self.log_signer().verifier
        path = self._folder() / PUBLIC_FILE
        out = [current]
        for line in (path.read_text().split() if path.exists() else []):
            v = note.parse_vkey(line)
            if v != current:
                out.append(v)
        return out

    def rotate(self) -> Signer:
        """A new log key; the old public key stays listed (a key from the environment is
        rotated by changing the environment)."""
        if self._env[LOG_FILE]:
            raise UserError(msg("the log key comes from SSJ_LOG_SIGNING_KEY: rotate it there "
                                "(and keep the old public key in %(file)s)", file=PUBLIC_FILE))
        old = self.log_signer()
        path = self._folder() / LOG_FILE
        retired = path.with_name(f"{LOG_FILE}.retired-{old.verifier.key_id.hex()}")
        path.rename(retired)
        self._cache.pop(LOG_FILE, None)
        return self.log_signer()

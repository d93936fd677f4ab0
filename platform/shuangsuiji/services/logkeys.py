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
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import Engine

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
#: while the deployment has no checkpoint yet, how often a node asks again (_confirm)
_ASK_AGAIN_SECONDS = 1.0


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


def _env_name(filename: str) -> str:
    """The environment variable that gives the key of ``filename``."""
    return "SSJ_" + filename.replace(".", "_").replace("-", "_").upper()


def _not_ours(filename: str, newest: str) -> NotTheDeploymentsKey:
    return NotTheDeploymentsKey(
        msg("this app node does not hold the deployment's key %(env)s: its newest signature "
            "with that key was made by key %(key)s, which is not among this node's keys",
            env=_env_name(filename), key=newest),
        where=msg("configuration (%(env)s, or %(file)s in the instance folder)",
                  env=_env_name(filename), file=filename),
        hint=msg("give every app node the same SSJ_LOG_SIGNING_KEY and SSJ_WITNESS_SIGNING_KEY, "
                 "or restore the instance folder's keys and %(keys)s from the backup; after a "
                 "rotation, restart the other nodes with the new key; a log key that is lost "
                 "for good is replaced by `ssj log rotate-key --old-key-lost`", keys=PUBLIC_FILE))


class NotTheDeploymentsKey(UserError):
    """This app node's log or witness key is not the one the deployment signs with."""


def generate(name: str, kind: int) -> Signer:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Signer(name, kind, Ed25519PrivateKey.generate())


class LogKeys:
    """The keys of one deployment, loaded (or generated) on first use.

    ``newest_key_id(filename, name)`` gives the key ID (hex) of the newest signature any
    node of the deployment made with the key of ``filename`` named ``name`` — a checkpoint
    (:data:`LOG_FILE`), a cosignature (:data:`WITNESS_FILE`) — or None (none yet; it is read
    from the database). Several app nodes on one database must share both keys: a node
    whose keys do not include that one — a key its own instance folder made, or another
    folder's — is refused before it signs, lists or makes a key
    (:class:`NotTheDeploymentsKey`), instead of signing with a key no verifier was given."""

    def __init__(self, instance_path: Callable[[], str], origin: str | None = None,
                 log_key: str | None = None, witness_key: str | None = None,
                 newest_key_id: Callable[[str, str], str | None] | None = None) -> None:
        self._instance = instance_path
        self.origin = origin or DEFAULT_ORIGIN
        self._env = {LOG_FILE: log_key, WITNESS_FILE: witness_key}
        self._newest_key_id = newest_key_id or (lambda filename, name: None)
        self._confirmed: set[str] = set()  # keys checked against the deployment's (_confirm)
        #: when the database last had no signature of a key (file name → monotonic time)
        self._asked_at: dict[str, float] = {}
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
            if filename not in self._confirmed:
                self._confirm(filename, self._cache[filename])
            return self._cache[filename]
        env = self._env[filename]
        if env:
            signer = parse_private(env, _env_name(filename))
        else:
            path = self._folder() / filename
            if not path.exists():
                newest = self._newest_key_id(filename, name)
                if newest is not None:  # a key made here now could not be the deployment's
                    raise _not_ours(filename, newest)
                self._write_key(path, generate(name, kind))
            signer = parse_private(path.read_text(), str(path))
        self._confirm(filename, signer)  # (before its key is listed here: refused, it is not)
        if filename == LOG_FILE:
            self._list(signer.verifier)
        self._cache[filename] = signer
        return signer

    @staticmethod
    def _write_key(path: Path, signer: Signer) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(signer.private_line() + "\n")

    def _confirm(self, filename: str, signer: Signer) -> None:
        """Refuse ``signer`` unless the deployment's newest signature of its kind was made
        with it (the log key: or a key listed here, retired by a rotation). Once one was,
        that holds for this process; until the deployment has such a signature, each use
        asks again, at most once a second (two nodes starting with keys of their own are
        told apart as soon as either has signed)."""
        now = time.monotonic()
        if now - self._asked_at.get(filename, -_ASK_AGAIN_SECONDS) < _ASK_AGAIN_SECONDS:
            return  # (asked a moment ago: none yet; a transaction of many events asks once)
        newest = self._newest_key_id(filename, signer.name)
        if newest is None:
            self._asked_at[filename] = now
            return
        ours = ({v.key_id.hex() for v in self._listed(signer.verifier)} if filename == LOG_FILE
                else {signer.verifier.key_id.hex()})
        if newest not in ours:
            raise _not_ours(filename, newest)
        self._confirmed.add(filename)

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
        return self._listed(self.log_signer().verifier)

    def _listed(self, current: note.Verifier) -> list[note.Verifier]:
        from shuangsuiji.kernel import note

        path = self._folder() / PUBLIC_FILE
        out = [current]
        for line in (path.read_text().split() if path.exists() else []):
            v = note.parse_vkey(line)
            if v != current:
                out.append(v)
        return out

    def replace_lost(self) -> Signer:
        """A new log key where the old private key is lost for good (the database restored
        without the instance folder). Allowed only once the deployment's public keys are
        listed again in :data:`PUBLIC_FILE` — restored from what the deployment published
        (its portal, its notices) — including the one its newest checkpoint names: every
        checkpoint signed before still verifies, and the new key follows them as after a
        rotation. Nothing is written when refused."""
        if self._env[LOG_FILE]:
            raise UserError(msg("the log key comes from SSJ_LOG_SIGNING_KEY: replace it there "
                                "(and keep the old public key in %(file)s)", file=PUBLIC_FILE))
        path = self._folder() / LOG_FILE
        if path.exists():
            raise UserError(msg("this node holds a log key (%(file)s): rotate it with `ssj log "
                                "rotate-key`", file=LOG_FILE))
        fresh = generate(self.origin, SIG_ED25519)
        newest = self._newest_key_id(LOG_FILE, self.origin)
        if newest is not None and newest not in {v.key_id.hex()
                                                 for v in self._listed(fresh.verifier)}:
            raise UserError(
                msg("the deployment's newest checkpoint was signed with key %(key)s, which "
                    "%(file)s does not list", key=newest, file=PUBLIC_FILE),
                hint=msg("put the log's public keys as the deployment published them (one a "
                         "line) in %(file)s first, then run this again", file=PUBLIC_FILE))
        self._write_key(path, fresh)
        self._cache.pop(LOG_FILE, None)
        self._confirmed.discard(LOG_FILE)
        return self.log_signer()

    def rotate(self) -> Signer:
        """A new log key; the old public key stays listed (a key from the environment is
        rotated by changing the environment)."""
        if self._env[LOG_FILE]:
            raise UserError(msg("the log key comes from SSJ_LOG_SIGNING_KEY: rotate it there "
                                "(and keep the old public key in %(file)s)", file=PUBLIC_FILE))
        old = self.log_signer()  # (the deployment's: a node without it rotates nothing)
        path = self._folder() / LOG_FILE
        retired = path.with_name(f"{LOG_FILE}.retired-{old.verifier.key_id.hex()}")
        path.rename(retired)
        self._write_key(path, generate(self.origin, SIG_ED25519))
        self._cache.pop(LOG_FILE, None)
        return self.log_signer()  # the old key is listed: the deployment's newest is known


def newest_key_id(engine: Engine, filename: str, name: str) -> str | None:
    """The key ID (hex) of the newest signature any node of the deployment made with its
    key of ``filename`` named ``name``: of the newest checkpoint (the log key), of the
    newest cosignature its witness stored (the witness key). On a connection of its own
    (committed rows only); None before the first, or before the tables exist."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from shuangsuiji.kernel import note
    from shuangsuiji.models.audit import LogCheckpoint, LogWitnessed

    try:
        with engine.connect() as conn:
            if filename == LOG_FILE:
                return conn.scalar(select(LogCheckpoint.key_id)
                                   .order_by(LogCheckpoint.id.desc()).limit(1))
            cosigned = conn.scalar(select(LogWitnessed.cosigned)
                                   .order_by(LogWitnessed.seen_at.desc(),
                                             LogWitnessed.id.desc()).limit(1))
    except (OperationalError, ProgrammingError):  # no such table yet (asked again later)
        return None
    if cosigned is None:
        return None
    try:
        signatures = note.parse(cosigned).signatures
    except note.NoteError:
        return None  # (not this deployment's to judge here: the witness refuses it)
    return next((s.key_id.hex() for s in signatures if s.name == name), None)

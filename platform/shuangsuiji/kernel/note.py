"""Signed notes (C2SP signed-note), checkpoints (C2SP tlog-checkpoint) and cosignatures
(C2SP tlog-cosignature/v1): parse and verify. Pure, standard library only (``cryptography``
when present, :mod:`shuangsuiji.kernel.ed25519` otherwise), so ``ssj verify``, the one-file
verifier and the platform share it. Formats: docs/transparency-log.md §3 and §7.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from shuangsuiji.kernel import ed25519

SIG_ED25519 = 0x01  # signed-note signature type: a plain Ed25519 note signature
SIG_COSIGNATURE_V1 = 0x04  # tlog-cosignature/v1: timestamped Ed25519 over a fixed header
EM_DASH = "\u2014"


class NoteError(ValueError):
    """A note, checkpoint, key or signature that is malformed or does not verify; the
    message says what and where."""


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 verification: ``cryptography`` when installed, else the pure RFC 8032 one."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:  # the one-file verifier on a bare Python
        return ed25519.verify(public_key, message, signature)
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (signed-note; type 0x01 for a log's
    key, 0x04 for a cosigner's)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c in name for c in " +\n") or any(ord(c) < 0x20 for c in name):
        raise NoteError(f"key name {name!r}: must be non-empty, without spaces, '+' or "
                        "control characters")


@dataclass(frozen=True)
class Verifier:
    """A public key as a verifier knows it: name, type (0x01 or 0x04) and the 32 bytes."""

    name: str
    kind: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    @property
    def vkey(self) -> str:
        """``<name>+<key ID hex>+<base64(type || public key)>`` (signed-note verifier key)."""
        blob = base64.b64encode(bytes([self.kind]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"


def parse_vkey(text: str) -> Verifier:
    """Parse a verifier key ``name+hexid+base64``; the key ID must match."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"verifier key {text.strip()!r}: expected name+keyid+base64")
    name, hexid, blob = parts
    _check_name(name)
    try:
        raw = base64.b64decode(blob, validate=True)
        kid = bytes.fromhex(hexid)
    except (binascii.Error, ValueError):
        raise NoteError(f"verifier key for {name}: key ID or key is not hex/base64") from None
    if len(raw) != 33 or raw[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1) or len(kid) != 4:
        raise NoteError(f"verifier key for {name}: not an Ed25519 key (type 0x01 or 0x04)")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id != kid:
        raise NoteError(f"verifier key for {name}: key ID {hexid} does not match the key "
                        f"(expected {verifier.key_id.hex()})")
    return verifier


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, the 4-byte key ID, the rest (signature bytes)."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{EM_DASH} {self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """The signed text (with its final newline) and the signature lines under it."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def parse(note: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (signed-note §Format)."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("the note is not valid UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("the note holds a control character other than a newline "
                        "(CR line ends? save it with LF line ends)")
    if not note.endswith("\n"):
        raise NoteError("the note does not end with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("the note has no blank line between its text and its signatures")
    text, block = note[:cut + 1], note[cut + 2:]
    sigs = []
    for number, line in enumerate(block.split("\n")[:-1], start=1):
        prefix = EM_DASH + " "
        fields = line[len(prefix):].split(" ") if line.startswith(prefix) else []
        if len(fields) != 2:
            raise NoteError(f"signature line {number}: expected '— <key name> <base64>'")
        name, blob = fields
        _check_name(name)
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            raise NoteError(f"signature line {number} ({name}): not base64") from None
        if len(raw) < 5:
            raise NoteError(f"signature line {number} ({name}): too short")
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if not sigs:
        raise NoteError("the note has no signature line")
    return Note(text, tuple(sigs))


def verify_note(note: Note, verifiers: list[Verifier]) -> list[Verifier]:
    """The log keys (type 0x01) among ``verifiers`` whose signature on ``note`` verifies.

    Signature lines from unknown keys are ignored, as the format says; a line from a known
    key that does not verify is a forgery and raises; no known key at all raises.
    """
    ok = []
    known = {(v.name, v.key_id): v for v in verifiers if v.kind == SIG_ED25519}
    for sig in note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            continue
        if not ed25519_verify(v.public_key, note.text.encode("utf-8"), sig.signature):
            raise NoteError(f"the signature of {sig.name} (key {sig.key_id.hex()}) does not "
                            "verify: the note was changed or forged")
        ok.append(v)
    if not ok:
        names = ", ".join(f"{s.name} {s.key_id.hex()}" for s in note.signatures)
        raise NoteError(f"no signature by a known key (the note is signed by: {names}); "
                        "check the public key you were given")
    return ok


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        root = base64.b64encode(self.root).decode()
        return "".join(f"{line}\n" for line in (self.origin, str(self.size), root,
                                                *self.extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint's note text (the three lines and any extensions)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin line, a tree size line and a root hash "
                        "line, each ending in a newline")
    origin, size, root, *ext = lines[:-1]
    if not origin:
        raise NoteError("checkpoint: the origin line is empty")
    if not size.isdigit() or not size.isascii() or (size != "0" and size.startswith("0")):
        raise NoteError(f"checkpoint {origin}: tree size {size!r} is not a decimal number")
    try:
        raw = base64.b64decode(root, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise NoteError(f"checkpoint {origin}: root hash {root!r} is not 32 bytes of base64")
    if any(not line for line in ext):
        raise NoteError(f"checkpoint {origin}: an empty extension line")
    return Checkpoint(origin, int(size), raw, tuple(ext))


def open_checkpoint(note_text: str | bytes, verifiers: list[Verifier],
                    origin: str | None = None) -> tuple[Checkpoint, Note]:
    """Parse and verify a checkpoint note; with ``origin``, it must be that log's."""
    note = parse(note_text)
    verify_note(note, verifiers)
    cp = parse_checkpoint(note.text)
    if origin is not None and cp.origin != origin:
        raise NoteError(f"the checkpoint is of log {cp.origin!r}, not of {origin!r}")
    return cp, note


def cosignature_message(timestamp: int, body: str) -> bytes:
    """What a tlog-cosignature/v1 signs: header, time line, the checkpoint's note text."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def verify_cosignature(note: Note, cosigner: Verifier) -> int:
    """The timestamp of ``cosigner``'s valid cosignature on ``note``; raise if absent or bad."""
    for sig in note.signatures:
        if sig.name != cosigner.name or sig.key_id != cosigner.key_id:
            continue
        if len(sig.signature) != 72:
            raise NoteError(f"cosignature of {sig.name}: expected 8 + 64 bytes")
        (timestamp,) = struct.unpack(">Q", sig.signature[:8])
        if not ed25519_verify(cosigner.public_key, cosignature_message(timestamp, note.text),
                              sig.signature[8:]):
            raise NoteError(f"the cosignature of {sig.name} does not verify")
        return int(timestamp)
    raise NoteError(f"the note carries no cosignature of {cosigner.name}")

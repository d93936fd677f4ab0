"""Signed notes, checkpoints, cosignatures; the pure Ed25519 verifier agrees with
``cryptography``."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shuangsuiji.kernel import ed25519, note
from shuangsuiji.services.logkeys import generate, parse_private

# RFC 8032 §7.1, TEST 1, 2 and 3 (secret, public, message, signature).
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors_both_ways(secret: str, public: str, message: str,
                                   signature: str) -> None:
    pub, m, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert key.sign(m) == sig
    assert ed25519.verify(pub, m, sig)
    assert note.ed25519_verify(pub, m, sig)


def _forgeries(pub: bytes, m: bytes, sig: bytes) -> list[tuple[bytes, bytes, bytes]]:
    s = int.from_bytes(sig[32:], "little")
    return [
        (pub, m + b"x", sig),  # another message
        (pub, m, sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]),  # R changed
        (pub, m, sig[:40] + bytes([sig[40] ^ 1]) + sig[41:]),  # S changed
        (pub, m, sig[:32] + (s + ed25519.L).to_bytes(32, "little")),  # S not reduced
        (bytes([pub[0] ^ 1]) + pub[1:], m, sig),  # another key
        (b"\xff" * 32, m, sig),  # not a point
        (pub, m, sig[:63]),  # short
    ]


def test_pure_and_cryptography_agree_on_valid_and_forged() -> None:
    for i in range(4):
        key = Ed25519PrivateKey.generate()
        pub = key.public_key().public_bytes_raw()
        m = hashlib.sha256(bytes([i])).digest() * i
        sig = key.sign(m)
        assert ed25519.verify(pub, m, sig) and note.ed25519_verify(pub, m, sig)
        for case in _forgeries(pub, m, sig):
            assert ed25519.verify(*case) is False
            assert note.ed25519_verify(*case) is False


def test_pure_verifier_is_used_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_crypto(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("cryptography"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    key = Ed25519PrivateKey.generate()
    pub, sig = key.public_key().public_bytes_raw(), key.sign(b"m")
    called: list[bool] = []
    pure = ed25519.verify
    monkeypatch.setattr(ed25519, "verify", lambda *a: called.append(True) or pure(*a))
    monkeypatch.setattr(builtins, "__import__", no_crypto)
    assert note.ed25519_verify(pub, b"m", sig) and not note.ed25519_verify(pub, b"n", sig)
    assert called == [True, True]


def test_key_id_is_the_signed_note_one() -> None:
    signer = generate("example.com/log", note.SIG_ED25519)
    v = signer.verifier
    assert v.key_id == hashlib.sha256(b"example.com/log\n\x01" + v.public_key).digest()[:4]
    assert note.parse_vkey(v.vkey) == v
    assert parse_private(signer.private_line(), "test").verifier == v
    bad = v.vkey.split("+", 2)
    with pytest.raises(note.NoteError, match="does not match"):
        note.parse_vkey(f"{bad[0]}+00000000+{bad[2]}")


def _checkpoint(signer_name: str = "example.com/log") -> tuple[str, note.Verifier, object]:
    signer = generate(signer_name, note.SIG_ED25519)
    body = note.Checkpoint("example.com/log/t", 5, b"\x07" * 32).body()
    return note.Note(body, (signer.sign_note(body),)).render(), signer.verifier, signer


def test_checkpoint_round_trip_and_forgeries() -> None:
    text, verifier, _ = _checkpoint()
    cp, parsed = note.open_checkpoint(text, [verifier], origin="example.com/log/t")
    assert (cp.size, cp.root) == (5, b"\x07" * 32)
    assert parsed.render() == text
    lines = text.split("\n")
    # the size changed: the signature no longer verifies
    with pytest.raises(note.NoteError, match="does not verify"):
        note.open_checkpoint("\n".join([lines[0], "6", *lines[2:]]), [verifier])
    # another key with the same name: not a known key
    _, other, _ = _checkpoint()
    with pytest.raises(note.NoteError, match="no signature by a known key"):
        note.open_checkpoint(text, [other])
    with pytest.raises(note.NoteError, match="not of"):
        note.open_checkpoint(text, [verifier], origin="example.com/log/u")
    with pytest.raises(note.NoteError, match="control character"):
        note.parse(text.replace("\n", "\r\n"))
    with pytest.raises(note.NoteError, match="blank line"):
        note.parse("a\nb\n")


def test_cosignature_v1() -> None:
    text, _, _ = _checkpoint()
    witness = generate("example.com/witness", note.SIG_COSIGNATURE_V1)
    parsed = note.parse(text)
    cosigned = note.Note(parsed.text, (*parsed.signatures,
                                       witness.cosign(parsed.text, 1679315147)))
    again = note.parse(cosigned.render())
    assert note.verify_cosignature(again, witness.verifier) == 1679315147
    sig = again.signatures[1]
    assert base64.b64decode(sig.line().split()[-1])[4:12] == (1679315147).to_bytes(8, "big")
    forged = note.Note(again.text, (again.signatures[0], note.Signature(
        sig.name, sig.key_id, (1679315148).to_bytes(8, "big") + sig.signature[8:])))
    with pytest.raises(note.NoteError, match="does not verify"):
        note.verify_cosignature(forged, witness.verifier)

"""Passwords: argon2id hashes, and the strength a new password needs (length, not the user
name, not the current one, zxcvbn's estimate).
"""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

#: A valid hash of a random password, checked when the user does not exist so that a
#: failed login takes as long whether or not the name is known.
DUMMY_HASH = hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return hasher.hash(password)


#: zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" (about 10^8 guesses
#: or more) — enough, with argon2 and the login throttle, against online and offline guessing.
MIN_PASSWORD_SCORE = 3


def check_password_strength(password: str, *, username: str = "",
                             display_name: str = "", current_hash: str | None = None) -> None:
    """Refuse a short password, one containing the user name, the current password again,
    or one that zxcvbn estimates easy to guess (``aaaaaaaaaa``, ``1234567890``, keyboard
    walks, common passwords, names and dates)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            msg("the password has %(length)d characters; at least %(minimum)d are required",
                length=len(password), minimum=MIN_PASSWORD_LENGTH),
            where="password",
            hint=msg("choose a longer password (a few unrelated words work well)"),
        )
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        raise UserError(msg("the password contains the user name"), where="password",
                        hint=msg("choose a password that does not contain the user name"))
    if current_hash is not None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            if hasher.verify(current_hash, password):
                raise UserError(msg("the new password is the current password"),
                                where="password", hint=msg("choose a password not used before"))
    estimate = zxcvbn(password[:100], user_inputs=[u for u in (username, display_name) if u])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        raise UserError(
            msg("the password is too easy to guess (strength %(score)d of 4; at least "
                "%(minimum)d is required)", score=estimate["score"],
                minimum=MIN_PASSWORD_SCORE),
            where="password",
            hint=msg("use three or four unrelated words, or a longer phrase; avoid repeated "
                     "characters, keyboard rows, names, dates and common passwords"))

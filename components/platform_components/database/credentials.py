"""The three passwords of a database: what the init scripts accept, and the digest that rolls the pods."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..errors import ConfigError

PASSWORD_ROLES = ("app", "replication", "backup")
MIN_PASSWORD_LENGTH = 16
PASSWORD_FIX = (
    f"use at least {MIN_PASSWORD_LENGTH} letters and digits only, e.g. the output of `openssl rand -hex 24`"
)


def password_problem(value: str) -> str | None:
    """Why the init scripts would refuse ``value`` as a password, or None (never echoes it)."""
    if not (value.isascii() and value.isalnum()):
        return "holds characters other than A-Z, a-z and 0-9, which the init scripts refuse"
    if len(value) < MIN_PASSWORD_LENGTH:
        return f"is {len(value)} characters, shorter than the minimum of {MIN_PASSWORD_LENGTH}"
    return None


def checked_password(value: str, *, field: str) -> str:
    """A supplied password once its value is known: what the init scripts accept, else one line."""
    problem = password_problem(value)
    if problem is not None:
        raise ConfigError(f"{field} {problem}; {PASSWORD_FIX}")
    return value


def credentials_digest(namespace: str, name: str, passwords: Sequence[str]) -> str:
    """A digest of the supplied passwords for the pod template (it changes with any of them).

    scrypt, salted with the database's identity: the annotation is readable by anyone who may read
    StatefulSets, so it must not be a cheap way to test guesses of the passwords."""
    material = "\0".join(passwords).encode()
    salt = f"platform-components/{namespace}/{name}".encode()
    return hashlib.scrypt(material, salt=salt, n=2**14, r=8, p=1, dklen=16).hex()


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PASSWORD_FIX",
    "PASSWORD_ROLES",
    "checked_password",
    "credentials_digest",
    "password_problem",
]

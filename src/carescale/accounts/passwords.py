"""Password hashing with argon2id (argon2-cffi), imported when first used so that ``carescale
--help`` stays light.

The cost is RFC 9106's second recommended ("low memory") profile, argon2-cffi's default: argon2id,
3 passes over 64 MiB with 4 lanes (docs/accounts.md gives the time it takes here). A hash made with
other parameters still verifies and is replaced by a new one at the next successful sign-in.

An account that does not exist is checked against a dummy hash made with the same parameters, so a
sign-in takes about as long whether or not the account exists.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from ..errors import AccountError

MIN_LENGTH = 12
MAX_LENGTH = 1024

_lock = threading.Lock()
_hasher: Any = None
_dummy: str | None = None


def hasher() -> Any:
    """The one ``argon2.PasswordHasher`` (RFC 9106 low-memory profile)."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher
        from argon2.profiles import RFC_9106_LOW_MEMORY

        with _lock:
            if _hasher is None:
                _hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
    return _hasher


def check_password(password: object) -> str:
    """Refuse, in one line that never shows the password, one that is empty, too short or too long."""
    if not isinstance(password, str) or password == "":
        raise AccountError(f"password: is empty; a password needs at least {MIN_LENGTH} characters")
    if len(password) < MIN_LENGTH:
        raise AccountError(
            f"password: has {len(password)} characters; a password needs at least {MIN_LENGTH}"
        )
    if len(password) > MAX_LENGTH:
        raise AccountError(
            f"password: has {len(password)} characters; a password may have at most {MAX_LENGTH}"
        )
    return password


def hash_password(password: str) -> str:
    return hasher().hash(check_password(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash. With no stored hash (no such account, or
    one that signs in through its identity provider) a dummy hash is checked instead, so the
    answer takes the same time, and is False."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _dummy
    h = hasher()
    if stored is None:
        if _dummy is None:
            _dummy = h.hash(secrets.token_urlsafe(24))
        target, real = _dummy, False
    else:
        target, real = stored, True
    try:
        h.verify(target, password if isinstance(password, str) else "")
    except (VerificationError, InvalidHashError):
        return False
    return real


def needs_rehash(stored: str) -> bool:
    return bool(hasher().check_needs_rehash(stored))

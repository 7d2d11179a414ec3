"""Who may do what at the desk, and how secrets are kept: roles, password and token hashes.

Passwords are hashed with argon2 (slow on purpose: a stolen table costs an
attacker dearly).  API tokens and session cookies are random 32-byte values,
so one SHA-256 is enough to keep them out of the database in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from capture.errors import EngineUnavailable

if TYPE_CHECKING:
    from argon2 import PasswordHasher

TOKEN_BYTES = 32
MIN_PASSWORD_CHARS = 8
MAX_NAME_CHARS = 64


class UserRole(StrEnum):
    PACKER = "packer"  # scans at a station, sees that station
    SUPERVISOR = "supervisor"  # also review, the upload queue, orders and history
    ADMIN = "admin"  # also users and settings


class Permission(StrEnum):
    SCAN = "scan"
    REVIEW = "review"
    ADMIN = "admin"


GRANTS: dict[UserRole, frozenset[Permission]] = {
    UserRole.PACKER: frozenset({Permission.SCAN}),
    UserRole.SUPERVISOR: frozenset({Permission.SCAN, Permission.REVIEW}),
    UserRole.ADMIN: frozenset({Permission.SCAN, Permission.REVIEW, Permission.ADMIN}),
}


def may(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[UserRole(role)]
    except ValueError:
        return False  # a role this release does not know grants nothing


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def derived(secret: str, purpose: str) -> str:
    """A value only the holder of `secret` can compute (the CSRF token of a session cookie)."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # the web extra is not installed
        raise EngineUnavailable(
            "argon2-cffi is not installed", "install the web extra: uv sync --locked --extra web"
        ) from exc
    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def password_matches(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False

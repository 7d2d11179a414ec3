"""Users of the desk pages and the API: add, list, disable, tokens, and signing in.

Secrets pass through here and are never kept: a password becomes its argon2
hash, a token and a session cookie their SHA-256, before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from capture import accounts
from capture.accounts import UserRole
from capture.api.runtime import database
from capture.errors import AccountError
from capture.settings import Settings
from capture.store import users
from capture.store.db import session_scope
from capture.store.tables import User
from capture.store.users import UserView

SESSION_LIFETIME_S = 12 * 3600.0  # one long shift; the packer signs in again the next day
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")


@dataclass(frozen=True)
class Identity:
    """Who a request is from."""

    name: str
    role: str

    def may(self, permission: accounts.Permission) -> bool:
        return accounts.may(self.role, permission)


def add_user(name: str, role: str, password: str, settings: Settings) -> UserView:
    if not NAME_PATTERN.match(name):
        raise AccountError(f"user name {name!r} is not allowed", "use letters, digits, . _ - or @, at most 64")
    if role not in {r.value for r in UserRole}:
        raise AccountError(f"unknown role {role!r}", f"use one of: {', '.join(r.value for r in UserRole)}")
    if len(password) < accounts.MIN_PASSWORD_CHARS:
        raise AccountError("password too short", f"use at least {accounts.MIN_PASSWORD_CHARS} characters")
    hashed = accounts.hash_password(password)
    with session_scope(database(settings)) as session:
        if users.get(session, name) is not None:
            raise AccountError(f"user {name} exists", "pick another name, or disable the old user")
        return users.add(session, name, role, hashed)


def list_users(settings: Settings) -> list[UserView]:
    with session_scope(database(settings)) as session:
        return users.listing(session)


def disable_user(name: str, settings: Settings, disabled: bool = True) -> UserView:
    with session_scope(database(settings)) as session:
        return users.set_disabled(session, _known(session, name), disabled)


def issue_token(name: str, settings: Settings) -> str:
    """A new API token for `name`, replacing any earlier one; shown once, only its hash is kept."""
    token = accounts.new_secret()
    with session_scope(database(settings)) as session:
        users.set_token_hash(session, _known(session, name), accounts.secret_hash(token))
    return token


def sign_in(name: str, password: str, settings: Settings) -> str | None:
    """A new session cookie value for a right password of an enabled user, else None."""
    with session_scope(database(settings)) as session:
        user = users.get(session, name)
        # The hash is checked even for an unknown user name, so timing does not tell names apart.
        stored = user.password_hash if user is not None else _DUMMY_HASH.value()
        if not accounts.password_matches(stored, password) or user is None or user.disabled:
            return None
        cookie = accounts.new_secret()
        users.open_session(session, accounts.secret_hash(cookie), user.name, SESSION_LIFETIME_S)
        return cookie


def sign_out(cookie: str, settings: Settings) -> None:
    with session_scope(database(settings)) as session:
        users.close_session(session, accounts.secret_hash(cookie))


def by_session(cookie: str, settings: Settings) -> Identity | None:
    with session_scope(database(settings)) as session:
        return _identity(users.session_user(session, accounts.secret_hash(cookie)))


def by_token(token: str, settings: Settings) -> Identity | None:
    with session_scope(database(settings)) as session:
        return _identity(users.by_token_hash(session, accounts.secret_hash(token)))


def _identity(user: User | None) -> Identity | None:
    if user is None or user.disabled:
        return None
    return Identity(user.name, user.role)


def _known(session: Session, name: str) -> User:
    user = users.get(session, name)
    if user is None:
        raise AccountError(f"no user {name}", "see waybill users list")
    return user


class _DummyHash:
    """An argon2 hash of nothing in particular, made once, for unknown user names."""

    def __init__(self) -> None:
        self._hash = ""

    def value(self) -> str:
        if not self._hash:
            self._hash = accounts.hash_password(accounts.new_secret())
        return self._hash


_DUMMY_HASH = _DummyHash()

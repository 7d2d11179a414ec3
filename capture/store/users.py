"""The users and web_sessions tables: reads and writes, hashes only (capture.accounts makes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from capture.store.tables import User, WebSession, as_utc, utcnow


@dataclass(frozen=True)
class UserView:
    """A user as the pages and `users list` show one: never a hash."""

    name: str
    role: str
    disabled: bool
    has_token: bool
    created_at: datetime


def _view(user: User) -> UserView:
    return UserView(user.name, user.role, user.disabled, user.token_hash is not None, as_utc(user.created_at))


def get(session: Session, name: str) -> User | None:
    return session.get(User, name)


def add(session: Session, name: str, role: str, password_hash: str) -> UserView:
    user = User(name=name, role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return _view(user)


def listing(session: Session) -> list[UserView]:
    return [_view(u) for u in session.exec(select(User).order_by(col(User.name)))]


def set_disabled(session: Session, user: User, disabled: bool) -> UserView:
    user.disabled = disabled
    session.add(user)
    if disabled:  # a disabled user's browsers are signed out at once
        session.exec(delete(WebSession).where(col(WebSession.user_name) == user.name))
    session.flush()
    return _view(user)


def set_token_hash(session: Session, user: User, token_hash: str) -> None:
    user.token_hash = token_hash
    session.add(user)
    session.flush()


def by_token_hash(session: Session, token_hash: str) -> User | None:
    return session.exec(select(User).where(col(User.token_hash) == token_hash)).first()


def open_session(session: Session, token_hash: str, user_name: str, lifetime_s: float) -> None:
    session.add(
        WebSession(token_hash=token_hash, user_name=user_name, expires_at=utcnow() + timedelta(seconds=lifetime_s))
    )
    session.flush()


def session_user(session: Session, token_hash: str) -> User | None:
    """The user of a live web session, or None when it is unknown or expired."""
    found = session.get(WebSession, token_hash)
    if found is None:
        return None
    if as_utc(found.expires_at) <= utcnow():
        session.delete(found)
        return None
    return session.get(User, found.user_name)


def close_session(session: Session, token_hash: str) -> None:
    found = session.get(WebSession, token_hash)
    if found is not None:
        session.delete(found)

"""Where an incremental orders pull starts: the moment up to which the last pull read every change."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capture.store.tables import OrderPull, as_utc, utcnow


def pulled_until(session: Session, source: str) -> datetime | None:
    """None when this source was never pulled (the next pull is a full one)."""
    found = session.get(OrderPull, source)
    return as_utc(found.pulled_until) if found is not None else None


def advance(session: Session, source: str, until: datetime) -> None:
    """Record that every change up to `until` is stored; in the transaction that stored them."""
    found = session.get(OrderPull, source)
    if found is None:
        session.add(OrderPull(source=source, pulled_until=until))
    else:
        found.pulled_until, found.updated_at = until, utcnow()
    session.flush()

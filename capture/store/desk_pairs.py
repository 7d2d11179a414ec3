"""Desk pairing state: per station, the pick list or the label that waits for its other half.

One row per station.  A pick list (an order number) waits for the next
label; a label that went to review waits for a pick list.  Either is
forgotten after the timeout, so a pick list left lying does not pair with
tomorrow's first parcel.  And when the clock has gone back since it was held
(an NTP correction, a PC's clock set by hand), nobody can say how long it
has waited: it is forgotten too, rather than held for the hour the clock
went back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from capture.store.tables import DeskPair, as_utc, utcnow

# Clock differences this small are not a clock going back (several desks'
# servers may write one station's row with clocks a little apart).
CLOCK_SKEW_S = 2.0


@dataclass(frozen=True)
class Waiting:
    """What a station holds: an order (pick list scanned) or a label's scan (label scanned)."""

    station: str
    order_tid: str | None
    label_scan_id: int | None
    expires_at: datetime


def waiting(session: Session, station: str, now: datetime | None = None) -> Waiting | None:
    """What the station holds, unless it has expired."""
    row = session.get(DeskPair, station, with_for_update=True)
    if row is None:
        return None
    now = now or utcnow()
    went_back = as_utc(row.updated_at) > now + timedelta(seconds=CLOCK_SKEW_S)
    if as_utc(row.expires_at) <= now or went_back:
        session.delete(row)
        session.flush()
        return None
    return Waiting(row.station, row.order_tid, row.label_scan_id, as_utc(row.expires_at))


def hold_order(session: Session, station: str, tid: str, timeout_s: float) -> None:
    _hold(session, station, tid, None, timeout_s)


def hold_label(session: Session, station: str, scan_id: int, timeout_s: float) -> None:
    _hold(session, station, None, scan_id, timeout_s)


def forget(session: Session, station: str) -> None:
    row = session.get(DeskPair, station)
    if row is not None:
        session.delete(row)
        session.flush()


def _hold(session: Session, station: str, tid: str | None, scan_id: int | None, timeout_s: float) -> None:
    now = utcnow()
    row = session.get(DeskPair, station) or DeskPair(station=station, expires_at=now)
    row.order_tid = tid
    row.label_scan_id = scan_id
    row.expires_at = now + timedelta(seconds=timeout_s)
    row.updated_at = now
    session.add(row)
    session.flush()

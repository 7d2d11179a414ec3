"""Review, history and desk pairing: what a person or a packing desk asks of the facade."""

from __future__ import annotations

from dataclasses import dataclass

from capture import desk_pairing, review
from capture.api.runtime import database
from capture.pipeline.carriers import canonical
from capture.pipeline.run import match_policy
from capture.settings import Settings
from capture.store import audit, job_views
from capture.store.db import session_scope


def review_entries(settings: Settings) -> list[review.ReviewEntry]:
    """Scans that wait for a person, with their evidence, oldest first."""
    with session_scope(database(settings)) as session:
        return review.entries(session)


def resolve_review(item_id: int, resolution: review.Resolution, settings: Settings, by: str) -> review.Resolved:
    """Accept, correct or reject a review item as `by` (a person's name); the checks before queueing apply."""
    with session_scope(database(settings)) as session:
        return review.resolve(session, item_id, resolution, audit.person_actor(by), match_policy(settings))


@dataclass(frozen=True)
class History:
    key: str
    decisions: list[audit.HistoryEntry]
    jobs: list[job_views.JobView]  # the upload queue's rows for it, as they stand now


def history(key: str, settings: Settings) -> History:
    """Every decision about a waybill number or an order number, and its upload jobs."""
    wanted = canonical(key)  # a waybill as printed (spaces, lower case, JD suffix); order numbers stay
    with session_scope(database(settings)) as session:
        return History(wanted, audit.history(session, wanted), job_views.jobs_for(session, wanted))


def pair_order(tid: str, station: str, settings: Settings) -> desk_pairing.PairResult:
    """Desk pairing without a photo: the order's pick list was scanned (or typed) at `station`.

    The order is held for the station's next label, or settles the label the
    station holds.  Raises UnknownOrder for a number no imported order has.
    """
    with session_scope(database(settings)) as session:
        return desk_pairing.pair_order(session, tid, station, match_policy(settings), settings.pair_timeout_s)

"""Labels waiting for their order, matched again when new orders arrive (issues 13 and 14).

A label scanned before its order was imported or pulled goes to review as
no_matching_order (or ambiguous_order, when the orders then known could
not tell).  After `orders import` or `orders pull` every such waiting item
is decided again from its stored evidence by the same rules as a new scan
(pipeline.match.decide, with its checks before queueing).  Only a safe
match acts: its upload job is written, the review item closed as
`rematched`, and an audit row says so, in the import's transaction.
Anything else stays waiting exactly as it was, with no new row: an import
of 200,000 orders must not write a trail line per waiting photo.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from capture import decisions
from capture.pipeline.match import MatchPolicy, decide
from capture.store import repo, review_items
from capture.types import Reason, Status

# What a waiting label lacked was its order; other reasons (two numbers, a
# misread, a second label) are not cured by new orders and stay for a person.
# A refund in progress ends one way or the other; the next import or pull says which.
REMATCHABLE = frozenset({Reason.NO_MATCHING_ORDER, Reason.AMBIGUOUS_ORDER, Reason.REFUND_IN_PROGRESS})


@dataclass(frozen=True)
class RematchReport:
    looked_at: int = 0  # waiting items whose only want was an order
    queued: int = 0  # of them, matched safely now: queued and closed


def rematch_waiting(session: Session, policy: MatchPolicy, source: str) -> RematchReport:
    """Decide again every open review item that waited for its order.  Writes in the caller's transaction."""
    lookup = repo.SqlOrderLookup(session)
    waiting = [item for item in review_items.list_open(session) if item.reasons and set(item.reasons) <= REMATCHABLE]
    queued = 0
    for item in waiting:
        outcome = decide(item.evidence.label, lookup, policy)
        if outcome.status is Status.QUEUED and outcome.candidate is not None and outcome.order is not None:
            queued += decisions.commit_rematch(session, item, outcome, source)
    return RematchReport(looked_at=len(waiting), queued=queued)

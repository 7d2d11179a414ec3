"""The one interface every marketplace sender implements, and what a send can come to.

A connector turns one queued shipment into one of four outcomes, as values:

    Delivered      the marketplace has our number on the order (now, or already)
    Retry          not now: a timeout, an outage, a rate limit; try again later
    Refused        not ever as it stands: a person must look (review)
    Misconfigured  our side is wrong (credentials, clock): no job can succeed,
                   the worker stops and says what to fix

`check` asks what the marketplace already has for the order before a send
whose earlier attempt may have gone through (see ClaimedJob.outcome_unknown);
`NotShipped` means go ahead.  Messages in outcomes are shown to people and
stored: a connector redacts its secrets from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from capture.types import RefundState


@dataclass(frozen=True)
class Shipment:
    """What to tell the marketplace: this order left with this waybill."""

    job_id: int
    order_tid: str
    waybill: str
    carrier: str  # our carrier code (capture.pipeline.carriers)
    queued_at: datetime
    shop: str = "default"  # capture.shops.DEFAULT_SHOP: whose order, whose credentials
    # 1: this number ships the order; 2 and on: a further parcel of an order
    # already shipped, added to it as a package (拆单发货).  A connector
    # whose platform cannot add a package refuses it with what to do instead.
    parcel: int = 1

    @property
    def is_package(self) -> bool:
        return self.parcel > 1


@dataclass(frozen=True)
class Delivered:
    response_id: str  # the marketplace's id for the call that confirmed it
    note: str = ""  # e.g. "already on the order" when a check found it


@dataclass(frozen=True)
class Retry:
    reason: str
    wait_s: float | None = None  # the wait the other side asked for (ban time, Retry-After)
    counted: bool = True  # False: not the job's fault (rate limit); the attempt is given back
    pause_all: bool = False  # True: every send would fail now; the worker pauses for wait_s


@dataclass(frozen=True)
class Refused:
    reason: str


@dataclass(frozen=True)
class Misconfigured:
    reason: str
    hint: str


@dataclass(frozen=True)
class NotShipped:
    """The marketplace does not have a waybill on the order yet."""


SendOutcome = Delivered | Retry | Refused | Misconfigured
CheckOutcome = SendOutcome | NotShipped


class Connector(Protocol):
    name: str

    def send(self, shipment: Shipment) -> SendOutcome: ...

    def check(self, shipment: Shipment) -> CheckOutcome: ...

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        """The shipment's order's refund state as the marketplace says it now; UNKNOWN when it cannot tell; Retry when asking failed."""
        ...

    def redact(self, text: str) -> str:
        """`text` with this connector's secrets masked (for logs of unexpected faults)."""
        ...

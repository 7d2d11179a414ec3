"""Values that flow forward through the pipeline, one stage to the next.

source -> Frame -> decode -> Decoded -> extract -> LabelFacts -> match -> Outcome

Every value here is a frozen dataclass: a stage never changes what it was
given, it returns something new.  Expected outcomes (no label, ambiguous,
refused) are values; only real faults raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


@dataclass(frozen=True, eq=False)
class Frame:
    """One image to read: pixels in BGR plus where they came from."""

    image: np.ndarray
    source: str  # a file path, a camera name, "memory"
    sha256: str = ""


@dataclass(frozen=True)
class BarcodeRead:
    """One decoded symbol; box[0] -> box[1] runs along its reading direction."""

    text: str
    format: str  # e.g. "Code128", "QRCode"
    engine: str  # "zxing" | "zbar"
    box: Quad


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: Quad

    @property
    def center(self) -> Point:
        n = len(self.box)
        return sum(x for x, _ in self.box) / n, sum(y for _, y in self.box) / n


@dataclass(frozen=True)
class Decoded:
    """What the engines saw on one frame, before any interpretation."""

    barcodes: tuple[BarcodeRead, ...]
    lines: tuple[TextLine, ...]
    # Text lines left unrecognised because the lines nearer the barcode
    # already settled the decision (pipeline.reading).  A lower bound: the
    # label beyond the band around its barcode, never detected, counts as one.
    unread_lines: int = 0


class Via(StrEnum):
    BARCODE = "barcode"
    OCR = "ocr"
    BOTH = "barcode+ocr"
    GUN = "gun"  # a barcode gun's read typed in at the desk (the web page's scan input)


@dataclass(frozen=True)
class Candidate:
    """A waybill number that fits a carrier's format, with how it was read."""

    number: str
    carrier: str  # carrier code from pipeline.carriers, e.g. "SF"
    via: Via
    confidence: float
    ocr_reads: int = 0  # how many OCR lines carried this exact number
    barcode_reads: int = 0


class Role(StrEnum):
    """Whose name, phone and address a group on the label is, when the label says (收件人 / 寄件人)."""

    RECIPIENT = "recipient"
    SENDER = "sender"
    UNKNOWN = ""


@dataclass(frozen=True)
class Person:
    """A name / phone / address group read off a label (recipient or sender)."""

    name: str
    phone_tail: str  # last 4 digits, the only part labels print reliably
    address: str
    role: Role = Role.UNKNOWN


class ConflictKind(StrEnum):
    # An OCR line read a barcoded number a character or two off, and the
    # barcode and the other OCR reads agree: the barcode's number stands.
    OCR_MISREAD = "ocr_misread"
    # The printed number and the barcode disagree: a person must look.
    BARCODE_OCR_DISAGREE = "barcode_ocr_disagree"


@dataclass(frozen=True)
class Conflict:
    """Two reads of one number that differ: kept as evidence, never silently corrected."""

    kind: ConflictKind
    barcode: str
    ocr: str

    def __str__(self) -> str:
        if self.kind is ConflictKind.OCR_MISREAD:
            return f"ocr misread {self.ocr} of barcode {self.barcode}; barcode and other OCR reads agree"
        return f"barcode_ocr_disagree: barcode {self.barcode} vs OCR {self.ocr}"


@dataclass(frozen=True)
class LabelFacts:
    """What the label says, read from the engines' output by carrier rules."""

    candidates: tuple[Candidate, ...]
    order_numbers: tuple[str, ...]  # digit runs shaped like marketplace order numbers
    people: tuple[Person, ...]
    # Numbers that fit a carrier but were refused, and why: kept as evidence.
    conflicts: tuple[Conflict, ...] = ()


class Status(StrEnum):
    QUEUED = "queued"
    REVIEW = "review"
    REJECTED = "rejected"
    NO_WAYBILL = "no_waybill"
    ERROR = "error"


class Reason(StrEnum):
    """Why a photo was not queued.  Codes are stable: tools and people key on them."""

    MULTIPLE_WAYBILLS = "multiple_waybills"
    MULTIPLE_LABELS = "multiple_labels"  # bars of a second (older) label that no engine read: a reused box
    BARCODE_OCR_DISAGREE = "barcode_ocr_disagree"
    OCR_UNCONFIRMED = "ocr_unconfirmed"
    NO_MATCHING_ORDER = "no_matching_order"
    AMBIGUOUS_ORDER = "ambiguous_order"
    ORDER_NOT_AWAITING_SHIPMENT = "order_not_awaiting_shipment"
    WAYBILL_ON_OTHER_ORDER = "waybill_on_other_order"
    ALREADY_QUEUED = "already_queued"
    ORDER_HAS_OTHER_WAYBILL = "order_has_other_waybill"
    UNREADABLE_IMAGE = "unreadable_image"
    DUPLICATE_PHOTO = "duplicate_photo"  # the same bytes were scanned before (drop folder)
    LINK_OUTSIDE_FOLDER = "link_outside_folder"  # a symlink in the drop folder points elsewhere
    CARRIER_NOT_USED = "carrier_not_used"  # the shop does not ship with this carrier (setting shop_carriers)
    PAIR_MISMATCH = "pair_mismatch"  # desk pairing: the label contradicts the pick list scanned with it
    PICK_LIST = "pick_list"  # desk pairing: an order's pick list, waiting for (or completing) its label
    UNKNOWN_CODE = "unknown_code"  # a gun read that is neither a carrier's waybill number nor an order number
    REFUND_IN_PROGRESS = "refund_in_progress"  # the buyer asked for a refund: a person decides whether it ships


class OrderStatus(StrEnum):
    """An order's state, whatever marketplace or export it came from (store.order_source maps them)."""

    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"  # seller shipped, buyer has not confirmed
    COMPLETED = "completed"  # trade finished
    CLOSED = "closed"  # cancelled, refunded in full, or closed by the platform
    UNKNOWN = "unknown"


class MatchVia(StrEnum):
    """How a label's order was found."""

    ORDER_NUMBER = "order_number"  # printed on the label
    RECIPIENT = "recipient"  # name, phone tail and address
    DESK_PAIR = "desk_pair"  # the pick list scanned with it at the desk


@dataclass(frozen=True)
class OrderRef:
    """The slice of an order that matching needs and reports."""

    tid: str
    status: str  # an OrderStatus value
    receiver_name: str
    phone_tail: str
    address: str
    waybill: str | None
    refund: str = ""  # a RefundState value: "" unknown, none, in_progress, refunded
    shop: str = "default"  # capture.shops.DEFAULT_SHOP; which of the seller's shops it is in

    @property
    def refund_in_progress(self) -> bool:
        return self.refund == RefundState.IN_PROGRESS


class RefundState(StrEnum):
    """Where an order's refund is, as the last import or pull said (store.order_source maps them)."""

    UNKNOWN = ""  # the source did not say
    NONE = "none"  # no refund asked, or one refused or withdrawn
    IN_PROGRESS = "in_progress"  # asked for and not settled: the parcel must not leave
    REFUNDED = "refunded"  # paid back


@dataclass(frozen=True)
class OrderScore:
    """How well the recipient read off a label fits one order (pipeline.recipient).

    Each part is 0-1; `score` is their weighted sum over the parts the label
    showed (`unread` names those it did not).  Kept for every order looked
    at, so review shows the runners-up and why they lost.
    """

    tid: str
    status: str
    score: float
    name: float
    phone: float
    address: float
    unread: tuple[str, ...] = ()  # "name", "phone", "address": not on the label as read


@dataclass(frozen=True)
class Outcome:
    """The decision for one frame, with the evidence that led to it."""

    status: Status
    reasons: tuple[Reason, ...] = ()
    candidate: Candidate | None = None
    order: OrderRef | None = None
    candidates: tuple[Candidate, ...] = ()
    orders_considered: tuple[OrderRef, ...] = ()
    detail: str = ""
    match_via: MatchVia | None = None
    # Recipient scores of the orders looked at, best first (runners-up included).
    scores: tuple[OrderScore, ...] = ()
    # One parcel for several orders of one buyer (setting merge_shipments): the
    # waybill is queued for `order` and for each of these.
    also_orders: tuple[OrderRef, ...] = ()

    @property
    def orders(self) -> tuple[OrderRef, ...]:
        """Every order this decision ships (the order, then any merged with it)."""
        return ((self.order,) if self.order else ()) + self.also_orders

    @property
    def confidence(self) -> float:
        return self.candidate.confidence if self.candidate else 0.0


@dataclass(frozen=True)
class ScanResult:
    """One photo's full result as the API returns it (and --json prints it)."""

    path: str
    outcome: Outcome
    decoded: Decoded | None
    ms: float
    scan_id: int | None = None
    facts: LabelFacts | None = field(default=None)


@dataclass(frozen=True)
class ScanSummary:
    """An earlier scan, as the drop folder needs it to recognise a photo it has seen."""

    id: int
    path: str
    status: str
    waybill: str | None
    carrier: str | None
    via: str | None
    confidence: float
    order_tid: str | None
    reasons: list[str]
    created_at: datetime

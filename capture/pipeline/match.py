"""Match stage: which open order a label belongs to, and whether it is safe to queue.

The order lookup is passed in (an `OrderLookup`), so this stage does no I/O
of its own.  The rules lean one way: one wrong number uploaded is worse than
ten left for review, so anything short of a single clear answer is review.

Which order, in this order of trust:

1. the order number printed on the label (always wins);
2. the order the packer paired with this label at a desk (the pick list
   scanned just before or after), unless the label plainly names someone
   else;
3. the recipient: every order sharing the label's phone tail or name is
   scored (pipeline.recipient); the best open order must fit and lead the
   others clearly.  Several open orders of one buyer to one address ship
   together only when the shop says so (setting merge_shipments).

Then the checks before queueing (pipeline.checks), the same a person's
decision goes through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from capture.pipeline import candidates, checks, recipient
from capture.pipeline.candidates import OrderLookup
from capture.pipeline.checks import Refusal
from capture.pipeline.extract import near_miss
from capture.pipeline.recipient import address_similarity  # noqa: F401  (part of this stage's interface)
from capture.types import (
    Candidate,
    ConflictKind,
    LabelFacts,
    MatchVia,
    OrderRef,
    OrderScore,
    OrderStatus,
    Outcome,
    Person,
    Reason,
    Role,
    Status,
    Via,
)

# Below this a candidate is reported but sent to review, never queued.
QUEUE_MIN_CONFIDENCE = 0.85
# Runners-up kept in the outcome (and the evidence) for review.
SCORES_KEPT = 5


@dataclass(frozen=True)
class MatchPolicy:
    """The shop's choices that change a decision (from Settings, see pipeline.run)."""

    merge_shipments: bool = False  # 合并发货: one parcel may ship one buyer's open orders together
    shop_carriers: frozenset[str] = frozenset()  # carrier codes the shop ships with; empty: any
    # A shop's own list ([shops.NAME] shop_carriers) for its orders, where it has one.
    carriers_by_shop: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    orders: tuple[OrderRef, ...]  # the decided order(s), first is the main one; empty if none
    named: tuple[str, ...]  # tids the label points at, decided or not (not "another order" for its number)
    considered: tuple[OrderRef, ...]
    via: MatchVia | None
    scores: tuple[OrderScore, ...] = ()
    refusal: Refusal | None = None


def decide(
    facts: LabelFacts, orders: OrderLookup, policy: MatchPolicy = MatchPolicy(), paired_tid: str | None = None
) -> Outcome:
    """The decision for one label; `paired_tid` is the order a desk pairing names for it."""
    paired = orders.by_tid(paired_tid) if paired_tid else None
    candidates = facts.candidates
    if not candidates:
        return Outcome(Status.NO_WAYBILL)
    if len(candidates) > 1:
        reason = Reason.OCR_UNCONFIRMED if _ocr_reads_of_one_number(candidates) else Reason.MULTIPLE_WAYBILLS
        return _unsure_number(facts, orders, policy, paired, None, reason, ", ".join(c.number for c in candidates))
    candidate = candidates[0]
    disagreements = [str(c) for c in facts.conflicts if c.kind is ConflictKind.BARCODE_OCR_DISAGREE]
    if disagreements:
        return _unsure_number(
            facts, orders, policy, paired, candidate, Reason.BARCODE_OCR_DISAGREE, "; ".join(disagreements)
        )
    return _match_order(candidate, facts, orders, policy, paired)


def settled(outcome: Outcome) -> bool:
    """Whether the label's lines not yet read could not change this decision (see pipeline.reading).

    Only a queue or a rejection stops the reading early, and only once the
    number printed on the label has been read and agrees with the barcode; a
    review reads the whole label, for the person who looks at it.  The order
    must be known for certain: named by the label's order number, or by a
    recipient no other order of the shop, open or not, resembles.  An order
    number further down the label could then only name an order for somebody
    else, which the label's own recipient block, printed from the same
    order, rules out.  A rejection is about the number and that order (the
    number is on another order, the order is closed, it is queued already),
    so what else the label says cannot turn it into a queue.
    """
    if outcome.status not in (Status.QUEUED, Status.REJECTED) or outcome.order is None:
        return False
    if outcome.candidate is None or outcome.candidate.via is not Via.BOTH:
        return False  # the printed number is still to be read, to confirm the barcode (a misprint is review)
    if outcome.match_via == MatchVia.ORDER_NUMBER:
        return True
    if outcome.match_via != MatchVia.RECIPIENT or outcome.also_orders:
        return False
    return all(s.score < recipient.IRRELEVANT_BELOW for s in outcome.scores if s.tid != outcome.order.tid)


def _unsure_number(
    facts: LabelFacts,
    lookup: OrderLookup,
    policy: MatchPolicy,
    paired: OrderRef | None,
    candidate: Candidate | None,
    reason: Reason,
    detail: str,
) -> Outcome:
    """Review for the number; the order is still looked for, so the person sees it."""
    found = _find_order(facts, lookup, policy, paired)
    return Outcome(
        Status.REVIEW,
        (reason,),
        candidate=candidate,
        candidates=facts.candidates,
        order=found.orders[0] if found.orders else None,
        orders_considered=found.considered,
        detail=detail,
        match_via=found.via,
        scores=found.scores[:SCORES_KEPT],
        also_orders=found.orders[1:],
    )


def _ocr_reads_of_one_number(candidates: tuple[Candidate, ...]) -> bool:
    """OCR-only reads of one carrier that differ by a character or two: one number misread."""
    first = candidates[0]
    return (
        all(
            c.via is Via.OCR and c.carrier == first.carrier and near_miss(c.number, first.number)
            for c in candidates[1:]
        )
        and first.via is Via.OCR
    )


def _match_order(
    candidate: Candidate, facts: LabelFacts, lookup: OrderLookup, policy: MatchPolicy, paired: OrderRef | None
) -> Outcome:
    found = _find_order(facts, lookup, policy, paired)
    base = Outcome(
        Status.REVIEW,
        candidate=candidate,
        candidates=facts.candidates,
        order=found.orders[0] if found.orders else None,
        orders_considered=found.considered,
        match_via=found.via,
        scores=found.scores[:SCORES_KEPT],
        also_orders=found.orders[1:],
    )
    refusal = checks.waybill_elsewhere(candidate.number, found.named, lookup) or checks.carrier_fits(
        candidate.carrier, found.orders, policy.shop_carriers, policy.carriers_by_shop
    )
    if refusal is None and not found.orders:
        refusal = found.refusal or Refusal(Status.REVIEW, Reason.NO_MATCHING_ORDER, "")
    if refusal is None:
        refusal = (
            checks.orders_open(found.orders, candidate.number, lookup=lookup)
            or checks.no_refund_asked(found.orders)
            or checks.not_queued_yet(candidate.number, found.orders, lookup)
        )
    if refusal is None and candidate.confidence < QUEUE_MIN_CONFIDENCE:
        refusal = Refusal(
            Status.REVIEW, Reason.OCR_UNCONFIRMED, f"confidence {candidate.confidence:.2f} below {QUEUE_MIN_CONFIDENCE}"
        )
    if refusal is not None:
        return refused(base, refusal)
    return replace(base, status=Status.QUEUED)


def refused(base: Outcome, refusal: Refusal) -> Outcome:
    """`base` with the refusal's status, reason and detail."""
    return replace(base, status=refusal.status, reasons=(refusal.reason,), detail=refusal.detail)


def _find_order(facts: LabelFacts, lookup: OrderLookup, policy: MatchPolicy, paired: OrderRef | None) -> _Found:
    printed = [o for o in (lookup.by_tid(tid) for tid in facts.order_numbers) if o is not None]
    if len(printed) > 1:
        tids = tuple(o.tid for o in printed)
        why = Refusal(Status.REVIEW, Reason.AMBIGUOUS_ORDER, f"label shows {len(printed)} known order numbers")
        return _Found((), tids, tuple(printed), MatchVia.ORDER_NUMBER, refusal=why)
    if printed:
        order = printed[0]
        if paired is not None and paired.tid != order.tid:
            why = Refusal(
                Status.REVIEW,
                Reason.PAIR_MISMATCH,
                f"the label prints order {order.tid}, the pick list scanned with it is {paired.tid}",
            )
            return _Found((), (order.tid, paired.tid), (order, paired), MatchVia.ORDER_NUMBER, refusal=why)
        return _Found(
            (order,), (order.tid,), (order,), MatchVia.ORDER_NUMBER, (recipient.best_score(_recipients(facts), order),)
        )
    if paired is not None:
        return _by_pair(facts, paired)
    return _by_recipient(facts, lookup, policy)


def _recipients(facts: LabelFacts) -> tuple[Person, ...]:
    """People on the label who may be the recipient: everyone but a named sender."""
    return tuple(p for p in facts.people if p.role is not Role.SENDER)


def _by_pair(facts: LabelFacts, paired: OrderRef) -> _Found:
    people = _recipients(facts)
    score = recipient.best_score(people, paired)
    if people and recipient.contradicts(score):
        why = Refusal(
            Status.REVIEW,
            Reason.PAIR_MISMATCH,
            f"the pick list is order {paired.tid} ({paired.receiver_name}, phone tail {paired.phone_tail}) "
            f"but the label reads {_people_text(people)}",
        )
        return _Found((), (paired.tid,), (paired,), MatchVia.DESK_PAIR, (score,), why)
    return _Found((paired,), (paired.tid,), (paired,), MatchVia.DESK_PAIR, (score,))


def _people_text(people: tuple[Person, ...]) -> str:
    return "; ".join(f"{p.name or '?'} tail {p.phone_tail or '?'}" for p in people)


def _by_recipient(facts: LabelFacts, lookup: OrderLookup, policy: MatchPolicy) -> _Found:
    people = _recipients(facts)
    pool = candidates.candidate_orders(people, lookup)
    considered = tuple(pool.values())
    scores = tuple(sorted((recipient.best_score(people, o) for o in considered), key=lambda s: (-s.score, s.tid)))
    open_scores = [s for s in scores if s.status == OrderStatus.AWAITING_SHIPMENT]
    fitting = [s for s in open_scores if recipient.fits(s)]
    if not fitting and people:
        pool.update(candidates.near_misses(people, pool, lookup))
        pool.update(candidates.at_address(people, pool, lookup))
        considered = tuple(pool.values())
        scores = tuple(sorted((recipient.best_score(people, o) for o in considered), key=lambda s: (-s.score, s.tid)))
    if not fitting:
        why = Refusal(Status.REVIEW, Reason.NO_MATCHING_ORDER, _no_fit_detail(people, scores, pool))
        return _Found((), (), considered, MatchVia.RECIPIENT if people else None, scores, why)

    top = pool[fitting[0].tid]
    same_buyer = tuple(pool[s.tid] for s in fitting[1:] if recipient.same_recipient(top, pool[s.tid]))
    siblings = {o.tid for o in same_buyer}
    rivals = [
        s
        for s in open_scores
        if s.tid != top.tid and s.tid not in siblings and fitting[0].score - s.score < recipient.CLEAR_MARGIN
    ]
    named = (top.tid, *siblings, *(s.tid for s in rivals))
    if rivals:
        listed = ", ".join(f"{s.tid} {s.score:.2f}" for s in (fitting[0], *rivals))
        why = Refusal(
            Status.REVIEW, Reason.AMBIGUOUS_ORDER, f"{1 + len(rivals)} open orders fit the recipient: {listed}"
        )
        return _Found((), named, considered, MatchVia.RECIPIENT, scores, why)
    if same_buyer and not policy.merge_shipments:
        tids = ", ".join((top.tid, *(o.tid for o in same_buyer)))
        why = Refusal(
            Status.REVIEW,
            Reason.AMBIGUOUS_ORDER,
            f"one buyer has {1 + len(same_buyer)} open orders to this address ({tids}); merge_shipments is off, "
            "so a person says whether this parcel ships them all",
        )
        return _Found((), named, considered, MatchVia.RECIPIENT, scores, why)
    return _Found((top, *same_buyer), named, considered, MatchVia.RECIPIENT, scores)


# What the platform writes for a receiver it hides (Taobao's privacy masking: 张**, 浙江省杭州市****).
ADDRESS_MASK = "**"


def receiver_hidden(order: OrderRef) -> bool:
    """The marketplace gave this order with its receiver masked: no label can be matched to it by recipient."""
    return recipient.is_masked(order.receiver_name) or ADDRESS_MASK in order.address


def _no_fit_detail(people: tuple[Person, ...], scores: tuple[OrderScore, ...], pool: dict[str, OrderRef]) -> str:
    if not people:
        return "no recipient read on the label"
    if not scores:
        return f"no order with the phone tail or name of {_people_text(people)}"
    best = scores[0]
    if receiver_hidden(pool[best.tid]):
        return (
            f"closest: order {best.tid}, whose receiver the marketplace masked ({pool[best.tid].receiver_name}): "
            "a recipient match is not possible; scan the order number on the label or the pick list (desk pairing)"
        )
    state = "" if best.status == OrderStatus.AWAITING_SHIPMENT else f", {best.status}"
    parts = ", ".join(
        f"{part} not read" if part in best.unread else f"{part} {value:.2f}"
        for part, value in (("name", best.name), ("phone", best.phone), ("address", best.address))
    )
    return (
        f"closest: order {best.tid}{state} at {best.score:.2f} ({parts}); an order needs "
        f"{recipient.ACCEPT_MIN_SCORE:.2f} and every part read (two at least, nearly certain when one is missing)"
    )

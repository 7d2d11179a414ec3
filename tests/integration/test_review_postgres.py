"""Matching, review, the audit trail and desk pairing on a real PostgreSQL server.

The same store code runs on both databases; PostgreSQL is where row locks,
time zones and strict types would show a difference.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from capture import desk_pairing, review
from capture.pipeline.match import MatchPolicy, decide
from capture.review import Choice, Resolution
from capture.store import audit, repo
from capture.store.db import session_scope
from capture.store.order_source import OrderRow, upsert_orders
from capture.store.tables import OrderStatus
from capture.types import Candidate, LabelFacts, Outcome, Person, Reason, Role, Status, Via
from tests.scan_rows import commit_decided

A, B, C = "2200000000000000001", "2200000000000000002", "2200000000000000003"
NUMBER = "SF1234567890123"
BUYER = Person("赵敏", "4444", "江苏省苏州市吴中区东风路9号", Role.RECIPIENT)


def row(tid: str, name: str, phone: str, address: str) -> OrderRow:
    return OrderRow(
        tid, OrderStatus.AWAITING_SHIPMENT, "WAIT_SELLER_SEND_GOODS", "b", name, phone, phone[-4:], address, None, ""
    )


def facts(*people: Person, number: str = NUMBER, order_numbers: tuple[str, ...] = ()) -> LabelFacts:
    return LabelFacts((Candidate(number, "SF", Via.BOTH, 0.99),), order_numbers, people)


ANY_SHOP = MatchPolicy()


def scan(
    session: Session, f: LabelFacts, policy: MatchPolicy = ANY_SHOP, paired: str | None = None
) -> tuple[Outcome, int]:
    out = decide(f, repo.SqlOrderLookup(session), policy, paired)
    return out, commit_decided(session, f, out, "台面/IMG_1.jpg")


def test_review_merge_and_desk_pairing_on_postgresql(pg_engine: Engine) -> None:
    with session_scope(pg_engine) as s:
        upsert_orders(
            s,
            [
                row(A, "赵敏", "13800004444", "江苏省 苏州市 吴中区 东风路9号(215100)"),
                row(B, "赵敏", "138****4444", "江苏省 苏州市 吴中区 东风路9号(215100)"),
                row(C, "钱七", "13900005555", "四川省 成都市 武侯区 人民路5号(610041)"),
            ],
            "test",
        )
    with session_scope(pg_engine) as s:
        out, _ = scan(s, facts(BUYER))
        assert out.reasons == (Reason.AMBIGUOUS_ORDER,)
    with session_scope(pg_engine) as s:
        (item,) = review.entries(s)
        assert {o.tid for o in item.orders} == {A, B}
        done = review.resolve(
            s, item.id, Resolution(Choice.ACCEPT, orders=(A, B)), audit.person_actor("ann"), MatchPolicy()
        )
        assert done.orders == (A, B)
    with session_scope(pg_engine) as s:
        # One parcel for both: the printed number of one names its sibling as the same shipment.
        again, _ = scan(s, facts(BUYER, order_numbers=(A,)))
        assert again.reasons == (Reason.ALREADY_QUEUED,)
        assert [e.action for e in audit.history(s, A)][:2] == ["scan", "review_accept"]
        label, _ = scan(s, facts(Person("钱七", "5555", "四川省成都市武侯区人民路5号"), number="SF1234567890999"))
        assert label.status is Status.QUEUED and label.order is not None and label.order.tid == C
    with session_scope(pg_engine) as s:
        # Desk: a pick list held for the station, then a label with that order's recipient (a re-scan here).
        waiting = desk_pairing.pair_order(s, C, "desk1", MatchPolicy(), 60.0)
        assert waiting.state == "waiting"
        held = desk_pairing.step(
            s, "desk1", facts(Person("钱七", "5555", ""), number="SF1234567890999"), MatchPolicy(), 60.0
        )
        assert held.outcome.reasons == (Reason.ALREADY_QUEUED,) and held.outcome.match_via == "desk_pair"

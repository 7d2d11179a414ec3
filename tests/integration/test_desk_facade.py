"""The facade functions the desk pages use, without a browser: gun reads, users and sessions, order search."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from capture import api
from capture import settings as settings_mod
from capture.api import gun, users
from capture.api.orders import search_orders
from capture.errors import AccountError, BadArguments
from capture.settings import Settings
from capture.store.db import session_scope
from capture.store.tables import Order, Scan

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    made = settings_mod.load(env={}, db_url=f"sqlite:///{tmp_path / 'desk.db'}")
    api.import_orders(ROOT / "samples" / "orders.csv", made)
    return made


def open_order(settings: Settings) -> Order:
    with session_scope(api.database(settings)) as session:
        found = session.exec(
            select(Order).where(col(Order.status) == "awaiting_shipment").order_by(col(Order.tid))
        ).first()
        assert found is not None
        session.expunge(found)
        return found


def test_a_gun_read_of_a_waybill_after_its_pick_list_is_queued_and_recorded_as_a_gun_read(settings: Settings) -> None:
    order = open_order(settings)
    held = gun.read_code(order.tid, "A", settings)
    assert held.result.outcome.status.value == "no_waybill" and held.pair is not None
    assert held.pair.state == "waiting"
    read = gun.read_code(" sf1234567890123 ", "A", settings)  # as printed: spaces and lower case
    outcome = read.result.outcome
    assert outcome.status.value == "queued" and outcome.order is not None and outcome.order.tid == order.tid
    assert outcome.candidate is not None and outcome.candidate.via.value == "gun"
    with session_scope(api.database(settings)) as session:
        scan = session.get(Scan, read.result.scan_id)
        assert scan is not None and (scan.path, scan.via, scan.engines) == ("gun:A", "gun", "gun")


def test_a_gun_read_is_checked_by_the_carrier_rules(settings: Settings) -> None:
    bad_check_digit = gun.read_code("EA123456788CN", "A", settings)  # an S10 number whose check digit is wrong
    assert bad_check_digit.result.outcome.reasons[0].value == "unknown_code"
    assert bad_check_digit.result.scan_id is None  # neither is not recorded


def test_an_order_number_nobody_imported_says_so(settings: Settings) -> None:
    unknown = gun.read_code("1234567890123456789", "A", settings)
    assert unknown.result.outcome.status.value == "no_waybill"
    assert unknown.result.outcome.reasons[0].value == "no_matching_order"


def test_a_pick_list_needs_a_station_and_a_read_needs_text(settings: Settings) -> None:
    with pytest.raises(BadArguments):
        gun.read_code(open_order(settings).tid, None, settings)
    with pytest.raises(BadArguments):
        gun.read_code("   ", "A", settings)


def test_orders_are_found_by_number_phone_tail_or_name(settings: Settings) -> None:
    order = open_order(settings)
    assert [o.tid for o in search_orders(order.tid, settings)] == [order.tid]
    assert order.tid in [o.tid for o in search_orders(order.phone_tail, settings)]
    assert order.tid in [o.tid for o in search_orders(order.receiver_name, settings)]
    assert search_orders("  ", settings) == []


def test_sign_in_gives_a_session_only_for_the_right_password_of_an_enabled_user(settings: Settings) -> None:
    users.add_user("lin", "packer", "long-password", settings)
    assert users.sign_in("lin", "wrong-password", settings) is None
    assert users.sign_in("nobody", "long-password", settings) is None
    cookie = users.sign_in("lin", "long-password", settings)
    assert cookie is not None
    assert users.by_session(cookie, settings) == users.Identity("lin", "packer")
    users.disable_user("lin", settings)
    assert users.by_session(cookie, settings) is None  # disabling signs the user's browsers out
    assert users.sign_in("lin", "long-password", settings) is None


def test_users_are_refused_for_bad_names_roles_and_short_passwords(settings: Settings) -> None:
    for name, role, password in (
        ("a b", "packer", "long-password"),
        ("x", "boss", "long-password"),
        ("x", "packer", "short"),
    ):
        with pytest.raises(AccountError):
            users.add_user(name, role, password, settings)
    users.add_user("x", "packer", "long-password", settings)
    with pytest.raises(AccountError):
        users.add_user("x", "admin", "long-password", settings)
    with pytest.raises(AccountError):
        users.issue_token("nobody", settings)

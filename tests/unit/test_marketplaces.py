"""Shops and marketplaces: the settings contract, the registry, order numbers and matching across shops."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture import settings as settings_mod
from capture.errors import CredentialsError, SettingsError
from capture.marketplaces import registry
from capture.marketplaces.pdd import credentials as pdd_credentials
from capture.marketplaces.pdd.client import sign
from capture.marketplaces.pdd.orders import PDD_DIALECT, api_status, order_to_row
from capture.pipeline.extract import ORDER_NUMBER
from capture.pipeline.match import MatchPolicy, decide
from capture.shops import MARKETPLACE_NAMES
from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.store.order_source import OrderRow, parse_order_status, upsert_orders
from capture.types import Candidate, LabelFacts, OrderStatus, Person, Reason, Status, Via
from tests.fakes.pdd_server import pdd_sign

PDD_ORDER = "230530-531418387930174"
ADDR = "广东省深圳市南山区科技园1号"


def load(tmp_path: Path, text: str) -> settings_mod.Settings:
    path = tmp_path / "waybill.toml"
    path.write_text(text, encoding="utf-8")
    return settings_mod.load(config=str(path), env={})


def test_every_marketplace_a_shop_may_name_can_at_least_import_its_orders() -> None:
    assert set(registry.DIALECTS) == set(MARKETPLACE_NAMES)
    assert set(registry.MARKETPLACES) <= set(MARKETPLACE_NAMES)


def test_shops_come_from_their_tables_and_the_default_taobao_shop_is_always_there(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        '[shops.tmall_main]\nmarketplace = "taobao"\n\n[shops.pdd_outlet]\nmarketplace = "pdd"\n'
        'endpoint = "http://127.0.0.1:9/api/router"\nshop_carriers = "ZTO"\n',
    )
    assert [(s.name, s.marketplace) for s in settings.all_shops] == [
        ("default", "taobao"),
        ("pdd_outlet", "pdd"),
        ("tmall_main", "taobao"),
    ]
    assert settings.shop("pdd_outlet").endpoint == "http://127.0.0.1:9/api/router"
    assert settings.carrier_codes_of_shop("pdd_outlet") == frozenset({"ZTO"})


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('[shops.x1]\nmarketplace = "jd"\n', "marketplace to one of taobao, pdd, douyin"),
        ('[shops.Big-Shop]\nmarketplace = "pdd"\n', "lower-case letters"),
        ('[shops.x1]\nmarketplace = "pdd"\nclient_secret = "s"\n', "secrets go in the environment"),
        ('[shops.x1]\nmarketplace = "pdd"\nshop_carriers = "NOPE"\n', "unknown carrier"),
    ],
)
def test_a_wrong_shop_table_says_what_to_write(tmp_path: Path, table: str, says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, table)
    assert says in str(raised.value)


def test_an_unknown_shop_name_lists_the_known_ones(tmp_path: Path) -> None:
    settings = load(tmp_path, '[shops.pdd_main]\nmarketplace = "pdd"\n')
    with pytest.raises(SettingsError) as raised:
        settings.shop("pdd_mian")
    assert "default, pdd_main" in str(raised.value)


def test_pinduoduo_signing_agrees_with_the_fakes_own_reading_of_the_rule() -> None:
    params = {"type": "pdd.logistics.online.send", "client_id": "abc", "timestamp": "1700000000", "data_type": "JSON"}
    assert sign(params, "secret") == pdd_sign(params, "secret")
    assert sign(params, "secret") == sign(dict(reversed(params.items())), "secret")  # order-free
    assert sign(params, "secret").isupper() and len(sign(params, "secret")) == 32


def test_pinduoduo_order_numbers_and_statuses() -> None:
    assert PDD_DIALECT.order_number.accepts(PDD_ORDER)
    assert not PDD_DIALECT.order_number.accepts("2751925651837878487")
    assert parse_order_status("待发货", PDD_DIALECT.statuses) is OrderStatus.AWAITING_SHIPMENT
    assert parse_order_status("已发货，待签收", PDD_DIALECT.statuses) is OrderStatus.SHIPPED
    assert parse_order_status("未发货，退款成功", PDD_DIALECT.statuses) is OrderStatus.CLOSED
    assert api_status({"order_status": 1, "refund_status": 1})[0] is OrderStatus.AWAITING_SHIPMENT
    assert api_status({"order_status": 1, "refund_status": 3})[0] is OrderStatus.UNKNOWN  # refund under way
    assert api_status({"order_status": 1, "refund_status": 4})[0] is OrderStatus.CLOSED


def test_masked_and_encrypted_receivers_are_stored_as_unknown_never_as_values() -> None:
    row = order_to_row(
        {"order_sn": PDD_ORDER, "order_status": 2, "receiver_phone": "1387677****", "receiver_name": "~AgAAAAx1~"}
    )
    assert (row.receiver_phone_masked, row.phone_tail, row.receiver_name) == ("", "", "")


def test_a_printed_pinduoduo_order_number_is_read_off_the_label() -> None:
    assert ORDER_NUMBER.findall("订单号:230530-531418387930174 2023-05-30") == [PDD_ORDER]
    assert ORDER_NUMBER.findall("2751925651837878487") == ["2751925651837878487"]


@pytest.fixture
def two_shops(tmp_path: Path):
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")

    def row(tid: str, tail: str) -> OrderRow:
        return OrderRow(tid, OrderStatus.AWAITING_SHIPMENT, "", "", "张三", "*******" + tail, tail, ADDR, None, "")

    with session_scope(engine) as session:
        upsert_orders(session, [row("2751925651837878487", "5678")], source="t", shop="default")
        upsert_orders(session, [row(PDD_ORDER, "1234")], source="t", shop="pdd_main")
    return engine


def facts(order_numbers=(), people=()) -> LabelFacts:
    cand = Candidate(number="SF1234567890123", carrier="SF", via=Via.BOTH, confidence=0.99)
    return LabelFacts(candidates=(cand,), order_numbers=tuple(order_numbers), people=tuple(people), conflicts=())


def test_a_printed_order_number_finds_its_order_in_whichever_shop_holds_it(two_shops) -> None:
    with session_scope(two_shops) as session:
        out = decide(facts([PDD_ORDER], [Person("张三", "5678", ADDR)]), repo.SqlOrderLookup(session))
    assert out.status is Status.QUEUED
    assert [o.tid for o in out.orders] == [PDD_ORDER]


def test_a_recipient_in_two_shops_is_not_unique_and_goes_to_review(two_shops) -> None:
    with session_scope(two_shops) as session:
        out = decide(facts(people=[Person("张三", "", ADDR)]), repo.SqlOrderLookup(session))
    assert out.status is Status.REVIEW and out.reasons == (Reason.AMBIGUOUS_ORDER,)
    assert {o.tid for o in out.orders_considered} == {"2751925651837878487", PDD_ORDER}


def test_an_order_number_held_by_another_shop_is_not_moved(two_shops) -> None:
    row = OrderRow(PDD_ORDER, OrderStatus.CLOSED, "", "", "x", "", "", "", None, "")
    with session_scope(two_shops) as session:
        counts = upsert_orders(session, [row], source="t", shop="default")
    assert (counts.added, counts.updated, [other for _r, other in counts.elsewhere]) == (0, 0, ["pdd_main"])
    with session_scope(two_shops) as session:
        assert repo.SqlOrderLookup(session).by_tid(PDD_ORDER).shop == "pdd_main"  # type: ignore[union-attr]


def test_a_shops_own_carriers_decide_for_its_orders_and_the_global_setting_for_the_rest(two_shops) -> None:
    policy = MatchPolicy(carriers_by_shop={"pdd_main": frozenset({"ZTO"})})
    with session_scope(two_shops) as session:
        lookup = repo.SqlOrderLookup(session)
        pdd = decide(facts([PDD_ORDER]), lookup, policy)
        taobao = decide(facts(["2751925651837878487"]), lookup, policy)
    assert pdd.status is Status.REJECTED and pdd.reasons == (Reason.CARRIER_NOT_USED,)
    assert "shop pdd_main does not ship with SF" in pdd.detail
    assert taobao.status is Status.QUEUED


def test_a_shops_secrets_come_from_the_owner_only_file_and_the_environment_wins(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'shop_pdd_main_client_id = "file-id"\nshop_pdd_main_client_secret = "file-secret"\n'
        'shop_pdd_main_access_token = "file-token"\n',
        encoding="utf-8",
    )
    secrets.chmod(0o600)
    settings = load(tmp_path, f'secrets_file = "{secrets}"\n[shops.pdd_main]\nmarketplace = "pdd"\n')
    env = {"WAYBILL_SHOP_PDD_MAIN_ACCESS_TOKEN": "env-token"}

    creds = pdd_credentials.load(registry.context(settings, "pdd_main", env))

    assert (creds.client_id.reveal(), creds.access_token.reveal()) == ("file-id", "env-token")
    assert "file-secret" not in repr(creds)
    secrets.chmod(0o640)
    with pytest.raises(CredentialsError) as raised:
        pdd_credentials.load(registry.context(settings, "pdd_main", env))
    assert "chmod 600" in str(raised.value)


def test_douyin_order_numbers_and_export_statuses() -> None:
    dialect = registry.dialect("douyin")
    assert dialect.order_number.accepts("4981234567890123456")
    assert not dialect.order_number.accepts(PDD_ORDER)
    assert parse_order_status("备货中", dialect.statuses) is OrderStatus.AWAITING_SHIPMENT
    assert parse_order_status("已关闭", dialect.statuses) is OrderStatus.CLOSED

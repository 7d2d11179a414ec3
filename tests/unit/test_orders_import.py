"""Importing the seller back office's order export (订单导出) into the orders table.

Real CSV files in the encodings the back office and Excel write, a real
SQLite database: what is checked is what a user would see in the table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from capture.errors import InputFileError
from capture.store.db import open_engine, session_scope
from capture.store.order_source import OrderRow, mask_phone, parse_order_status, upsert_orders
from capture.store.orders_import import ImportReport, RowProblem, import_orders, read_orders_export
from capture.store.tables import Order, OrderStatus

HEADER = "订单编号,买家会员名,订单状态,收货人姓名,收货地址,联系电话,联系手机,物流公司,物流单号,宝贝标题"

AWAITING_SHIPMENT = "买家已付款，等待卖家发货"  # full-width comma, as the export writes it
SHIPPED = "卖家已发货，等待买家确认"

TID_A = "2751925651837878487"
TID_B = "2751925651837878488"
TID_C = "2751925651837878489"
TID_D = "2751925651837878490"
TID_E = "2751925651837878491"

MOBILE = "13812345678"
MOBILE_HIDDEN_PART = "1381234"  # what must never be stored


def order_line(
    tid: str,
    status: str = AWAITING_SHIPMENT,
    *,
    buyer: str = "tb_buyer",
    name: str = "张三",
    address: str = "浙江省 杭州市 西湖区 文三路1号",
    landline: str = "",
    mobile: str = "'" + MOBILE,
    carrier: str = "",
    waybill: str = "",
) -> str:
    """One data line in HEADER's column order (values written as given)."""
    return ",".join((tid, buyer, status, name, address, landline, mobile, carrier, waybill, "宝贝"))


def write_export(path: Path, lines: list[str], encoding: str = "gbk") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_engine(f"sqlite:///{tmp_path}/t.db")


def run_import(engine: Engine, path: Path) -> ImportReport:
    with session_scope(engine) as session:
        return import_orders(session, path)


def stored(engine: Engine) -> dict[str, dict]:
    with session_scope(engine) as session:
        return {order.tid: order.model_dump() for order in session.exec(select(Order))}


def order_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Order)).one()


# --- reading the file -------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_orders_import_with_their_status_in_each_export_encoding(tmp_path: Path, engine: Engine, encoding: str) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [
            HEADER,
            order_line(TID_A, "等待买家付款"),
            order_line(TID_B, AWAITING_SHIPMENT, name="李四"),
            order_line(TID_C, SHIPPED, carrier="中通快递", waybill="73123456789012"),
            order_line(TID_D, "交易成功"),
            order_line(TID_E, "交易关闭"),
        ],
        encoding,
    )

    report = run_import(engine, path)

    assert (report.added, report.updated, report.unchanged, report.problems) == (5, 0, 0, [])
    orders = stored(engine)
    assert {tid: o["status"] for tid, o in orders.items()} == {
        TID_A: OrderStatus.AWAITING_PAYMENT,
        TID_B: OrderStatus.AWAITING_SHIPMENT,
        TID_C: OrderStatus.SHIPPED,
        TID_D: OrderStatus.COMPLETED,
        TID_E: OrderStatus.CLOSED,
    }
    assert orders[TID_B]["receiver_name"] == "李四"
    assert orders[TID_B]["status_raw"] == AWAITING_SHIPMENT
    assert orders[TID_B]["receiver_address"] == "浙江省 杭州市 西湖区 文三路1号"
    assert orders[TID_B]["buyer"] == "tb_buyer"


def test_utf8_that_also_decodes_as_gb18030_is_read_as_utf8(tmp_path: Path, engine: Engine) -> None:
    # Stray BOMs around a header name are tolerated, and with them these bytes
    # happen to be valid GB18030 too: only trying UTF-8 first reads them right.
    content = f"订单编号,\ufeff订单状态\ufeff\r\n{TID_A},交易成功\r\n".encode()
    assert content.decode("gb18030")  # the trap is real
    path = tmp_path / "orders.csv"
    path.write_bytes(content)

    run_import(engine, path)

    order = stored(engine)[TID_A]
    assert (order["status"], order["status_raw"]) == (OrderStatus.COMPLETED, "交易成功")


def test_status_nobody_mapped_is_kept_as_unknown_with_its_wording(tmp_path: Path, engine: Engine) -> None:
    path = write_export(tmp_path / "orders.csv", [HEADER, order_line(TID_A, "拼团中，等待成团")])

    run_import(engine, path)

    order = stored(engine)[TID_A]
    assert (order["status"], order["status_raw"]) == (OrderStatus.UNKNOWN, "拼团中，等待成团")


def test_header_names_with_stray_spaces_bom_and_any_column_order_are_recognised(tmp_path: Path, engine: Engine) -> None:
    header = ",".join(
        ("备注", " 联系 手机 ", "\u3000收货人姓名\u3000", "\ufeff订单编号 ", "订单\u3000状态", "\t收货地址")
    )
    line = ",".join(("请尽快发货", MOBILE, "王五", TID_A, "交易成功", "上海市 浦东新区"))
    # utf-8-sig adds the file's BOM; the header keeps a second one, as a
    # re-saved export does.
    path = write_export(tmp_path / "orders.csv", [header, line], "utf-8-sig")

    report = run_import(engine, path)

    assert report.problems == []
    order = stored(engine)[TID_A]
    assert (order["status"], order["receiver_name"], order["phone_tail"]) == (OrderStatus.COMPLETED, "王五", "5678")
    assert order["receiver_address"] == "上海市 浦东新区"


def test_header_variants_for_phone_waybill_and_carrier_are_recognised(tmp_path: Path, engine: Engine) -> None:
    header = "订单编号,订单状态,收货人手机,运单号,快递公司"
    path = write_export(tmp_path / "orders.csv", [header, f"{TID_A},{SHIPPED},{MOBILE},SF1234567890123,顺丰"])

    run_import(engine, path)

    order = stored(engine)[TID_A]
    assert (order["phone_tail"], order["waybill"], order["carrier_name"]) == ("5678", "SF1234567890123", "顺丰速运")


def test_excel_number_wrappers_are_cleaned_from_values(tmp_path: Path, engine: Engine) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [
            HEADER,
            order_line(f'="{TID_A}"', mobile=f'="{MOBILE}"'),  # written bare, as the back office does
            order_line(f'"=""{TID_B}"""', waybill='"=""SF1234567890123"""'),  # the same, quoted by Excel
            order_line(f"'{TID_C}"),
            order_line(f"\t{TID_D}", waybill="\tYT1234567890123"),
            order_line(f"  {TID_E}  ", status=f"  {SHIPPED}  "),
        ],
    )

    report = run_import(engine, path)

    assert report.problems == []
    orders = stored(engine)
    assert set(orders) == {TID_A, TID_B, TID_C, TID_D, TID_E}
    assert orders[TID_A]["phone_tail"] == "5678"
    assert orders[TID_B]["waybill"] == "SF1234567890123"
    assert orders[TID_D]["waybill"] == "YT1234567890123"
    assert orders[TID_E]["status"] == OrderStatus.SHIPPED


def test_bad_rows_are_reported_by_file_line_while_the_rest_import(tmp_path: Path, engine: Engine) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [
            HEADER,  # line 1
            order_line(TID_A),  # 2
            order_line("abc123"),  # 3
            order_line(TID_B, address='"浙江省 杭州市\n文三路1号"'),  # 4-5: a quoted address spans two lines
            order_line(""),  # 6
            order_line("2.75193E+18"),  # 7: Excel rounded it
            order_line(TID_C),  # 8
            "",  # 9: blank lines are not rows
            order_line("2751925651837878499", address="浙江省,杭州市"),  # 10: unquoted comma shifts columns
            order_line(TID_D, name="名" * 200),  # 11: does not fit the table
            order_line(TID_E),  # 12
        ],
    )

    report = run_import(engine, path)

    assert [problem.line for problem in report.problems] == [3, 6, 7, 10, 11]
    reasons = {problem.line: problem.reason for problem in report.problems}
    assert "abc123" in reasons[3]
    assert "订单编号" in reasons[6]
    assert "Excel" in reasons[7]
    assert "comma" in reasons[10]
    assert "收货人姓名" in reasons[11]
    assert set(stored(engine)) == {TID_A, TID_B, TID_C, TID_E}
    assert report.added == 4


def test_an_order_twice_in_one_file_keeps_the_later_line_and_reports_the_earlier(
    tmp_path: Path, engine: Engine
) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [HEADER, order_line(TID_A, AWAITING_SHIPMENT), order_line(TID_B), order_line(TID_A, SHIPPED)],
    )

    report = run_import(engine, path)

    assert len(report.problems) == 1
    assert report.problems[0].line == 2
    assert "line 4" in report.problems[0].reason
    assert order_count(engine) == 2
    assert stored(engine)[TID_A]["status"] == OrderStatus.SHIPPED


def test_parsing_alone_touches_no_database_and_gives_rows_with_their_lines(tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders.csv", [HEADER, order_line(TID_A), order_line("x")], "utf-8")

    parsed = read_orders_export(path)

    assert [(row.tid, row.line) for row in parsed.rows] == [(TID_A, 2)]
    assert parsed.problems == [RowProblem(3, "order number 'x' is not all digits")]


# --- files that are not order exports --------------------------------------


def test_a_file_without_order_numbers_is_refused_naming_the_missing_column(tmp_path: Path, engine: Engine) -> None:
    path = write_export(tmp_path / "products.csv", ["商品名称,价格,库存", "苹果,3,10"])

    with pytest.raises(InputFileError) as raised:
        run_import(engine, path)

    message = str(raised.value)
    assert "no column 订单编号" in message
    assert "商品名称, 价格, 库存" in message  # what it did find
    assert "订单状态" in message  # what else it needs
    assert order_count(engine) == 0


def test_an_export_without_a_status_column_is_refused(tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders.csv", ["订单编号,收货人姓名", f"{TID_A},张三"])

    with pytest.raises(InputFileError, match="no column 订单状态"):
        read_orders_export(path)


def test_a_missing_file_is_an_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        read_orders_export(tmp_path / "nope.csv")


def test_an_excel_workbook_is_refused_with_advice_to_save_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)

    with pytest.raises(InputFileError, match="Excel workbook"):
        read_orders_export(path)


# --- re-import --------------------------------------------------------------


def test_reimport_updates_changed_orders_and_never_duplicates(tmp_path: Path, engine: Engine) -> None:
    first = [HEADER, order_line(TID_A), order_line(TID_B), order_line(TID_C)]
    run_import(engine, write_export(tmp_path / "monday.csv", first))
    later = [HEADER, order_line(TID_A), order_line(TID_B, SHIPPED, waybill="SF1234567890123"), order_line(TID_C)]

    report = run_import(engine, write_export(tmp_path / "tuesday.csv", later))

    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert order_count(engine) == 3
    orders = stored(engine)
    assert orders[TID_B]["status"] == OrderStatus.SHIPPED
    assert orders[TID_B]["source"].endswith("tuesday.csv")
    assert orders[TID_A]["source"].endswith("monday.csv")  # untouched rows keep where they came from


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path, engine: Engine) -> None:
    path = write_export(tmp_path / "orders.csv", [HEADER, order_line(TID_A), order_line(TID_B)])
    run_import(engine, path)
    before = stored(engine)

    report = run_import(engine, path)

    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)
    assert stored(engine) == before  # not even updated_at moved


def test_a_later_export_without_waybills_does_not_forget_them(tmp_path: Path, engine: Engine) -> None:
    run_import(
        engine, write_export(tmp_path / "full.csv", [HEADER, order_line(TID_A, SHIPPED, waybill="SF1234567890123")])
    )
    narrow = ["订单编号,订单状态", f"{TID_A},交易成功"]

    run_import(engine, write_export(tmp_path / "narrow.csv", narrow))

    order = stored(engine)[TID_A]
    assert (order["status"], order["waybill"], order["phone_tail"]) == (
        OrderStatus.COMPLETED,
        "SF1234567890123",
        "5678",
    )


# --- phones -----------------------------------------------------------------


def test_no_full_phone_number_reaches_the_database(tmp_path: Path, engine: Engine) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [
            HEADER,
            order_line(TID_A, mobile=MOBILE),
            order_line(TID_B, mobile="139****4321"),  # already masked by the platform
            order_line(TID_C, mobile="", landline="0571-88886666"),  # landline only
            order_line(TID_D, mobile=f'="{MOBILE}"', landline="0571-88886666"),
        ],
    )

    run_import(engine, path)

    with engine.connect() as connection:
        table_text = " ".join(str(value) for row in connection.execute(text("SELECT * FROM orders")) for value in row)
    for hidden in (MOBILE_HIDDEN_PART, "05718888", "0571-8888"):
        assert hidden not in table_text
    orders = stored(engine)
    assert {tid: (o["receiver_phone_masked"], o["phone_tail"]) for tid, o in orders.items()} == {
        TID_A: ("*******5678", "5678"),
        TID_B: ("*******4321", "4321"),
        TID_C: ("*******6666", "6666"),
        TID_D: ("*******5678", "5678"),  # the mobile wins over the landline
    }


def test_a_source_passing_a_full_phone_still_stores_only_its_tail(engine: Engine) -> None:
    careless = OrderRow(
        tid=TID_A,
        status=OrderStatus.AWAITING_SHIPMENT,
        status_raw="WAIT_SELLER_SEND_GOODS",
        buyer="tb_buyer",
        receiver_name="张三",
        receiver_phone_masked=MOBILE,
        phone_tail="5678",
        receiver_address="杭州",
        waybill=None,
        carrier_name="",
    )
    with session_scope(engine) as session:
        counts = upsert_orders(session, [careless], source="taobao-api")

    assert counts.added == 1
    assert stored(engine)[TID_A]["receiver_phone_masked"] == "*******5678"


def test_a_source_sending_one_order_twice_stores_it_once_with_the_later_status(engine: Engine) -> None:
    def api_row(status: str) -> OrderRow:
        return OrderRow(TID_A, parse_order_status(status), status, "tb_buyer", "张三", "", "", "杭州", None, "")

    with session_scope(engine) as session:
        upsert_orders(
            session, [api_row("WAIT_SELLER_SEND_GOODS"), api_row("WAIT_BUYER_CONFIRM_GOODS")], source="taobao-api"
        )

    assert order_count(engine) == 1
    assert stored(engine)[TID_A]["status"] == OrderStatus.SHIPPED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", ("*******5678", "5678")),
        ("138****5678", ("*******5678", "5678")),
        ("0571-88886666", ("*******6666", "6666")),
        ("+86 138 1234 5678", ("*******5678", "5678")),
        ("", ("", "")),
        ("无", ("", "")),
        ("1.38123E+10", ("", "")),  # Excel-rounded: the tail would be wrong
        ("见备注 1234", ("", "")),  # ends in digits, is not a phone number
        ("1381234****", ("", "")),  # the tail itself is hidden
    ],
)
def test_mask_phone_keeps_only_the_last_four_digits(raw: str, expected: tuple[str, str]) -> None:
    assert mask_phone(raw) == expected


# --- waybills ---------------------------------------------------------------


def test_waybill_is_remembered_on_shipped_orders(tmp_path: Path, engine: Engine) -> None:
    path = write_export(
        tmp_path / "orders.csv",
        [
            HEADER,
            order_line(TID_A, SHIPPED, carrier="中通", waybill="73123456789012"),
            order_line(TID_B, SHIPPED, carrier="圆通速递", waybill='"YT1234567890123，YT1234567890124"'),
            order_line(TID_C, AWAITING_SHIPMENT, waybill="No"),
            order_line(TID_D, AWAITING_SHIPMENT, waybill="无"),
            order_line(TID_E, AWAITING_SHIPMENT, waybill=""),
        ],
    )

    run_import(engine, path)

    orders = stored(engine)
    assert {tid: o["waybill"] for tid, o in orders.items()} == {
        TID_A: "73123456789012",
        TID_B: "YT1234567890123",  # several parcels: the first is kept
        TID_C: None,
        TID_D: None,
        TID_E: None,
    }
    assert orders[TID_A]["carrier_name"] == "中通快递"


# --- statuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("等待买家付款", OrderStatus.AWAITING_PAYMENT),
        ("买家已付款，等待卖家发货", OrderStatus.AWAITING_SHIPMENT),
        ("买家已付款,等待卖家发货", OrderStatus.AWAITING_SHIPMENT),
        ("等待卖家发货", OrderStatus.AWAITING_SHIPMENT),
        ("卖家部分发货", OrderStatus.AWAITING_SHIPMENT),
        ("卖家已发货，等待买家确认", OrderStatus.SHIPPED),
        ("已发货", OrderStatus.SHIPPED),
        ("交易成功", OrderStatus.COMPLETED),
        ("交易关闭", OrderStatus.CLOSED),
        ("交易关闭（退款）", OrderStatus.CLOSED),
        ("付款以前，卖家或买家主动关闭交易", OrderStatus.CLOSED),
        ("WAIT_BUYER_PAY", OrderStatus.AWAITING_PAYMENT),
        ("WAIT_SELLER_SEND_GOODS", OrderStatus.AWAITING_SHIPMENT),
        ("SELLER_CONSIGNED_PART", OrderStatus.AWAITING_SHIPMENT),
        ("WAIT_BUYER_CONFIRM_GOODS", OrderStatus.SHIPPED),
        ("TRADE_FINISHED", OrderStatus.COMPLETED),
        ("TRADE_CLOSED", OrderStatus.CLOSED),
        ("TRADE_CLOSED_BY_TAOBAO", OrderStatus.CLOSED),
        ("", OrderStatus.UNKNOWN),
        ("PAID_FORBID_CONSIGN", OrderStatus.UNKNOWN),
    ],
)
def test_marketplace_statuses_map_to_order_statuses(raw: str, expected: OrderStatus) -> None:
    assert parse_order_status(raw) == expected

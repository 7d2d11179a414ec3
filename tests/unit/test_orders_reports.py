"""The order report and the item report as sellers really have them (issue 14).

Real files: CSV in GBK, UTF-8 and UTF-16 (Excel's tab-separated "Unicode
Text"), and .xlsx workbooks written here with openpyxl; a real SQLite
database.  What is checked is what the user sees in the tables and the report.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from capture.errors import InputFileError
from capture.orders.columns import ReportKind
from capture.store.db import open_engine, session_scope
from capture.store.order_items import packing_notes
from capture.store.orders_import import ImportReport, import_orders, read_orders_export
from capture.store.tables import Order, OrderItem, OrderStatus

ORDER_HEADER = (
    "订单编号",
    "买家会员名",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址",
    "联系手机",
    "宝贝标题",
    "宝贝总数量",
    "物流单号",
    "物流公司",
    "订单备注",
)
ITEM_HEADER = (
    "订单编号",
    "标题",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "套餐信息",
    "备注",
    "订单状态",
    "商家编码",
)
AWAITING = "买家已付款，等待卖家发货"
SHIPPED = "卖家已发货，等待买家确认"
TID_A = "2751925651837878487"
TID_B = "2751925651837878488"
MOBILE = "13812345678"
HIDDEN = "1381234"  # the part of MOBILE that must never be stored
LANDLINE = "0571-88886666"


def order_cells(tid: str, status: str = AWAITING, **values: str) -> tuple[str, ...]:
    row = {
        "订单编号": tid,
        "买家会员名": "tb_buyer",
        "订单状态": status,
        "买家留言": "",
        "收货人姓名": "张三",
        "收货地址": "浙江省 杭州市 西湖区 文三路1号",
        "联系手机": MOBILE,
        "宝贝标题": "纯棉T恤",
        "宝贝总数量": "2",
        "物流单号": "",
        "物流公司": "",
        "订单备注": "",
    }
    row.update(values)
    return tuple(row[name] for name in ORDER_HEADER)


def item_cells(tid: str, title: str, quantity: str, properties: str = "", code: str = "") -> tuple[str, ...]:
    return (tid, title, "59.00", quantity, "", properties, "", "", AWAITING, code)


def write_csv(path: Path, rows: list[tuple[str, ...]], encoding: str = "gbk", sep: str = ",") -> Path:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\n') else cell

    text = "\r\n".join(sep.join(quoted(c) for c in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[tuple[object, ...]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    # openpyxl takes a string starting with "=" for a formula; a seller's text cell is text.
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("=") and not cell.value.startswith("=SUM"):
                cell.data_type = "s"
    book.save(path)
    return path


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_engine(f"sqlite:///{tmp_path}/t.db")


def run_import(engine: Engine, path: Path) -> ImportReport:
    with session_scope(engine) as session:
        return import_orders(session, path)


def orders(engine: Engine) -> dict[str, Order]:
    with session_scope(engine) as session:
        return {o.tid: Order.model_validate(o.model_dump()) for o in session.exec(select(Order))}


def items_of(engine: Engine, tid: str) -> list[tuple[str, str, int | None, str, bool]]:
    with session_scope(engine) as session:
        rows = session.exec(select(OrderItem).where(OrderItem.order_tid == tid).order_by(col(OrderItem.position)))
        return [(i.title, i.properties, i.quantity, i.outer_id, i.itemised) for i in rows]


def every_stored_text(engine: Engine) -> str:
    with session_scope(engine) as session:
        parts = [str(o.model_dump()) for o in session.exec(select(Order))]
        parts += [str(i.model_dump()) for i in session.exec(select(OrderItem))]
    return "\n".join(parts)


# --- the order report ----------------------------------------------------------


@pytest.mark.parametrize(("encoding", "sep"), [("gbk", ","), ("utf-8-sig", ","), ("utf-8", ","), ("utf-16", "\t")])
def test_the_order_report_keeps_message_note_and_items_in_every_encoding(
    tmp_path: Path, engine: Engine, encoding: str, sep: str
) -> None:
    rows = [
        ORDER_HEADER,
        order_cells(TID_A, 买家留言="请发顺丰，到了打13900001111", 订单备注="送小样，别放发票"),
        order_cells(TID_B, 宝贝标题="帆布包", 宝贝总数量="1"),
    ]
    report = run_import(engine, write_csv(tmp_path / "orders.csv", rows, encoding, sep))

    assert (report.kind, report.added, report.problems, report.item_orders) == (ReportKind.ORDERS, 2, [], 2)
    order = orders(engine)[TID_A]
    assert order.buyer_message == "请发顺丰，到了打*******1111"
    assert order.seller_note == "送小样，别放发票"
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    assert items_of(engine, TID_A) == [("纯棉T恤", "", 2, "", False)]
    assert items_of(engine, TID_B) == [("帆布包", "", 1, "", False)]


def test_phone_numbers_in_any_free_text_are_masked(tmp_path: Path, engine: Engine) -> None:
    rows = [
        ORDER_HEADER,
        order_cells(
            TID_A,
            买家留言=f"手机{MOBILE}，座机{LANDLINE}",
            订单备注="老客户 +86 138 1234 5678",
            收货地址=f"杭州市文三路1号（{MOBILE}）",
            宝贝标题=f"定制刻字{MOBILE}",
        ),
    ]
    run_import(engine, write_csv(tmp_path / "orders.csv", rows))
    items = [ITEM_HEADER, item_cells(TID_A, f"刻字：{MOBILE}", "1", properties=f"备用电话{LANDLINE}")]
    run_import(engine, write_csv(tmp_path / "items.csv", items))

    stored = every_stored_text(engine)
    assert HIDDEN not in stored and "8888" not in stored.replace("*******6666", "")
    assert "138 1234" not in stored
    assert orders(engine)[TID_A].buyer_message == "手机*******5678，座机*******6666"


def test_cells_that_look_like_formulas_are_text_never_numbers(tmp_path: Path, engine: Engine) -> None:
    rows = [
        ORDER_HEADER,
        order_cells(TID_A, 买家留言='=HYPERLINK("http://x","点我")', 订单备注="@SUM(A1:A9)", 宝贝总数量="+3"),
        order_cells(TID_B, 订单备注="-别催", 宝贝总数量="=1+1"),
    ]
    report = run_import(engine, write_csv(tmp_path / "orders.csv", rows, "utf-8"))

    # The quantity that starts like a formula is reported on its line, not computed.
    assert [(p.line, "宝贝总数量" in p.reason and "formula" in p.reason) for p in report.problems] == [
        (2, True),
        (3, True),
    ]
    assert not orders(engine)  # those rows were not imported with a guessed quantity
    rows = [ORDER_HEADER, order_cells(TID_A, 买家留言='=HYPERLINK("http://x","点我")', 订单备注="@SUM(A1:A9)")]
    run_import(engine, write_csv(tmp_path / "fixed.csv", rows, "utf-8"))
    assert (orders(engine)[TID_A].buyer_message, orders(engine)[TID_A].seller_note) == (
        '=HYPERLINK("http://x","点我")',
        "@SUM(A1:A9)",
    )


# --- the item report -----------------------------------------------------------


def test_the_item_report_lists_each_line_and_replaces_the_order_reports_summary(tmp_path: Path, engine: Engine) -> None:
    run_import(engine, write_csv(tmp_path / "orders.csv", [ORDER_HEADER, order_cells(TID_A)]))
    items = [
        ITEM_HEADER,
        item_cells(TID_A, "纯棉T恤", "1", properties="颜色分类:白色;尺码:XL", code="TS-W-XL"),
        item_cells(TID_A, "纯棉T恤", "1", properties="颜色分类:黑色;尺码:L", code="TS-B-L"),
        item_cells(TID_B, "帆布包", "-1"),
        item_cells(TID_B, "帆布包", "两个"),
    ]
    report = run_import(engine, write_csv(tmp_path / "items.csv", items))

    assert report.kind is ReportKind.ITEMS and report.item_orders == 1
    assert [p.line for p in report.problems] == [4, 5]
    assert "购买数量" in report.problems[0].reason
    assert items_of(engine, TID_A) == [
        ("纯棉T恤", "颜色分类:白色;尺码:XL", 1, "TS-W-XL", True),
        ("纯棉T恤", "颜色分类:黑色;尺码:L", 1, "TS-B-L", True),
    ]
    # A later order report does not put its summary back over the item lines.
    run_import(engine, write_csv(tmp_path / "again.csv", [ORDER_HEADER, order_cells(TID_A)]))
    assert len(items_of(engine, TID_A)) == 2
    with session_scope(engine) as session:
        notes = packing_notes(session, [TID_A])[TID_A]
    assert [i.outer_id for i in notes.items] == ["TS-W-XL", "TS-B-L"]


# --- workbooks -----------------------------------------------------------------


def test_an_xlsx_order_report_imports_like_the_csv(tmp_path: Path, engine: Engine) -> None:
    rows: list[tuple[object, ...]] = [
        ORDER_HEADER,
        order_cells(TID_A, 买家留言="=请走顺丰", 联系手机=MOBILE),
        (*order_cells(TID_B)[:8], 3, *order_cells(TID_B)[9:]),  # 宝贝总数量 as a number cell
        (2751925651837878489, *order_cells("")[1:]),  # an order number typed in as a number: rounded
        (*order_cells("2751925651837878490")[:8], "=SUM(1,1)", *order_cells("")[9:]),  # a formula quantity
    ]
    report = run_import(engine, write_xlsx(tmp_path / "orders.xlsx", rows))

    assert sorted(orders(engine)) == [TID_A, TID_B, "2751925651837878490"]
    assert orders(engine)[TID_A].buyer_message == "=请走顺丰"
    assert orders(engine)[TID_A].phone_tail == "5678"
    assert items_of(engine, TID_B) == [("纯棉T恤", "", 3, "", False)]
    # The formula is not run (openpyxl saved no result for it): the quantity is unknown, never 2.
    assert items_of(engine, "2751925651837878490") == [("纯棉T恤", "", None, "", False)]
    assert [p.line for p in report.problems] == [4]
    assert "rounded by Excel" in report.problems[0].reason
    assert HIDDEN not in every_stored_text(engine)


def test_an_xlsx_item_report_is_read(tmp_path: Path, engine: Engine) -> None:
    rows: list[tuple[object, ...]] = [ITEM_HEADER, (TID_A, "纯棉T恤", 59.0, 2, "", "尺码:XL", "", "", AWAITING, "TS")]
    report = run_import(engine, write_xlsx(tmp_path / "items.xlsx", rows))

    assert (report.kind, report.problems) == (ReportKind.ITEMS, [])
    assert items_of(engine, TID_A) == [("纯棉T恤", "尺码:XL", 2, "TS", True)]


def test_a_broken_workbook_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputFileError, match="not a readable Excel workbook"):
        read_orders_export(path)


# --- columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (("订单编号", "订单状态", "收货人姓名", "订单编号"), "column 1 (订单编号) and column 4 (订单编号)"),
        (("订单编号", "订单状态", "主订单编号"), "column 1 (订单编号) and column 3 (主订单编号)"),
        (("订单编号", "订单状态", "交易状态"), "column 2 (订单状态) and column 3 (交易状态)"),
    ],
)
def test_a_required_column_found_twice_is_refused_naming_both(
    tmp_path: Path, engine: Engine, header: tuple[str, ...], named: str
) -> None:
    path = write_csv(tmp_path / "orders.csv", [header, tuple([TID_A, AWAITING, "张三", TID_B][: len(header)])])
    with pytest.raises(InputFileError, match=r"nothing was imported") as caught:
        run_import(engine, path)
    assert named in str(caught.value)
    assert not orders(engine)


# --- status ----------------------------------------------------------------------


def test_an_older_export_never_moves_an_order_back(tmp_path: Path, engine: Engine) -> None:
    today = [ORDER_HEADER, order_cells(TID_A, SHIPPED, 物流单号="SF1234567890123"), order_cells(TID_B, "交易关闭")]
    run_import(engine, write_csv(tmp_path / "today.csv", today))
    yesterday = [ORDER_HEADER, order_cells(TID_A, AWAITING), order_cells(TID_B, AWAITING, 买家留言="快点发")]

    report = run_import(engine, write_csv(tmp_path / "yesterday.csv", yesterday))

    stored = orders(engine)
    assert (stored[TID_A].status, stored[TID_B].status) == (OrderStatus.SHIPPED, OrderStatus.CLOSED)
    assert [(k.tid, k.line, k.stored, k.offered) for k in report.status_kept] == [
        (TID_A, 2, OrderStatus.SHIPPED, OrderStatus.AWAITING_SHIPMENT),
        (TID_B, 3, OrderStatus.CLOSED, OrderStatus.AWAITING_SHIPMENT),
    ]
    assert stored[TID_B].buyer_message == "快点发"  # the rest of the row is still taken
    later = [ORDER_HEADER, order_cells(TID_A, "交易成功")]
    assert not run_import(engine, write_csv(tmp_path / "later.csv", later)).status_kept
    assert orders(engine)[TID_A].status == OrderStatus.COMPLETED

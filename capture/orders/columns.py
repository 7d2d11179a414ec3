"""Which header is which field, in the two reports a Taobao / Qianniu seller exports.

订单报表 (the order report): one row per order, with receiver, status,
waybill, buyer message and seller note.  宝贝报表 (the item report): one row
per item line of an order, with title, properties, seller code and quantity.
A file is the item report when it has the item report's own columns.

A required field found under two headers (订单编号 twice, or 订单编号
beside 主订单编号) is refused, naming both: picking one silently could read
one order's status into another.  So is any header we read written twice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from capture.errors import InputFileError
from capture.orders.files import EXPORT_HINT

BOM = "\ufeff"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060"
# Found-column lists longer than this are cut in the error message.
MAX_COLUMNS_LISTED = 30


class ReportKind(StrEnum):
    ORDERS = "orders"  # 订单报表
    ITEMS = "items"  # 宝贝报表


@dataclass(frozen=True)
class Column:
    """One field we read, and the header names exports use for it."""

    field: str
    names: tuple[str, ...]  # the back office's own name first, then variants
    required: bool = False

    @property
    def label(self) -> str:
        return self.names[0]


TID = Column("tid", ("订单编号", "订单号", "主订单编号"), required=True)
# Required so that re-importing a file without statuses cannot turn known
# orders into "unknown".
STATUS = Column("status", ("订单状态", "交易状态"), required=True)
BUYER = Column("buyer", ("买家会员名", "买家昵称", "买家账号"))
RECEIVER_NAME = Column("receiver_name", ("收货人姓名", "收货人", "收件人", "收件人姓名"))
ADDRESS = Column("receiver_address", ("收货地址", "收件地址", "收货人地址"))
MOBILE = Column("mobile", ("联系手机", "收货人手机", "手机号", "手机", "收件人手机", "收货人手机号"))
LANDLINE = Column("landline", ("联系电话", "收货人电话", "电话", "收件人电话"))
WAYBILL = Column("waybill", ("物流单号", "运单号", "快递单号"))
CARRIER = Column("carrier", ("物流公司", "快递公司"))
BUYER_MESSAGE = Column("buyer_message", ("买家留言", "买家备注"))
SELLER_NOTE = Column("seller_note", ("订单备注", "卖家备注", "商家备注"))
ITEM_TITLES = Column("item_titles", ("宝贝标题", "商品标题"))
ITEM_TOTAL = Column("item_total", ("宝贝总数量", "商品总数量"))
REFUND = Column("refund", ("退款状态", "售后状态"))
ORDER_COLUMNS = (
    TID,
    STATUS,
    BUYER,
    RECEIVER_NAME,
    ADDRESS,
    MOBILE,
    LANDLINE,
    WAYBILL,
    CARRIER,
    BUYER_MESSAGE,
    SELLER_NOTE,
    ITEM_TITLES,
    ITEM_TOTAL,
    REFUND,
)

ITEM_TID = Column("tid", ("订单编号", "主订单编号"), required=True)
ITEM_TITLE = Column("title", ("标题", "宝贝名称", "商品名称"), required=True)
ITEM_QUANTITY = Column("quantity", ("购买数量", "数量"), required=True)
ITEM_PROPERTIES = Column("properties", ("商品属性", "销售属性", "SKU"))
ITEM_OUTER_ID = Column("outer_id", ("商家编码", "外部系统编号", "商品编码"))
ITEM_PACKAGE = Column("package", ("套餐信息",))
ITEM_NOTE = Column("note", ("备注",))
ITEM_COLUMNS = (ITEM_TID, ITEM_TITLE, ITEM_QUANTITY, ITEM_PROPERTIES, ITEM_OUTER_ID, ITEM_PACKAGE, ITEM_NOTE)

COLUMNS_OF = {ReportKind.ORDERS: ORDER_COLUMNS, ReportKind.ITEMS: ITEM_COLUMNS}
# Headers only the item report has (the order report has 宝贝标题, not 标题).
ITEM_REPORT_MARKS = frozenset({"标题", "购买数量"})


def header_key(name: str) -> str:
    # NFKC turns U+3000 and other full-width spaces into plain ones; the BOM
    # and zero-width marks are not whitespace, so they go explicitly.
    text = unicodedata.normalize("NFKC", name)
    text = text.translate({ord(ch): None for ch in BOM + ZERO_WIDTH})
    return "".join(text.split())


def report_kind(header: list[str]) -> ReportKind:
    keys = {header_key(name) for name in header}
    return ReportKind.ITEMS if keys >= ITEM_REPORT_MARKS else ReportKind.ORDERS


def column_positions(header: list[str], kind: ReportKind, file_name: str) -> dict[str, int]:
    """Index of each known field in the header.

    Raises InputFileError naming the column when a required one is missing,
    or when any field we read appears under two headers.
    """
    keys = [header_key(name) for name in header]
    columns = COLUMNS_OF[kind]
    positions: dict[str, int] = {}
    for column in columns:
        found = _candidates(keys, column)
        if len(found) > 1:
            raise _ambiguous(file_name, column, [(index + 1, header[index].strip()) for index in found])
        if found:
            positions[column.field] = found[0]
    missing = [column.label for column in columns if column.required and column.field not in positions]
    if missing:
        raise _missing(file_name, kind, missing, [key for key in keys if key])
    return positions


def _candidates(keys: list[str], column: Column) -> list[int]:
    """Where the column may be.  A required field under any two of its names is
    ambiguous; an optional one is read from its first name present (the item
    report has both 商家编码 and 外部系统编号), and ambiguous only when that
    name itself appears twice."""
    if column.required:
        return [index for index, key in enumerate(keys) if key in column.names]
    for name in column.names:
        found = [index for index, key in enumerate(keys) if key == name]
        if found:
            return found
    return []


def _ambiguous(file_name: str, column: Column, found: list[tuple[int, str]]) -> InputFileError:
    where = " and ".join(f"column {number} ({name})" for number, name in found)
    return InputFileError(
        f"{file_name}: {where} are both {column.label}; nothing was imported, since either could be the right one",
        "delete or rename the extra column and import again, or " + EXPORT_HINT,
    )


def _missing(file_name: str, kind: ReportKind, missing: list[str], found: list[str]) -> InputFileError:
    shown = ", ".join(found[:MAX_COLUMNS_LISTED]) or "none"
    if len(found) > MAX_COLUMNS_LISTED:
        shown += f", ... ({len(found)} in all)"
    needed = ", ".join(column.label for column in COLUMNS_OF[kind] if column.required)
    what = "an order export" if kind is ReportKind.ORDERS else "an item report (宝贝报表)"
    return InputFileError(
        f"{file_name} is not {what}: no column {', '.join(missing)} (found columns: {shown})",
        f"the file needs the columns {needed}; " + EXPORT_HINT,
    )

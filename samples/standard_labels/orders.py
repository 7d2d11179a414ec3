"""The shop's order export (Taobao / Qianniu 订单报表 style, GBK) and its rows."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from standard_labels.people import Person, mask_phone

HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,买家留言,收货人姓名,"
    "收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,"
    "宝贝总数量,店铺名称,订单关闭原因,是否手机订单"
)
AWAITING = "买家已付款，等待卖家发货"
SHIPPED = "卖家已发货，等待买家确认"
SUCCESS = "交易成功"
CLOSED = "交易关闭"
UNPAID = "等待买家付款"
STATUSES = (AWAITING, SHIPPED, SUCCESS, CLOSED, UNPAID)

GOODS = (
    ("纯棉短袖T恤 白色 XL", 59.0),
    ("不锈钢保温杯 500ml 象牙白", 79.0),
    ("透明手机壳 防摔款", 19.9),
    ("儿童绘本 全套10册", 128.0),
    ("猫粮 2.5kg 鸡肉味", 96.0),
    ("蓝牙耳机 降噪版 黑色", 199.0),
    ("LED护眼台灯 三档调光", 89.0),
    ("桌面收纳盒 3个装", 35.8),
    ("明前龙井 250g 罐装", 168.0),
    ("补水面膜 10片装", 49.9),
    ("A5笔记本 5本装", 25.0),
    ("Type-C数据线 1米 2条", 29.9),
    ("加厚瑜伽垫 10mm 紫色", 69.0),
    ("无硅油洗发水 500ml", 45.0),
    ("陶瓷马克杯 带盖勺", 32.0),
    ("羊毛围巾 灰色", 139.0),
    ("宝宝棉袜 5双装", 27.5),
    ("手工皂 礼盒", 58.0),
)
MESSAGES = ("", "", "", "", "请尽快发货，谢谢", "不要放快递柜", "送人的，不要放价格单", "发顺丰可以吗", "周末送货")
CLOSE_REASONS = ("买家不想买了", "信息填写错误，重新拍", "卖家缺货", "其他原因")


@dataclass
class Order:
    order_no: str  # 19 digits
    buyer: str
    alipay: str
    person: Person
    title: str
    price: float
    qty: int
    status: str
    created: datetime
    message: str = ""
    waybill: str = ""
    carrier_name: str = ""
    mobile_order: bool = True
    full_phone: bool = False
    close_reason: str = ""


def new_order_no(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice("1234") + "".join(rng.choice("0123456789") for _ in range(18))
        if number not in used:
            used.add(number)
            return number


def new_buyer(rng: random.Random, person: Person) -> tuple[str, str]:
    """买家会员名 and a masked 支付宝账号."""
    roll = rng.random()
    if roll < 0.4:
        nick = "tb" + "".join(rng.choice("0123456789") for _ in range(rng.randint(8, 10)))
    elif roll < 0.7:
        nick = rng.choice(("快乐的小鱼", "爱吃草莓的猫", "阳光男孩", "小太阳", "追风少年", "柠檬不酸")) + str(
            rng.randint(1, 2025)
        )
    else:
        nick = person.name + rng.choice(("", "_", "0")) + str(rng.randint(1, 999))
    if rng.random() < 0.6:
        alipay = mask_phone(person.mobile)
    else:
        alipay = (
            "".join(rng.choice("abcdefghijk") for _ in range(2)) + "***@" + rng.choice(("163.com", "qq.com", "126.com"))
        )
    return nick, alipay


def new_order(
    rng: random.Random,
    used: set[str],
    person: Person,
    status: str,
    created: datetime,
    buyer: tuple[str, str] | None = None,
) -> Order:
    title, price = rng.choice(GOODS)
    nick, alipay = buyer or new_buyer(rng, person)
    return Order(
        order_no=new_order_no(rng, used),
        buyer=nick,
        alipay=alipay,
        person=person,
        title=title,
        price=price,
        qty=rng.choice((1, 1, 1, 1, 2, 3)),
        status=status,
        created=created,
        message=rng.choice(MESSAGES),
        mobile_order=rng.random() < 0.8,
        full_phone=rng.random() < 0.12,
        close_reason=rng.choice(CLOSE_REASONS) if status == CLOSED else "",
    )


def _paid_time(order: Order) -> str:
    if order.status in (UNPAID,) or (order.status == CLOSED and order.close_reason == "买家不想买了"):
        return ""
    return (order.created + timedelta(seconds=17 + order.created.second * 3)).strftime("%Y-%m-%d %H:%M:%S")


def _row(order: Order, shop_name: str) -> list[str]:
    goods = order.price * order.qty
    paid = "0.00" if order.status in (UNPAID,) else f"{goods:.2f}"
    phone = "'" + order.person.mobile if order.full_phone else mask_phone(order.person.mobile)
    return [
        f'="{order.order_no}"',
        order.buyer,
        order.alipay,
        f"{goods:.2f}",
        "0.00",
        f"{goods:.2f}",
        paid,
        order.status,
        order.message,
        order.person.name,
        order.person.export_address(),
        "快递",
        "",
        phone,
        order.created.strftime("%Y-%m-%d %H:%M:%S"),
        _paid_time(order),
        order.title,
        "1",
        order.waybill,
        order.carrier_name,
        "",
        str(order.qty),
        shop_name,
        order.close_reason or "订单未关闭",
        "手机订单" if order.mobile_order else "",
    ]


def write_orders_csv(path: Path, orders: list[Order], shop_name: str) -> None:
    """Newest first, GBK, CRLF, the order number as ="..." as Qianniu writes it."""
    lines = [HEADER]
    for order in sorted(orders, key=lambda o: (o.created, o.order_no), reverse=True):
        cells = _row(order, shop_name)
        for cell in cells:
            if "," in cell or "\n" in cell:
                raise ValueError(f"cell would need quoting: {cell!r}")
        lines.append(",".join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def read_orders_csv(path: Path) -> list[dict[str, str]]:
    """The export back as dicts keyed by the header names (with their trailing spaces)."""
    with path.open(encoding="gbk", newline="") as handle:
        return list(csv.DictReader(handle))


def order_number_of(cell: str) -> str:
    return cell.strip().removeprefix("=").strip('"')

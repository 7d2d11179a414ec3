#!/usr/bin/env python
"""Sample data for waybill capture: label photos, a Taobao order export, the truth.

Each photo is a synthetic e-waybill (电子面单) drawn with PIL, then "photographed":
laid on cardboard, a desk or a courier bag, warped, lit, blurred, compressed.
orders.csv is the shop's order export the photos are matched against; truth.jsonl
says what the pipeline should decide.  One seed fixes everything, so samples/ and
the bench's bigger sets come from the same code:

    python samples/generate.py --out samples --count 40 --seed 7

Each photo is checked as it is written: zxing must decode its waybill (glare:
nothing may decode), or it is shot again, milder.  Sets of more than 40 photos
also hold the hard kinds (HARD_KINDS; their label drawing is in hard_cases.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
import typing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont, ImageOps

try:
    from capture.pipeline.carriers import BY_CODE, canonical, identify, s10_check_digit
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from capture.pipeline.carriers import BY_CODE, canonical, identify, s10_check_digit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # hard_cases.py lives beside this file
import hard_cases

# --- what a set contains ---------------------------------------------------------

# kind: (expect_status, expect_reason, weight when the rest of a set is drawn at random)
KINDS: dict[str, tuple[str, str | None, int]] = {
    "clean": ("queued", None, 12),
    "perspective": ("queued", None, 8),
    "rotated": ("queued", None, 7),
    "blur": ("queued", None, 6),
    "uneven_light": ("queued", None, 5),
    "low_light": ("queued", None, 5),
    "small_label": ("queued", None, 2),
    "exif_rotated": ("queued", None, 2),
    "order_number": ("queued", None, 5),
    "recipient": ("queued", None, 5),
    "namesake": ("queued", None, 4),
    # Both barcodes washed out; the number is still printed twice (under the main
    # barcode and on the stub), so OCR alone carries it.
    "glare": ("queued", None, 4),
    "reused_box": ("review", "multiple_waybills", 5),
    "ambiguous": ("review", "ambiguous_order", 4),
    "no_order": ("review", "no_matching_order", 4),
    "closed_order": ("rejected", "order_not_awaiting_shipment", 4),
    "used_number": ("rejected", "waybill_on_other_order", 4),
    "no_label": ("no_waybill", None, 4),
    "corrupt": ("error", "unreadable_image", 2),
}
# The accuracy issue's hard cases.  They join a set only when it has more than
# HARD_FROM_COUNT photos (or with --hard), so the committed 40-photo set stays
# byte for byte what it was.
HARD_KINDS: dict[str, tuple[str, str | None, int]] = {
    # glare over both barcodes, on a label ~1/5 of a 12 MP photo's width: OCR must find and read it small
    "small_glare": ("queued", None, 3),
    "rotated_glare": ("queued", None, 3),  # glare, and the label turned 90/180/270 (+ skew)
    "stub_only": ("queued", None, 3),  # main barcode torn or scratched through; the stub's reads
    "thermal_fade": ("queued", None, 3),  # faded, uneven thermal print, still legible
    "skew_strong": ("queued", None, 3),  # 15-35 degrees in the plane plus a tilt: past zxing's own reach
    # the barcode's number and the printed one differ in a digit or two, both valid for the carrier
    "misprint": ("review", "barcode_ocr_disagree", 2),
    "jd_multi": ("queued", None, 2),  # JD: waybill (-1-1-), stub, an order-number barcode and a QR code
    "ocr_lookalike": ("queued", None, 3),  # printed with a letter for a digit (O for 0): the correction path
}
ALL_KINDS = {**KINDS, **HARD_KINDS}
HARD_FROM_COUNT = 40  # sets bigger than this hold the hard kinds
HARD_COPIES = 3  # each hard kind at least this often (when the set has room), the rest by weight
GLARE_KINDS = ("glare", "small_glare", "rotated_glare")  # nothing may decode
JD_SUFFIX = "-1-1-"
# Does the label print the order number?  Other kinds: a coin toss.
PRINTS_TID = {
    "order_number": True,
    "closed_order": True,
    "used_number": True,
    "recipient": False,
    "namesake": False,
    "ambiguous": False,
    "no_order": False,
    "jd_multi": True,
}  # printed under its order-number barcode
CARRIER_WEIGHTS = {
    "ZTO": 16,
    "YTO": 14,
    "YUNDA": 12,
    "JT": 12,
    "STO": 10,
    "SF": 10,
    "JD": 8,
    "EMS": 8,
    "DEPPON": 4,
    "CAINIAO": 6,
}  # roughly each carrier's share of parcels
ORDERS_PER_PHOTO = 1.5  # filler orders (at least one per two photos) pad the export to this
PNG_EVERY, WEBP_EVERY = 16, 8  # photo i is a png if i % PNG_EVERY == 9: a png is ~3x a jpg, keep them rare

# --- geometry and look -------------------------------------------------------------

PX_PER_MM = 8
LABEL_MM = {"large": (100, 150), "small": (76, 130)}
LANDSCAPE, PORTRAIT, PHONE = (1600, 1200), (1200, 1600), (4032, 3024)
JPEG_QUALITY = 85
MIN_MODULE_PX, MAX_MODULE_PX = 3, 4  # Code128 module on the label: 3-4 px still decodes at 0.6x
QUIET_MODULES = 10  # Code128 wants ten modules of white on either side
FOCAL = 1.3  # pinhole focal length in label sizes: how strongly a tilt foreshortens
ATTEMPT_SEVERITY = (1.0, 0.7, 0.4, 0.0)  # effects shrink on each retry
SKEW_STRONG_MIN, SKEW_STRONG_SPAN = 15, 20  # skew_strong: 15-35 degrees in the plane at full severity
SKEW_STRONG_TILT = (8, 18)  # and this much out of the plane about one axis (degrees, full severity)
SMALL_FILL = 0.45  # small_label, small_glare: the label ~1/5 of a 4032 px frame's width
PASTE_PAD = 40  # px around a pasted label for its shadow
# reused_box: centre (x, y) and height of the old and the new label, as shares of the frame
OLD_LABEL_AT, NEW_LABEL_AT = (0.27, 0.47, 0.85), (0.64, 0.53, 0.88)
BACKGROUNDS = ("cardboard", "cardboard", "desk", "bag")
BASE_TIME = datetime(2026, 11, 20, 9, 0)  # "today" for the whole set
FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {
    "cjk": "wqy/wqy-microhei.ttc",
    "cjkb": "wqy/wqy-zenhei.ttc",
    "mono": "dejavu/DejaVuSansMono.ttf",
    "monob": "dejavu/DejaVuSansMono-Bold.ttf",
    "sans": "dejavu/DejaVuSans.ttf",
    "sansb": "dejavu/DejaVuSans-Bold.ttf",
}

# --- people, places, goods -----------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬鹏浩宇欣怡婷雪琳晨阳涵轩佳琪思雨嘉文博慧颖凯瑞峰建国志"
MOBILE_PREFIXES = (
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "182",
    "183",
    "186",
    "187",
    "188",
    "199",
)


def _place(line: str) -> tuple[str, str, str, str]:
    prov, city, dist, post = line.split()
    return prov, city, dist, post


# province city district postcode; municipalities repeat the city as province
PLACES = tuple(
    _place(p)
    for p in [
        "浙江省 杭州市 西湖区 310012",
        "浙江省 宁波市 鄞州区 315100",
        "江苏省 南京市 鼓楼区 210009",
        "江苏省 苏州市 吴中区 215100",
        "广东省 广州市 天河区 510630",
        "广东省 深圳市 南山区 518052",
        "上海 上海市 浦东新区 200120",
        "北京 北京市 朝阳区 100020",
        "四川省 成都市 武侯区 610041",
        "湖北省 武汉市 洪山区 430070",
        "山东省 青岛市 崂山区 266061",
        "河南省 郑州市 金水区 450003",
        "福建省 厦门市 思明区 361001",
        "湖南省 长沙市 岳麓区 410006",
        "陕西省 西安市 雁塔区 710061",
        "辽宁省 沈阳市 和平区 110001",
        "安徽省 合肥市 蜀山区 230031",
        "重庆 重庆市 渝北区 401147",
    ]
)
STREETS = (
    "文三路",
    "中山北路",
    "人民路",
    "解放大道",
    "建设路",
    "长江路",
    "科技园南路",
    "东风路",
    "滨江大道",
    "学院路",
    "新华路",
    "幸福路",
    "迎宾大道",
    "金沙江路",
    "青年路",
)
ESTATES = (
    "阳光花园",
    "金地华府",
    "万科城",
    "保利香槟国际",
    "绿城桂花园",
    "碧桂园",
    "华润幸福里",
    "龙湖春江郦城",
    "世纪花园",
    "翠苑一区",
    "创新大厦",
)
PRODUCTS = (
    ("北欧风陶瓷马克杯 大容量办公室水杯", 39.9),
    ("加厚珊瑚绒毛毯 冬季午睡盖毯", 89.0),
    ("实木桌面收纳盒 办公桌整理架", 59.0),
    ("日式棉麻抱枕套 沙发靠垫", 29.9),
    ("硅藻泥浴室防滑吸水地垫", 45.0),
    ("不锈钢厨房置物架 免打孔", 79.0),
    ("香薰蜡烛礼盒 卧室助眠", 68.0),
    ("玻璃密封罐 食品储物罐 三件套", 35.8),
    ("纯棉四件套 1.8m床单被套", 259.0),
    ("LED小夜灯 感应卧室灯", 25.9),
    ("折叠脏衣篮 布艺收纳筐", 32.0),
    ("陶瓷餐具套装 碗盘家用", 128.0),
)
BUYER_NICKS = ("快乐小鱼", "momo_", "晴天娃娃", "xiaomao", "阿乐", "sunny")
BUYER_NOTES = ("", "", "", "", "请尽快发货", "不要放驿站，送货上门", "麻烦包装结实一点")
SELLER_MEMOS = ("", "", "", "", "送小礼品", "已改地址", "发顺丰", "客户要求周末送达")
CLOSE_REASONS = ("买家不想要了", "未及时付款", "拍错了/订单信息错误", "其他原因")
STATUS_TEXT = {  # capture.store.tables.OrderStatus value -> what the export says
    "awaiting_shipment": "买家已付款，等待卖家发货",
    "shipped": "卖家已发货，等待买家确认",
    "completed": "交易成功",
    "closed": "交易关闭",
    "awaiting_payment": "等待买家付款",
}
FILLER_STATUS_WEIGHTS = {"awaiting_shipment": 55, "shipped": 18, "completed": 12, "closed": 8, "awaiting_payment": 7}
ORDER_AGE_HOURS = {
    "awaiting_payment": (0.2, 6),
    "awaiting_shipment": (2, 72),
    "shipped": (48, 240),
    "completed": (240, 720),
    "closed": (4, 400),
}
# Qianniu's 订单导出 header, stray trailing spaces included.
EXPORT_COLUMNS = (
    "订单编号",
    "买家会员名",
    "买家支付宝账号",
    "买家应付货款",
    "买家应付邮费",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址 ",
    "运送方式",
    "联系电话 ",
    "联系手机",
    "订单创建时间",
    "订单付款时间 ",
    "宝贝标题 ",
    "宝贝种类 ",
    "物流单号 ",
    "物流公司",
    "订单备注",
    "宝贝总数量",
    "店铺名称",
    "订单关闭原因",
    "是否手机订单",
)
# code: (printed name, service line, product, QR domain, white-on-black header).
# Service lines are decoys for the reader, not a reference.
CARRIER_PRINT = {
    "SF": ("顺丰速运", "95338", "顺丰标快", "sf-express.com", True),
    "ZTO": ("中通快递", "95311", "标准快递", "zto.com", False),
    "YTO": ("圆通速递", "95554", "标准快递", "yto.net.cn", False),
    "STO": ("申通快递", "95543", "标准快递", "sto.cn", False),
    "YUNDA": ("韵达快递", "95546", "标准快件", "yundaex.com", False),
    "JT": ("极兔速递", "956025", "标准快递", "jtexpress.com.cn", True),
    "JD": ("京东快递", "950616", "特惠送", "jdl.com", True),
    "EMS": ("EMS 中国邮政", "11183", "标准快递", "ems.com.cn", False),
    "DEPPON": ("德邦快递", "95353", "大件快递360", "deppon.com", True),
    "CAINIAO": ("菜鸟速递", "95187", "标准快递", "cainiao.com", False),
}
# code: (prefixes, digits after the prefix): the carrier table's formats.  EMS also makes S10 numbers.
WAYBILL_FORMATS = {
    "SF": (("SF",), 13),
    "ZTO": (("73", "75", "78"), 12),
    "YTO": (("YT",), 13),
    "STO": (("77",), 13),
    "YUNDA": (("31", "43", "46"), 11),
    "JT": (("JT",), 13),
    "JD": (("JDVA", "JDVB", "JDVC"), 11),
    "EMS": (("10", "11", "98", "99"), 11),
    "DEPPON": (("DPK",), 12),
    "CAINIAO": (("CN",), 13),
}
HUBS = ("杭州转运中心", "上海集包", "华东集包", "广州转运中心", "成都分拨中心", "北京顺义集包")


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_waybill(carrier: str, rng: random.Random) -> str:
    if carrier == "EMS" and rng.random() < 0.5:  # UPU S10, as on EMS parcels: EA123456785CN
        serial = digits(rng, 8)
        return f"E{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{serial}{s10_check_digit(serial)}CN"
    prefixes, length = WAYBILL_FORMATS[carrier]
    return rng.choice(prefixes) + digits(rng, length)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    place: tuple[str, str, str, str]
    street: str  # "文三路123号阳光花园5幢302室"

    @property
    def masked(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"

    def label_address(self, spaced: bool) -> str:
        prov, city, dist, _ = self.place
        text = (city if prov in city else prov + city) + dist + self.street
        # Many labels set digits apart: "文三路 123 号 5 幢 302 室".
        return re.sub(r"\s*(\d+)\s*", r" \1 ", text).strip() if spaced else text

    def export_address(self) -> str:
        prov, city, dist, post = self.place
        return f"{prov} {city} {dist} {self.street}({post})"


SHOP = Person("拾光家居旗舰店", "057188886666", ("浙江省", "杭州市", "余杭区", "311121"), "仓前街道文一西路1818号3号楼")
SHOP_KEEPER = replace(SHOP, name="林店长", phone="13957112345")  # receives the shop's own supplies
SUPPLIER = Person("义乌恒达日用品厂", "057985551234", ("浙江省", "金华市", "义乌市", "322000"), "北苑街道春华路88号")


@dataclass
class Order:
    tid: str
    person: Person
    status: str
    created: datetime
    product: tuple[str, float]
    qty: int
    buyer: str
    phone_masked: bool  # newer exports mask the mobile number
    note: str  # 买家留言
    memo: str  # 订单备注, the seller's
    waybill: str | None = None
    carrier: str = ""
    tab_waybill: bool = False  # some exports prefix the number with a tab instead of ="..."


class World:
    """Everyone and every order in one set; keeps names, numbers and tids unique."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.orders: list[Order] = []
        self.names: set[str] = set()
        self.used: set[str] = set()

    def unique(self, make) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def waybill(self, carrier: str) -> str:
        number = self.unique(lambda: make_waybill(carrier, self.rng))
        assert identify(number) is BY_CODE[carrier], number
        return number

    def person(self, name: str | None = None) -> Person:
        """A new recipient; pass `name` only to make a namesake on purpose."""
        r = self.rng
        while name is None:
            name = r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))
            name = None if name in self.names else name
        self.names.add(name)
        street = (
            f"{r.choice(STREETS)}{r.randint(1, 999)}号{r.choice(ESTATES)}"
            f"{r.randint(1, 30)}幢{r.randint(1, 28)}{r.randint(1, 4):02d}室"
        )
        return Person(name, r.choice(MOBILE_PREFIXES) + digits(r, 8), r.choice(PLACES), street)

    def order(self, person: Person, status: str, waybill: str | None = None) -> Order:
        r = self.rng
        buyer = r.choice((f"tb{digits(r, 10)}", f"{person.name}{digits(r, 2)}", r.choice(BUYER_NICKS) + digits(r, 4)))
        carrier_name = ""
        if waybill:
            carrier = identify(waybill)
            assert carrier is not None, waybill  # world.waybill makes numbers that fit one carrier
            carrier_name = carrier.name
        o = Order(
            self.unique(lambda: r.choice("123") + digits(r, 18)),
            person,
            status,
            BASE_TIME - timedelta(hours=r.uniform(*ORDER_AGE_HOURS[status])),
            r.choice(PRODUCTS),
            r.choice((1, 1, 1, 2)),
            buyer,
            r.random() < 0.5,
            r.choice(BUYER_NOTES),
            r.choice(SELLER_MEMOS),
            waybill,
            carrier_name,
            r.random() < 0.3,
        )
        self.orders.append(o)
        return o

    def filler(self, count: int) -> None:
        """Orders no photo needs; every status the export knows shows up at least once."""
        statuses = list(FILLER_STATUS_WEIGHTS)
        picks = statuses + self.rng.choices(statuses, list(FILLER_STATUS_WEIGHTS.values()), k=count)
        for status in picks[:count]:
            number = self.waybill(pick_carrier(self.rng)) if status in ("shipped", "completed") else None
            self.order(self.person(), status, number)


def pick_carrier(rng: random.Random) -> str:
    return rng.choices(list(CARRIER_WEIGHTS), list(CARRIER_WEIGHTS.values()))[0]


# --- the label ------------------------------------------------------------------------


@dataclass
class LabelSpec:
    carrier: str
    waybill: str
    recipient: Person
    tid: str | None  # the printed "订单号" line, on about half the labels
    printed: datetime
    sender: Person = SHOP
    size: str = "large"
    suffix: str = ""  # JD package suffix in the barcode text: "-1-1-"
    grouped: bool = False  # number printed in groups: "SF 1234 5678 9012 3"
    big_glyph: bool = False  # a big boxed 收/寄 instead of "收件人:"
    qr: bool = False
    ink: int = 28  # print darkness, 0 black .. 255 paper; a faded thermal print is ~110
    sort_code: str = ""
    hub: str = ""
    # The hard kinds (hard_cases.py draws them):
    shown: str = ""  # the number as printed, when it is not the barcode's (misprint, ocr_lookalike)
    order_barcode: str = ""  # a Code128 of the order number in the info block (jd_multi)
    damage: str = ""  # "tear" or "scratch" through the main barcode (stub_only)


@cache
def font(key: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONTS[key]), px)


def code128_row(text: str) -> np.ndarray:
    """One row of the symbol, one pixel per module, no quiet zone."""
    return np.asarray(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=1, add_quiet_zones=False)
    )[0]


def module_for(text: str, width_mm: float) -> int:
    return min(MAX_MODULE_PX, round(width_mm * PX_PER_MM) // (len(code128_row(text)) + 2 * QUIET_MODULES))


class Sheet:
    """A label being drawn in millimetres; remembers where the barcodes went."""

    def __init__(self, w_mm: float, h_mm: float):
        self.w, self.h = w_mm, h_mm
        self.k, self.v = w_mm / 100, h_mm / 150  # font and vertical scale against the 100x150 label
        self.module = MIN_MODULE_PX  # barcode module width, px
        self.img = Image.new("L", (self.px(w_mm), self.px(h_mm)), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.boxes: dict[str, tuple[int, int, int, int]] = {}
        self.texts: list[str] = []

    @staticmethod
    def px(mm: float) -> int:
        return round(mm * PX_PER_MM)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        key: str,
        size_mm: float,
        anchor: str = "la",
        bold: bool = False,
        fill: int = 0,
    ) -> tuple[int, int, int, int]:
        f, xy = font(key, self.px(size_mm)), (self.px(x), self.px(y))
        self.draw.text(xy, s, font=f, fill=fill, anchor=anchor, stroke_width=int(bold), stroke_fill=fill)
        self.texts.append(s)
        # Pillow types a box as floats for any font; one line in a FreeType font
        # at whole pixels gives ints.
        return typing.cast(tuple[int, int, int, int], self.draw.textbbox(xy, s, font=f, anchor=anchor))

    def wrap(self, s: str, key: str, size_mm: float, width_mm: float) -> list[str]:
        """Break `s` into lines no wider than width_mm (CJK breaks anywhere)."""
        f, line = font(key, self.px(size_mm)), ""
        lines: list[str] = []
        for ch in s:
            if line and self.draw.textlength(line + ch, font=f) > self.px(width_mm):
                lines, line = [*lines, line.rstrip()], ch.lstrip()
            else:
                line += ch
        return [*lines, line]

    def rule(self, y: float, dashed: bool = False) -> None:
        step = 12 if dashed else self.px(self.w)
        for x in range(0, self.px(self.w), step):
            self.draw.line((x, self.px(y), x + (7 if dashed else step), self.px(y)), fill=0, width=2)

    def barcode(self, key: str, text: str, y: float, h_mm: float, module: int) -> float:
        """Code128 centred across the sheet; bars only, the caller prints the number."""
        bars = np.repeat(code128_row(text), module)[None, :].repeat(self.px(h_mm), axis=0)
        x0, y0 = (self.img.width - bars.shape[1]) // 2, self.px(y)
        self.img.paste(Image.fromarray(bars), (x0, y0))
        self.boxes[key] = (x0, y0, x0 + bars.shape[1], y0 + bars.shape[0])
        return y + h_mm

    def qr(self, url: str, x: float, y: float, size_mm: float) -> None:
        code = np.asarray(
            zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode).to_image(scale=1, add_quiet_zones=False)
        )
        side = code.shape[0] * max(1, self.px(size_mm) // code.shape[0])
        self.img.paste(Image.fromarray(code).resize((side, side), Image.Resampling.NEAREST), (self.px(x), self.px(y)))


def printed_number(spec: LabelSpec) -> str:
    n = grouped_number(spec.waybill + spec.suffix) if spec.grouped else spec.waybill + spec.suffix
    return hard_cases.overprint(n, spec.shown + spec.suffix) if spec.shown else n


def grouped_number(n: str) -> str:
    if re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", n):  # S10 reads "EA 123 456 785 CN"
        return f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:11]} {n[11:]}"
    m = re.fullmatch(r"([A-Z]*)(\d+)", n)
    assert m is not None, n  # every other carrier's number is letters, then digits
    head, tail = m.groups()
    return " ".join(filter(None, [head, *(tail[i : i + 4] for i in range(0, len(tail), 4))]))


def draw_header(s: Sheet, spec: LabelSpec, rng: random.Random) -> None:
    """Carrier and product (white on black for some carriers); sorting code, hub, print time."""
    title, _, product, _, bar_header = CARRIER_PRINT[spec.carrier]
    ink = 255 if bar_header else 0
    if bar_header:
        s.draw.rectangle((0, 0, s.px(s.w), s.px(11 * s.v)), fill=0)
    s.text(3, 5.5 * s.v, title, "cjkb", 7 * s.k, "lm", bold=True, fill=ink)
    box = s.text(s.w - 3, 5.5 * s.v, product, "cjkb", 4.2 * s.k, "rm", fill=ink)
    s.draw.rectangle((box[0] - 6, box[1] - 6, box[2] + 6, box[3] + 6), outline=ink, width=2)
    s.rule(11 * s.v)
    # The sorting code (三段码) is the biggest print on the label, and a decoy.
    centred = rng.random() < 0.6
    s.text(s.w / 2 if centred else 3, 19 * s.v, spec.sort_code, "sansb", 10.5 * s.k, "mm" if centred else "lm")
    s.text(3, 27 * s.v, f"集包地: {spec.hub}", "cjk", 3.4 * s.k, "lm")
    s.text(s.w - 3, 27 * s.v, spec.printed.strftime("%Y-%m-%d %H:%M"), "sans", 3 * s.k, "rm")
    s.rule(30 * s.v)


def draw_main_barcode(s: Sheet, spec: LabelSpec) -> float:
    """The waybill barcode with the number printed under it; returns the next free y."""
    y = s.barcode("barcode", spec.waybill + spec.suffix, 32 * s.v, 18 * s.v, s.module)
    mono = "monob" if spec.carrier in ("SF", "JD", "ZTO", "EMS") else "mono"
    s.boxes["number"] = s.text(s.w / 2, y + 1.2, printed_number(spec), mono, 4.6 * s.k, "mt")
    s.rule(y + 8 * s.v)
    return y + 8 * s.v


def draw_people(s: Sheet, spec: LabelSpec, y: float, rng: random.Random) -> float:
    """Recipient (phone masked, as labels print it) and sender; returns the next free y."""
    r, k, v = spec.recipient, s.k, s.v
    x: float = 3
    who = f"收件人: {r.name}  {r.masked}"
    if spec.big_glyph:  # a boxed 收 (and a 寄 below) instead of the words
        s.draw.rectangle((s.px(2), s.px(y + 2), s.px(2 + 11 * k), s.px(y + 2 + 11 * k)), outline=0, width=3)
        s.text(2 + 5.5 * k, y + 2 + 5.5 * k, "收", "cjkb", 9 * k, "mm", bold=True)
        s.text(2 + 5.5 * k, y + 34 * v, "寄", "cjkb", 7 * k, "mm", bold=True)
        x, who = 4 + 11 * k, f"{r.name}  {r.masked}"
    s.text(x, y + 2.5 * v, who, "cjkb", 5.4 * k, bold=True)
    for i, part in enumerate(s.wrap(r.label_address(rng.random() < 0.5), "cjk", 4.2 * k, s.w - x - 3)[:3]):
        s.text(x, y + 10.5 * v + i * 5.4 * k, part, "cjk", 4.2 * k)
    y += 28 * v
    s.rule(y)
    snd = spec.sender
    phone = f"{snd.phone[:4]}-{snd.phone[4:]}"
    s.text(x, y + 2 * v, f"{'' if spec.big_glyph else '寄件人: '}{snd.name}  {phone}", "cjk", 3.4 * k)
    s.text(x, y + 2 * v + 5 * k, snd.label_address(False), "cjk", 3.2 * k)
    s.rule(y + 14 * v)
    return y + 14 * v


def draw_info(s: Sheet, spec: LabelSpec, y: float, rng: random.Random) -> None:
    """Order number (on about half the labels), weight, service line, maybe a QR code: decoys all."""
    _, hotline, _, domain, _ = CARRIER_PRINT[spec.carrier]
    info = [
        f"订单号: {spec.tid}" if spec.tid else f"物品: {rng.choice(('家居用品', '日用品', '纺织品'))}",
        f"重量: {rng.choice((0.35, 0.6, 0.85, 1.25, 2.1, 3.4)):.2f}kg   件数: 1/1",
        f"客服电话: {hotline}",
    ]
    if spec.order_barcode:  # jd_multi: the order number as a barcode, the rest in two smaller lines under it
        top = hard_cases.draw_order_barcode(s, spec.order_barcode, y + 1.5 * s.v, s.module) + 0.8 * s.v
        for i, part in enumerate((f"商家{info[0]}", f"{info[1]}   {info[2]}")):
            s.text(3, top + i * 4.2 * s.v, part, "cjk", 3.2 * s.k)
    else:
        for i, part in enumerate(info):
            s.text(3, y + 2 * s.v + i * 5.2 * s.v, part, "cjk", 3.5 * s.k)
    if spec.qr:
        token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
        s.qr(f"https://m.{domain}/t/{token}", s.w - 3 - 16 * s.k, y + 1.5 * s.v, 16 * s.k)


def draw_stub(s: Sheet, spec: LabelSpec) -> None:
    """The tear-off part: a smaller barcode and the number again."""
    k, v, stub = s.k, s.v, s.h - 30 * s.v
    s.rule(stub - 1.5, dashed=True)
    s.text(3, stub + 1.5, CARRIER_PRINT[spec.carrier][0], "cjkb", 3.6 * k, bold=True)
    s.text(s.w - 3, stub + 1.5, "运单联", "cjk", 3 * k, "ra")
    y = s.barcode("stub_barcode", spec.waybill + spec.suffix, stub + 7 * v, 8 * v, max(2, s.module - 1))
    s.boxes["stub_number"] = s.text(s.w / 2, y + 1, f"运单号: {spec.shown or spec.waybill}", "cjk", 3.6 * k, "mt")
    s.text(3, y + 6 * v, f"收件人: {spec.recipient.name}  {spec.recipient.masked}", "cjk", 3 * k)
    s.text(3, y + 10 * v, "签收人: ________  时间: ________", "cjk", 2.8 * k)


def render_label(spec: LabelSpec, rng: random.Random) -> tuple[np.ndarray, dict]:
    """The label as RGB pixels, and where its barcodes and printed numbers are."""
    s = Sheet(*LABEL_MM[spec.size])
    s.module = module_for(spec.waybill + spec.suffix, s.w - 4)
    draw_header(s, spec, rng)
    draw_info(s, spec, draw_people(s, spec, draw_main_barcode(s, spec), rng), rng)
    draw_stub(s, spec)
    s.draw.rectangle((0, 0, s.img.width - 1, s.img.height - 1), outline=0, width=2)
    for t in s.texts:  # nothing but the waybill itself (or a misprint's printed number) may pass for a waybill
        assert any(n in t.replace(" ", "") for n in filter(None, (spec.waybill, spec.shown))) or all(
            identify(w) is None for w in (t, *t.split())
        ), t
    # Thermal paper: off-white stock, print not quite black.
    paper = np.array([248, 247, 242], np.float32) - rng.uniform(0, 8)
    sheet = np.asarray(s.img, np.float32)[..., None] / 255
    rgb = (spec.ink + (paper - spec.ink) * sheet).astype(np.uint8)
    if spec.damage:
        rgb = hard_cases.damage_main_barcode(rgb, s.boxes, spec.damage, spec.waybill, rng)
    return rgb, s.boxes


def label_spec(kind: str, carrier: str, waybill: str, person: Person, tid: str | None, rng: random.Random) -> LabelSpec:
    suffix = JD_SUFFIX if carrier == "JD" and rng.random() < 0.8 else ""  # JD barcodes mostly carry it
    size = "small" if rng.random() < 0.4 else "large"
    if module_for(waybill + suffix, LABEL_MM[size][0] - 4) < MIN_MODULE_PX:
        size = "large"  # a long barcode needs the wide label to keep its modules decodable
    c, a, b, d = rng.choice("ABCDEFGHJKLMNPW"), rng.randint(100, 999), rng.randint(1, 40), rng.randint(0, 99)
    sort_code = rng.choice((f"{a}-{c}{b:02d} {d:02d}", f"{a} {c}{b:02d}-{d:02d}", f"{c}{b:02d}-{a}-{d:02d}"))
    faded = kind == "low_light" and rng.random() < 0.5
    return LabelSpec(
        carrier,
        waybill,
        person,
        tid,
        BASE_TIME + timedelta(minutes=rng.randint(10, 400)),
        size=size,
        suffix=suffix,
        grouped=not suffix and rng.random() < 0.25,
        big_glyph=rng.random() < 0.4,
        qr=kind not in GLARE_KINDS and rng.random() < 0.5,
        ink=rng.randint(95, 115) if faded else 28,
        sort_code=sort_code,
        hub=rng.choice(HUBS),
    )


# --- the photo --------------------------------------------------------------------------


@dataclass
class Look:
    """How one photo is taken."""

    size: tuple[int, int] = LANDSCAPE
    background: str = "cardboard"
    fill: float = 0.8  # label's share of the frame along its limiting side
    rot: float = 0.0  # in-plane rotation, degrees
    tilt: tuple[float, float] = (0.0, 0.0)  # out of the plane, about x and y, degrees
    blur: float = 0.6  # gaussian sigma, px
    motion: int = 0  # motion-blur length, px
    shadow: float = 0.0  # depth of a soft shadow across the frame (a hand, the phone)
    gain: float = 1.0  # exposure
    noise: float = 2.0  # sensor noise sigma, grey levels
    glare: float = -1.0  # <0 none; else how far the glare blob reaches past the bars


def look_for(kind: str, rng: random.Random, severity: float, attempt: int) -> Look:
    lk = Look(
        size=rng.choice((LANDSCAPE, PORTRAIT)),
        background=rng.choice(BACKGROUNDS),
        fill=rng.uniform(0.72, 0.88),
        rot=rng.uniform(-6, 6),
        blur=rng.uniform(0.3, 0.8),
        tilt=(rng.uniform(-6, 6), rng.uniform(-6, 6)),
        gain=rng.uniform(0.92, 1.05),
        noise=rng.uniform(1.2, 2.5),
    )
    if kind == "perspective":
        big, side = rng.choice((-1, 1)) * rng.uniform(15, 25) * severity, rng.uniform(-10, 10) * severity
        lk.tilt = (big, side) if rng.random() < 0.5 else (side, big)
    elif kind == "rotated":
        lk.rot = rng.choice((90, 180, 270)) + rng.uniform(-10, 10) * max(severity, 0.3)
    elif kind == "blur" and rng.random() < 0.5:
        lk.blur = 0.8 + 1.2 * severity
    elif kind == "blur":
        lk.motion = round(3 + 7 * severity)
    elif kind == "uneven_light":
        lk.shadow = 0.4 + 0.25 * severity
    elif kind == "low_light":
        lk.gain, lk.noise = 0.55 - 0.2 * severity, 3 + 2 * severity
    elif kind == "small_label":
        lk.size, lk.fill = PHONE, SMALL_FILL
    elif kind == "glare":
        lk.glare = 0.15 * attempt  # glare grows, rather than shrinks, on a retry
    elif kind == "small_glare":
        lk.size, lk.fill, lk.glare = PHONE, SMALL_FILL, 0.15 * attempt
    elif kind == "rotated_glare":
        lk.rot, lk.glare = rng.choice((90, 180, 270)) + rng.uniform(-10, 10), 0.15 * attempt
    elif kind == "stub_only":  # upright and close: the stub's 2 px modules are all that can read
        lk.size = PORTRAIT
    elif kind == "skew_strong":  # past the ~15 degrees at which zxing still reads a Code128 level
        lk.rot = rng.choice((-1, 1)) * rng.uniform(SKEW_STRONG_MIN, SKEW_STRONG_MIN + SKEW_STRONG_SPAN * severity)
        big, side = rng.choice((-1, 1)) * rng.uniform(*SKEW_STRONG_TILT) * severity, rng.uniform(-6, 6) * severity
        lk.tilt = (big, side) if rng.random() < 0.5 else (side, big)
    elif kind in ("reused_box", "no_label"):
        lk.size, lk.rot, lk.tilt = LANDSCAPE, rng.uniform(-3, 3), (0.0, 0.0)
        lk.background = "cardboard"
    return lk


def smooth_noise(nrng: np.random.Generator, w: int, h: int, cells: int, stretch: float = 1) -> np.ndarray:
    """Low-frequency noise, std about 1: a grid of random cells, upsampled."""
    small = nrng.standard_normal((max(2, round(cells * h / w * stretch)), cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def streaks(nrng: np.random.Generator, w: int, h: int, sx: float, sy: float) -> np.ndarray:
    """Fine noise smeared along x (fibres, grain), normalised to std 1; made at half size."""
    n = cv2.GaussianBlur(nrng.standard_normal((h // 2, w // 2)).astype(np.float32), (0, 0), sx, sigmaY=sy)
    return cv2.resize(n / n.std(), (w, h))


def background(kind: str, w: int, h: int, nrng: np.random.Generator) -> np.ndarray:
    y = np.arange(h, dtype=np.float32)[:, None]
    if kind == "cardboard":  # kraft brown, fibres, faint flute ridges, maybe a band of tape
        base = np.array([182, 140, 96], np.float32) + nrng.uniform(-14, 14)
        flutes = np.sin(2 * np.pi * y / (h / nrng.uniform(28, 40)))
        shade = 4 * smooth_noise(nrng, w, h, 5) + 3 * streaks(nrng, w, h, 3, 0.7) + 1.5 * flutes
        img = base + shade[..., None]
        if nrng.random() < 0.5:
            y0, band = int(nrng.uniform(0.05, 0.8) * h), h // 7
            img[y0 : y0 + band] = img[y0 : y0 + band] * 1.07 + 12
    elif kind == "desk":  # wood with fine grain and plank seams, or a plain laminate top
        wood = nrng.random() < 0.6
        grain = np.sin(2 * np.pi * (y / h * nrng.uniform(25, 45) + 0.8 * smooth_noise(nrng, w, h, 3)))
        shade = (
            9 * grain + 4 * streaks(nrng, w, h, 14, 0.8) if wood else 1.2 * streaks(nrng, w, h, 6, 2)
        ) + 3 * smooth_noise(nrng, w, h, 4)
        img = np.array([156, 112, 74] if wood else [212, 210, 202], np.float32) + shade[..., None]
        if wood:
            for seam in range(int(nrng.uniform(0.1, 0.4) * h), h, h // 2):
                img[seam : seam + 3] *= 0.55
    else:  # courier bag: grey or white polythene, long folds where stretched noise crosses zero
        base = np.array([168, 170, 175] if nrng.random() < 0.6 else [226, 226, 224], np.float32)
        folds = smooth_noise(nrng, w, h, 3, 4)
        shine, dip = np.exp(-((folds / 0.12) ** 2)), np.exp(-(((folds - 0.5) / 0.3) ** 2))
        img = base + (5 * smooth_noise(nrng, w, h, 4) + 18 * shine - 10 * dip)[..., None]
    return img.astype(np.float32)


def project(w: float, h: float, lk: Look) -> np.ndarray:
    """Corners of a w x h label, centred on 0, after tilt (pinhole camera) and rotation."""
    ax, ay = np.radians(lk.tilt)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]]) @ (ry @ rx).T
    f = FOCAL * max(w, h)
    t = math.radians(lk.rot)
    return (pts[:, :2] * f / (pts[:, 2:] + f)) @ np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])


def fit(quad: np.ndarray, lk: Look, rng: random.Random) -> np.ndarray:
    """Scale a projected quad to the frame and put it somewhere near the middle."""
    W, H = lk.size
    ext = quad.max(0) - quad.min(0)
    scale = min(W * lk.fill / ext[0], H * lk.fill / ext[1])
    room = np.array([W, H]) - ext * scale
    return ((quad - quad.min(0)) * scale + room * [rng.uniform(0.25, 0.75), rng.uniform(0.25, 0.75)]).astype(np.float32)


def warp(img: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = img.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.warpPerspective(
        img, cv2.getPerspectiveTransform(src, quad.astype(np.float32)), size, flags=cv2.INTER_LINEAR
    )


def paste(
    canvas: np.ndarray,
    label: np.ndarray,
    quad: np.ndarray,
    glare: np.ndarray,
    alpha: np.ndarray | None = None,
    glare_src: np.ndarray | None = None,
) -> None:
    """Lay a label on the canvas (in place), with a soft contact shadow."""
    edge = np.linalg.norm(quad[1] - quad[0]) / label.shape[1]
    if edge < 0.9:  # area-average first, so thin bars don't alias in the warp
        label = cv2.resize(label, None, fx=edge, fy=edge, interpolation=cv2.INTER_AREA)
        alpha, glare_src = (
            None if a is None else cv2.resize(a, None, fx=edge, fy=edge, interpolation=cv2.INTER_AREA)
            for a in (alpha, glare_src)
        )
    H, W = canvas.shape[:2]  # work on the label's bounding box only: much faster
    x0, y0 = np.maximum(quad.min(0) - PASTE_PAD, 0).astype(int)
    x1, y1 = np.minimum(quad.max(0) + PASTE_PAD, [W, H]).astype(int)
    quad, size, roi = quad - [x0, y0], (x1 - x0, y1 - y0), canvas[y0:y1, x0:x1]
    mask = warp(np.ones(label.shape[:2], np.float32) if alpha is None else alpha, quad, size)[..., None]
    shadow = cv2.GaussianBlur(np.roll(mask[..., 0], (6, 5), (0, 1)), (0, 0), 7)[..., None]
    roi *= 1 - 0.3 * shadow
    roi[:] = roi * (1 - mask) + warp(label, quad, size).astype(np.float32) * mask
    if glare_src is not None:
        np.maximum(glare[y0:y1, x0:x1], warp(glare_src, quad, size) * mask[..., 0], out=glare[y0:y1, x0:x1])


def glare_mask(shape: tuple[int, ...], boxes: dict, grow: float) -> np.ndarray:
    """A saturated blob over each barcode's bars that fades out before the digits below."""
    total = np.zeros(shape[:2], np.float32)
    rows = np.arange(shape[0], dtype=np.float32)[:, None]
    for bars, digits_box in (("barcode", "number"), ("stub_barcode", "stub_number")):
        x0, y0, x1, y1 = boxes[bars]
        cx, cy, bw, bh = (x0 + x1) // 2, (y0 + y1) // 2, x1 - x0, y1 - y0
        mask = np.zeros_like(total)
        cv2.ellipse(mask, (cx, cy), (int(bw * (0.45 + grow)), int(bh * 0.6)), 0, 0, 360, 1.0, -1)
        half = int(bw * (0.3 + grow))  # a core across every bar row: no scanline sees the whole symbol
        cv2.rectangle(mask, (cx - half, y0 - 4), (cx + half, y1), 1.0, -1)
        # Clipped core plus a wide, half-strength bloom: what an overexposed highlight looks like.
        mask = np.maximum(
            np.clip(cv2.GaussianBlur(mask, (0, 0), 6) * 1.5, 0, 1), 0.5 * cv2.GaussianBlur(mask, (0, 0), 30)
        )
        top = boxes[digits_box][1]
        np.maximum(total, mask * np.clip((top - 2 - rows) / max(1, top - 2 - y1), 0, 1), out=total)
    return total


def develop(
    canvas: np.ndarray, glare: np.ndarray, lk: Look, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    """Light, optics and sensor: gradient and vignette, cast shadow, glare, blur, noise."""
    H, W = canvas.shape[:2]
    ys, xs = np.linspace(-1, 1, H, dtype=np.float32)[:, None], np.linspace(-1, 1, W, dtype=np.float32)[None]
    a, b = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    light = (1 + 0.07 * (math.cos(a) * xs + math.sin(a) * ys)) * (1 - 0.14 * (xs**2 + ys**2))
    if lk.shadow:
        edge = (math.cos(b) * xs + math.sin(b) * ys - rng.uniform(-0.3, 0.3)) / 0.12
        light = light * (1 - lk.shadow / (1 + np.exp(-edge)))
    cast = [1.03, 1.0, 0.94] if rng.random() < 0.6 else [0.97, 1.0, 1.04]
    img = cv2.multiply(canvas, cv2.merge([light * (lk.gain * c) for c in cast]))
    if lk.glare >= 0:  # specular: the sensor clips, whatever the print underneath
        g = glare[..., None]
        img = img * (1 - g) + 255 * g
    if lk.motion:
        kern: np.ndarray = np.zeros((lk.motion, lk.motion), np.float32)
        kern[lk.motion // 2] = 1
        kern = cv2.warpAffine(
            kern, cv2.getRotationMatrix2D(((lk.motion - 1) / 2,) * 2, rng.uniform(0, 180), 1), kern.shape
        )
        img = cv2.filter2D(img, -1, kern / kern.sum())
    img = cv2.GaussianBlur(img, (0, 0), lk.blur)
    # `img +=`, spelt out: the stubs type cv2's result as maybe integer, and refuse adding floats to that.
    np.add(img, nrng.standard_normal((H, W, 1), np.float32) * lk.noise, out=img)
    return np.clip(img, 0, 255, out=img).astype(np.uint8)


def box_print(lk: Look, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Flexo print on a carton (fragile marks, the shop's brand, no numbers) and its ink colour."""
    W, H = lk.size
    s = Sheet(W / PX_PER_MM, H / PX_PER_MM)
    s.text(s.w / 2, s.h * 0.3, "易碎品  小心轻放", "cjkb", s.h * 0.07, "mm", bold=True)
    s.text(s.w / 2, s.h * 0.42, "↑ 此面向上   怕湿   堆码层数 ≤ 5", "cjk", s.h * 0.04, "mm")
    s.text(s.w / 2, s.h * 0.62, "拾光家居  SHIGUANG HOME", "cjkb", s.h * 0.06, "mm", bold=True)
    s.text(s.w / 2, s.h * 0.72, "规格: 45×35×30cm   材质: 五层瓦楞纸", "cjk", s.h * 0.035, "mm")
    ink = warp(1 - np.asarray(s.img, np.float32) / 255, fit(project(W, H, lk), replace(lk, fill=0.9), rng), (W, H))
    return ink[..., None] * 0.85, np.array((170, 30, 35) if rng.random() < 0.6 else (30, 30, 40), np.float32)


# --- one photo -------------------------------------------------------------------------------


@dataclass
class Shot:
    kind: str
    seed: int  # the photo's own random stream, so photos can be made in any order
    carrier: str | None = None
    waybill: str | None = None
    order: str | None = None  # the order truth names
    spec: LabelSpec | None = None
    old: LabelSpec | None = None  # reused_box: the older label beside the new one
    ext: str = "jpg"


def torn(h: int, w: int, keep: float, rng: random.Random) -> np.ndarray:
    """Alpha for a label torn off below `keep` of its height, along a ragged edge."""
    edge = keep * h + np.cumsum([rng.uniform(-6, 6) for _ in range(w)])
    return (np.arange(h)[:, None] < np.clip(edge, h * 0.6, h)[None]).astype(np.float32)


def compose(
    shot: Shot, labels: dict, lk: Look, rng: random.Random, nrng: np.random.Generator, severity: float = 1.0
) -> np.ndarray:
    W, H = lk.size
    canvas = background(lk.background, W, H, nrng)
    glare = np.zeros((H, W), np.float32)
    if shot.kind == "no_label":
        ink, color = box_print(lk, rng)
        canvas[:] = canvas * (1 - ink) + color * ink
    elif shot.kind == "reused_box":  # old label up left, torn at the bottom; the new one overlaps its edge
        old, (new, _) = labels["old"][0], labels["new"]
        (ox, oy, oh), (nx, ny, nh) = OLD_LABEL_AT, NEW_LABEL_AT
        quad = project(old.shape[1], old.shape[0], replace(lk, rot=rng.uniform(-8, -3)))
        old_h, old_w = old.shape[:2]
        paste(canvas, old, quad * (oh * H / old_h) + [ox * W, oy * H], glare, alpha=torn(old_h, old_w, 0.72, rng))
        quad = project(new.shape[1], new.shape[0], lk)
        paste(canvas, new, quad * (nh * H / new.shape[0]) + [nx * W, ny * H], glare)
    else:
        img, boxes = labels["new"]
        if shot.kind == "thermal_fade":  # the label fades per shot, so a retry can fade it less
            img = hard_cases.fade_print(img, severity, nrng)
        paste(
            canvas,
            img,
            fit(project(img.shape[1], img.shape[0], lk), lk, rng),
            glare,
            glare_src=glare_mask(img.shape, boxes, lk.glare) if lk.glare >= 0 else None,
        )
    return develop(canvas, glare, lk, rng, nrng)


def encode(img: np.ndarray, ext: str, exif_turn: bool = False) -> bytes:
    buf, im = BytesIO(), Image.fromarray(img)
    if ext == "png":  # as document-scanner apps save them: greyscale
        im.convert("L").save(buf, "PNG")
    elif ext == "webp":
        im.save(buf, "WEBP", quality=JPEG_QUALITY)
    elif exif_turn:  # pixels stored a quarter turn CCW; Orientation 6 tells viewers to turn them back
        exif = Image.Exif()
        exif[0x0112] = 6
        im.transpose(Image.Transpose.ROTATE_90).save(buf, "JPEG", quality=JPEG_QUALITY, exif=exif.tobytes())
    else:
        im.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def as_truth_says(shot: Shot, data: bytes, lk: Look) -> bool:
    """Does zxing, reading the file as written, see what the truth will say?"""
    im = np.asarray(ImageOps.exif_transpose(Image.open(BytesIO(data))).convert("L"))
    reads = zxingcpp.read_barcodes(im)
    found = [canonical(b.text) for b in reads]
    if shot.kind in (*GLARE_KINDS, "no_label"):
        return not found
    assert shot.waybill is not None and shot.spec is not None  # every other kind has a label
    if shot.kind == "stub_only":  # one copy only: the stub's (the main barcode failed the flat check)
        return found.count(shot.waybill) == 1
    if shot.kind == "skew_strong":  # too skewed for zxing as it is; intact once the photo is turned level
        return shot.waybill in found or shot.waybill in read_level(im, lk.rot)
    if shot.kind == "misprint":  # the barcode reads; the printed number is nowhere in a barcode
        return shot.waybill in found and shot.spec.shown not in found
    if shot.kind == "jd_multi":  # every barcode reads, so the reader really has to choose
        return (
            shot.waybill in found
            and shot.spec.order_barcode in found
            and any(b.format == zxingcpp.BarcodeFormat.QRCode for b in reads)
        )
    return shot.waybill in found and (shot.old is None or shot.old.waybill in found)


def read_level(grey: np.ndarray, rot: float) -> list[str]:
    """zxing's reads after turning the photo back by `rot` degrees (the label's in-plane rotation)."""
    h, w = grey.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rot, 1.0)  # cv2 turns counter-clockwise, project() clockwise
    level = cv2.warpAffine(grey, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=128)
    return [canonical(b.text) for b in zxingcpp.read_barcodes(level)]


def take(shot: Shot) -> bytes:
    """Shoot the photo, milder each time, until zxing sees what the truth says."""
    rng = random.Random(shot.seed)
    labels = {key: render_label(spec, rng) for key, spec in (("new", shot.spec), ("old", shot.old)) if spec}
    for attempt, severity in enumerate(ATTEMPT_SEVERITY):
        lk = look_for(shot.kind, rng, severity, attempt)
        img = compose(shot, labels, lk, rng, np.random.default_rng(rng.getrandbits(64)), severity)
        data = encode(img, shot.ext, exif_turn=shot.kind == "exif_rotated")
        if shot.kind == "corrupt":
            return data[: len(data) // 2]  # cut mid-scan: no end-of-image marker
        if as_truth_says(shot, data, lk):
            return data
    raise RuntimeError(f"{shot.kind} {shot.waybill}: zxing never agreed with the truth")


# --- the set ---------------------------------------------------------------------------------


def cast(kind: str, carrier: str, world: World, rng: random.Random) -> Shot:
    """Decide who the parcel is for and write the orders this kind needs."""
    shot = Shot(kind, rng.getrandbits(32))
    if kind == "no_label":
        return shot
    shot.carrier, shot.waybill, person = carrier, waybill_for(kind, carrier, world), world.person()
    tid = None
    if kind == "namesake":  # same name on another open order: different phone and address
        world.order(world.person(person.name), "awaiting_shipment")
    if kind == "ambiguous":  # one buyer, two open orders, one address
        world.order(person, "awaiting_shipment")
        world.order(person, "awaiting_shipment")
    elif kind == "closed_order":
        tid = world.order(person, "closed").tid
    elif kind != "no_order":
        tid = world.order(person, "awaiting_shipment").tid
    if kind == "used_number":  # this number already went out on someone else's parcel
        world.order(world.person(), "shipped", shot.waybill)
    if ALL_KINDS[kind][0] in ("queued", "rejected") or kind in ("reused_box", "misprint"):
        shot.order = tid  # reused_box, misprint: the order once review settles the number
    printed_tid = tid if PRINTS_TID.get(kind, rng.random() < 0.5) else None
    shot.spec = label_spec(kind, carrier, shot.waybill, person, printed_tid, rng)
    if kind in HARD_KINDS:
        shot.spec = harden(kind, shot.spec, world, rng)
    if kind == "reused_box":  # an old inbound label, a supplier's parcel to the shop; small size, so not JD
        old_carrier = rng.choice([c for c in CARRIER_WEIGHTS if c not in (carrier, "JD")])
        shot.old = replace(
            label_spec("clean", old_carrier, world.waybill(old_carrier), SHOP_KEEPER, None, rng),
            sender=SUPPLIER,
            size="small",
            printed=BASE_TIME - timedelta(days=rng.randint(5, 40)),
            ink=70,
            qr=False,
        )
    return shot


def waybill_for(kind: str, carrier: str, world: World) -> str:
    """A new number; ocr_lookalike's needs a 0/1/2/5/8 past the prefix (all but ~0.2% have one)."""
    number = world.waybill(carrier)
    while kind == "ocr_lookalike" and not hard_cases.lookalike_spots(number):
        number = world.waybill(carrier)
    return number


def harden(kind: str, spec: LabelSpec, world: World, rng: random.Random) -> LabelSpec:
    """What a hard kind changes on its label (thermal_fade fades at the shot, see compose)."""
    if kind == "misprint":  # a second valid number, one or two digits off, printed instead
        return replace(spec, shown=world.unique(lambda: hard_cases.misprint_of(spec.waybill, rng)))
    if kind == "ocr_lookalike":
        return replace(spec, shown=hard_cases.lookalike_of(spec.waybill, rng))
    if kind == "jd_multi":  # the wide label: the info block needs room for the order barcode
        assert spec.tid is not None  # PRINTS_TID: a jd_multi label prints its order number
        return replace(spec, suffix=JD_SUFFIX, size="large", grouped=False, qr=True, order_barcode=spec.tid)
    if kind == "stub_only":
        return replace(spec, damage=rng.choice(("tear", "tear", "scratch")))
    return spec


def carrier_for(kind: str, rng: random.Random) -> str:
    return "JD" if kind == "jd_multi" else pick_carrier(rng)


def plan(count: int, rng: random.Random, hard: bool | None = None) -> list[tuple[str, str]]:
    """(kind, carrier) per photo: every kind, and a clean label of every carrier, come first.

    `hard` (default: more than HARD_FROM_COUNT photos) adds HARD_COPIES of each
    hard kind after that first part and lets them into the weighted rest.
    Without them the random stream is the one the committed set was drawn from.
    """
    hard = count > HARD_FROM_COUNT if hard is None else hard
    kinds = ALL_KINDS if hard else KINDS
    base = [("clean", c) for c in CARRIER_WEIGHTS] + [(k, pick_carrier(rng)) for k in KINDS if k != "clean"]
    rng.shuffle(base)
    if hard:  # after the kinds above, in rounds: a short set still gets one of each before any gets two
        base += [(k, carrier_for(k, rng)) for _ in range(HARD_COPIES) for k in HARD_KINDS]
    extra = rng.choices(list(kinds), [w for *_, w in kinds.values()], k=max(0, count - len(base)))
    items = base[:count] + [(k, carrier_for(k, rng)) for k in extra]
    rng.shuffle(items)
    return items


def audit(shots: list[Shot], world: World) -> None:
    """The truth must follow from orders.csv, or the bench measures nothing."""
    awaiting = [o for o in world.orders if o.status == "awaiting_shipment"]
    by_tid = {o.tid: o for o in world.orders}
    for s in shots:
        if not s.spec:
            continue
        r = s.spec.recipient
        same = [
            o
            for o in awaiting
            if (o.person.name, o.person.phone[-4:], o.person.street) == (r.name, r.phone[-4:], r.street)
        ]
        elsewhere = [o.tid for o in world.orders if o.waybill == s.waybill]
        if s.kind == "ambiguous":
            assert len(same) == 2 and not s.spec.tid
        elif s.kind == "no_order":
            assert not any(o.person.name == r.name for o in world.orders)
        elif s.kind == "closed_order":
            assert s.spec.tid is not None  # PRINTS_TID: a closed_order label prints its order number
            assert by_tid[s.spec.tid].status == "closed"
        elif s.kind == "used_number":
            assert elsewhere and s.order not in elsewhere and [o.tid for o in same] == [s.order]
        elif s.kind == "misprint":  # both numbers the same carrier's, a digit or two apart, on no order
            assert s.waybill is not None
            assert identify(s.spec.shown) is identify(s.waybill) and s.spec.shown != s.waybill
            assert [o.tid for o in same] == [s.order] and not elsewhere
            assert not any(o.waybill == s.spec.shown for o in world.orders)
        elif s.kind != "corrupt":  # everything else has exactly one right order
            assert [o.tid for o in same] == [s.order] and not elsewhere, s
            assert s.spec.tid in (None, s.order) and s.spec.order_barcode in ("", s.order)


def export_csv(orders: list[Order]) -> str:
    """Qianniu's export: ="..." keeps Excel off long numbers; ' keeps a phone a string."""

    def cell(v: str) -> str:
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if "," in v or v.startswith('"') else v

    rows = [EXPORT_COLUMNS]
    for o in sorted(orders, key=lambda o: o.created, reverse=True):
        p, (title, price), paid = o.person, o.product, o.status != "awaiting_payment"
        goods = price * o.qty
        postage = 0.0 if goods >= 49 else 6.0
        number = "" if not o.waybill else "\t" + o.waybill if o.tab_waybill else f'="{o.waybill}"'
        rows.append(
            (
                f'="{o.tid}"',
                o.buyer,
                p.masked if paid else "",
                f"{goods:.2f}",
                f"{postage:.2f}",
                f"{goods + postage:.2f}",
                f"{goods + postage:.2f}" if paid else "0.00",
                STATUS_TEXT[o.status],
                o.note,
                p.name,
                p.export_address(),
                "快递",
                "",
                p.masked if o.phone_masked else f"'{p.phone}",
                o.created.strftime("%Y-%m-%d %H:%M:%S"),
                (o.created + timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S") if paid else "",
                title,
                "1",
                number,
                o.carrier,
                o.memo,
                str(o.qty),
                SHOP.name,
                # the tid's last digits serve as a stable coin for the two columns nothing reads
                CLOSE_REASONS[int(o.tid[-1]) % len(CLOSE_REASONS)] if o.status == "closed" else "",
                "手机订单" if int(o.tid[-2]) % 3 else "",
            )
        )
    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows)


def second_number(shot: Shot) -> str | None:
    """The other number a photo shows: the old label's (reused_box) or the printed one (misprint)."""
    if shot.old:
        return shot.old.waybill
    if shot.kind == "misprint":
        assert shot.spec is not None  # a misprint is a label
        return shot.spec.shown
    return None


def generate_set(out_dir: Path, count: int, seed: int, jobs: int | None = None, hard: bool | None = None) -> list[dict]:
    """Write photos/, orders.csv and truth.jsonl under out_dir; return the truth lines.

    `hard`: include the hard kinds (default: when count > HARD_FROM_COUNT).
    """
    out_dir = Path(out_dir)
    photos = out_dir / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    for stale in photos.iterdir():  # only files this generator names, nothing else
        if re.fullmatch(r"\d{3,}_[a-z_]+\.(jpg|png|webp)", stale.name):
            stale.unlink()
    rng = random.Random(seed)
    world = World(rng)
    shots = [cast(kind, carrier, world, rng) for kind, carrier in plan(count, rng, hard)]
    world.filler(max(count // 2, round(count * ORDERS_PER_PHOTO) - len(world.orders)))
    audit(shots, world)
    for i, shot in enumerate(shots, 1):  # by position, not chance: a png costs ~3 jpgs of disk
        if shot.kind not in ("corrupt", "exif_rotated", "small_label", "small_glare"):
            shot.ext = "png" if i % PNG_EVERY == 9 else "webp" if i % WEBP_EVERY == 3 else "jpg"
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs == 1:
        images = [take(shot) for shot in shots]
    else:  # each photo has its own seed, so the pool changes nothing but the time
        with ProcessPoolExecutor(jobs) as pool:
            images = list(pool.map(take, shots, chunksize=4))
    width, truth = max(3, len(str(count))), []
    for i, (shot, data) in enumerate(zip(shots, images, strict=True), 1):
        name = f"photos/{i:0{width}d}_{shot.kind}.{shot.ext}"
        (out_dir / name).write_bytes(data)
        status, reason, _ = ALL_KINDS[shot.kind]
        seen = shot.spec is not None and shot.kind != "corrupt"  # what a reader could know
        truth.append(
            {
                "file": name,
                "kind": shot.kind,
                "carrier": shot.carrier if seen else None,
                "waybill": shot.waybill if seen else None,
                "order": shot.order if seen else None,
                "expect_status": status,
                "expect_reason": reason,
                "legible": shot.kind != "corrupt",
                "old_waybill": second_number(shot),
            }
        )
    (out_dir / "orders.csv").write_bytes(export_csv(world.orders).encode("gbk"))
    (out_dir / "truth.jsonl").write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truth), encoding="utf-8"
    )
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--count", type=int, default=40, help="number of photos")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs); output is the same")
    ap.add_argument(
        "--hard",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"include the hard kinds (default: only when --count > {HARD_FROM_COUNT})",
    )
    args = ap.parse_args()
    start = time.perf_counter()
    truth = generate_set(args.out, args.count, args.seed, args.jobs, args.hard)
    kinds = Counter(t["kind"] for t in truth)
    print(
        f"{len(truth)} photos in {time.perf_counter() - start:.1f}s -> {args.out}: "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    )


if __name__ == "__main__":
    main()

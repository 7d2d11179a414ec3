"""China Post / EMS 100x150 (S10 numbers on some) and Deppon's 100x150 with 件数/重量 fields."""

from __future__ import annotations

import random

from standard_labels.draw import Canvas, Rendered
from standard_labels.scenario import LabelSpec
from standard_labels.tpl_common import (
    barcode_with_number,
    jitter,
    logo,
    new_canvas,
    party,
    printed_number,
    recipient_lines,
    sender_lines,
    signature,
)

M = 1.5
PROVINCE_SHORT = {
    "山东省": "鲁", "浙江省": "浙", "江苏省": "苏", "上海": "沪", "安徽省": "皖", "福建省": "闽", "江西省": "赣",
    "广东省": "粤", "广西壮族自治区": "桂", "海南省": "琼", "北京": "京", "天津": "津", "河北省": "冀", "山西省": "晋",
    "内蒙古自治区": "蒙", "湖北省": "鄂", "湖南省": "湘", "河南省": "豫", "四川省": "川", "重庆": "渝", "云南省": "云",
    "贵州省": "黔", "西藏自治区": "藏", "陕西省": "陕", "甘肃省": "甘", "新疆维吾尔自治区": "新", "宁夏回族自治区": "宁",
    "青海省": "青", "辽宁省": "辽", "吉林省": "吉", "黑龙江省": "黑",
}  # fmt: skip


def _ems_logo(c: Canvas, x: float, y: float, h: float) -> None:
    """EMS's mark: the bold letters with speed lines, then 中国邮政速递物流."""
    w = c.text(x, y, "EMS", h * 0.8, family="serif_bold")
    for i in range(3):
        c.line(x - 0.5, y + h * (0.3 + 0.15 * i), x + w * 0.25, y + h * (0.3 + 0.15 * i), 0.3)
    c.text(x + w + 1.2, y + h * 0.04, "中国邮政", h * 0.42, bold=True)
    c.text(x + w + 1.2, y + h * 0.52, "CHINA POST  11183", h * 0.28, family="sans_bold")


def ems_100x150(spec: LabelSpec, rng: random.Random) -> Rendered:
    c = new_canvas(100, 150, rng)
    w = 100.0
    c.rect(M, M, w - M, 150 - M, width=0.35)
    _ems_logo(c, M + 2, M + 2, jitter(rng, 9, 0.08))
    c.badge(w - M - 24, M + 2, w - M - 2, M + 10.5, rng.choice(("标准快递", "特快专递", "快递包裹")), 4.2)
    y = M + 12.5
    c.line(M, y, w - M, y)
    y = barcode_with_number(c, spec, M + 4, y + 1.5, w - 2 * M - 8, jitter(rng, 15, 0.08), rng) + 0.5
    c.line(M, y, w - M, y)
    region = spec.recipient.region
    sort = f"{PROVINCE_SHORT[region.province]} {region.postcode[:3]}-{rng.randint(1, 30):02d}"
    c.text(M + 2, y + 1.5, sort, jitter(rng, 9, 0.08), bold=True, key="routing")
    c.text(w - M - 2, y + 1.8, f"寄达局：{region.city.removesuffix('市')}{region.district[:2]}", 2.8, anchor="rt")
    c.text(w - M - 2, y + 6.5, f"邮编 {region.postcode}", 3.2, bold=True, anchor="rt")
    y += 13
    c.line(M, y, w - M, y)
    party(c, "收", (M, y, w - M, y + 19), recipient_lines(spec, rng), jitter(rng, 3.7, 0.08), rng)
    y += 19
    c.line(M, y, w - M, y)
    party(c, "寄", (M, y, w - M, y + 12), sender_lines(spec), 2.5, rng)
    c.text(w - M - 2, y + 12 - 1, f"邮编 {spec.shop.region.postcode}", 2.3, anchor="rb")
    y += 12
    c.line(M, y, w - M, y)
    grams = round(spec.weight * 1000)
    c.text(M + 1.2, y + 1.2, f"内件品名：{spec.items}", 2.4, max_w=60)
    c.text(M + 1.2, y + 4.8, f"重量(g)：{grams}   资费：¥{rng.choice((8, 10, 12, 15, 18))}.00", 2.4)
    c.text(M + 1.2, y + 8.4, f"收寄日期：{spec.print_time:%Y-%m-%d}", 2.4)
    y += 13
    c.line(M, y, w - M, y)
    signature(c, (M, y, w - M, y + 10), rng)
    cut = y + 11
    c.dashed(cut, 0, w)
    _lower(c, spec, cut, 150 - M, rng)
    return c.result()


def _lower(c: Canvas, spec: LabelSpec, y0: float, y1: float, rng: random.Random) -> None:
    """The customer's stub: a small barcode, both parties in short, the order number on some."""
    w = c.w_mm
    assert spec.barcode_text
    c.barcode(M + 3, y0 + 2, 55, 9, spec.barcode_text, key="barcode_stub")
    c.text(M + 30.5, y0 + 11.6, printed_number(spec), 2.6, family="sans_bold", anchor="mt", max_w=55)
    c.text(w - M - 2, y0 + 2.5, "客户联", 3.2, bold=True, anchor="rt")
    y = y0 + 16
    name, address = recipient_lines(spec, rng)
    c.text(M + 1.5, y, f"收件人：{name}", 2.6, bold=True, max_w=w - 6)
    c.wrap(M + 1.5, y + 3.5, w - 6, address, 2.3, max_lines=2)
    c.text(M + 1.5, y + 10, f"寄件人：{spec.shop.name}  {spec.shop.phone}", 2.3, max_w=w - 6)
    rows = [f"订单号：{spec.order_no}"] if spec.order_no else []
    rows.append(f"打印时间：{spec.print_time:%Y-%m-%d %H:%M:%S}")
    for i, row in enumerate(rows):
        key = "order_no" if row.startswith("订单号") else None
        if y + 14 + i * 3.6 + 2.5 < y1:
            c.text(M + 1.5, y + 14 + i * 3.6, row, 2.4, bold=key is not None, key=key)


def _deppon_table(c: Canvas, spec: LabelSpec, y: float, rng: random.Random) -> float:
    w = c.w_mm
    volume = rng.choice(("0.01", "0.02", "0.005", "0.03"))
    cells = [
        ("件数", "1/1"),
        ("重量", f"{max(spec.weight, 0.5):.1f}kg"),
        ("体积", f"{volume}m³"),
        ("付款方式", rng.choice(("寄付", "寄付月结"))),
    ]
    cw = (w - 2 * M) / len(cells)
    for i, (head, value) in enumerate(cells):
        x = M + i * cw
        c.text(x + cw / 2, y + 1.2, head, 2.3, anchor="mt")
        c.text(x + cw / 2, y + 4.4, value, 3.4, family="sans_bold" if i < 3 else None, bold=i == 3, anchor="mt")
        if i:
            c.line(x, y, x, y + 9)
    c.line(M, y + 9, w - M, y + 9)
    c.text(M + 1.2, y + 10.2, f"运输性质：{rng.choice(('标准快递', '大件快递3.60', '特准快件'))}   保价：¥0", 2.4)
    return y + 14


def deppon_100x150(spec: LabelSpec, rng: random.Random) -> Rendered:
    c = new_canvas(100, 150, rng)
    w = 100.0
    c.rect(M, M, w - M, 150 - M, width=0.35)
    logo(c, "DEPPON", M + 1.5, M + 2, jitter(rng, 8.5, 0.08))
    c.badge(w - M - 25, M + 2, w - M - 2, M + 10.5, rng.choice(("标准快递", "大件快递", "特准快件")), 4.0)
    y = M + 12.5
    c.line(M, y, w - M, y)
    y = barcode_with_number(c, spec, M + 4, y + 1.5, w - 2 * M - 8, jitter(rng, 14, 0.08), rng) + 0.5
    c.line(M, y, w - M, y)
    region = spec.recipient.region
    c.text(M + 2, y + 1.2, "目的站", 2.2)
    station = f"{region.city.removesuffix('市')}{region.district[:2]}营业部"
    c.text(M + 2, y + 3.8, station, jitter(rng, 6.5, 0.08), bold=True, max_w=62, key="routing")
    c.text(w - M - 2, y + 3.5, f"{rng.choice('ABCDG')}-{rng.randint(1, 99):03d}", 6.5, family="sans_bold", anchor="rt")
    y += 12.5
    c.line(M, y, w - M, y)
    y = _deppon_table(c, spec, y, rng)
    c.line(M, y, w - M, y)
    party(c, "收", (M, y, w - M, y + 19), recipient_lines(spec, rng), jitter(rng, 3.6, 0.08), rng)
    y += 19
    c.line(M, y, w - M, y)
    party(c, "寄", (M, y, w - M, y + 11), sender_lines(spec), 2.5, rng)
    y += 11
    c.line(M, y, w - M, y)
    c.text(M + 1.2, y + 1.2, f"货物名称：{spec.items}", 2.4, max_w=w - 6)
    cut = y + 6
    c.dashed(cut, 0, w)
    _lower(c, spec, cut, 150 - M, rng)
    return c.result()

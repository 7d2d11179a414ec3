"""SF Express's own 100x150 layout (cut at 90 mm) and JD Logistics' 100x113 label."""

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
    qr_content,
    recipient_lines,
    sender_lines,
)

M = 1.5


def sf_destination(spec: LabelSpec, rng: random.Random) -> str:
    """目的地代码 like 755W-010A: the destination area code, a letter, then the outlet."""
    area = spec.recipient.region.area_code
    return f"{area}{rng.choice('WABHJ')}{rng.choice(('', 'T', 'G'))}-{rng.randint(1, 99):03d}{rng.choice('ABCDEF')}"


def _sf_cargo(c: Canvas, spec: LabelSpec, y0: float, y1: float, rng: random.Random) -> None:
    size = 2.4
    month = "".join(rng.choice("0123456789") for _ in range(3))
    rows = [
        f"托寄物：{spec.items}",
        f"计费重量：{max(1.0, round(spec.weight)):.1f}kg   实际重量：{spec.weight:.2f}kg",
        f"付款方式：{rng.choice(('寄付月结', '寄付现结', '寄付月结'))}   月结账号：{spec.shop.region.area_code}****{month}",
        f"声明价值：{rng.choice(('', '¥500', '¥1000'))}   保价费用：{rng.choice(('', '¥1', '¥5'))}",
    ]
    for i, row in enumerate(rows[: 3 if rng.random() < 0.5 else 4]):
        c.text(M + 1.2, y0 + 1 + i * size * 1.35, row, size * 0.95, max_w=62)
    c.line(66, y0, 66, y1)
    c.text(67.5, y0 + 1.2, "收方签署：", 2.3)
    c.text(67.5, y1 - 3.5, "日期：   月   日", 2.2)


def sf_100x150(spec: LabelSpec, rng: random.Random) -> Rendered:
    c = new_canvas(100, 150, rng)
    w = 100.0
    c.rect(M, M, w - M, 150 - M, width=0.35)
    logo(c, "SF", M + 1.5, M + 2, jitter(rng, 8.5, 0.08))
    c.badge(w - M - 26, M + 2, w - M - 2, M + 11, rng.choice(("顺丰标快", "顺丰特快", "电商标快", "顺丰特惠")), 4.6)
    y = M + 13
    c.line(M, y, w - M, y)
    y2 = barcode_with_number(c, spec, M + 2, y + 1.5, 70, jitter(rng, 13.5, 0.08), rng)
    c.text(w - M - 13, y + 4, "1/1", 6.0, family="sans_bold", anchor="mt")
    c.text(w - M - 13, y + 12, rng.choice(("已验视", "已实名", "")), 2.6, anchor="mt")
    y = max(y2, y + 19) + 0.8
    c.line(M, y, w - M, y)
    c.text(M + 2, y + 1.2, "目的地", 2.2)
    c.text(
        M + 2, y + 4.0, sf_destination(spec, rng), jitter(rng, 9.5, 0.1), family="sans_bold", max_w=62, key="routing"
    )
    c.text(w - M - 2, y + 1.5, f"原寄地：{spec.shop.region.area_code}", 2.5, anchor="rt")
    y += 15
    c.line(M, y, w - M, y)
    qr = rng.random() < 0.75
    right = w - M - (24 if qr else 0)
    party(c, "收", (M, y, right, y + 19), recipient_lines(spec, rng), jitter(rng, 3.7, 0.08), rng)
    if qr:
        c.qr(right + 1.5, y + 1, 21, qr_content(spec, rng))
    y += 19
    c.line(M, y, right, y)
    party(c, "寄", (M, y, right, y + 12), sender_lines(spec), 2.5, rng)
    y += 12
    c.line(M, y, w - M, y)
    cut = max(90.0, y + 14)
    _sf_cargo(c, spec, y, cut, rng)
    c.dashed(cut, 0, w)
    _sf_stub(c, spec, cut, rng)
    return c.result()


def _sf_stub(c: Canvas, spec: LabelSpec, y: float, rng: random.Random) -> None:
    w = c.w_mm
    assert spec.barcode_text
    logo(c, "SF", M + 1.5, y + 1.5, 6)
    c.barcode(w - M - 52, y + 1.5, 50, 9, spec.barcode_text, key="barcode_stub")
    c.text(w - M - 27, y + 11, printed_number(spec), 2.6, family="sans_bold", anchor="mt")
    y += 15
    c.line(M, y, w - M, y)
    party(c, "寄", (M, y, w - M, y + 11), sender_lines(spec), 2.3, rng)
    y += 11
    c.line(M, y, w - M, y)
    party(c, "收", (M, y, w - M, y + 14), recipient_lines(spec, rng), 2.6, rng)
    y += 14
    c.line(M, y, w - M, y)
    lines = [f"托寄物：{spec.items} ×{spec.qty}"]
    if spec.order_no:
        lines.append(f"订单号：{spec.order_no}")
    lines.append(f"备注：{rng.choice(('', '易碎', '请勿挤压'))}   打印时间：{spec.print_time:%Y-%m-%d %H:%M}")
    for i, line in enumerate(lines):
        key = "order_no" if line.startswith("订单号") else None
        c.text(M + 1.2, y + 1.2 + i * 3.6, line, 2.4, bold=key is not None, max_w=w - 2 * M - 3, key=key)


def jd_presort(spec: LabelSpec, rng: random.Random) -> tuple[str, str]:
    """预分拣: a sorting code and the delivering 营业部."""
    region = spec.recipient.region
    code = f"{rng.randint(10, 99)}-{rng.choice('ABCDEFG')}{rng.randint(1, 30)}-{rng.randint(1, 40):02d}"
    station = f"{region.city.removesuffix('市')}{region.district[:2]}{rng.choice(('营业部', '站', '配送站'))}"
    return code, station


def jd_100x113(spec: LabelSpec, rng: random.Random) -> Rendered:
    c = new_canvas(100, 113, rng)
    w = 100.0
    c.rect(M, M, w - M, 113 - M, width=0.35)
    logo(c, "JD", M + 1.5, M + 1.8, jitter(rng, 8.5, 0.08))
    c.rect(w - M - 19, M + 1.5, w - M - 1.5, M + 11, width=0.5)
    c.text(w - M - 10.25, M + 6.25, "1/1", 6.0, family="sans_bold", anchor="mm")
    c.text(w - M - 21, M + 6.25, rng.choice(("特快送", "京东标快", "特惠送")), 3.2, bold=True, anchor="rm")
    y = M + 12.5
    c.line(M, y, w - M, y)
    code, station = jd_presort(spec, rng)
    c.text(M + 2, y + 1.2, code, jitter(rng, 9, 0.08), family="sans_bold", key="routing")
    c.text(w - M - 2, y + 2, station, 3.4, bold=True, anchor="rt", max_w=36)
    c.text(
        w - M - 2, y + 7.5, f"{spec.recipient.region.hub.replace('转运中心', '分拣中心')}", 2.4, anchor="rt", max_w=36
    )
    y += 13
    c.line(M, y, w - M, y)
    y = barcode_with_number(c, spec, M + 3, y + 1.5, w - 2 * M - 6, jitter(rng, 14, 0.08), rng) + 0.5
    c.line(M, y, w - M, y)
    party(c, "收", (M, y, w - M, y + 17), recipient_lines(spec, rng), jitter(rng, 3.6, 0.08), rng)
    y += 17
    c.line(M, y, w - M, y)
    party(c, "寄", (M, y, w - M, y + 10), sender_lines(spec), 2.4, rng)
    y += 10
    c.line(M, y, w - M, y)
    rows = [
        f"商品：{spec.items}  数量：{spec.qty}",
        f"重量：{spec.weight:.2f}kg  打印时间：{spec.print_time:%Y-%m-%d %H:%M:%S}",
    ]
    if spec.order_no:
        rows.insert(0, f"订单号：{spec.order_no}")
    for i, row in enumerate(rows):
        key = "order_no" if row.startswith("订单号") else None
        c.text(M + 1.2, y + 1.2 + i * 3.7, row, 2.5, bold=key is not None, max_w=64, key=key)
    c.text(w - M - 2, 113 - M - 2, "客户签字：________", 2.4, anchor="rb")
    return c.result()

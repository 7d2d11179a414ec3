"""A shop's packing slip / pick list (发货单 / 拣货单): the order number and items, but no waybill."""

from __future__ import annotations

import random

from standard_labels.draw import Canvas, Rendered
from standard_labels.people import mask_phone
from standard_labels.scenario import LabelSpec
from standard_labels.tpl_common import jitter, new_canvas


def packing_slip(spec: LabelSpec, rng: random.Random) -> Rendered:
    w, h = rng.choice(((100.0, 150.0), (148.0, 210.0)))
    c = new_canvas(w, h, rng)
    k = w / 100
    m = 4 * k
    c.text(
        w / 2,
        m,
        f"{spec.shop.name} {rng.choice(('发货单', '拣货单', '配货单'))}",
        5.5 * k,
        bold=True,
        anchor="mt",
        max_w=w - 2 * m,
    )
    y = m + 8 * k
    person = spec.recipient
    rows = [
        f"订单编号：{spec.order_no}",
        f"买家：{spec.buyer}    下单时间：{spec.print_time:%Y-%m-%d}",
        f"收货人：{person.name}  {mask_phone(person.mobile)}",
        f"地址：{person.label_address()}",
    ]
    size = jitter(rng, 3.0, 0.08) * k
    for row in rows:
        key = "order_no" if row.startswith("订单编号") else None
        if row.startswith("地址"):
            y += c.wrap(m, y, w - 2 * m, row, size, max_lines=2) + size * 0.3
            continue
        c.text(m, y, row, size, bold=key is not None, key=key, max_w=w - 2 * m)
        y += size * 1.5
    y += 1.5 * k
    y = _items(c, spec, m, y, size, rng)
    c.text(m, y, f"买家留言：{rng.choice(('无', '请尽快发货', '送人的，不要放价格单'))}", size * 0.9, max_w=w - 2 * m)
    y += size * 1.6
    c.text(m, y, f"货位：{rng.choice('ABCDE')}-{rng.randint(1, 20):02d}-{rng.randint(1, 40):02d}", size * 0.9)
    y += size * 1.8
    if spec.barcode_text:  # some shops print the order number as a barcode for their own scanner
        c.barcode(m, y, w * 0.6, 9 * k, spec.barcode_text, key="order_barcode")
        c.text(m + w * 0.3, y + 9 * k + 0.6, spec.barcode_text, 2.4 * k, family="sans", anchor="mt")
    footer_y = h - m - 3 * k
    c.text(m, footer_y, f"打印时间：{spec.print_time:%Y-%m-%d %H:%M:%S}", 2.4 * k)
    c.text(w - m, footer_y, "感谢您的惠顾！", 2.4 * k, anchor="rt")
    return c.result()


def _items(c: Canvas, spec: LabelSpec, x: float, y: float, size: float, rng: random.Random) -> float:
    """The item table: 序号 商品名称 规格 数量 单价, a gift line on some, then the total."""
    w = c.w_mm
    cols = (x, x + 9 * size / 3, w * 0.62, w * 0.76, w * 0.86)
    heads = ("序号", "商品名称", "规格", "数量", "单价")
    c.line(x, y, w - x, y, 0.3)
    for cx, head in zip(cols, heads, strict=True):
        c.text(cx, y + 0.8, head, size * 0.9, bold=True)
    y += size * 1.5
    c.line(x, y, w - x, y, 0.2)
    title = spec.items.split(" ")
    items = [(title[0], " ".join(title[1:]) or "默认", spec.qty, spec.price)]
    if rng.random() < 0.4:
        items.append(("赠品 试用装", "随机", 1, 0.0))
    for i, (name, spec_text, qty, price) in enumerate(items, 1):
        c.text(cols[0], y + 0.8, str(i), size * 0.9)
        c.text(cols[1], y + 0.8, name, size * 0.9, max_w=cols[2] - cols[1] - 1)
        c.text(cols[2], y + 0.8, spec_text, size * 0.8, max_w=cols[3] - cols[2] - 1)
        c.text(cols[3], y + 0.8, str(qty), size * 0.9)
        c.text(cols[4], y + 0.8, f"{price:.2f}", size * 0.9, family="sans")
        y += size * 1.5
    c.line(x, y, w - x, y, 0.3)
    total = sum(q for _, _, q, _ in items)
    c.text(w - x, y + 0.8, f"合计：{total} 件  ¥{spec.price * spec.qty:.2f}", size, bold=True, anchor="rt")
    return y + size * 2.2

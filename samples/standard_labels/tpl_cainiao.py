"""Cainiao standard e-waybills: 76x130 one-part (一联单), 100x180 three-part (三联单), and J&T's 76x130."""

from __future__ import annotations

import random

from standard_labels.draw import Canvas, Rendered
from standard_labels.scenario import LabelSpec
from standard_labels.tpl_common import (
    barcode_with_number,
    footer,
    jitter,
    logo,
    new_canvas,
    party,
    printed_number,
    recipient_lines,
    routing_line,
    sender_lines,
    signature,
)

M = 1.5  # the printed border sits 1.5 mm inside the paper edge


def _service_box(c: Canvas, spec: LabelSpec, x1: float, y0: float, h: float, rng: random.Random) -> None:
    if rng.random() < 0.25:
        c.rect(x1 - 22, y0 + 1, x1 - 1, y0 + h - 1, width=0.35)
        c.text(x1 - 11.5, y0 + h * 0.33, "代收货款", 2.6, bold=True, anchor="mm")
        c.text(x1 - 11.5, y0 + h * 0.7, f"¥{spec.price * spec.qty:.2f}", 2.8, family="sans_bold", anchor="mm")
        return
    service = rng.choice(("标准快递", "标准快递", "电商标快", "特惠专配", "快递包裹"))
    c.badge(x1 - 20, y0 + 1.5, x1 - 1, y0 + h - 1.5, service, 3.4, invert=rng.random() < 0.5)


def _upper(c: Canvas, spec: LabelSpec, rng: random.Random, k: float, y: float) -> float:
    """Header, routing code, 集包地, the main barcode, 收 and 寄: the part every Cainiao template shares."""
    w = c.w_mm
    head = jitter(rng, 11 * k, 0.1)
    assert spec.carrier
    logo(c, spec.carrier, M + 1.5, y + 1.8, head - 3.6)
    _service_box(c, spec, w - M, y, head, rng)
    y += head
    c.line(M, y, w - M, y)
    route_h = jitter(rng, 12 * k, 0.12)
    route = routing_line(spec, rng)
    size = min(route_h * 0.68, 9.5 * k)
    if rng.random() < 0.5:
        c.text(w / 2, y + route_h / 2, route, size, bold=True, anchor="mm", max_w=w - 2 * M - 3, key="routing")
    else:
        c.text(M + 2, y + route_h / 2, route, size, bold=True, anchor="lm", max_w=w - 2 * M - 4, key="routing")
    y += route_h
    c.line(M, y, w - M, y)
    if rng.random() < 0.75:
        hub_h = jitter(rng, 6 * k, 0.1)
        c.text(M + 1.5, y + hub_h / 2, f"集包地：{spec.recipient.region.hub}", hub_h * 0.55, bold=True, anchor="lm")
        c.text(w - M - 1.5, y + hub_h / 2, f"{spec.print_time:%m-%d}", hub_h * 0.45, anchor="rm")
        y += hub_h
        c.line(M, y, w - M, y)
    bar_h = jitter(rng, 14.5 * k, 0.12)
    y = barcode_with_number(c, spec, M + 3, y + 1.4, w - 2 * M - 6, bar_h, rng) + 0.6
    c.line(M, y, w - M, y)
    rec_h = jitter(rng, 18 * k, 0.1)
    party(c, "收", (M, y, w - M, y + rec_h), recipient_lines(spec, rng), jitter(rng, 3.6 * k, 0.1), rng)
    y += rec_h
    c.line(M, y, w - M, y)
    snd_h = jitter(rng, 11 * k, 0.1)
    party(c, "寄", (M, y, w - M, y + snd_h), sender_lines(spec), jitter(rng, 2.5 * k, 0.1), rng)
    y += snd_h
    c.line(M, y, w - M, y)
    return y


def cainiao_76x130(spec: LabelSpec, rng: random.Random) -> Rendered:
    c = new_canvas(76, 130, rng)
    c.rect(M, M, 76 - M, 130 - M, width=0.35)
    y = _upper(c, spec, rng, 1.0, M)
    if rng.random() < 0.85:
        signature(c, (M, y, 76 - M, y + 9), rng)
        y += 9
        c.line(M, y, 76 - M, y)
    if rng.random() < 0.25 and spec.barcode_text:  # some templates repeat a small barcode in the custom area
        c.barcode(M + 3, 130 - M - 11, 40, 7, spec.barcode_text, key="barcode_small")
        c.text(M + 23, 130 - M - 3.6, printed_number(spec, rng), 2.2, family="sans", anchor="mt")
        footer(c, spec, (M, y, 76 - M, 130 - M - 12), rng)
    else:
        footer(c, spec, (M, y, 76 - M, 130 - M), rng)
    return c.result()


def _stub(c: Canvas, spec: LabelSpec, y0: float, y1: float, tag: str, rng: random.Random) -> None:
    """One lower stub of a 三联单: small barcode + number on the left, recipient and sender on the right."""
    w = c.w_mm
    assert spec.barcode_text and spec.carrier
    logo(c, spec.carrier, M + 1.5, y0 + 1.2, 5.2)
    c.barcode(M + 2, y0 + 8, 46, 12, spec.barcode_text, key=f"barcode_{tag}")
    c.text(M + 25, y0 + 20.6, printed_number(spec, rng), 2.6, family="sans_bold", anchor="mt", max_w=46)
    c.line(52, y0, 52, y1)
    name, address = recipient_lines(spec, rng)
    c.text(53.5, y0 + 1.5, f"收件人：{name}", 2.5, bold=True, max_w=w - 56)
    c.wrap(53.5, y0 + 5, w - 56.5, address, 2.2, max_lines=3)
    c.text(53.5, y0 + 14.5, f"寄件人：{spec.shop.name}", 2.1, max_w=w - 56)
    c.text(53.5, y0 + 18, spec.shop.phone, 2.1)
    if spec.order_no and rng.random() < 0.6:
        c.text(M + 1.5, y1 - 4.5, f"订单号：{spec.order_no}", 2.2, max_w=48)
    else:
        c.text(M + 1.5, y1 - 4.5, f"{spec.items} ×{spec.qty}", 2.1, max_w=48)
    c.text(w - M - 1.2, y1 - 1.2, tag, 2.4, bold=True, anchor="rb")


def cainiao_100x180(spec: LabelSpec, rng: random.Random) -> Rendered:
    """Cut points at 110 and 145 mm: the main part, then 派件联 and 收件联 repeating barcode and recipient."""
    c = new_canvas(100, 180, rng)
    c.rect(M, M, 100 - M, 180 - M, width=0.35)
    y = _upper(c, spec, rng, 1.1, M)
    cut1 = jitter(rng, 110, 0.02)
    if cut1 - y > 15:
        signature(c, (M, y, 100 - M, y + 9), rng)
        y += 9
        c.line(M, y, 100 - M, y)
    footer(c, spec, (M, y, 100 - M, cut1 - 0.5), rng)
    cut2 = cut1 + (180 - M - cut1) / 2
    c.dashed(cut1, 0, 100)
    _stub(c, spec, cut1, cut2, "派件联", rng)
    c.dashed(cut2, 0, 100)
    _stub(c, spec, cut2, 180 - M, "收件联", rng)
    return c.result()


def jt_76x130(spec: LabelSpec, rng: random.Random) -> Rendered:
    """J&T's own layout: logo row, then the barcode high up, then the big 三段码 and the 集包地 box."""
    c = new_canvas(76, 130, rng)
    w = 76.0
    c.rect(M, M, w - M, 130 - M, width=0.35)
    logo(c, "JT", M + 1.5, M + 1.5, jitter(rng, 7.5, 0.1))
    c.badge(w - M - 17, M + 1.5, w - M - 1.5, M + 9, rng.choice(("标快", "标准快递", "兔优达")), 3.2)
    y = M + 10.5
    c.line(M, y, w - M, y)
    y = barcode_with_number(c, spec, M + 3, y + 1.2, w - 2 * M - 6, jitter(rng, 13, 0.1), rng) + 0.5
    c.line(M, y, w - M, y)
    route_h = jitter(rng, 12, 0.1)
    c.text(
        w / 2,
        y + route_h / 2,
        routing_line(spec, rng),
        route_h * 0.66,
        bold=True,
        anchor="mm",
        max_w=w - 8,
        key="routing",
    )
    y += route_h
    c.line(M, y, w - M, y)
    c.badge(M + 1, y + 1, M + 13, y + 7, "集", 4.0)
    c.text(
        M + 15, y + 4, spec.recipient.region.hub.replace("转运中心", "集散"), 3.6, bold=True, anchor="lm", max_w=w - 20
    )
    y += 8
    c.line(M, y, w - M, y)
    party(c, "收", (M, y, w - M, y + 19), recipient_lines(spec, rng), jitter(rng, 3.6, 0.1), rng)
    y += 19
    c.line(M, y, w - M, y)
    party(c, "寄", (M, y, w - M, y + 11), sender_lines(spec), jitter(rng, 2.5, 0.1), rng)
    y += 11
    c.line(M, y, w - M, y)
    signature(c, (M, y, w - M, y + 9), rng)
    c.line(M, y + 9, w - M, y + 9)
    footer(c, spec, (M, y + 9, w - M, 130 - M), rng)
    return c.result()

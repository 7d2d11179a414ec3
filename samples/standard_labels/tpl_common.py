"""Blocks that every e-waybill shares: logo, routing code, 收/寄 blocks, the number under the bars, the footer."""

from __future__ import annotations

import random

from standard_labels.carriers import CARRIERS, grouped
from standard_labels.draw import Canvas, cjk_families
from standard_labels.people import Region
from standard_labels.scenario import LabelSpec

DISCLAIMER = "您的签字代表您已验收此包裹，并已确认商品信息无误、包装完好、没有划痕、破损等表面质量问题。"


def new_canvas(w_mm: float, h_mm: float, rng: random.Random) -> Canvas:
    """A canvas at 8-12 px/mm with a CJK family for the body and maybe another for bold lines."""
    families = cjk_families()
    body = rng.choice(families)
    bold = rng.choice(families) if rng.random() < 0.4 else body
    canvas = Canvas(w_mm, h_mm, rng.choice((8.0, 9.0, 10.0, 10.0, 11.0, 12.0)), body, bold)
    canvas.logo_style = rng.random()
    return canvas


def jitter(rng: random.Random, value: float, spread: float = 0.12) -> float:
    return value * rng.uniform(1 - spread, 1 + spread)


def logo(c: Canvas, carrier: str, x: float, y: float, h: float) -> float:
    """The carrier's mark as a thermal printer draws it (black only): latin mark plus Chinese name."""
    info = CARRIERS[carrier]
    if carrier in ("JD", "SF") or c.logo_style < 0.35:
        mark = {"SF": "SF", "JD": "JD", "JT": "J&T"}.get(carrier, info.latin.split()[0])
        w = max(h * 1.1, c.measure(mark, h * 0.62, "cond_bold") + h * 0.3)
        c.rect(x, y, x + w, y + h, width=0, fill=0)
        c.text(x + w / 2, y + h / 2, mark, h * 0.62, family="cond_bold", anchor="mm", fill=255)
        w2 = c.text(x + w + h * 0.15, y + h * 0.05, info.name, h * 0.56, bold=True)
        c.text(x + w + h * 0.15, y + h * 0.68, info.latin, h * 0.26, family="sans_bold")
        return w + h * 0.15 + w2
    w1 = c.text(
        x, y + h * 0.02, info.latin.split()[0], h * 0.7, family="serif_bold" if c.logo_style < 0.6 else "cond_bold"
    )
    w2 = c.text(x + w1 + h * 0.12, y + h * 0.1, info.name, h * 0.52, bold=True)
    c.text(x + w1 + h * 0.12, y + h * 0.7, f"服务热线 {info.hotline}", h * 0.24)
    return w1 + h * 0.12 + w2


def three_segment(region: Region, rng: random.Random) -> str:
    """三段码: sorting centre - outlet - courier, e.g. "532 W08-12 A3"."""
    first = region.area_code.lstrip("0").rjust(3, "0")
    second = f"{rng.choice('ABCDEFGHJKLMNPW')}{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
    return (
        f"{first}-{second} {rng.choice('ABCDEFGH')}{rng.randint(0, 9)}" if rng.random() < 0.3 else f"{first} {second}"
    )


def big_pen(region: Region, rng: random.Random) -> str:
    """大头笔: zone, city and district, e.g. "华东 杭州 西湖-01"."""
    city = region.city.removesuffix("市")
    district = region.district[:2]
    return (
        f"{region.zone} {city} {district}-{rng.randint(1, 12):02d}"
        if rng.random() < 0.6
        else f"{city}{district} {rng.randint(1, 40):03d}"
    )


def routing_line(spec: LabelSpec, rng: random.Random) -> str:
    return three_segment(spec.recipient.region, rng) if rng.random() < 0.55 else big_pen(spec.recipient.region, rng)


def printed_number(spec: LabelSpec, rng: random.Random | None = None) -> str:
    """The number as this label prints it, the same wherever it repeats (JD adds the package suffix)."""
    assert spec.waybill
    if spec.carrier == "JD":
        return spec.barcode_text if spec.barcode_text != spec.waybill else f"{spec.waybill}-1-1-"  # type: ignore[return-value]
    return grouped(spec.waybill, random.Random(spec.seed + 7))


def barcode_with_number(
    c: Canvas, spec: LabelSpec, x: float, y: float, w: float, h: float, rng: random.Random
) -> float:
    """The main Code 128 and the number printed under it; returns the y below the number."""
    assert spec.barcode_text
    c.barcode(x, y, w, h, spec.barcode_text)
    size = jitter(rng, min(4.2, max(2.8, w * 0.055)))
    text = printed_number(spec, rng)
    family = rng.choice(("sans_bold", "cond_bold", "mono_bold", None))
    prefix = "运单号：" if rng.random() < 0.3 and spec.carrier != "SF" else ""
    size = min(size, w / max(1.0, c.measure(text, 1.0, family) + c.measure(prefix, 1.0)))
    total = c.measure(prefix, size * 0.8) + c.measure(text, size, family)
    left = x + (w - total) / 2
    if prefix:
        left += c.text(left, y + h + 0.6 + size * 0.15, prefix, size * 0.8, bold=True)
    c.text(left, y + h + 0.6, text, size, family=family, bold=family is None, key="number")
    return y + h + 0.6 + size * 1.15


def party(
    c: Canvas, tag: str, box: tuple[float, float, float, float], lines: tuple[str, str], size: float, rng: random.Random
) -> None:
    """A 收 or 寄 block: the icon, then name + phone in bold, then the address over up to 3 lines."""
    x0, y0, x1, y1 = box
    icon = min(size * 1.7, (y1 - y0) * 0.6)
    if rng.random() < 0.75:
        c.badge(x0 + 1, y0 + 1, x0 + 1 + icon, y0 + 1 + icon, tag, icon * 0.7, invert=rng.random() < 0.7)
        tx = x0 + icon + 2.2
    else:
        c.text(x0 + 1, y0 + 1, f"{tag}件人：" if tag == "寄" else "收件人：", size * 0.75)
        tx = x0 + 1 + c.measure("收件人：", size * 0.75)
    c.text(
        tx, y0 + 1, lines[0], size, bold=tag == "收", max_w=x1 - tx - 1, key="recipient_name" if tag == "收" else None
    )
    c.wrap(tx, y0 + 1.5 + size * 1.2, x1 - tx - 1.5, lines[1], size * (0.8 if tag == "收" else 0.9), max_lines=3)


def recipient_lines(spec: LabelSpec, rng: random.Random) -> tuple[str, str]:
    person = spec.recipient
    return f"{person.name}  {spec.phone_display}", person.label_address(with_province=rng.random() < 0.85)


def sender_lines(spec: LabelSpec) -> tuple[str, str]:
    shop = spec.shop
    return f"{shop.sender}（{shop.name}） {shop.phone}", shop.address()


def footer(c: Canvas, spec: LabelSpec, box: tuple[float, float, float, float], rng: random.Random) -> None:
    """订单号 (on some), 商品/数量, 备注, 打印时间, weight and a small QR on some."""
    x0, y0, x1, y1 = box
    size = jitter(rng, 2.3, 0.1)
    qr = rng.random() < 0.45 and (y1 - y0) > 14
    right = x1 - (16 if qr else 1)
    lines: list[str] = []
    if spec.order_no:
        lines.append(f"订单号：{spec.order_no}")
    lines.append(f"商品：{spec.items} ×{spec.qty}")
    if rng.random() < 0.5:
        lines.append(f"重量：{spec.weight:.2f}kg  件数：1")
    if rng.random() < 0.4:
        lines.append("备注：" + rng.choice(("易碎品 轻拿轻放", "请勿倒置", "无", "送货上门前请电话联系")))
    lines.append(
        f"打印时间：{spec.print_time:%Y-%m-%d %H:%M:%S}" if rng.random() < 0.7 else f"{spec.print_time:%Y/%m/%d %H:%M}"
    )
    if rng.random() < 0.3:  # the order of the item lines varies; 订单号 stays first
        first = 1 if spec.order_no else 0
        body = lines[first:-1]
        rng.shuffle(body)
        lines = [*lines[:first], *body, lines[-1]]
    y = y0 + 1
    for line in lines:
        if y + size > y1:
            break
        key = "order_no" if line.startswith("订单号") else None
        c.text(x0 + 1.2, y, line, size * (1.12 if key else 1.0), bold=key is not None, max_w=right - x0 - 2, key=key)
        y += size * 1.5
    if qr:
        side = min(14.0, y1 - y0 - 2)
        c.qr(x1 - side - 1, y0 + 1, side, qr_content(spec, rng))


def qr_content(spec: LabelSpec, rng: random.Random) -> str:
    token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16))
    if spec.carrier == "SF" and spec.waybill:
        return f"MMM={{'k1':'{spec.recipient.region.area_code}','k2':'','k3':'','k4':'T4','k5':'{spec.waybill}','k6':'{token[:6]}'}}"
    return f"https://m.cainiao.com/p/{token}" if rng.random() < 0.6 else f"https://c.tb.cn/{token[:10]}"


def signature(c: Canvas, box: tuple[float, float, float, float], rng: random.Random) -> None:
    x0, y0, x1, _y1 = box
    c.text(x0 + 1.2, y0 + 1, "签收人/签收时间：", 2.2)
    c.text(x0 + 1.2, y0 + 1 + 3.2, "       月    日", 2.0)
    if rng.random() < 0.8:
        c.wrap(x0 + (x1 - x0) * 0.42, y0 + 0.8, (x1 - x0) * 0.56, DISCLAIMER, 1.6, max_lines=4)

"""Self-check of a generated set against this generator's own rules (not the product's).

    /work/main/.venv/bin/python samples/standard_labels/check_set.py DIR

Checks truth.jsonl (keys, values, waybill formats incl. the S10 check digit), that every photo exists and opens,
orders.csv (GBK, header, number and phone formats), that each expected decision follows from orders.csv, and,
re-rendering every label from the plan named in manifest.json, that its Code 128 decodes to its number.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import zxingcpp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from standard_labels.carriers import CARRIERS, is_valid_waybill
from standard_labels.generate import TRUTH_KEYS
from standard_labels.labels import render_label
from standard_labels.orders import AWAITING, HEADER, STATUSES, order_number_of, read_orders_csv
from standard_labels.scenario import LabelSpec, plan_set

REASONS: dict[str, set[str | None]] = {
    "queued": {None},
    "no_waybill": {None},
    "rejected": {"order_not_awaiting_shipment"},
    "review": {None, "multiple_labels", "no_matching_order", "ambiguous_order"},
}


def check_truth(root: Path, truths: list[dict[str, Any]], errors: list[str]) -> None:
    for t in truths:
        where = t.get("file", "?")
        if tuple(t) != TRUTH_KEYS:
            errors.append(f"{where}: keys {list(t)}")
            continue
        if not re.fullmatch(r"photos/\d{3}_" + re.escape(t["kind"]) + r"\.(jpg|png)", t["file"]):
            errors.append(f"{where}: file name does not carry its kind")
        if t["expect_reason"] not in REASONS.get(t["expect_status"], set()):
            errors.append(f"{where}: status {t['expect_status']} with reason {t['expect_reason']}")
        if t["waybill"] is not None and not is_valid_waybill(t["carrier"], t["waybill"]):
            errors.append(f"{where}: {t['waybill']} is not a {t['carrier']} number")
        if t["old_waybill"] is not None and not any(is_valid_waybill(c, t["old_waybill"]) for c in CARRIERS):
            errors.append(f"{where}: old waybill {t['old_waybill']} fits no carrier")
        if (t["old_waybill"] is not None) != (t["expect_reason"] == "multiple_labels"):
            errors.append(f"{where}: old_waybill and multiple_labels disagree")
        if t["expect_status"] == "queued" and not (t["legible"] and t["order"] and re.fullmatch(r"\d{19}", t["order"])):
            errors.append(f"{where}: queued needs a legible waybill and a 19-digit order")
        path = root / t["file"]
        image = cv2.imread(str(path)) if path.exists() else None
        if image is None:
            errors.append(f"{where}: missing or unreadable")


def load_orders(root: Path, errors: list[str]) -> list[dict[str, str]]:
    raw = (root / "orders.csv").read_bytes()
    first = raw.decode("gbk").split("\r\n", 1)[0]
    if first != HEADER:
        errors.append("orders.csv: header differs")
    rows = read_orders_csv(root / "orders.csv")
    for row in rows:
        cell = row["订单编号"]
        if not re.fullmatch(r'="\d{19}"', cell):
            errors.append(f"orders.csv: order cell {cell!r}")
        if row["订单状态"] not in STATUSES:
            errors.append(f"orders.csv: status {row['订单状态']!r}")
        if not re.fullmatch(r"1\d\d\*{4}\d{4}|'1\d{10}", row["联系手机"]):
            errors.append(f"orders.csv: phone {row['联系手机']!r}")
        if not re.fullmatch(r".+ .+ .+ .+\(\d{6}\)", row["收货地址 "]):
            errors.append(f"orders.csv: address {row['收货地址 ']!r}")
    return rows


def matching(rows: list[dict[str, str]], spec: LabelSpec) -> list[dict[str, str]]:
    """Orders whose recipient is the label's: same name, same phone tail, same address."""
    person = spec.recipient
    return [
        r
        for r in rows
        if r["收货人姓名"] == person.name
        and r["联系手机"][-4:] == person.tail
        and r["收货地址 "] == person.export_address()
    ]


def check_decision(t: dict[str, Any], spec: LabelSpec | None, rows: list[dict[str, str]], errors: list[str]) -> None:
    """The expected decision must follow from orders.csv and what the label prints."""
    if spec is None or spec.waybill is None or t["expect_status"] == "no_waybill" or t["old_waybill"]:
        return
    found = matching(rows, spec)
    awaiting = [order_number_of(r["订单编号"]) for r in found if r["订单状态"] == AWAITING]
    printed = spec.order_no
    where = t["file"]
    if t["expect_status"] == "queued":
        ok = (printed in awaiting) if printed else awaiting == [t["order"]]
        if not ok or t["order"] not in awaiting:
            errors.append(f"{where}: queued to {t['order']} but awaiting matches are {awaiting}, printed {printed}")
    elif t["expect_reason"] == "ambiguous_order" and (len(awaiting) < 2 or printed):
        errors.append(f"{where}: ambiguous but {len(awaiting)} awaiting matches, printed {printed}")
    elif t["expect_reason"] == "no_matching_order" and found:
        errors.append(f"{where}: no_matching_order but {len(found)} orders match")
    elif t["expect_status"] == "rejected" and (awaiting or not found):
        errors.append(f"{where}: rejected but awaiting {awaiting}, matches {len(found)}")


def check_barcodes(spec: LabelSpec, where: str, errors: list[str]) -> int:
    """Re-render the un-degraded label and decode it; returns how many Code 128 symbols decoded."""
    label = render_label(spec)
    found = zxingcpp.read_barcodes(label.img)
    texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.Code128]
    if spec.barcode_text and spec.barcode_text not in texts:
        errors.append(f"{where}: {spec.template} barcode {spec.barcode_text} does not decode (got {texts})")
    if spec.order_no and "order_no" not in label.boxes:
        errors.append(f"{where}: the order number is planned on the label but not printed")
    if spec.waybill is None and any(is_valid_waybill(c, x) for x in texts for c in CARRIERS):
        errors.append(f"{where}: a slip carries a waybill-like barcode")
    return len(texts)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    root = Path(argv[0])
    errors: list[str] = []
    truths = [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    check_truth(root, truths, errors)
    rows = load_orders(root, errors)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    plan = plan_set(manifest["split"], manifest["count"])
    decoded = 0
    for photo, t in zip(plan.photos, truths, strict=True):
        planned = {k: v for k, v in photo.truth.items() if k != "effects"}
        if planned != {k: v for k, v in t.items() if k != "effects"}:
            errors.append(f"{t['file']}: truth differs from the re-made plan (not deterministic?)")
        check_decision(t, photo.label, rows, errors)
        for spec in (photo.label, photo.old_label):
            if spec is not None:
                decoded += check_barcodes(spec, t["file"], errors)
    kinds = Counter(t["kind"] for t in truths)
    statuses = Counter(f"{t['expect_status']}/{t['expect_reason']}" for t in truths)
    print(f"{root}: {len(truths)} photos, {len(rows)} orders, {decoded} Code 128 symbols decoded on clean renders")
    print("  kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("  expected: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for error in errors:
        print("  FAIL " + error)
    print("  OK" if not errors else f"  {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

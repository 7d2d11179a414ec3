"""The fake Taobao router's changes to a shipped order: a changed number and added packages.

Two methods, with the rules their documents give:

* taobao.logistics.consign.resend (修改物流公司和运单号): tid, out_sid and
  company_code are required; the order must exist (B01) and be shipped;
  only a self-arranged shipment (自己联系, offline.send) may change, and
  only within `resend_window` of being shipped; the new number must fit
  the company's rule (B60).  The order's number becomes the new one.
* alibaba.ascp.logistics.consign.resend with consign_pkgs: the same
  conditions; consign_pkgs is a JSON list of {out_sid, company_code}, and
  "多包裹时，需要包含所有包裹的运单号": the list is every package of the order,
  so it replaces them (the first is the order's own number).

The sub_codes are the fake's own (the documents list none for these
methods); the connector goes by error or success, and shows the message.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakes.taobao_server import FakeOrder, FakeTaobao

RESEND = "taobao.logistics.consign.resend"
PACKAGES = "alibaba.ascp.logistics.consign.resend"
RESEND_ERROR = "isv.logistics-resend-service-error"
# 自己联系发货的必须在发货后这段时间内才可修改 (the documents have said 24 hours and 50 days; the fake takes the shorter).
DEFAULT_RESEND_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class PackageRow:
    out_sid: str
    company_code: str


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict:
    body: dict = {"code": code, "msg": msg, "request_id": uuid.uuid4().hex[:12]}
    if sub_code:
        body["sub_code"] = sub_code
    if sub_msg:
        body["sub_msg"] = sub_msg
    return {"error_response": body}


def _missing(name: str) -> dict:
    return _error(40, "Missing Required Arguments", f"isv.missing-parameter:{name}", f"missing {name}")


def _may_change(fake: FakeTaobao, order: FakeOrder | None, now: datetime) -> dict | None:
    if order is None:
        return _error(15, "Remote service error", f"{RESEND_ERROR}:B01", "订单不存在")
    if not order.out_sid:
        return _error(15, "Remote service error", f"{RESEND_ERROR}:B02", "订单还未发货，不能修改运单号，请先发货")
    if not order.self_arranged:
        return _error(15, "Remote service error", f"{RESEND_ERROR}:B03", "在线下单的订单物流公司已揽收，不能修改运单号")
    if order.shipped_at is not None and now - order.shipped_at > fake.resend_window:
        return _error(15, "Remote service error", f"{RESEND_ERROR}:B05", "已超过可修改运单号的时间")
    return None


def _fits(fake: FakeTaobao, company_code: str, out_sid: str) -> dict | None:
    company = next((c for c in fake.companies if c["code"] == company_code), None)
    if company is None:
        return _error(
            15, "Remote service error", "isv.invalid-parameter:company_code", f"无效的物流公司 {company_code}"
        )
    if company["reg_mail_no"] and not re.match(company["reg_mail_no"], out_sid):
        return _error(15, "Remote service error", f"{RESEND_ERROR}:B60", "运单号不符合规则或已经被使用")
    return None


def resend(fake: FakeTaobao, params: dict[str, str], now: datetime) -> dict:
    for name in ("tid", "out_sid", "company_code"):
        if not params.get(name):
            return _missing(name)
    tid, out_sid, company_code = params["tid"], params["out_sid"], params["company_code"]
    with fake._changed:
        order = fake.orders.get(tid)
        refusal = _may_change(fake, order, now) or _fits(fake, company_code, out_sid)
        if refusal is not None or order is None:
            return refusal or {}
        order.out_sid, order.company_code, order.modified = out_sid, company_code, now
        if order.packages:
            order.packages[0] = PackageRow(out_sid, company_code)
        fake.stats.resends[tid] += 1
        fake._changed.notify_all()
    return {
        "logistics_consign_resend_response": {"shipping": {"is_success": True}, "request_id": uuid.uuid4().hex[:12]}
    }


def set_packages(fake: FakeTaobao, params: dict[str, str], now: datetime) -> dict:
    for name in ("tid", "consign_pkgs"):
        if not params.get(name):
            return _missing(name)
    try:
        listed = json.loads(params["consign_pkgs"])
        rows = [PackageRow(str(p["out_sid"]), str(p["company_code"])) for p in listed]
    except (ValueError, KeyError, TypeError):
        return _error(15, "Remote service error", "isv.invalid-parameter:consign_pkgs", "包裹信息格式不对")
    if not rows or len({r.out_sid for r in rows}) != len(rows):
        return _error(15, "Remote service error", "isv.invalid-parameter:consign_pkgs", "包裹运单号不能为空或重复")
    tid = params["tid"]
    with fake._changed:
        order = fake.orders.get(tid)
        refusal = _may_change(fake, order, now) or next(
            (r for r in (_fits(fake, row.company_code, row.out_sid) for row in rows) if r is not None), None
        )
        if refusal is not None or order is None:
            return refusal or {}
        added = len(rows) - len(order.parcels())
        order.packages = rows
        order.out_sid, order.company_code, order.modified = rows[0].out_sid, rows[0].company_code, now
        fake.stats.package_lists[tid] += 1
        fake.stats.packages_added[tid] += max(0, added)
        fake._changed.notify_all()
    body = {"result": {"success": True}, "request_id": uuid.uuid4().hex[:12]}
    return {"alibaba_ascp_logistics_consign_resend_response": body}

"""Taobao: a further parcel of a shipped order, and a sent number changed (拆单发货, 修改物流).

Which methods, and why (the TOP documents, as SDKs generated from them carry them):

* a further parcel: `alibaba.ascp.logistics.consign.resend` with
  `consign_pkgs`, a JSON list of {out_sid, company_code}.  It works on an
  order already shipped, and "多包裹时，需要包含所有包裹的运单号" (with several
  packages, every package's number must be in the list): so the list is the
  numbers Taobao has for the order (taobao.logistics.orders.get) and ours.
  `alibaba.ascp.logistics.offline.send` also takes `consign_pkgs`, but only
  while the order awaits shipment: our first parcel has shipped it by the
  time the second label is scanned.  `taobao.logistics.offline.send` with
  `sub_tid`/`is_split` splits by sub-order (商品): it needs to know which
  items are in which box, which a label photo does not say.
* a changed number: `taobao.logistics.consign.resend` (tid, out_sid,
  company_code) for the number that shipped the order; for a further
  parcel's number, the package list above with the old number replaced.
  The platform allows it only for a shipped order, self-arranged (自己联系),
  within its time limit; its refusal is told with what to do in the back
  office.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from capture.pipeline.carriers import canonical, identify
from capture.upload.connector import Delivered, Refused, Retry, SendOutcome, Shipment
from capture.upload.http import Unreachable
from capture.upload.taobao_carriers import CompanyCode, CompanyDirectory
from capture.upload.top_client import BadReply, TopClient, TopError, TopReply

PACKAGES_METHOD = "alibaba.ascp.logistics.consign.resend"
RESEND_METHOD = "taobao.logistics.consign.resend"
SHIPPINGS_METHOD = "taobao.logistics.orders.get"
SHIPPING_FIELDS = "tid,out_sid,company_name,status"
ALREADY_ON_ORDER = "already on the order"
BACK_OFFICE = (
    "change it in the seller back office (千牛卖家中心 > 交易 > 已卖出的宝贝 > the order > 修改物流信息); "
    "where that is closed too (too late, or not a self-arranged shipment), ask Taobao support (淘宝客服)"
)

Failed = Callable[[TopError | BadReply | Unreachable], SendOutcome]


@dataclass(frozen=True)
class Package:
    out_sid: str
    company_code: str


def numbers_on_order(client: TopClient, tid: str) -> list[str] | TopError | BadReply | Unreachable:
    """The waybill numbers Taobao has for the order, first parcel first; empty while it waits."""
    result = client.call(SHIPPINGS_METHOD, {"tid": tid, "fields": SHIPPING_FIELDS})
    if not isinstance(result, TopReply):
        return result
    holder = result.body.get("shippings") or {}
    shippings = holder.get("shipping") if isinstance(holder, dict) else None
    found: list[str] = []
    for shipping in shippings or []:
        if not isinstance(shipping, dict):
            continue
        for number in str(shipping.get("out_sid") or "").split(","):
            if canonical(number) and canonical(number) not in found:
                found.append(canonical(number))
    return found


def _company(companies: CompanyDirectory, carrier: str, number: str, failed: Failed) -> CompanyCode | SendOutcome:
    company = companies.lookup(carrier)
    if company is None:
        return Refused(
            f"Taobao has no logistics company for carrier {carrier} ({number}); "
            f"map it in the setting taobao_carrier_codes ({carrier}=CODE), or {BACK_OFFICE}"
        )
    if not isinstance(company, CompanyCode):
        return failed(company)
    if not company.accepts(number):
        return Refused(f"{number} does not fit Taobao's number rule for {company.company_name}; not sent")
    return company


def _package(
    companies: CompanyDirectory, number: str, failed: Failed, carrier: str | None = None
) -> Package | SendOutcome:
    carrier = carrier or (found.code if (found := identify(number)) else None)
    if carrier is None:
        return Refused(f"Taobao has {number} on the order, a number of no carrier we know; {BACK_OFFICE}")
    company = _company(companies, carrier, number, failed)
    return Package(number, company.company_code) if isinstance(company, CompanyCode) else company


def _send_packages(client: TopClient, tid: str, packages: list[Package], failed: Failed) -> SendOutcome:
    listed = json.dumps([{"out_sid": p.out_sid, "company_code": p.company_code} for p in packages])
    result = client.call(PACKAGES_METHOD, {"tid": tid, "consign_pkgs": listed})
    if not isinstance(result, TopReply):
        return failed(result)
    answer = result.body.get("result") or {}
    if isinstance(answer, dict) and answer.get("success") in (True, "true"):
        return Delivered(response_id=result.request_id)
    message = answer.get("error_message") if isinstance(answer, dict) else ""
    return Refused(f"Taobao did not take the package list: {message or 'no reason given'}; {BACK_OFFICE}")


def add_package(client: TopClient, companies: CompanyDirectory, shipment: Shipment, failed: Failed) -> SendOutcome:
    """Add `shipment`'s number to its shipped order as one more package."""
    ours = _package(companies, shipment.waybill, failed, shipment.carrier)
    if not isinstance(ours, Package):
        return ours
    held = numbers_on_order(client, shipment.order_tid)
    if not isinstance(held, list):
        return failed(held)
    if shipment.waybill in held:
        return Delivered(response_id="", note=ALREADY_ON_ORDER)
    if not held:
        # The first parcel ships the order; a package can only follow it.
        return Retry(f"order {shipment.order_tid} is not shipped on Taobao yet: its first parcel goes first")
    packages: list[Package] = []
    for number in held:
        package = _package(companies, number, failed)
        if not isinstance(package, Package):
            return package
        packages.append(package)
    return _send_packages(client, shipment.order_tid, [*packages, ours], failed)


def change_number(
    client: TopClient, companies: CompanyDirectory, tid: str, old: str, new: str, carrier: str, failed: Failed
) -> SendOutcome:
    """Replace `old` with `new` on the shipped order: the order's own number, or one of its packages."""
    ours = _package(companies, new, failed, carrier)
    if not isinstance(ours, Package):
        return ours
    held = numbers_on_order(client, tid)
    if not isinstance(held, list):
        return failed(held)
    if new in held and old not in held:
        return Delivered(response_id="", note=ALREADY_ON_ORDER)
    if len(held) <= 1:
        result = client.call(RESEND_METHOD, {"tid": tid, "out_sid": new, "company_code": ours.company_code})
        if not isinstance(result, TopReply):
            return failed(result)
        shipping = result.body.get("shipping") or {}
        if isinstance(shipping, dict) and shipping.get("is_success") in (True, "true"):
            return Delivered(response_id=result.request_id)
        return Retry("consign.resend answered without is_success=true")
    packages: list[Package] = []
    for number in held:
        package = ours if number == old else _package(companies, number, failed)
        if not isinstance(package, Package):
            return package
        packages.append(package)
    if old not in held:
        return Refused(f"Taobao does not have {old} on order {tid} (it has {', '.join(held)}); {BACK_OFFICE}")
    return _send_packages(client, tid, packages, failed)

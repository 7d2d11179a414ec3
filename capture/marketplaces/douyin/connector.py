"""Mark Douyin orders shipped: order.logisticsAdd (order_id, company_code, logistics_code).

carriers: order.logisticsCompanyList -> [{"id", "name", "code"}], matched to
          our carriers by name like Taobao's list; kept in memory for the
          company-list max age.
check:    order.orderDetail (shop_order_id) -> shop_order_detail with
          order_status and logistics_info[].tracking_no: our number there is
          a success; another number, or an order no longer awaiting shipment
          without one, is for a person.  Asked before any retry and after a
          permanent refusal.
One waybill per job.  A further parcel of an order already shipped is not
sent: order.logisticsAddMultiPack ships several packs at once, each naming
its sub-orders and counts (shipped_order_info), when the order is first
shipped; a second label scanned after the first was sent cannot use it, and
which items are in which box is not read off a label.  Such a job goes to
review saying to add the pack in the 抖店 back office.
"""

from __future__ import annotations

import time

from capture.marketplaces.douyin.client import DouyinClient, DouyinError, DouyinReply, describe
from capture.marketplaces.douyin.errors import classify, credentials_hint
from capture.marketplaces.outcome_kinds import Meaning
from capture.pipeline.carriers import canonical
from capture.types import RefundState
from capture.upload.connector import (
    CheckOutcome,
    Delivered,
    Misconfigured,
    NotShipped,
    Refused,
    Retry,
    SendOutcome,
    Shipment,
)
from capture.upload.taobao_carriers import Company, CompanyCode, match_companies

SEND_METHOD = "order.logisticsAdd"
COMPANIES_METHOD = "order.logisticsCompanyList"
DETAIL_METHOD = "order.orderDetail"
AWAITING = frozenset({"2", "101"})
ALREADY_ON_ORDER = "already on the order"


class DouyinCompanies:
    def __init__(self, client: DouyinClient, max_age_s: float) -> None:
        self._client = client
        self._max_age_s = max_age_s
        self._codes: dict[str, CompanyCode] | None = None
        self._loaded_at = 0.0

    def lookup(self, carrier: str) -> CompanyCode | object | None:
        if self._codes is None or time.monotonic() - self._loaded_at > self._max_age_s:
            result = self._client.call(COMPANIES_METHOD, {})
            if not isinstance(result, DouyinReply):
                return result
            items = result.data if isinstance(result.data, list) else []
            companies = [
                Company(code=str(i["code"]), name=str(i.get("name", "")))
                for i in items
                if isinstance(i, dict) and i.get("code")
            ]
            self._codes = match_companies(companies, {})
            self._loaded_at = time.monotonic()
        return self._codes.get(carrier)


class DouyinConnector:
    name = "douyin"

    def __init__(self, client: DouyinClient, companies: DouyinCompanies, shop: str) -> None:
        self._client = client
        self._companies = companies
        self._shop = shop

    def redact(self, text: str) -> str:
        return self._client.redact(text)

    def send(self, shipment: Shipment) -> SendOutcome:
        if shipment.is_package:
            return Refused(
                f"{shipment.waybill} is a further parcel of order {shipment.order_tid}, already shipped: "
                "add it in the 抖店 back office (订单 > 订单详情 > 修改物流/追加包裹), then cancel this job"
            )
        company = self._companies.lookup(shipment.carrier)
        if company is None:
            return Refused(f"Douyin has no logistics company for carrier {shipment.carrier}; not sent")
        if not isinstance(company, CompanyCode):
            return self._failed(company)
        params = {
            "order_id": shipment.order_tid,
            "company_code": company.company_code,
            "logistics_code": shipment.waybill,
        }
        result = self._client.call(SEND_METHOD, params)
        if isinstance(result, DouyinReply):
            return Delivered(response_id=result.log_id)
        failed = self._failed(result)
        if isinstance(failed, Refused):
            checked = self.check(shipment)
            if isinstance(checked, Delivered) or (isinstance(checked, Refused) and "already shipped" in checked.reason):
                return checked
        return failed

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        # Not asked of Douyin yet: the worker goes by the last pull or import.
        return RefundState.UNKNOWN

    def check(self, shipment: Shipment) -> CheckOutcome:
        result = self._client.call(DETAIL_METHOD, {"shop_order_id": shipment.order_tid})
        if not isinstance(result, DouyinReply):
            return self._failed(result)
        detail = result.data.get("shop_order_detail") if isinstance(result.data, dict) else None
        if not isinstance(detail, dict):
            return Retry("order.orderDetail answered without shop_order_detail")
        parcels = detail.get("logistics_info") or []
        numbers = [canonical(str(p.get("tracking_no") or "")) for p in parcels if isinstance(p, dict)]
        numbers = [n for n in numbers if n]
        if canonical(shipment.waybill) in numbers:
            return Delivered(response_id=result.log_id, note=ALREADY_ON_ORDER)
        if numbers:
            return Refused(
                f"order {shipment.order_tid} already shipped on Douyin with {', '.join(numbers)}, not {shipment.waybill}"
            )
        if str(detail.get("order_status")) not in AWAITING:
            return Refused(
                f"Douyin order {shipment.order_tid} is not awaiting shipment (order_status {detail.get('order_status')})"
            )
        return NotShipped()

    def _failed(self, result: object) -> SendOutcome:
        text = self.redact(describe(result))  # type: ignore[arg-type]
        if not isinstance(result, DouyinError):
            return Retry(text)
        meaning = classify(result)
        if meaning.meaning is Meaning.RATE_LIMITED:
            return Retry(text, wait_s=meaning.ban_s, counted=False, pause_all=True)
        if meaning.meaning is Meaning.TRANSIENT:
            return Retry(text)
        if meaning.meaning is Meaning.CREDENTIALS:
            return Misconfigured(
                f"Douyin refused shop {self._shop}'s credentials: {text}", credentials_hint(result, self._shop)
            )
        return Refused(f"Douyin refused: {text}")

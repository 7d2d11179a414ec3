"""Mark Pinduoduo orders shipped: pdd.logistics.online.send (order_sn, logistics_id, tracking_number).

send:  carrier -> logistics id (carriers.py), then online.send; the reply
       is {"logistics_online_send_response": {"is_success": true}}.
check: pdd.order.information.get for the order: order_info.order_status
       (1 awaiting shipment, 2 shipped, 3 signed for) and tracking_number.
       Asked before re-sending a job whose earlier attempt may have gone
       through, and after any permanent refusal of a send: our number on
       the order is a success, another number is for a person, an order not
       awaiting shipment without a number (refunded, cancelled) is refused
       with the platform's words.
package: a further parcel of a shipped order goes with
       pdd.order.upload.extra.logistics (order_sn, extra_track_type 1 =
       分包发货, extra_track_list [{shipping_id, tracking_number}]): the
       platform keeps it beside the order's own number for the buyer to see.
       Uploading the same extra number again is answered as a success, so a
       retry after a lost reply is harmless.
"""

from __future__ import annotations

import json

from capture.marketplaces.outcome_kinds import Meaning
from capture.marketplaces.pdd.carriers import PddCompanies
from capture.marketplaces.pdd.client import PddClient, PddError, PddReply, describe
from capture.marketplaces.pdd.errors import classify, credentials_hint
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
from capture.upload.taobao_carriers import CompanyCode

SEND_METHOD = "pdd.logistics.online.send"
SEND_KEY = "logistics_online_send_response"
INFO_METHOD = "pdd.order.information.get"
INFO_KEY = "order_info_get_response"
# The reply's key is the method's name without "pdd.", dots as underscores (as for online.send).
EXTRA_METHOD = "pdd.order.upload.extra.logistics"
EXTRA_KEY = "order_upload_extra_logistics_response"
SPLIT_PARCEL = "1"  # extra_track_type: 1 分包发货, 2 补发商品, 3 发放赠品
AWAITING_SHIPMENT = 1
REFUNDED = "4"
ALREADY_ON_ORDER = "already on the order"


class PddConnector:
    name = "pdd"

    def __init__(self, client: PddClient, companies: PddCompanies, shop: str) -> None:
        self._client = client
        self._companies = companies
        self._shop = shop

    def redact(self, text: str) -> str:
        return self._client.redact(text)

    def send(self, shipment: Shipment) -> SendOutcome:
        if shipment.is_package:
            return self._add_package(shipment)
        company = self._companies.lookup(shipment.carrier)
        if company is None:
            return Refused(f"Pinduoduo has no available logistics company for carrier {shipment.carrier}; not sent")
        if not isinstance(company, CompanyCode):
            return self._failed(company)
        params = {
            "order_sn": shipment.order_tid,
            "logistics_id": company.company_code,
            "tracking_number": shipment.waybill,
        }
        result = self._client.call(SEND_METHOD, params, SEND_KEY)
        if isinstance(result, PddReply):
            if result.body.get("is_success") in (True, "true"):
                return Delivered(response_id=result.request_id)
            return Retry("online.send answered without is_success=true")
        failed = self._failed(result)
        if isinstance(failed, Refused):
            return self._after_refusal(shipment, failed)
        return failed

    def _add_package(self, shipment: Shipment) -> SendOutcome:
        company = self._companies.lookup(shipment.carrier)
        if company is None:
            return Refused(f"Pinduoduo has no available logistics company for carrier {shipment.carrier}; not sent")
        if not isinstance(company, CompanyCode):
            return self._failed(company)
        tracks = json.dumps([{"shipping_id": int(company.company_code), "tracking_number": shipment.waybill}])
        params = {"order_sn": shipment.order_tid, "extra_track_type": SPLIT_PARCEL, "extra_track_list": tracks}
        result = self._client.call(EXTRA_METHOD, params, EXTRA_KEY)
        if isinstance(result, PddReply):
            if result.body.get("success") in (True, "true"):
                return Delivered(response_id=result.request_id)
            return Retry("order.upload.extra.logistics answered without success=true")
        failed = self._failed(result)
        if isinstance(failed, Refused):
            return Refused(
                f"{failed.reason}; add it in the 拼多多商家后台 (订单详情 > 添加额外运单号), then cancel this job"
            )
        return failed

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        # Not asked of Pinduoduo yet: the worker goes by the last pull or import.
        return RefundState.UNKNOWN

    def check(self, shipment: Shipment) -> CheckOutcome:
        result = self._client.call(INFO_METHOD, {"order_sn": shipment.order_tid}, INFO_KEY)
        if not isinstance(result, PddReply):
            return self._failed(result)
        info = result.body.get("order_info")
        if not isinstance(info, dict):
            return Retry("order.information.get answered without order_info")
        number = canonical(str(info.get("tracking_number") or ""))
        if number and number == canonical(shipment.waybill):
            return Delivered(response_id=result.request_id, note=ALREADY_ON_ORDER)
        if number and shipment.is_package:
            return NotShipped()  # the order has its first parcel; sending the extra number again is harmless
        if number:
            return Refused(
                f"order {shipment.order_tid} already shipped on Pinduoduo with {number}, not {shipment.waybill}"
            )
        if str(info.get("refund_status")) == REFUNDED:
            return Refused(f"Pinduoduo order {shipment.order_tid} was refunded (refund_status {REFUNDED}); not sent")
        if str(info.get("order_status")) != str(AWAITING_SHIPMENT):
            return Refused(
                f"Pinduoduo order {shipment.order_tid} is not awaiting shipment (order_status {info.get('order_status')})"
            )
        return NotShipped()

    def _after_refusal(self, shipment: Shipment, refused: Refused) -> SendOutcome:
        """A permanent refusal: the order itself says whether our number is there after all."""
        checked = self.check(shipment)
        if isinstance(checked, Delivered):
            return checked
        if isinstance(checked, Refused) and "already shipped" in checked.reason:
            return checked
        return refused

    def _failed(self, result: object) -> SendOutcome:
        text = self.redact(describe(result))  # type: ignore[arg-type]
        if not isinstance(result, PddError):
            return Retry(text)
        meaning = classify(result)
        if meaning.meaning is Meaning.RATE_LIMITED:
            return Retry(text, wait_s=meaning.ban_s, counted=False, pause_all=True)
        if meaning.meaning is Meaning.TRANSIENT:
            return Retry(text)
        if meaning.meaning is Meaning.CREDENTIALS:
            return Misconfigured(
                f"Pinduoduo refused shop {self._shop}'s credentials: {text}", credentials_hint(result, self._shop)
            )
        return Refused(f"Pinduoduo refused: {text}")

"""Mark Taobao orders shipped: taobao.logistics.offline.send (自己联系物流).

send:  carrier -> Taobao company code (taobao_carriers), the number checked
       against the company's reg_mail_no, then offline.send with tid,
       out_sid, company_code.  Errors are sorted by taobao_errors.
check: taobao.logistics.orders.get for the order (fields tid, out_sid,
       company_name, status): its out_sid is the waybill the order shipped
       with, empty while it waits.  Used before re-sending a job whose
       earlier attempt may have gone through, and when the platform answers
       B04 (not awaiting shipment): our number on the order is a success,
       another number is for a person, no number means the order closed.

The platform itself refuses to ship an order twice (B04), so even a second
send that slips past the lease is answered, not applied.
"""

from __future__ import annotations

import logging

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
from capture.upload.http import Unreachable
from capture.upload.taobao_carriers import CompanyCode, CompanyDirectory
from capture.upload.taobao_errors import Meaning, classify, credentials_hint
from capture.upload.taobao_orders import trade_refund
from capture.upload.taobao_packages import add_package, change_number
from capture.upload.top_client import BadReply, TopClient, TopError, TopReply, describe

log = logging.getLogger(__name__)

SEND_METHOD = "taobao.logistics.offline.send"
SHIPPINGS_METHOD = "taobao.logistics.orders.get"
# Right before a send: has the buyer asked for a refund since the order was pulled?
FULLINFO_METHOD = "taobao.trade.fullinfo.get"
FULLINFO_FIELDS = "tid,status,orders.refund_status"
SHIPPING_FIELDS = "tid,out_sid,company_name,status"
ALREADY_ON_ORDER = "already on the order"


class TaobaoConnector:
    name = "taobao"

    def __init__(self, client: TopClient, companies: CompanyDirectory) -> None:
        self._client = client
        self._companies = companies

    def redact(self, text: str) -> str:
        return self._client.redact(text)

    def send(self, shipment: Shipment) -> SendOutcome:
        if shipment.is_package:
            return add_package(self._client, self._companies, shipment, self._failed)
        company = self._companies.lookup(shipment.carrier)
        if not isinstance(company, CompanyCode):
            return self._no_company(shipment, company)
        if not company.accepts(shipment.waybill):
            return Refused(
                f"{shipment.waybill} does not fit Taobao's number rule for {company.company_name} ({company.company_code}); not sent"
            )
        result = self._client.call(
            SEND_METHOD, {"tid": shipment.order_tid, "out_sid": shipment.waybill, "company_code": company.company_code}
        )
        if isinstance(result, TopReply):
            shipping = result.body.get("shipping") or {}
            if isinstance(shipping, dict) and shipping.get("is_success") in (True, "true"):
                return Delivered(response_id=result.request_id)
            return Retry("offline.send answered without is_success=true")
        if isinstance(result, TopError) and classify(result).meaning is Meaning.ALREADY_SHIPPED:
            return self._after_already_shipped(shipment, result)
        return self._failed(result)

    def check(self, shipment: Shipment) -> CheckOutcome:
        result = self._client.call(SHIPPINGS_METHOD, {"tid": shipment.order_tid, "fields": SHIPPING_FIELDS})
        if not isinstance(result, TopReply):
            return self._failed(result)
        holder = result.body.get("shippings") or {}
        shippings = holder.get("shipping") if isinstance(holder, dict) else None
        numbers = [canonical(str(s.get("out_sid") or "")) for s in shippings or [] if isinstance(s, dict)]
        numbers = [n for n in numbers if n]
        if canonical(shipment.waybill) in numbers:
            return Delivered(response_id=result.request_id, note=ALREADY_ON_ORDER)
        if numbers and shipment.is_package:
            return NotShipped()  # the order's other parcels are there; this package is not yet
        if numbers:
            return Refused(
                f"order {shipment.order_tid} already shipped on Taobao with {', '.join(numbers)}, not {shipment.waybill}"
            )
        return NotShipped()

    def change_number(self, shipment: Shipment, old_waybill: str) -> SendOutcome:
        """The sent `old_waybill` on the order becomes `shipment.waybill` (taobao_packages)."""
        return change_number(
            self._client,
            self._companies,
            shipment.order_tid,
            old_waybill,
            shipment.waybill,
            shipment.carrier,
            self._failed,
        )

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        order_tid = shipment.order_tid
        result = self._client.call(FULLINFO_METHOD, {"tid": order_tid, "fields": FULLINFO_FIELDS})
        if not isinstance(result, TopReply):
            failed = self._failed(result)
            return failed if isinstance(failed, Retry) else Retry(f"cannot check the refund state: {describe(result)}")
        trade = result.body.get("trade")
        return trade_refund(trade) if isinstance(trade, dict) else RefundState.UNKNOWN

    def _after_already_shipped(self, shipment: Shipment, error: TopError) -> SendOutcome:
        checked = self.check(shipment)
        if isinstance(checked, NotShipped):
            # Not awaiting shipment and no waybill: closed, refunded, or shipped another way.
            return Refused(self.redact(f"Taobao will not ship order {shipment.order_tid}: {error.describe()}"))
        return checked

    def _no_company(self, shipment: Shipment, why: object) -> SendOutcome:
        if why is None:
            return Refused(
                f"Taobao has no logistics company for carrier {shipment.carrier}; "
                f"map it in the setting taobao_carrier_codes ({shipment.carrier}=CODE) and retry"
            )
        return self._failed(why)  # type: ignore[arg-type]

    def _failed(self, result: TopError | BadReply | Unreachable) -> SendOutcome:
        text = self.redact(describe(result))
        if not isinstance(result, TopError):
            return Retry(text)
        meaning = classify(result)
        if meaning.meaning is Meaning.RATE_LIMITED:
            return Retry(text, wait_s=meaning.ban_s, counted=False, pause_all=True)
        if meaning.meaning is Meaning.TRANSIENT:
            return Retry(text)
        if meaning.meaning is Meaning.CREDENTIALS:
            return Misconfigured(f"Taobao refused our credentials: {text}", credentials_hint(result))
        return Refused(text)

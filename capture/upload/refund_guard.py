"""The last look before a parcel is marked shipped: has the buyer asked for a refund?

A refund asked between the scan and the send must stop the send: once the
marketplace has a waybill the seller can no longer just refund.  Orders that
came from the API are asked about again (taobao.trade.fullinfo.get) right
before the send; imported ones have only the latest import to go by.  A
refund in progress refuses the job (it goes to review, with the reason), and
a failed question is a retry: the send never goes out blind.
"""

from __future__ import annotations

from capture.store.order_refunds import StoredRefund
from capture.types import Reason, RefundState
from capture.upload.connector import Connector, Refused, Retry, SendOutcome, Shipment


def refund_stop(shipment: Shipment, stored: StoredRefund, connector: Connector) -> SendOutcome | None:
    """Refused or Retry when the shipment must not go now; None when it may."""
    state = stored.state
    said = "the latest import"
    if stored.pulled:
        live = connector.refund_state(shipment)
        if isinstance(live, Retry):
            return Retry(f"{Reason.REFUND_IN_PROGRESS}: could not check for a refund before sending: {live.reason}")
        state, said = (live, f"{connector.name} now") if live is not RefundState.UNKNOWN else (state, "the last pull")
    if state is RefundState.IN_PROGRESS:
        return Refused(
            f"{Reason.REFUND_IN_PROGRESS}: the buyer asked for a refund of order {shipment.order_tid} "
            f"({said}); not sent"
        )
    return None

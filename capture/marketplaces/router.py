"""One worker for every shop: each job goes out through its own shop's connector.

Connectors are built once per shop, on first use; a shop whose secrets are
missing or unsafe answers Misconfigured (the worker stops and says what to
set) instead of failing every other shop's jobs at start.  Rate limits
pause the one shop (Worker reads `routes_by_shop`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from capture.errors import CaptureError
from capture.types import RefundState
from capture.upload.connector import CheckOutcome, Connector, Misconfigured, Refused, Retry, SendOutcome, Shipment

log = logging.getLogger(__name__)


class ShopRouter:
    name = "shops"
    routes_by_shop = True

    def __init__(self, build: Callable[[str], Connector], marketplace_of: Callable[[str], str]) -> None:
        self._build = build
        self._marketplace_of = marketplace_of
        self._connectors: dict[str, Connector] = {}

    def connector_name(self, shop: str) -> str:
        """What a sent job's `connector` column records: the shop's marketplace."""
        return self._marketplace_of(shop)

    def prepare(self, shop: str) -> None:
        """Build the shop's connector now (a worker for named shops fails at start, not on its first job)."""
        self._connectors[shop] = self._build(shop)

    def _for(self, shop: str) -> Connector | Misconfigured:
        found = self._connectors.get(shop)
        if found is not None:
            return found
        try:
            self.prepare(shop)
        except CaptureError as exc:  # missing secrets, unknown shop: the message says what to set
            return Misconfigured(f"shop {shop}: {exc.message}", exc.hint)
        return self._connectors[shop]

    def send(self, shipment: Shipment) -> SendOutcome:
        connector = self._for(shipment.shop)
        return connector if isinstance(connector, Misconfigured) else connector.send(shipment)

    def check(self, shipment: Shipment) -> CheckOutcome:
        connector = self._for(shipment.shop)
        return connector if isinstance(connector, Misconfigured) else connector.check(shipment)

    def change_number(self, shipment: Shipment, old_waybill: str) -> SendOutcome:
        """Change a sent number, where the shop's marketplace connector can (Taobao)."""
        connector = self._for(shipment.shop)
        if isinstance(connector, Misconfigured):
            return connector
        change = getattr(connector, "change_number", None)
        if change is None:
            return Refused(
                f"changing a sent number is not supported for {self.connector_name(shipment.shop)} here; "
                "change it in that marketplace's seller back office"
            )
        outcome: SendOutcome = change(shipment, old_waybill)
        return outcome

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        connector = self._for(shipment.shop)
        # A shop without its secrets cannot be asked; its send says what to set.
        return RefundState.UNKNOWN if isinstance(connector, Misconfigured) else connector.refund_state(shipment)

    def redact(self, text: str) -> str:
        for connector in self._connectors.values():
            text = connector.redact(text)
        return text

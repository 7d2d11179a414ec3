"""Waybill capture: read parcel waybills from label photos, match them to open orders, queue them."""

__version__ = "0.1.0"

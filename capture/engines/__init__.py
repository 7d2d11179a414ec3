"""Barcode and OCR engines behind small protocols; pick one through registry.py."""

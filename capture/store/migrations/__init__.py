"""Alembic migrations of the product's database: one revision per schema change.

Run through capture.store.schema (and `waybill db upgrade`), never by hand.
"""

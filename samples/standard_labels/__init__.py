"""An independent family of e-waybill label photos built from public label standards (see README.md)."""

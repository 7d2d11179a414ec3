"""Prometheus metrics and a health answer for `serve`, `watch` and `upload` (one set of names for all three)."""

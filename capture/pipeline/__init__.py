"""Pure stages, no I/O: decode -> extract -> match.  run.py strings them together."""

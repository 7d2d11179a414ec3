"""Shared by every test directory.

Its presence puts tests/ on sys.path (pytest's rootdir conftest rule), so
tests and bench/ import the loopback stand-ins as `fakes.<module>`.
"""

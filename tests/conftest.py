"""Shared by every test directory.

tests/ is a package, so tests and bench/ import the loopback stand-ins as
`tests.fakes.<module>` (pytest puts the project root on sys.path).
"""

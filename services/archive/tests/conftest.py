"""Fixtures of the archive tests; helpers live in archive_test_support.py (on pytest's path)."""

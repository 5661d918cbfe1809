"""Newsroom enrich service: named entities and timelines for every article version."""

__version__ = "0.1.0"

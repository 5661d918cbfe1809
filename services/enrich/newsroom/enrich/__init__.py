"""Newsroom enrich service."""

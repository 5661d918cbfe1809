"""Newsroom ingest service."""

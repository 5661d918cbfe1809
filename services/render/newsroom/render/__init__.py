"""Newsroom render service."""

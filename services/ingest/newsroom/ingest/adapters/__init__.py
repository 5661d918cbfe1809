"""Ingest's edges: the SQL inbox and outbox, the Redis publisher, metrics."""

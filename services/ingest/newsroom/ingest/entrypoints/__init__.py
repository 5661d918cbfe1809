"""Ingest's entrypoints: the webhook HTTP app and the `newsroom-ingest` command."""

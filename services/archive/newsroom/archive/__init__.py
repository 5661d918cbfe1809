"""Newsroom archive: the event store of record behind the Redis streams."""

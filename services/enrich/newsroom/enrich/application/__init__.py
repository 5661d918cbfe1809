"""Use cases of the enrich service."""

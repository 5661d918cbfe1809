"""Alembic migrations of the ingest database, shipped in the package."""

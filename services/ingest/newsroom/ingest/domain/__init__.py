"""Pure ingest logic: wire formats, signatures, the new/update/withdrawal/duplicate decision."""

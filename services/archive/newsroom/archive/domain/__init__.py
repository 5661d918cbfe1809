"""Pure rules of the archive: where a stream may be trimmed."""

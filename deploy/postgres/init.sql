-- One database per service that owns SQL state (ingest's inbox/outbox, render's read model,
-- the archive's event store).
CREATE DATABASE ingest;
CREATE DATABASE render;
-- The archive's event store: every event of the event log, the record Redis is rebuilt from.
CREATE DATABASE archive;

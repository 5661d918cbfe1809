-- One database per service that owns SQL state (ingest's inbox/outbox, render's read model).
CREATE DATABASE ingest;
CREATE DATABASE render;

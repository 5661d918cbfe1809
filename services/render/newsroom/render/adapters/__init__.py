"""Render's edges, implementing application.ports: the SQL read model (unit of work, repository,
queries, page outbox, migrations), Redis (the log read for replay, the pages publisher), the
page cache and the Prometheus metrics."""

"""Redis and SQL behind the ports; Prometheus metrics."""

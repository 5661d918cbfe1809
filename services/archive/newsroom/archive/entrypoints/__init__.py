"""Stream subscribers, HTTP health and metrics, the `newsroom-archive` command."""

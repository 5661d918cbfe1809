"""The `newsroom` command: run, feed and inspect the whole system locally."""

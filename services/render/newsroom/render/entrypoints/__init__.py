"""Thin entrypoints: the HTTP routers, the stream handlers and the `newsroom-render` command."""

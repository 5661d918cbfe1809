"""Thin entrypoints: the HTTP app, the stream subscribers and the `newsroom-render` command."""

"""One style for every service command: a typer app, run as the console script's `main`."""

from __future__ import annotations

from collections.abc import Sequence

import typer


def run(app: typer.Typer, argv: Sequence[str] | None = None, *, prog_name: str) -> int:
    """Runs `app` on `argv` (the process's arguments when None) and returns its exit status
    instead of leaving the process: 0, a command's `typer.Exit` code, 2 for a usage error."""
    try:
        app(args=None if argv is None else list(argv), prog_name=prog_name)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0

"""Debian's Chromium for playwright, and the npm-installed page checkers (tests/browser/)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import ViewportSize

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags a root sandbox on a closed network needs (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

# `npm ci` in tests/browser (scripts/setup --test) puts the pinned checkers here.
NODE_MODULES = Path(__file__).resolve().parents[1] / "browser" / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def installed(tool: Path) -> Path:
    """`tool`'s path; fails (never skips) when the test setup has not installed it."""
    assert tool.is_file(), f"{tool} is missing: run scripts/setup --test (npm ci in tests/browser)"
    return tool

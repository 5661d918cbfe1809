"""The development source `demo` and its secret, kept under ./var so restarts keep it."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

DEMO_SOURCE = "demo"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sources_file(var_dir: Path) -> Path:
    return var_dir / "sources.json"


def ensure_demo_source(var_dir: Path) -> str:
    """Creates the demo source on first use; returns its (first) secret."""
    path = sources_file(var_dir)
    sources = json.loads(path.read_text()) if path.exists() else {}
    if DEMO_SOURCE not in sources:
        sources[DEMO_SOURCE] = {"scheme": "standard-webhooks", "secrets": [new_secret()]}
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sources, indent=2) + "\n")
        path.chmod(0o600)
    return str(sources[DEMO_SOURCE]["secrets"][0])


def secret_for(var_dir: Path, source: str) -> str | None:
    path = sources_file(var_dir)
    if not path.exists():
        return None
    config = json.loads(path.read_text()).get(source)
    return str(config["secrets"][0]) if config else None

"""Writes (or checks) the AsyncAPI documents FastStream generates for each service's events.

uv run python scripts/asyncapi.py --write   # after changing an event contract
uv run python scripts/asyncapi.py --check   # exit 1 when docs/asyncapi/ drifted from the code
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

SERVICES = ("ingest", "enrich", "render")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "asyncapi"


def generated(service: str) -> str:
    script = Path(sys.executable).with_name(f"newsroom-{service}")
    return subprocess.run(  # noqa: S603 - our own console script
        [str(script), "asyncapi"], check=True, capture_output=True, text=True
    ).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args()
    drifted = []
    for service in SERVICES:
        path = DOCS / f"{service}.json"
        text = generated(service)
        if args.write:
            DOCS.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
        elif not path.exists() or path.read_text() != text:
            drifted.append(service)
    for service in drifted:
        print(f"docs/asyncapi/{service}.json drifted from the code: run `make asyncapi`")
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())

"""`newsroom-ingest serve` as a process: migrates, serves, logs JSON, stops on SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ingest_test_support import signed, sources, wait_for_stream
from support.servers import free_port

pytestmark = pytest.mark.integration


def test_serve_migrates_then_accepts_the_seed_story(
    tmp_path: Path, redis_url: str, corpus_dir: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'var' / 'ingest.db'}",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "NEWSROOM_SOURCES": json.dumps(sources()),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "newsroom.ingest.entrypoints.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        # A cold start imports the whole stack: seconds, many more on a loaded machine.
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.1)
        body = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
        response = httpx.post(
            f"{base_url}/v1/sources/wire/items",
            content=body,
            headers=signed(body, msg_id="msg_cli"),
            timeout=10,
        )
        assert response.status_code == 202
        assert len(wait_for_stream(redis_url, 1)) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # uvicorn re-raises the signal after a graceful shutdown, so SIGTERM is the exit status.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete." in output
    logs = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    accepted = [line for line in logs if line.get("event") == "wire_item_accepted"]
    assert accepted, output
    assert accepted[0]["correlation_id"] == "msg_cli"
    assert accepted[0]["service"] == "ingest"

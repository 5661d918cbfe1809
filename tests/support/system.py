"""Running the whole system as a user does: `newsroom up` in a subprocess."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

NEWSROOM = str(Path(sys.executable).with_name("newsroom"))


@dataclass
class RunningSystem:
    process: subprocess.Popen[str]
    var_dir: Path
    ingest_url: str
    render_url: str
    enrich_url: str
    redis_url: str
    archive_url: str = ""
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def second_enrich_url(self) -> str:
        """`newsroom up` runs two enrich workers, the second on the port after the first's."""
        host, port = self.enrich_url.rsplit(":", 1)
        return f"{host}:{int(port) + 1}"

    def service_pids(self) -> dict[str, int]:
        pids: dict[str, int] = {}
        for line in self.output:
            if match := re.search(r"(ingest|enrich|enrich-2|render) started \(pid=(\d+)\)", line):
                pids[match.group(1)] = int(match.group(2))
        return pids

    def send(self, *files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                NEWSROOM,
                "send",
                "--var",
                str(self.var_dir),
                "--ingest-url",
                self.ingest_url,
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )


def wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"newsroom up exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):  # not listening yet
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready within {timeout} s")


T = TypeVar("T")


def poll(fetch: Callable[[], T], until: Callable[[T], object], timeout: float = 60) -> T:
    """The first answer of `fetch` that satisfies `until`; fails with the last one after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        answer = fetch()
        if until(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last answer: {answer!r}")
        time.sleep(0.3)

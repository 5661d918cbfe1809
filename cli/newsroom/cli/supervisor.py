"""Running the services like compose's `restart: unless-stopped`: a process that dies is started
again after a backoff (1 s, doubling, at most 30 s; back to 1 s once it has run a minute), and
the output says so. Only Ctrl-C (or SIGTERM) stops everything. A process that keeps dying at
once (CRASH_LOOP_LIMIT times in a row, each within QUICK_EXIT of its start: a port taken, a
broken configuration) stops the whole system, as there is nothing a restart can fix.

honcho runs and prints the processes; its `Manager.loop` stops every process when one exits,
so the loop is ours."""

from __future__ import annotations

import datetime
import multiprocessing
import queue
import signal
from dataclasses import dataclass
from types import FrameType
from typing import Any

from honcho.manager import KILL_WAIT, SIGNALS, Manager

FIRST_BACKOFF = datetime.timedelta(seconds=1)
MAX_BACKOFF = datetime.timedelta(seconds=30)
# A process that ran this long is healthy again: its next restart waits FIRST_BACKOFF.
STEADY = datetime.timedelta(seconds=60)
QUICK_EXIT = datetime.timedelta(seconds=10)
CRASH_LOOP_LIMIT = 5


@dataclass
class Restarts:
    """One process's restart state."""

    backoff: datetime.timedelta = FIRST_BACKOFF
    started_at: datetime.datetime | None = None
    due: datetime.datetime | None = None
    quick_exits: int = 0
    count: int = 0


class SupervisingManager(Manager):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self._restarts: dict[str, Restarts] = {}

    def loop(self) -> None:
        def _terminate(signum: int, frame: FrameType | None) -> None:
            self._system_print(f"{SIGNALS[signum]['name']} received\n")
            self.returncode = SIGNALS[signum]["rc"]
            self.terminate()

        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)
        for name in self._processes:
            self._restarts[name] = Restarts()
            self._start_one(name)

        exit_start: datetime.datetime | None = None
        while True:
            try:
                message = self.events.get(timeout=0.1)
            except queue.Empty:
                message = None
            if message is not None:
                self._handle(message)
            now = self._clock.now()
            if self._terminating:
                if all(self._stopped(name) for name in self._processes):
                    break
                exit_start = exit_start or now
                if now - exit_start > datetime.timedelta(seconds=KILL_WAIT):
                    self.kill()
                continue
            for name, restarts in self._restarts.items():
                if restarts.due is not None and now >= restarts.due:
                    restarts.due = None
                    self._start_one(name)

    def _handle(self, message: Any) -> None:
        if message.type == "line":
            self._printer.write(message)
        elif message.type == "start":
            self._processes[message.name]["pid"] = message.data["pid"]
            self._restarts[message.name].started_at = self._clock.now()
            self._system_print(f"{message.name} started (pid={message.data['pid']})\n")
            if self._terminating:  # restarted just as everything is stopping
                self._procmgr.terminate(message.data["pid"])
        elif message.type == "stop":
            self._stopped_process(message.name, message.data["returncode"])

    def _stopped_process(self, name: str, returncode: int) -> None:
        self._processes[name]["returncode"] = returncode
        if self._terminating:
            self._system_print(f"{name} stopped (rc={returncode})\n")
            return
        restarts = self._restarts[name]
        now = self._clock.now()
        ran = now - (restarts.started_at or now)
        if ran >= STEADY:
            restarts.backoff = FIRST_BACKOFF
        restarts.quick_exits = restarts.quick_exits + 1 if ran < QUICK_EXIT else 0
        if restarts.quick_exits >= CRASH_LOOP_LIMIT:
            self._system_print(
                f"{name} exited (rc={returncode}) {restarts.quick_exits} times in a row within "
                f"{QUICK_EXIT.seconds} s of starting; stopping everything\n"
            )
            self.returncode = returncode or 1
            self.terminate()
            return
        restarts.count += 1
        self._system_print(
            f"{name} exited (rc={returncode}); restarting in {restarts.backoff.total_seconds():g} s "
            f"(restart {restarts.count})\n"
        )
        restarts.due = now + restarts.backoff
        restarts.backoff = min(restarts.backoff * 2, MAX_BACKOFF)

    def _stopped(self, name: str) -> bool:
        process = self._processes[name]
        return "returncode" in process or self._restarts[name].due is not None

    def _start_one(self, name: str) -> None:
        entry = self._processes[name]
        entry.pop("returncode", None)
        entry.pop("pid", None)
        entry["process"] = multiprocessing.Process(
            name=name, target=entry["obj"].run, args=(self.events, True)
        )
        entry["process"].start()

    def _killall(self, force: bool = False) -> None:
        # Only the processes running: one waiting for its restart has no pid to signal.
        for name, entry in self._processes.items():
            if "returncode" in entry or entry.get("pid") is None:
                continue
            signame = "SIGKILL" if force else "SIGTERM"
            self._system_print(f"sending {signame} to {name} (pid {entry['pid']})\n")
            if force:
                self._procmgr.kill(entry["pid"])
            else:
                self._procmgr.terminate(entry["pid"])

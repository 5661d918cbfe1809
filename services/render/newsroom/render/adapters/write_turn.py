"""Turns at writing one SQLite file for several processes (a parallel replay's workers)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session


class Lock(Protocol):
    def acquire(self) -> bool: ...
    def release(self) -> None: ...


class WriteTurn:
    """A lock shared by processes that write one SQLite file (a parallel replay's workers),
    taken just before a transaction's first write and released after its commit. SQLite lets
    one writer in at a time anyway, but a writer that finds the file locked polls it in its
    busy handler, sleeping up to 100 ms a try: the lock hands the turn over at once. The
    transaction's reads and Python work before its first write run outside the turn."""

    KEY = "write_turn"

    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self.held = False

    def take(self) -> None:
        if not self.held:
            self.lock.acquire()
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.lock.release()

    @classmethod
    def take_in(cls, session: Session) -> None:
        """Take the session's write turn, if it has one (see UnitOfWorkRunner)."""
        turn = session.info.get(cls.KEY)
        if turn is not None:
            turn.take()

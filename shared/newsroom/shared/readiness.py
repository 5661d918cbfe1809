"""One `/readyz` for every service: "can this process do its job now".

    200 {"status": "ready", "checks": {"database": "ok", ...}, "details": {...}}
    503 application/problem+json, type .../problems/not-ready, with the same `checks` (each
        "ok" or why not) and `details`

`checks` are the conditions of readiness, each "ok" or the reason it is not; `details` (optional)
is what the service reports beside them without making them conditions (ingest: whether Redis
answers and the outbox backlog, since its outbox absorbs a Redis outage)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from newsroom.shared.problems import Problem

OK = "ok"
# A check answers True when its dependency is usable; False or an exception says it is not.
Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_SECONDS = 2.0

DESCRIPTION = (
    "Ready: every check is `ok`. Otherwise 503 problem+json (`not-ready`) with the same "
    "`checks`, each `ok` or why not, and `details`."
)
READINESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready"]},
        "checks": {
            "type": "object",
            "description": "each condition of readiness and `ok`",
            "additionalProperties": {"type": "string"},
        },
        "details": {
            "type": "object",
            "description": "what the service reports beside readiness",
        },
    },
}


class NotReady(Problem):
    status = 503
    slug = "not-ready"
    title = "Not ready"


async def run_checks(
    checks: Mapping[str, Check], *, each_within: float = CHECK_TIMEOUT_SECONDS
) -> dict[str, str]:
    """Every check at once, each "ok" or why not (a false answer, an error, no answer in time)."""

    async def run(check: Check) -> str:
        try:
            usable = await asyncio.wait_for(check(), timeout=each_within)
        except TimeoutError:
            return f"no answer within {each_within:g} s"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"
        return OK if usable else "unreachable"

    outcomes = await asyncio.gather(*(run(check) for check in checks.values()))
    return dict(zip(checks, outcomes, strict=True))


def readiness(
    checks: Mapping[str, str],
    details: Mapping[str, Any] | None = None,
    *,
    not_ready: type[Problem] = NotReady,
) -> dict[str, Any]:
    """The 200 document when every check is "ok"; raises `not_ready` (503 `not-ready`, or a
    service's own class for it) saying which are not."""
    failing = [f"{name}: {outcome}" for name, outcome in checks.items() if outcome != OK]
    extra: dict[str, Any] = {"details": dict(details)} if details is not None else {}
    if failing:
        raise not_ready("; ".join(failing), checks=dict(checks), **extra)
    return {"status": "ready", "checks": dict(checks), **extra}

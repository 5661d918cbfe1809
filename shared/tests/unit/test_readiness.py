"""One /readyz shape: checks each "ok" or why not; 503 not-ready names the failing ones."""

from __future__ import annotations

import asyncio

import pytest

from newsroom.shared.readiness import NotReady, readiness, run_checks


def test_every_check_ok_is_ready_with_its_details() -> None:
    assert readiness({"database": "ok"}, {"backlog": 0}) == {
        "status": "ready",
        "checks": {"database": "ok"},
        "details": {"backlog": 0},
    }


def test_a_failing_check_is_a_503_problem_naming_it() -> None:
    with pytest.raises(NotReady) as refused:
        readiness({"redis": "ok", "database": "unreachable"})
    assert refused.value.status == 503
    assert refused.value.slug == "not-ready"
    assert refused.value.extensions["checks"] == {"redis": "ok", "database": "unreachable"}
    assert "database" in refused.value.detail


def test_checks_say_why_they_fail() -> None:
    async def ok() -> bool:
        return True

    async def down() -> bool:
        return False

    async def broken() -> bool:
        raise ConnectionRefusedError

    async def hangs() -> bool:
        await asyncio.sleep(60)
        return True

    outcomes = asyncio.run(
        run_checks({"a": ok, "b": down, "c": broken, "d": hangs}, each_within=0.05)
    )
    assert outcomes == {
        "a": "ok",
        "b": "unreachable",
        "c": "unreachable: ConnectionRefusedError",
        "d": "no answer within 0.05 s",
    }

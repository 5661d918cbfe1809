from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from newsroom.shared.events import UnknownEventType
from newsroom.shared.streaming.dead_letters import delivery_budget


def test_undecodable_events_are_parked_at_once() -> None:
    assert delivery_budget(UnknownEventType("x"), 5) == 1


def test_a_bug_in_handling_an_event_gets_the_ordinary_budget() -> None:
    assert delivery_budget(KeyError("headline"), 5) == 5


def test_an_outage_of_redis_or_the_database_is_not_the_event_s_fault() -> None:
    assert delivery_budget(RedisConnectionError("down"), 5) == 50
    assert delivery_budget(OperationalError("SELECT 1", {}, Exception("locked")), 5) == 50

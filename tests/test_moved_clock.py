"""The moved-clock run (``GAMIFY_TEST_CLOCK``, tests/README.md) really moves the clocks the
product depends on: otherwise a green moved-clock run would prove nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.fixtures.moved_clock import VARIABLE, destination, shifted

MOVED = destination()
only_moved = pytest.mark.skipif(MOVED is None, reason=f"{VARIABLE} not set: the clock is real")


@only_moved
def test_the_session_runs_at_the_given_time_and_the_clock_ticks() -> None:
    assert MOVED is not None
    now = datetime.now(UTC)
    # Ticking from session start: later than the destination, by no more than a long session.
    assert MOVED <= now < MOVED + timedelta(hours=2)
    assert MOVED.timestamp() <= time.time() < MOVED.timestamp() + 7200
    assert datetime.now(UTC) >= now


@pytest.mark.time_machine(datetime(2031, 3, 9, 1, 30, tzinfo=UTC))
def test_redis_expires_absolute_times_as_on_the_moved_date(redis_client: redis.Redis) -> None:
    """redis-server keeps the machine's clock: an expiry a minute after the moved now must
    still be a minute away for it, not years away (or long past)."""
    in_a_minute = int(time.time()) + 60
    redis_client.set("a", 1)
    redis_client.expireat("a", in_a_minute)
    redis_client.set("b", 1, exat=in_a_minute)
    pipe = redis_client.pipeline(transaction=False)
    pipe.set("c", 1)
    pipe.pexpireat("c", in_a_minute * 1000)
    pipe.execute()
    for key in ("a", "b", "c"):
        assert 0 < redis_client.ttl(key) <= 60


def test_only_absolute_times_are_shifted() -> None:
    assert shifted(("EXPIREAT", "k", 1_000), 100) == ("EXPIREAT", "k", 900)
    assert shifted((b"PEXPIREAT", "k", 1_000_000), 100) == (b"PEXPIREAT", "k", 900_000)
    assert shifted(("SET", "k", "EXAT", "EXAT", 1_000), 100) == ("SET", "k", "EXAT", "EXAT", 900)
    assert shifted(("SET", "k", "v", "PXAT", 1_000_000), 1) == ("SET", "k", "v", "PXAT", 999_000)
    assert shifted(("GETEX", "k", "EXAT", 1_000), 100) == ("GETEX", "k", "EXAT", 900)
    assert shifted(("EXPIRE", "k", 60), 100) == ("EXPIRE", "k", 60)
    assert shifted(("SET", "k", "v", "EX", 60), 100) == ("SET", "k", "v", "EX", 60)

"""The rebuild lease: one holder at a time, and only the holder renews, saves or frees it."""

from __future__ import annotations

import redis

from gamification.adapters.board_schema import ABANDONED_REBUILD_TTL
from gamification.adapters.rebuild_lease import (
    LEASE_KEY,
    LEASE_TTL_MS,
    PROGRESS_KEY,
    RebuildLease,
)


def test_one_holder_at_a_time(redis_client: redis.Redis) -> None:
    lease = RebuildLease(redis_client)
    token = lease.acquire()
    assert token is not None
    assert lease.acquire() is None
    assert lease.status() == (True, False)
    assert 0 < redis_client.pttl(LEASE_KEY) <= LEASE_TTL_MS

    assert lease.release(token)
    assert lease.status() == (False, False)
    assert lease.acquire() is not None


def test_only_the_holder_renews_saves_and_frees_it(redis_client: redis.Redis) -> None:
    lease = RebuildLease(redis_client, ttl_ms=5_000)
    token = lease.acquire()
    assert token is not None
    assert lease.checkpoint(token, '{"v": 1}')
    assert lease.progress() == '{"v": 1}'
    assert 0 < redis_client.ttl(PROGRESS_KEY) <= ABANDONED_REBUILD_TTL

    assert not lease.checkpoint("someone-else", '{"v": 2}')
    assert not lease.release("someone-else")
    assert lease.progress() == '{"v": 1}'
    assert redis_client.get(LEASE_KEY) == token

    redis_client.pexpire(LEASE_KEY, 1_000)  # not less: a busy machine lost a 10 ms lease here
    assert lease.checkpoint(token)  # renewed, the progress kept
    assert redis_client.pttl(LEASE_KEY) > 1_000
    assert lease.progress() == '{"v": 1}'

    assert lease.release(token, '{"v": 3}')  # paused: the progress stays for the next run
    assert lease.status() == (False, True)
    assert lease.progress() == '{"v": 3}'
    again = lease.acquire()
    assert again is not None
    assert lease.release(again)  # done: the progress goes too
    assert lease.status() == (False, False)


def test_an_expired_lease_is_taken_over_and_the_old_holder_refused(
    redis_client: redis.Redis,
) -> None:
    lease = RebuildLease(redis_client)
    old = lease.acquire()
    assert old is not None
    redis_client.delete(LEASE_KEY)  # it expired (a crash)
    new = lease.acquire()
    assert new is not None

    assert not lease.checkpoint(old, "{}")
    assert not lease.release(old)
    assert redis_client.get(LEASE_KEY) == new

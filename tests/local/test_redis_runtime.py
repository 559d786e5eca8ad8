"""The local stack's Redis choices, and the outage it can simulate (kill, restart empty)."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, datetime

import pytest
import redis

from gamification.adapters.leaderboard import ALLTIME, Leaderboard, PlayerScore
from gamification.adapters.redis_client import connect
from gamification.local.redis_runtime import (
    EMBEDDED,
    EXTERNAL,
    SERVER,
    LocalRedis,
    OutageNotSupportedError,
)


@pytest.mark.parametrize("prefer", ["embedded", "server"])
def test_kill_cuts_clients_off_and_restart_is_empty(prefer: str) -> None:
    if prefer == "server" and shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary")
    local = LocalRedis(prefer=prefer).start()
    try:
        assert local.kind == (EMBEDDED if prefer == "embedded" else SERVER)
        client = connect(local.url)
        board = Leaderboard(client)
        now = datetime.now(UTC)
        # The leaderboard's Lua scripts, pipelines and the rebuild's swap run on either kind.
        board.replace(ALLTIME, [PlayerScore("a", 300, now), PlayerScore("b", 300, now)], None, "g")
        board.publish([PlayerScore("c", 100, now)], now)
        assert [e.rank for e in board.page(ALLTIME, 0, 10).entries] == [1, 1, 3]

        local.kill()
        with pytest.raises(redis.RedisError):
            client.ping()

        local.restart()
        assert client.ping()  # the pool reconnects to the new node on the same port
        assert board.size(ALLTIME) == 0
    finally:
        local.stop()


def test_an_external_redis_is_used_as_given_and_never_killed(redis_url: str) -> None:
    local = LocalRedis(url=redis_url).start()
    assert local.kind == EXTERNAL
    assert local.url == redis_url
    with pytest.raises(OutageNotSupportedError):
        local.kill()
    local.stop()
    assert connect(redis_url).ping()


@pytest.mark.parametrize("prefer", ["embedded", "server"])
def test_answers_is_asked_of_redis_not_remembered(prefer: str) -> None:
    """What the stack's status reports: PING now, so a Redis gone on its own reads as down."""
    if prefer == "server" and shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary")
    local = LocalRedis(prefer=prefer).start()
    try:
        assert local.answers()
        local.kill()
        assert not local.answers()
        local.restart()
        assert local.answers()
        if prefer == "server":  # a server that dies by itself (not through kill())
            with contextlib.suppress(redis.ConnectionError):
                connect(local.url).shutdown(nosave=True)
            assert not local.answers()
    finally:
        local.stop()

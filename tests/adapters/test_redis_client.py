"""The Redis client speaks the protocol its parsers expect, whatever redis-py defaults to."""

from __future__ import annotations

import pytest
import redis
from aws_lambda_powertools import Metrics

from gamification.adapters.redis_client import UNREACHABLE_METRIC, connect


def test_the_client_pins_resp2() -> None:
    client = connect("redis://127.0.0.1:1/0")
    assert client.connection_pool.connection_kwargs["protocol"] == 2


def test_a_pinned_client_still_talks_to_a_real_server(redis_url: str) -> None:
    client = connect(redis_url)
    client.zadd("resp-check", {"a": 1.5})
    assert client.zrange("resp-check", 0, -1, withscores=True) == [("a", 1.5)]
    client.delete("resp-check")


@pytest.mark.parametrize("scheme", ["redis", "rediss"])
def test_a_connection_that_cannot_be_made_is_counted(scheme: str) -> None:
    """Once per failed command (after redis-py's own connect retries), plain or TLS, and the
    error still reaches the caller (the adapters turn it into LeaderboardUnavailableError)."""
    client = connect(f"{scheme}://127.0.0.1:1/0")
    for _ in range(2):
        with pytest.raises(redis.ConnectionError):
            client.ping()
    assert Metrics().metric_set[UNREACHABLE_METRIC]["Value"] == [1.0, 1.0]


def test_a_working_connection_counts_nothing(redis_url: str) -> None:
    connect(redis_url).ping()
    assert UNREACHABLE_METRIC not in Metrics().metric_set

"""The Redis client speaks the protocol its parsers expect, whatever redis-py defaults to."""

from __future__ import annotations

from gamification.adapters.redis_client import connect


def test_the_client_pins_resp2() -> None:
    client = connect("redis://127.0.0.1:1/0")
    assert client.connection_pool.connection_kwargs["protocol"] == 2


def test_a_pinned_client_still_talks_to_a_real_server(redis_url: str) -> None:
    client = connect(redis_url)
    client.zadd("resp-check", {"a": 1.5})
    assert client.zrange("resp-check", 0, -1, withscores=True) == [("a", 1.5)]
    client.delete("resp-check")

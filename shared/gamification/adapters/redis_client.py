"""One Redis connection pool per Lambda container: TLS and auth from configuration, short timeouts
so a Redis outage degrades the API (stale leaderboard, ``rank: null``) instead of hanging it."""

from __future__ import annotations

from functools import lru_cache

import redis

from gamification.config import Settings, settings

CONNECT_TIMEOUT_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 1.0
RESP_PROTOCOL = 2
"""Pinned: the reply shapes the adapters parse (ZRANGE WITHSCORES pairs, Lua tables) are RESP2's,
whichever default the installed redis-py has."""


def connect(url: str, password: str | None = None) -> redis.Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS) URLs; nothing is sent until first use."""
    return redis.Redis.from_url(
        url,
        password=password,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
        health_check_interval=30,
        retry_on_timeout=False,
        protocol=RESP_PROTOCOL,
    )


def _auth_token(config: Settings) -> str | None:
    """The token from Secrets Manager (cached by Powertools) or, locally, from the environment."""
    if config.redis_auth_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_secret(config.redis_auth_secret_arn, max_age=300))
    return config.redis_auth_token


@lru_cache(maxsize=1)
def shared_client() -> redis.Redis:
    """The container's client, created on first use and reused across invocations."""
    config = settings()
    return connect(config.redis_url, _auth_token(config))

"""One Redis connection pool per Lambda container: TLS and auth from configuration, short timeouts
so a Redis outage degrades the API (stale leaderboard, ``rank: null``) instead of hanging it.

A connection that cannot be made (refused, timed out, sign-in rejected) is counted as the
``CacheUnreachable`` metric of the function (Powertools Metrics, flushed by its handler), so an
outage the API rides out by serving snapshots still pages (docs/runbook.md#cache-unreachable).

On AWS the cache authenticates with ElastiCache IAM authentication: each new connection signs
in as the application user with a short-lived SigV4 token made from the function's own role
credentials, so there is no password, no secret and no Secrets Manager endpoint. Locally a plain
``REDIS_URL`` (optionally with ``REDIS_AUTH_TOKEN``) is used.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import redis
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from gamification.config import Settings, settings

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials

CONNECT_TIMEOUT_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 1.0
RESP_PROTOCOL = 2
"""Pinned: the reply shapes the adapters parse (ZRANGE WITHSCORES pairs, Lua tables) are RESP2's,
whichever default the installed redis-py has."""
TOKEN_LIFETIME_SECONDS = 900
"""ElastiCache accepts an IAM token for 15 minutes, checked only when a connection signs in."""
TOKEN_REUSE_SECONDS = 600
UNREACHABLE_METRIC = "CacheUnreachable"
"""One per failed connect (after redis-py's own retries); the alarm sums it over the functions."""


class _CountsUnreachable:
    """Counts a connection that could not be made, then lets the error go on as before."""

    def connect(self) -> None:
        try:
            super().connect()  # type: ignore[misc]
        except (redis.ConnectionError, redis.TimeoutError):
            Metrics().add_metric(name=UNREACHABLE_METRIC, unit=MetricUnit.Count, value=1)
            raise


class _Tcp(_CountsUnreachable, redis.Connection):
    pass


class _Tls(_CountsUnreachable, redis.SSLConnection):
    pass


def connect(
    url: str, password: str | None = None, credentials: redis.CredentialProvider | None = None
) -> redis.Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS) URLs; nothing is sent until first use."""
    return redis.Redis.from_url(
        url,
        connection_class=_Tls if url.startswith("rediss://") else _Tcp,
        password=password,
        credential_provider=credentials,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
        health_check_interval=30,
        retry_on_timeout=False,
        protocol=RESP_PROTOCOL,
    )


def iam_auth_token(
    cache_name: str,
    user_id: str,
    region: str,
    credentials: Credentials | ReadOnlyCredentials,
    *,
    serverless: bool,
) -> str:
    """ElastiCache's IAM auth token: a SigV4-presigned ``connect`` request, without scheme."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    query = {"Action": "connect", "User": user_id}
    if serverless:
        query["ResourceType"] = "ServerlessCache"
    request = AWSRequest(method="GET", url=f"http://{cache_name}/?{urlencode(query)}")
    SigV4QueryAuth(credentials, "elasticache", region, expires=TOKEN_LIFETIME_SECONDS).add_auth(
        request
    )
    return str(request.url).removeprefix("http://")


class IamCredentials(redis.CredentialProvider):
    """User and token for each new connection; a token is reused for 10 of its 15 minutes."""

    def __init__(self, config: Settings) -> None:
        self._config = config
        self._token = ""
        self._made_at = 0.0

    def get_credentials(self) -> tuple[str, str]:
        if time.monotonic() - self._made_at > TOKEN_REUSE_SECONDS:
            import boto3

            session = boto3.Session()
            credentials = session.get_credentials()
            if credentials is None:
                raise redis.AuthenticationError("no AWS credentials to sign the IAM token with")
            self._token = iam_auth_token(
                self._config.redis_cache_name,
                self._config.redis_iam_user,
                session.region_name or "us-east-1",
                credentials,
                serverless=self._config.redis_serverless,
            )
            self._made_at = time.monotonic()
        return self._config.redis_iam_user, self._token


@lru_cache(maxsize=1)
def shared_client() -> redis.Redis:
    """The container's client, created on first use and reused across invocations."""
    config = settings()
    if config.redis_iam_user:
        return connect(config.redis_url, credentials=IamCredentials(config))
    return connect(config.redis_url, config.redis_auth_token)

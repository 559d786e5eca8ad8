"""Session-wide test setup: fake AWS credentials before any client exists, and a real Redis."""

from __future__ import annotations

import os

# A boto3 client created before moto starts would talk to real AWS: fake everything first.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "gamify-tests",
        "POWERTOOLS_METRICS_NAMESPACE": "GamifyTests",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
)

from collections.abc import Iterator

import pytest
import redis

from gamification.local.redis_server import RedisServer
from tests.fixtures import moved_clock

pytest_plugins = ["tests.fixtures.aws"]

CLOCK_VARIABLE = moved_clock.VARIABLE


def pytest_configure(config: pytest.Config) -> None:
    """Redis's absolute times follow Python's clock when a test moves it; and
    ``GAMIFY_TEST_CLOCK=2026-12-31T23:30:00Z`` runs the session as if on that date (every xdist
    worker configures itself), so a test that depends on today's date fails on any day, not
    only on the day the calendar turns (tests/fixtures/moved_clock.py, tests/README.md)."""
    config.add_cleanup(moved_clock.redis_follows_python_clock())
    try:
        moved = moved_clock.destination()
    except ValueError as error:
        raise pytest.UsageError(str(error)) from error
    if moved is not None:
        config.add_cleanup(moved_clock.start(moved))


def pytest_report_header() -> str | None:
    """Say in the run's header that the clock was moved, so a red run is read right."""
    moved = moved_clock.destination()
    return f"clock moved to {moved.isoformat()} ({CLOCK_VARIABLE})" if moved else None


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Iterator[None]:
    """Powertools metrics are shared by every Metrics instance in a process: start clean."""
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()
    yield
    Metrics().clear_metrics()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis for the whole session: ``REDIS_URL`` if given, else our own redis-server."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    with RedisServer() as server:
        yield server.url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on a flushed database, so every test starts from an empty cache."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()

"""A function that cannot reach the cache says so as a metric (``CacheUnreachable``), which
the alarm of that name sums over the functions (docs/runbook.md#cache-unreachable): the API
rides out an outage on snapshots, so without the metric nothing would page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gamification.adapters.redis_client import UNREACHABLE_METRIC
from gamification.local.provision import Provisioned
from tests.api.support import Api, user

VIEWER = user("viewer")


def _emitted(stdout: str) -> list[dict[str, Any]]:
    """The Embedded Metric Format blobs the handler printed."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith('{"_aws"')]


def _unreachable(blobs: list[dict[str, Any]]) -> list[tuple[float, list[list[str]]]]:
    found = []
    for blob in blobs:
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        if any(m["Name"] == UNREACHABLE_METRIC for m in directive["Metrics"]):
            value = blob[UNREACHABLE_METRIC]
            total = sum(value) if isinstance(value, list) else value
            found.append((total, directive["Dimensions"]))
    return found


def test_a_read_with_the_cache_down_counts_it_once_per_failed_connect(
    api: Api, stack_env: Provisioned, redis_down: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    reply = api.get("/v1/leaderboard", as_=VIEWER)
    assert reply.status == 503  # no snapshot yet: the API answers, honestly
    ((count, dimensions),) = _unreachable(_emitted(capsys.readouterr().out))
    assert count >= 1
    assert dimensions == [["service"]]  # per function: the alarm names each one


def test_a_read_with_the_cache_up_counts_nothing(
    api: Api, stack_env: Provisioned, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    api.get("/v1/leaderboard", as_=VIEWER)
    assert _unreachable(_emitted(capsys.readouterr().out)) == []

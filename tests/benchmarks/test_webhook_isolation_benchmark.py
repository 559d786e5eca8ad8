"""The webhook isolation benchmark measures what it says: the breaker turns 9 timeouts into 1."""

from __future__ import annotations

from datetime import timedelta

from benchmarks.webhook_isolation import _batch
from gamification.services.webhooks import BREAKER_COOLDOWN


def test_nine_slow_deliveries_cost_one_timeout_with_the_breaker_and_nine_without() -> None:
    seconds, posts = _batch(9, BREAKER_COOLDOWN)
    seconds_without, posts_without = _batch(9, timedelta(0))

    assert (posts, posts_without) == (1, 9)
    assert seconds < 6 < 45 <= seconds_without

"""Attributes through the real pipeline (moto, redis-server): a filtered, a distinct and a
tiered badge earned from queued activities, the tallies and sketches stored and read back."""

from __future__ import annotations

from typing import Any

import redis

from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.game_rules import default_game_rules
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record


def _badge(badge_id: str, criteria: dict[str, Any], **extra: Any) -> Any:
    return parse_badge(
        {
            "id": badge_id,
            "name": badge_id.title(),
            "description": "A badge.",
            "icon": "icons/b.svg",
            "criteria": criteria,
            **extra,
        }
    )


PYTHON_READS = {"type": "posts_read", "where": {"category": "python"}, "count": 2}
THREE_CATEGORIES = {
    "type": "distinct_count",
    "event_type": "post_read",
    "attribute": "category",
    "count": 3,
}


def _read(n: int, **attributes: Any) -> Activity:
    return activity(object_id=f"post-{n}").model_copy(update={"attributes": attributes})


def test_attribute_badges_are_earned_through_the_queue_and_their_tallies_stored(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    rules = default_game_rules().with_badges(
        BadgeCatalog(
            badges=(
                _badge(
                    "pythonista",
                    {"type": "posts_read", "where": {"category": "python"}, "count": 2},
                ),
                _badge(
                    "explorer",
                    {
                        "type": "distinct_count",
                        "event_type": "post_read",
                        "attribute": "category",
                        "count": 3,
                    },
                ),
                _badge(
                    "reader",
                    {"type": "posts_read", "count": 1},
                    levels=[{"name": "Bronze", "target": 1}, {"name": "Silver", "target": 4}],
                ),
            )
        )
    )
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    first = [_read(1, category="python", premium=True), _read(2, category="go")]
    second = [_read(3, category="python"), _read(4, category="rust")]

    one = pipeline.consumer.consume([record(a) for a in first])
    two = pipeline.consumer.consume([record(a) for a in second])

    assert not one.failed_message_ids
    assert not two.failed_message_ids
    state = pipeline.users.load("alice").state
    assert state.xp == 15 + 10 + 10 + 10  # the premium read earns 15
    assert set(state.badges) == {"pythonista", "explorer", "reader", "reader#2"}
    assert len(next(iter(state.sketches.values()))) == 3
    assert sum(1 for k in state.counters if k.startswith("~")) == 2  # the filter, the distinct
    assert NOW in state.badges.values()

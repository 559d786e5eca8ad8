"""Quests through the consumer against moto: one activity completing every quest still commits."""

from __future__ import annotations

from datetime import timedelta

import boto3
import redis

from gamification.adapters.notification_repository import NotificationRepository
from gamification.domain.game_rules import default_game_rules
from gamification.domain.quests import MAX_QUESTS, QuestCatalog, parse_quest
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record


def test_one_read_completing_every_quest_fits_one_transaction_and_pays_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    quests = QuestCatalog(
        quests=tuple(
            parse_quest(
                {
                    "id": f"q{i:03d}",
                    "name": f"Quest {i}",
                    "description": "Read one post.",
                    "starts_at": (NOW - timedelta(days=1)).isoformat(),
                    "ends_at": (NOW + timedelta(days=1)).isoformat(),
                    "criteria": {"type": "posts_read", "count": 1},
                    "reward_xp": 1,
                }
            )
            for i in range(MAX_QUESTS)
        )
    )
    pipeline = build_pipeline(aws, redis_client, rules=default_game_rules().with_quests(quests))
    read = activity(object_id="post-1")

    assert not pipeline.consumer.consume([record(read)]).failed_message_ids
    assert not pipeline.consumer.consume([record(read)]).failed_message_ids  # redelivered

    state = pipeline.users.load("alice").state
    assert state.xp == 10 + MAX_QUESTS
    assert all(p.completed_at is not None for p in state.quests.values())
    feed = NotificationRepository(boto3.client("dynamodb"), aws.table_name).page("alice", limit=100)
    titles = [n.title for n in feed.items]
    assert len(titles) <= 98  # profile and marker took two of the transaction's 100 items
    assert any(t.startswith("And ") and t.endswith(" more") for t in titles)

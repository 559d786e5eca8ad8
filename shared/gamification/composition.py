"""Composition root: builds each adapter and service once per Lambda container.

Handlers call these factories; tests build the same objects directly with their own clients.
Add a factory here for a new service rather than wiring adapters inside a handler.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3

from gamification.adapters.badge_repository import BadgeRepository
from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.redis_client import shared_client
from gamification.adapters.user_repository import UserRepository
from gamification.config import settings
from gamification.domain.policy import Policy
from gamification.services.consumer import QueueConsumer
from gamification.services.processing import ActivityApplier
from gamification.services.rules import RulesProvider

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


def utc_now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@lru_cache(maxsize=1)
def sqs() -> SQSClient:
    return boto3.client("sqs")


@lru_cache(maxsize=1)
def user_repository() -> UserRepository:
    config = settings()
    return UserRepository(
        dynamodb(),
        config.table_name,
        reminder_lead=config.reminder_lead,
        notification_ttl=config.notification_ttl,
    )


@lru_cache(maxsize=1)
def badge_repository() -> BadgeRepository:
    return BadgeRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def leaderboard() -> Leaderboard:
    return Leaderboard(shared_client())


@lru_cache(maxsize=1)
def policy() -> Policy:
    return Policy(max_backdate=settings().max_backdate)


@lru_cache(maxsize=1)
def rules() -> RulesProvider:
    return RulesProvider(load_badges=badge_repository().load, policy=policy())


@lru_cache(maxsize=1)
def queue_consumer() -> QueueConsumer:
    applier = ActivityApplier(user_repository(), leaderboard(), rules(), utc_now)
    return QueueConsumer(applier, DeadLetterQueue(sqs(), settings().dlq_url), rules())


def reset() -> None:
    """Forget every cached client and service (tests and the local stack re-point them)."""
    settings.cache_clear()
    shared_client.cache_clear()
    for value in list(globals().values()):
        cache_clear = getattr(value, "cache_clear", None)
        if callable(cache_clear):
            cache_clear()

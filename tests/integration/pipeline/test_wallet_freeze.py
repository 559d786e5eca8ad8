"""A streak freeze bought with gems saves a streak across a missed day (issue #31): the wallet's
redeem and the consumer against moto, one injected clock moved day by day. The same days for a
user who did not buy one show the streak would have broken."""

from __future__ import annotations

from datetime import timedelta

import boto3
import redis

from gamification.adapters.wallet_store import WalletStore
from gamification.domain.freezes import chain
from gamification.domain.game_rules import default_game_rules
from gamification.domain.wallet import Price, ShopItem
from gamification.local.provision import Provisioned
from gamification.services.wallet import WalletService
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record

FREEZE = ShopItem(
    id="streak-freeze",
    name="Streak Freeze",
    price=Price(currency="gems", amount=10),
    fulfilment="internal",
    grants="streak_freeze",
)


def test_a_freeze_bought_with_gems_covers_a_missed_day(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    rules = default_game_rules()
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    store = WalletStore(boto3.client("dynamodb"), aws.table_name)
    wallet = WalletService(
        pipeline.users,
        store,
        store,
        rules=lambda: rules,
        clock=pipeline.clock,
    )
    wallet.put_item(FREEZE)
    start = NOW - timedelta(days=4)

    def read(user: str, day: int) -> None:
        at = start + timedelta(days=day, hours=1)
        pipeline.clock.now = at
        message = record(activity(user_id=user, object_id=f"post-{day}", at=at))
        assert not pipeline.consumer.consume([message]).failed_message_ids

    for user in ("alice", "bob"):
        read(user, 0)  # the first read's badge pays 5 gems (data/currencies.json)
        read(user, 1)
    pipeline.clock.now = start + timedelta(days=1, hours=2)
    wallet.adjust("alice", "gems", 5, reason="top up", ref="admin#ops")
    bought = wallet.redeem("alice", "streak-freeze", 1, "freeze-order-1")
    assert (bought.amount, bought.balance) == (10, 0)
    # Day 2 is missed by both; both read on day 3.
    for user in ("alice", "bob"):
        read(user, 3)

    freezes = rules.policy.freezes
    saved = pipeline.users.load("alice").state
    broken = pipeline.users.load("bob").state
    scan = chain(saved.streak, saved.freezes, freezes)
    # Days 0, 1 and 3 in one run: the freeze (spent) covered day 2, which is not counted.
    assert (scan.length, scan.held, saved.wallet.balance("gems")) == (3, 0, 0)
    assert chain(broken.streak, broken.freezes, freezes).length == 1

"""Leaving the boards: ``leaderboard_visible`` and an operator's exclusion, through the real
consumer, stream projector, reconciler and snapshot (moto + a real redis-server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis

from gamification.adapters.leaderboard import ALLTIME, NAMES_KEY, board_key, weekly
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from tests.integration.lifecycle.support import Lifecycle, build_lifecycle
from tests.integration.pipeline.support import NOW, activity, record

# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)

WEEK = weekly(iso_week(NOW))


def _play(
    life: Lifecycle, user_id: str, reads: int, name: str | None = None, batch: str = "a"
) -> None:
    pipeline = life.pipeline
    if name:
        pipeline.users.update_settings(
            user_id, lambda s: s.model_copy(update={"display_name": name}), NOW
        )
    pipeline.consumer.consume(
        [record(activity(user_id=user_id, object_id=f"{batch}-{i}")) for i in range(reads)]
    )
    pipeline.project()


def _members(redis_client: redis.Redis, board: str) -> set[str]:
    return {str(m) for m in redis_client.zrange(board_key(board), 0, -1)}


def _set_visible(life: Lifecycle, user_id: str, visible: bool) -> None:
    life.pipeline.users.update_settings(
        user_id, lambda s: s.model_copy(update={"leaderboard_visible": visible}), NOW
    )


def test_a_hidden_user_leaves_every_board_and_comes_back(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _play(life, "alice", 5, name="Alice")
    _play(life, "bob", 3, name="Bob")
    _play(life, "carol", 1)
    life.reconciler.reconcile(NOW)
    assert _members(redis_client, ALLTIME) == {"alice", "bob", "carol"}

    _set_visible(life, "alice", False)
    life.pipeline.project()  # the settings write reaches the projector through the stream

    board = life.pipeline.leaderboard
    assert _members(redis_client, ALLTIME) == {"bob", "carol"}
    assert _members(redis_client, WEEK) == {"bob", "carol"}
    assert redis_client.hget(NAMES_KEY, "alice") is None
    around_bob = board.around(ALLTIME, "bob", 5)
    assert [e.user_id for e in around_bob.entries] == ["bob", "carol"]
    assert [e.rank for e in around_bob.entries] == [1, 2]  # fresh, from Redis: not stale
    assert board.rank(ALLTIME, "alice") is None
    assert board.rank_of_xp(ALLTIME, 50) == 1  # what alice herself sees
    assert board.rank_of_xp(ALLTIME, 20) == 2

    # More activity while hidden keeps her off; the reconciler and the snapshot agree.
    _play(life, "alice", 1, batch="b")
    life.reconciler.reconcile(NOW)
    assert _members(redis_client, ALLTIME) == {"bob", "carol"}
    snapshot = life.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert [e.user_id for e in snapshot.entries] == ["bob", "carol"]
    stored = life.pipeline.users.load("alice").state
    assert (stored.xp, sorted(stored.badges)) == (60, ["first-read"])  # XP and badges kept

    _set_visible(life, "alice", True)
    life.pipeline.project()
    assert _members(redis_client, ALLTIME) == {"alice", "bob", "carol"}
    assert board.rank(ALLTIME, "alice") == 1
    assert redis_client.hget(NAMES_KEY, "alice") == "Alice"


def test_an_excluded_user_stays_off_until_lifted_and_the_reason_is_exported(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _play(life, "mallory", 4, name="Mallory")
    _play(life, "bob", 2)
    life.reconciler.reconcile(NOW)

    view = life.exclusions.set("mallory", True, "farming reads with a script")
    life.pipeline.project()
    assert view.excluded
    assert _members(redis_client, ALLTIME) == {"bob"}

    # The consumer carries the exclusion forward: playing on does not bring her back.
    life.pipeline.clock.advance(timedelta(minutes=1))
    _play(life, "mallory", 6, batch="b")
    life.reconciler.reconcile(life.pipeline.clock())
    assert _members(redis_client, ALLTIME) == {"bob"}
    profile = life.export.page("mallory", None, NOW).document["profile"]
    assert profile["leaderboards"]["excluded"] is True
    assert profile["leaderboards"]["exclusion_reason"] == "farming reads with a script"

    life.exclusions.set("mallory", False, None)
    life.pipeline.project()
    assert _members(redis_client, ALLTIME) == {"bob", "mallory"}

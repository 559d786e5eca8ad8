"""The reconciler's snapshot is what the API serves while Redis is down."""

from __future__ import annotations

from datetime import UTC, date, datetime

import redis

from gamification.adapters.leaderboard import ALLTIME, Leaderboard
from gamification.adapters.user_repository import Exclusion
from gamification.domain.periods import Period
from gamification.local.provision import Provisioned
from gamification.local.redis_server import RedisServer
from gamification.services.queries import LeaderboardQueries
from tests.integration.jobs.support import build_world

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_the_api_serves_the_reconcilers_snapshot_while_redis_is_down(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    world = build_world(aws, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id, reads in {"ana": 5, "ben": 3, "cy": 3, "dee": 1}.items():
        world.player(user_id, active_days=[date(2026, 11, 23)], reads_per_day=reads)
    world.reconciler().reconcile(NOW)
    live = world.leaderboard.page(ALLTIME, 0, 3)

    with RedisServer() as server:
        down = Leaderboard(redis.Redis.from_url(server.url, socket_timeout=0.2))
        server.stop()
        queries = LeaderboardQueries(down, world.snapshots, world.users, lambda: NOW)
        view = queries.page(Period.ALLTIME, 0, 3)

    assert view.stale is True
    assert view.as_of == NOW
    assert view.total == 4
    assert [(e.rank, e.user_id, e.xp) for e in view.entries] == [
        (e.rank, e.user_id, e.xp) for e in live.entries
    ]


def test_a_player_hidden_or_excluded_after_the_snapshot_is_not_served_from_it(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """The live board drops a hidden or excluded player within seconds; the snapshot served
    while Redis is down (taken minutes earlier) follows the same rule, re-ranked."""
    world = build_world(aws, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id, reads in {"ana": 5, "ben": 4, "cy": 3, "dee": 3, "eve": 1}.items():
        world.player(user_id, active_days=[date(2026, 11, 23)], reads_per_day=reads)
    world.reconciler().reconcile(NOW)
    world.users.update_settings(
        "ben", lambda s: s.model_copy(update={"leaderboard_visible": False}), NOW
    )
    world.users.set_exclusion("cy", Exclusion("cheating", NOW), NOW)

    with RedisServer() as server:
        down = Leaderboard(redis.Redis.from_url(server.url, socket_timeout=0.2))
        server.stop()
        queries = LeaderboardQueries(down, world.snapshots, world.users, lambda: NOW)
        page = queries.page(Period.ALLTIME, 0, 10)
        around = queries.around(Period.ALLTIME, "dee", 1)

    assert page.stale is True
    assert [(e.rank, e.user_id) for e in page.entries] == [(1, "ana"), (2, "dee"), (3, "eve")]
    assert page.total == 3
    assert [e.user_id for e in around.entries] == ["ana", "dee", "eve"]
    assert around.rank == 2

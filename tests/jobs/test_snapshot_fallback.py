"""The reconciler's snapshot is what the API serves while Redis is down."""

from __future__ import annotations

from datetime import UTC, date, datetime

import redis

from gamification.adapters.leaderboard import ALLTIME, Leaderboard
from gamification.domain.periods import Period
from gamification.local.provision import Provisioned
from gamification.local.redis_server import RedisServer
from gamification.services.queries import LeaderboardQueries
from tests.jobs.support import build_world

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
        view = LeaderboardQueries(down, world.snapshots, lambda: NOW).page(Period.ALLTIME, 0, 3)

    assert view.stale is True
    assert view.as_of == NOW
    assert view.total == 4
    assert [(e.rank, e.user_id, e.xp) for e in view.entries] == [
        (e.rank, e.user_id, e.xp) for e in live.entries
    ]

"""The friend board (issue #29) against a real Redis holding 1,000,000 players: one round trip
to score the caller and 1,000 followed players, whatever the board's size.

Loads the all-time board of ``benchmarks.leaderboard_reads`` (1,000,000 members with names,
heavy-tailed XP), then measures, for a caller following ``FOLLOWED`` random members:

- ``FriendScores.scores`` alone (``EXISTS`` marker + ``ZMSCORE`` of 1,001 ids + ``HMGET``
  names, one pipeline): round trips, server commands, p50/p95/p99;
- the whole ``FriendBoardQueries.board`` (the scores, ``RANK()`` over them, the answer's
  models), with the follow list from an in-memory graph: its ``Query`` of ≤ 1,000 keys is the
  DynamoDB part, priced in docs/friends.md, not timed here;
- a naive baseline: one ``ZSCORE`` per friend, each its own round trip.

Run alone with ``python -m benchmarks.friend_board``.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import redis

from benchmarks.leaderboard_reads import (
    CHUNK,
    MEMBERS,
    Measured,
    RoundTripCounter,
    load,
    measure,
)
from gamification.adapters.board_schema import board_key
from gamification.adapters.friend_scores import FriendScores
from gamification.adapters.leaderboard import Leaderboard
from gamification.domain.boards import ALLTIME
from gamification.domain.follows import MAX_FOLLOWING
from gamification.domain.periods import Period
from gamification.local.redis_server import RedisServer
from gamification.services.friend_board import FriendBoardQueries

FOLLOWED = MAX_FOLLOWING
CALLERS = 20
"""Distinct callers, each following ``FOLLOWED`` random players (requests cycle over them)."""
NAIVE_REQUESTS = 100
SEED = 29
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


class _Follows:
    """The ``Followed`` port from memory: the benchmark measures the Redis side."""

    def __init__(self, follows: dict[str, list[str]]) -> None:
        self._follows = follows

    def followed_ids(self, owner: str) -> list[str]:
        return self._follows[owner]


class _NoProfiles:
    def load_many(self, user_ids: object, consistent: bool = False) -> dict[str, object]:
        raise AssertionError("the cache is complete: the table is never read")


def run() -> str:
    rnd = random.Random(SEED)
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        started = time.perf_counter()
        members = load(client, rnd)
        load_seconds = time.perf_counter() - started
        Leaderboard(client).stamp(ALLTIME, "bench", None)  # complete, as a rebuild leaves it
        callers = [members[i] for i in rnd.sample(range(MEMBERS), CALLERS)]
        follows = {c: rnd.sample(members, FOLLOWED) for c in callers}
        ids = {c: [c, *follows[c]] for c in callers}
        scores = FriendScores(client)
        queries = FriendBoardQueries(
            _Follows(follows),
            scores,
            _NoProfiles(),  # type: ignore[arg-type]
            lambda: NOW,
        )
        counter = RoundTripCounter()
        board = queries.board(callers[0], Period.ALLTIME)
        assert board.total == FOLLOWED + 1, board.total
        assert not board.stale
        results: list[Measured] = [
            measure(
                f"FriendScores.scores: {FOLLOWED + 1:,} ids (EXISTS + ZMSCORE + HMGET)",
                lambda i: scores.scores(ALLTIME, ids[callers[i % CALLERS]]),
                client,
                counter,
            ),
            measure(
                f"FriendBoardQueries.board: {FOLLOWED:,} followed, ranked, as the API answers",
                lambda i: queries.board(callers[i % CALLERS], Period.ALLTIME),
                client,
                counter,
            ),
        ]
        key = board_key(ALLTIME)

        def naive(i: int) -> list[object]:
            return [client.zscore(key, u) for u in ids[callers[i % CALLERS]]]

        latencies: list[float] = []
        with counter.active():
            counter.count = 0
            for i in range(NAIVE_REQUESTS):
                began = time.perf_counter()
                naive(i)
                latencies.append(time.perf_counter() - began)
            trips = counter.count
        results.append(
            Measured(
                f"naive: one ZSCORE per friend ({NAIVE_REQUESTS} requests)",
                latencies,
                trips / NAIVE_REQUESTS,
                float(FOLLOWED + 1),
            )
        )
        client.close()
    lines = [
        f"## Friend board: {FOLLOWED:,} followed on a board of {MEMBERS:,} players",
        "",
        f"A private redis-server with {MEMBERS:,} members on the all-time board and their names "
        f"(loaded in {load_seconds:.1f} s, pipelined chunks of {CHUNK:,}); {CALLERS} callers, "
        f"each following {FOLLOWED:,} random members; loopback TCP. Round trips = client socket "
        "writes per request; server commands = `INFO commandstats` calls per request. On "
        "ElastiCache each round trip adds a network hop (≈ 0.2 to 1 ms from Lambda): the naive "
        "baseline would pay it 1,001 times.",
        "",
        "| case | round trips | server commands | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {m.label} | {m.round_trips:.2f} | {m.server_commands:.1f} | {m.percentile(50):.3f} "
        f"| {m.percentile(95):.3f} | {m.percentile(99):.3f} |"
        for m in results
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

"""Leaderboard reads against a real Redis holding 1,000,000 members: round trips and latency.

The read path must cost one Redis round trip per request, whatever the page's depth: a Lua
script reads the entries, the count of higher scores (for ``RANK()`` ties across pages) and the
display names together. This benchmark loads a board of a million players (pipelined ``ZADD``
and ``HSET`` in chunks), then measures a top page, a deep page and "around me":

- **client round trips**: socket writes per request, counted by wrapping redis-py's
  ``send_packed_command`` (a pipeline or a script call is one write);
- **server commands**: ``INFO commandstats`` deltas per request (the script's inner commands);
- **latency** p50/p95/p99 of the adapter call, and of the whole query Lambda handler in process
  (API Gateway event in, JSON out: Powertools routing and validation, the service, the Redis
  call), without the network to API Gateway;
- a **naive** baseline doing the same reads as separate commands (ZRANGE, ZCOUNT, HMGET; plus
  ZRANK for "around me"), to show what the script saves: on ElastiCache each round trip
  costs a network hop (~0.2-1 ms from Lambda), not the ~50 µs of loopback here.

Run alone with ``python -m benchmarks.leaderboard_reads``.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import redis
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.adapters.board_schema import (
    EPOCH,
    NAMES_KEY,
    board_key,
    decode_xp,
    encode_score,
    more_xp_than,
)
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_score import ALLTIME
from gamification.domain.xp import MAX_XP
from gamification.local.redis_server import RedisServer

MEMBERS = 1_000_000
CHUNK = 10_000
REQUESTS = 2_000
PAGE = 20
RADIUS = 5
SEED = 7


@dataclass
class Measured:
    label: str
    latencies: list[float]
    round_trips: float
    server_commands: float

    def percentile(self, q: int) -> float:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[q - 1] * 1000


class RoundTripCounter:
    """Counts socket writes of every redis-py connection while active."""

    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def active(self) -> Iterator[None]:
        original: Callable[..., None] = redis.connection.AbstractConnection.send_packed_command

        def counted(connection: Any, command: Any, check_health: bool = True) -> None:
            self.count += 1
            original(connection, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
        try:
            yield
        finally:
            redis.connection.AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


def load(client: redis.Redis, rnd: random.Random) -> list[str]:
    """A million players: heavy-tailed XP (many ties low down), distinct-ish achievement times."""
    key = board_key(ALLTIME)
    client.delete(key, NAMES_KEY)
    members: list[str] = []
    pipe = client.pipeline(transaction=False)
    for start in range(0, MEMBERS, CHUNK):
        scores: dict[str, float] = {}
        names: dict[str, str] = {}
        for i in range(start, min(start + CHUNK, MEMBERS)):
            user_id = f"user-{i:07d}"
            xp = min(int(rnd.paretovariate(1.3) * 40), MAX_XP)
            reached = EPOCH + timedelta(seconds=rnd.randrange(0, 180_000_000))
            scores[user_id] = encode_score(xp, reached)
            names[user_id] = f"Player {i}"
            members.append(user_id)
        pipe.zadd(key, scores)
        pipe.hset(NAMES_KEY, mapping=names)  # type: ignore[arg-type]  # Mapping is invariant
        if (start // CHUNK) % 10 == 9:
            pipe.execute()
    pipe.execute()
    return members


def server_commands(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(
        int(v["calls"]) for k, v in stats.items() if k not in {"cmdstat_info", "cmdstat_ping"}
    )


def measure(
    label: str,
    call: Callable[[int], object],
    client: redis.Redis,
    counter: RoundTripCounter,
) -> Measured:
    for i in range(50):  # warm up: script cache, connection pool
        call(i)
    latencies: list[float] = []
    before_commands = server_commands(client)
    with counter.active():
        counter.count = 0
        for i in range(REQUESTS):
            started = time.perf_counter()
            call(i)
            latencies.append(time.perf_counter() - started)
        trips = counter.count
    commands = server_commands(client) - before_commands
    return Measured(label, latencies, trips / REQUESTS, commands / REQUESTS)


# -- the naive baseline: the same reads, one command per round trip ----------------------------


def naive_page(client: redis.Redis, offset: int, limit: int) -> list[tuple[int, str, int, Any]]:
    key = board_key(ALLTIME)
    rows: list[tuple[str, float]] = client.zrange(  # type: ignore[assignment]
        key, offset, offset + limit - 1, withscores=True
    )
    if not rows:
        return []
    first_xp = decode_xp(rows[0][1])
    higher = int(client.zcount(key, "-inf", more_xp_than(first_xp)))
    names: list[Any] = client.hmget(NAMES_KEY, [m for m, _ in rows])
    return [(higher + 1, m, decode_xp(s), n) for (m, s), n in zip(rows, names, strict=True)]


def naive_around(client: redis.Redis, user_id: str, radius: int) -> object:
    position = client.zrank(board_key(ALLTIME), user_id)
    if position is None:
        return []
    start = max(0, int(position) - radius)  # type: ignore[arg-type]
    return naive_page(client, start, 2 * radius + 1)


# -- the whole query handler, in process -----------------------------------------------------------


def handler_call(redis_url: str) -> Callable[[str, dict[str, str]], dict[str, Any]]:
    os.environ.update(
        {
            "REDIS_URL": redis_url,
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            "POWERTOOLS_SERVICE_NAME": "gamify-bench",
            "POWERTOOLS_METRICS_NAMESPACE": "GamifyBench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    from functions.query.handler import lambda_handler
    from gamification import composition

    composition.reset()

    class Context:
        function_name = "gamify-query"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gamify-query"
        aws_request_id = "bench"

    def call(path: str, query: dict[str, str]) -> dict[str, Any]:
        event = {
            "resource": path,
            "path": path,
            "httpMethod": "GET",
            "headers": {"Accept": "application/json"},
            "multiValueHeaders": {},
            "queryStringParameters": query,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()},
            "pathParameters": None,
            "requestContext": {"authorizer": {"claims": {"sub": "bench-viewer"}}},
            "body": None,
            "isBase64Encoded": False,
        }
        response: dict[str, Any] = lambda_handler(event, cast(LambdaContext, Context()))
        if response["statusCode"] != 200:
            raise RuntimeError(f"{path}: {response['statusCode']} {response['body']}")
        return response

    return call


def run() -> str:
    import warnings

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    rnd = random.Random(SEED)
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        started = time.perf_counter()
        members = load(client, rnd)
        load_seconds = time.perf_counter() - started
        memory_mb = int(client.info("memory")["used_memory"]) / 2**20
        board = Leaderboard(client)
        counter = RoundTripCounter()
        picks = [rnd.choice(members) for _ in range(REQUESTS + 50)]
        deep = MEMBERS - 1_000
        handler = handler_call(server.url)
        results = [
            measure(
                "page, top (offset 0)", lambda i: board.page(ALLTIME, 0, PAGE), client, counter
            ),
            measure(
                f"page, deep (offset {deep:,})",
                lambda i: board.page(ALLTIME, deep, PAGE),
                client,
                counter,
            ),
            measure(
                f"around me (radius {RADIUS}, random user)",
                lambda i: board.around(ALLTIME, picks[i], RADIUS),
                client,
                counter,
            ),
            measure(
                "naive page, deep: ZRANGE + ZCOUNT + HMGET",
                lambda i: naive_page(client, deep, PAGE),
                client,
                counter,
            ),
            measure(
                "naive around me: ZRANK + ZRANGE + ZCOUNT + HMGET",
                lambda i: naive_around(client, picks[i], RADIUS),
                client,
                counter,
            ),
            measure(
                "handler GET /v1/leaderboard?offset=999000",
                lambda i: handler("/v1/leaderboard", {"offset": str(deep), "limit": str(PAGE)}),
                client,
                counter,
            ),
            measure(
                "handler GET /v1/leaderboard/around/{user}",
                lambda i: handler(f"/v1/leaderboard/around/{picks[i]}", {"radius": str(RADIUS)}),
                client,
                counter,
            ),
        ]
        client.close()
    lines = [
        "## Leaderboard reads: Redis round trips and latency (1,000,000 members)",
        "",
        f"A private redis-server with {MEMBERS:,} members on the all-time board and their display "
        f"names (loaded in {load_seconds:.1f} s with pipelined ZADD/HSET of {CHUNK:,}; "
        f"{memory_mb:.0f} MB used). {REQUESTS:,} sequential requests per case, pages of {PAGE}, "
        "loopback TCP. Round trips = client socket writes per request; server commands = "
        "`INFO commandstats` calls per request (a script's inner commands included).",
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

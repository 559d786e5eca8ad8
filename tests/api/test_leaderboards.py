"""Leaderboards over a real Redis: RANK() ties and paging against a brute-force oracle, the
weekly board, and the DynamoDB snapshot served while Redis is down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification import composition
from gamification.adapters.leaderboard import ALLTIME, Entry, PlayerScore
from gamification.adapters.snapshot_repository import Snapshot
from gamification.domain.levels import level_from_xp
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, user

VIEWER = user("viewer")
BASE = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Player:
    user_id: str
    xp: int
    reached_minute: int


def oracle(players: list[Player]) -> list[tuple[int, str, int]]:
    """(rank, user, xp) by brute force: earlier achiever first among ties, SQL RANK()."""
    ordered = sorted(players, key=lambda p: (-p.xp, p.reached_minute))
    return [(1 + sum(q.xp > p.xp for q in players), p.user_id, p.xp) for p in ordered]


@st.composite
def boards(draw: st.DrawFn) -> list[Player]:
    xps = draw(st.lists(st.sampled_from([5, 10, 10, 25, 40, 100, 3162]), min_size=1, max_size=30))
    minutes = draw(st.permutations(range(len(xps))))
    return [Player(f"u{i:02d}", xp, minutes[i]) for i, xp in enumerate(xps)]


def publish(players: list[Player]) -> None:
    composition.leaderboard().publish(
        [
            PlayerScore(
                user_id=p.user_id,
                xp=p.xp,
                xp_at=BASE + timedelta(minutes=p.reached_minute),
                display_name=f"Player {p.user_id}" if p.xp % 2 else None,
            )
            for p in players
        ],
        datetime.now(UTC),
    )
    seed.complete_boards()


def shown(entries: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(e["rank"], e["user_id"], e["xp"]) for e in entries]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    players=boards(),
    offset=st.integers(0, 32),
    limit=st.integers(1, 12),
    pick=st.integers(0, 29),
    radius=st.integers(0, 4),
)
def test_pages_and_around_me_match_a_brute_force_rank_oracle(
    api: Api,
    redis_client: redis.Redis,
    players: list[Player],
    offset: int,
    limit: int,
    pick: int,
    radius: int,
) -> None:
    redis_client.flushdb()
    publish(players)
    expected = oracle(players)

    page = api.get(
        "/v1/leaderboard", as_=VIEWER, query={"offset": str(offset), "limit": str(limit)}
    )

    assert page.status == 200, page.text
    assert page.json["total"] == len(players)
    assert shown(page.json["entries"]) == expected[offset : offset + limit]
    for entry in page.json["entries"]:
        assert entry["level"] == level_from_xp(entry["xp"])
        assert entry["display_name"] == (f"Player {entry['user_id']}" if entry["xp"] % 2 else None)

    target = players[pick % len(players)].user_id
    around = api.get(f"/v1/leaderboard/around/{target}", as_=VIEWER, query={"radius": str(radius)})

    position = [user_id for _, user_id, _ in expected].index(target)
    assert around.status == 200, around.text
    assert around.json["rank"] == expected[position][0]
    window = expected[max(0, position - radius) : position + radius + 1]
    assert shown(around.json["entries"]) == window


def test_ties_share_a_rank_and_the_next_rank_skips(api: Api) -> None:
    publish([Player("a", 100, 3), Player("b", 50, 1), Player("c", 100, 2), Player("d", 10, 0)])

    entries = api.get("/v1/leaderboard", as_=VIEWER).json["entries"]

    assert shown(entries) == [(1, "c", 100), (1, "a", 100), (3, "b", 50), (4, "d", 10)]


def test_a_user_not_on_the_board_has_no_rank(api: Api) -> None:
    publish([Player("a", 100, 0)])

    reply = api.get("/v1/leaderboard/around/nobody", as_=VIEWER)

    assert reply.status == 200
    assert (reply.json["rank"], reply.json["entries"], reply.json["total"]) == (None, [], 1)


def test_the_weekly_board_is_the_current_iso_week(api: Api) -> None:
    week = iso_week(datetime.now(UTC))
    seed.profile("alice", 500, name="Alice", weekly_xp={week: 120})
    seed.profile("bob", 900, weekly_xp={week: 40})

    reply = api.get("/v1/leaderboard", as_=VIEWER, query={"period": "weekly"})

    assert reply.status == 200, reply.text
    assert reply.json["week"] == week
    assert shown(reply.json["entries"]) == [(1, "alice", 120), (2, "bob", 40)]


def test_without_redis_the_latest_snapshot_is_served_marked_stale(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    taken_at = datetime(2026, 11, 27, 11, 45, tzinfo=UTC)
    for user_id, xp in {"c": 100, "a": 100, "b": 50}.items():  # the snapshot's players exist
        seed.profile(user_id, xp, publish=False)
    entries = [
        Entry(rank=1, user_id="c", xp=100, display_name="Cee"),
        Entry(rank=1, user_id="a", xp=100, display_name=None),
        Entry(rank=3, user_id="b", xp=50, display_name=None),
    ]
    composition.snapshot_repository().save(
        Snapshot(board=ALLTIME, taken_at=taken_at, entries=entries, total=250)
    )

    page = api.get("/v1/leaderboard", as_=VIEWER, query={"offset": "1", "limit": "5"})
    around = api.get("/v1/leaderboard/around/b", as_=VIEWER, query={"radius": "1"})
    weekly = api.get("/v1/leaderboard", as_=VIEWER, query={"period": "weekly"})

    assert page.status == 200, page.text
    assert page.json["stale"] is True
    assert datetime.fromisoformat(page.json["as_of"]) == taken_at
    assert page.json["total"] == 250
    assert shown(page.json["entries"]) == [(1, "a", 100), (3, "b", 50)]
    assert around.status == 200
    assert (around.json["rank"], around.json["stale"]) == (3, True)
    assert shown(around.json["entries"]) == [(1, "a", 100), (3, "b", 50)]
    assert weekly.status == 503  # no snapshot of this week yet: an honest "try later"
    assert weekly.error["code"] == "leaderboard_unavailable"
    assert weekly.headers["Retry-After"] == "30"


def test_an_incomplete_board_is_never_served_as_fresh(
    api: Api, stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    """Redis answers, but lost its boards (a flush): the projector has since written one
    player. Without a snapshot the answer is an honest 503; with one, the snapshot, stale."""
    publish([Player("a", 100, 0), Player("b", 50, 1)])
    redis_client.flushdb()
    composition.leaderboard().publish(
        [PlayerScore("b", 60, BASE, None)], datetime.now(UTC)
    )  # the projector, after the flush

    missing = api.get("/v1/leaderboard", as_=VIEWER)

    assert missing.status == 503
    assert missing.error["code"] == "leaderboard_unavailable"
    assert missing.headers["Retry-After"] == "30"

    taken_at = datetime(2026, 11, 27, 11, 45, tzinfo=UTC)
    for user_id, xp in {"a": 100, "b": 60}.items():  # the snapshot's players exist
        seed.profile(user_id, xp, publish=False)
    entries = [
        Entry(rank=1, user_id="a", xp=100, display_name=None),
        Entry(rank=2, user_id="b", xp=50, display_name=None),
    ]
    composition.snapshot_repository().save(
        Snapshot(board=ALLTIME, taken_at=taken_at, entries=entries, total=2)
    )
    stale = api.get("/v1/leaderboard", as_=VIEWER)

    assert stale.status == 200
    assert (stale.json["stale"], stale.json["total"]) == (True, 2)
    assert shown(stale.json["entries"]) == [(1, "a", 100), (2, "b", 50)]

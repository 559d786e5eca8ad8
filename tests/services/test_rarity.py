"""Badge rarity counted by the scheduled walk (services/rarity.py, domain/rarity.py): shares per
badge and level, a walk that pauses and goes on, a fresh result left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.adapters.user_repository import StoredUser
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.boards import PlayerScore
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.rarity import MAX_ENTRIES, counted_ids
from gamification.domain.state import UserSettings, UserState
from gamification.services.rarity import REFRESH, RarityJob
from tests.fakes.profiles import FakeProfiles
from tests.fakes.rarity import FakeRarityStore
from tests.fakes.reconciliation import FakePlayerIndex

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
READER = parse_badge(
    {
        "id": "reader",
        "name": "Reader",
        "description": "Reads.",
        "icon": "icons/r.svg",
        "criteria": {"type": "posts_read", "count": 2},
        "levels": [
            {"name": "Bronze", "target": 2},
            {"name": "Silver", "target": 5},
            {"name": "Gold", "target": 9},
        ],
    }
)
FIRST = parse_badge(
    {
        "id": "first",
        "name": "First",
        "description": "First read.",
        "icon": "icons/f.svg",
        "criteria": {"type": "posts_read", "count": 1},
    }
)
RULES = default_game_rules().model_copy(update={"badges": BadgeCatalog(badges=(FIRST, READER))})


def _world(held: dict[str, list[str]]) -> tuple[FakeProfiles, FakePlayerIndex]:
    profiles, index = FakeProfiles(), FakePlayerIndex()
    for user_id, badges in held.items():
        state = UserState.new(user_id, UserSettings()).model_copy(
            update={"xp": 10, "badges": dict.fromkeys(badges, NOW)}
        )
        profiles.put(StoredUser(state))
        index.put(PlayerScore(user_id=user_id, xp=10, xp_at=NOW, display_name=None, weekly_xp={}))
    return profiles, index


def _job(
    held: dict[str, list[str]], rules: GameRules = RULES, chunk: int = 1000
) -> tuple[RarityJob, FakeRarityStore]:
    profiles, index = _world(held)
    store = FakeRarityStore()
    return RarityJob(index, profiles, lambda: rules, store, chunk=chunk), store


def test_the_share_of_players_holding_each_badge_and_level() -> None:
    job, store = _job(
        {
            "a": ["first", "reader", "reader#2"],
            "b": ["first", "reader"],
            "c": ["first"],
            "d": [],
            "e": ["retired-badge"],
        }
    )

    summary = job.run(NOW, lambda: False)

    rarity = job.latest()
    assert summary["status"] == "finished"
    assert rarity is not None
    assert rarity.computed_at == NOW
    assert rarity.count.players == 5
    assert [rarity.share(i) for i in ("first", "reader", "reader#2", "reader#3")] == [
        0.6,
        0.4,
        0.2,
        0.0,
    ]
    assert "retired-badge" not in rarity.count.holders  # only live ids are kept
    assert store.record.walk is None


def test_a_walk_pauses_saving_its_position_and_the_next_run_finishes_it_exactly() -> None:
    held = {f"u{i:02}": ["first"] * (i % 2) for i in range(30)}
    whole, _ = _job(held)
    whole.run(NOW, lambda: False)
    job, store = _job(held, chunk=4)

    first = job.run(NOW, lambda: True)  # stops after one chunk
    assert first["status"] == "paused"
    assert store.record.walk is not None
    assert store.record.result is None
    runs = 1
    while job.run(NOW + timedelta(hours=runs), lambda: True)["status"] == "paused":
        runs += 1

    rarity, expected = job.latest(), whole.latest()
    assert rarity is not None
    assert expected is not None
    assert rarity.count == expected.count
    assert rarity.count.players == 30
    assert runs > 1


def test_a_fresh_result_is_left_alone_and_an_old_one_is_counted_again() -> None:
    job, store = _job({"a": ["first"]})
    job.run(NOW, lambda: False)
    saves = store.saves

    assert job.run(NOW + REFRESH - timedelta(minutes=1), lambda: False)["status"] == "fresh"
    assert store.saves == saves
    assert job.run(NOW + REFRESH, lambda: False)["status"] == "finished"
    latest = job.latest()
    assert latest is not None
    assert latest.computed_at == NOW + REFRESH


@settings(max_examples=50, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from(["first", "reader", "reader#2", "x"])), max_size=12))
def test_counts_match_a_brute_force_count_whatever_the_chunk(
    players: list[frozenset[str]],
) -> None:
    held = {f"u{i:02}": sorted(badges) for i, badges in enumerate(players)}
    job, _ = _job(held, chunk=3)
    while job.run(NOW, lambda: True)["status"] == "paused":
        pass

    rarity = job.latest()
    assert rarity is not None
    assert rarity.count.players == len(players)
    for earned_id in counted_ids(RULES.badges):
        assert rarity.holders(earned_id) == sum(earned_id in p for p in players)
    assert 0.0 <= min(rarity.share(i) for i in counted_ids(RULES.badges)) <= 1.0


def test_the_count_keeps_at_most_max_entries_ids() -> None:
    badges = tuple(
        parse_badge(
            {
                "id": f"b{i}",
                "name": f"B{i}",
                "description": "x",
                "icon": "icons/x.svg",
                "criteria": {"type": "posts_read", "count": 1},
                "levels": [{"name": f"L{n}", "target": n + 1} for n in range(5)],
            }
        )
        for i in range(MAX_ENTRIES // 5 + 10)
    )

    assert len(counted_ids(BadgeCatalog(badges=badges))) == MAX_ENTRIES

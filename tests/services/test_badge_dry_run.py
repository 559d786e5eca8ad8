"""The dry run of an unsaved badge: who would earn it now and what going live would send,
from stored profiles, writing nothing (services/dry_run.py, domain/dry_run.py)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from gamification.adapters.user_repository import StoredUser
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.boards import PlayerScore
from gamification.domain.game_rules import default_game_rules
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress, parse_quest
from gamification.domain.state import UserSettings, UserState
from gamification.services.dry_run import BadgeDryRun, Position, QuestDryRun
from tests.fakes.profiles import FakeProfiles
from tests.fakes.reconciliation import FakePlayerIndex

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
RULES = default_game_rules()


def _badge(criteria: dict[str, Any], **extra: Any) -> Any:
    return parse_badge(
        {
            "id": "reader",
            "name": "Reader",
            "description": "Reads.",
            "icon": "icons/r.svg",
            "criteria": criteria,
            **extra,
        }
    )


def _world(
    reads: dict[str, int], push: Set[str] = frozenset(), held: Set[str] = frozenset()
) -> tuple[FakeProfiles, FakePlayerIndex]:
    profiles = FakeProfiles()
    index = FakePlayerIndex()
    for user_id, count in reads.items():
        state = UserState.new(user_id, UserSettings(push_enabled=user_id in push)).model_copy(
            update={
                "xp": 10 * count,
                "counters": {"post_read": count},
                "badges": {"reader": NOW} if user_id in held else {},
            }
        )
        before = profiles.put(StoredUser(state))
        index.put(
            PlayerScore(user_id=user_id, xp=state.xp, xp_at=NOW, display_name=None, weekly_xp={})
        )
        assert before.version == 1
    return profiles, index


def test_it_counts_who_qualifies_who_holds_it_and_the_notifications_it_would_send() -> None:
    profiles, index = _world({"a": 12, "b": 3, "c": 10, "d": 0, "e": 20}, push={"e"}, held={"c"})
    before = dict(profiles.stored)

    run = BadgeDryRun(index, profiles, lambda: RULES).run(
        _badge({"type": "posts_read", "count": 10})
    )

    report = run.report
    assert (report.scanned, report.qualifying, report.already_held) == (5, 3, 1)
    assert (report.notifications, report.pushes) == (2, 1)
    assert sorted(report.sample) == ["a", "e"]
    assert report.distribution == {
        "0%": 1, "1-24%": 0, "25-49%": 1, "50-74%": 0, "75-99%": 0, "100%": 3
    }  # fmt: skip
    assert run.next is None
    assert profiles.stored == before  # nothing written


def test_a_tiered_badge_reports_users_per_level_and_a_notification_per_new_level() -> None:
    profiles, index = _world({"a": 12, "b": 3, "c": 30})
    badge = _badge(
        {"type": "posts_read", "count": 3},
        levels=[{"name": "Bronze", "target": 3}, {"name": "Silver", "target": 10},
                {"name": "Gold", "target": 25}],
    )  # fmt: skip

    report = BadgeDryRun(index, profiles, lambda: RULES).run(badge).report

    assert report.levels == {"Bronze": 3, "Silver": 2, "Gold": 1}
    assert report.notifications == 6


def test_a_call_reads_a_bounded_number_of_profiles_and_says_where_to_go_on() -> None:
    profiles, index = _world({f"u{i:02d}": i for i in range(30)})
    dry_run = BadgeDryRun(index, profiles, lambda: RULES)
    badge = _badge({"type": "posts_read", "count": 10})

    pages = []
    position: Position | None = Position()
    while position is not None:
        run = dry_run.run(badge, position, max_users=4)
        assert run.report.scanned <= 4
        pages.append(run.report)
        position = run.next
    total = pages[0]
    for page in pages[1:]:
        total = total.merge(page)

    assert total.scanned == 30
    assert total.qualifying == 20
    assert len(total.sample) == 10


def test_a_filter_nobody_counts_yet_is_named_as_not_yet_counted() -> None:
    profiles, index = _world({"a": 12})
    badge = _badge({"type": "posts_read", "where": {"category": "python"}, "count": 1})
    live = RULES.with_badges(BadgeCatalog(badges=(badge,)))

    unsaved = BadgeDryRun(index, profiles, lambda: RULES).run(badge)
    saved = BadgeDryRun(index, profiles, lambda: live).run(badge)

    assert unsaved.not_yet_counted == [next(badge.criteria.tallies()).key]
    assert unsaved.report.qualifying == 0
    assert saved.not_yet_counted == []


def _quest(count: int, **extra: Any) -> QuestDefinition:
    return parse_quest(
        {
            "id": "weekend",
            "name": "Weekend",
            "description": "Read on the weekend.",
            "starts_at": "2026-06-27T00:00:00Z",
            "ends_at": "2026-06-29T00:00:00Z",
            "criteria": {"type": "posts_read", "count": count},
            "reward_xp": 40,
            **extra,
        }
    )


def _with_quest_progress(profiles: FakeProfiles, counts: dict[str, int]) -> None:
    for user_id, count in counts.items():
        stored = profiles.load(user_id)
        progress = {"weekend": QuestProgress(count=count)}
        profiles.put(replace(stored, state=stored.state.model_copy(update={"quests": progress})))


def test_a_quest_dry_run_carries_stored_progress_only_for_the_same_count_and_window() -> None:
    profiles, index = _world({"a": 1, "b": 1, "c": 1})
    _with_quest_progress(profiles, {"a": 3, "b": 1})
    live = RULES.with_quests(QuestCatalog(quests=(_quest(5),)))
    dry_run = QuestDryRun(index, profiles, lambda: live)

    lowered = dry_run.run(_quest(3)).report
    moved = dry_run.run(_quest(3, ends_at="2026-06-30T00:00:00Z")).report

    assert lowered.carried is True
    assert (lowered.scanned, lowered.completing, lowered.notifications) == (3, 1, 1)
    assert lowered.sample == ["a"]
    assert moved.carried is False
    assert (moved.completing, moved.distribution["0%"]) == (0, 3)

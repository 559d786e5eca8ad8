"""A team quest's payment is a solo quest's completion (``domain.team_quests.payment`` through
``transition.complete_quest``): the same reward XP and badge, the badges and level the XP
unlocks, the wallet's ``quest``, ``badge`` and ``level`` credits, the notifications and the same
domain events (hence ids) as the transition's own completion of a solo quest; nothing when the
payee's entry is already completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.domain_events import derive
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress, parse_quest
from gamification.domain.state import UserState
from gamification.domain.team_quests import payment
from gamification.domain.transition import Transition, apply_activities
from gamification.domain.wallet import Currency, EarningRule, EarnOn, WalletRules

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
QUEST_ID = "read-3"

BADGES = BadgeCatalog(
    badges=tuple(
        parse_badge(
            {"id": i, "name": i.title(), "description": i, "icon": f"icons/{i}.svg", "criteria": c}
        )
        for i, c in (
            ("centurion", {"type": "xp_total", "count": 100}),  # counts XP: the reward unlocks it
            ("team-spirit", {"type": "posts_read", "count": 1_000}),  # the quest's reward badge
        )
    )
)
WALLET = WalletRules(
    currencies=(Currency(id="gems", name="Gems"),),
    earning=(
        EarningRule(on=EarnOn.QUEST, currency="gems", amount=10),
        EarningRule(on=EarnOn.BADGE, currency="gems", amount=5),
        EarningRule(on=EarnOn.LEVEL, match="1", currency="gems", amount=3),
    ),
)


def quest(mode: str) -> QuestDefinition:
    return parse_quest(
        {
            "id": QUEST_ID,
            "name": "Read three",
            "description": "Three posts",
            "starts_at": (NOW - timedelta(days=1)).isoformat(),
            "ends_at": (NOW + timedelta(days=6)).isoformat(),
            "criteria": {"type": "posts_read", "count": 3},
            "reward_xp": 40,
            "reward_badge": "team-spirit",
            "mode": mode,
        }
    )


def rules(mode: str) -> GameRules:
    base = default_game_rules().with_badges(BADGES)
    return base.model_copy(update={"wallet": WALLET}).with_quests(
        QuestCatalog(quests=(quest(mode),))
    )


def two_read(xp: int = 80) -> UserState:
    """A user at ``xp`` (level 0) who counted 2 of the 3."""
    return UserState.new("u").model_copy(
        update={"xp": xp, "quests": {QUEST_ID: QuestProgress(count=2)}}
    )


def facts(step: Transition, before: UserState, game: GameRules, *, drop: str = "") -> list[Any]:
    """The events as (type, fact, data without the running total), without those of ``drop``
    (the solo side's own activity, which the team side has no counterpart of)."""
    found = []
    for draft in derive(before, step.state, step.effects, game, NOW):
        if drop and draft.fact.startswith(drop):
            continue
        data = {k: v for k, v in draft.data.items() if k != "total_xp"}
        found.append((draft.type, draft.fact, data))
    return found


def test_a_team_payment_is_a_solo_completion() -> None:
    team_rules, solo_rules = rules("team"), rules("solo")
    before = two_read()
    paid = payment(quest("team"), before, team_rules, NOW)
    assert paid is not None

    read = Activity(user_id="u", type="post_read", object_id="p3", occurred_at=NOW, received_at=NOW)
    solo = apply_activities(before, [read], solo_rules, NOW)  # the third read completes it
    assert solo.state.quests[QUEST_ID].completed_at == NOW

    state, effects = paid.state, paid.effects
    assert state.quests[QUEST_ID] == QuestProgress(count=2, completed_at=NOW)
    assert state.xp == 80 + 40
    assert state.level == 1
    assert set(state.badges) == {"team-spirit", "centurion"} == set(solo.state.badges)
    assert effects.badges_earned == solo.effects.badges_earned
    assert effects.level_up == solo.effects.level_up
    assert [n.kind for n in effects.notifications] == [n.kind for n in solo.effects.notifications]

    events = facts(paid, before, team_rules)
    assert [(t, f) for t, f, _ in events] == [
        ("xp.awarded", f"quest_reward#{QUEST_ID}"),
        ("badge.earned", "team-spirit"),
        ("badge.earned", "centurion"),
        ("quest.completed", QUEST_ID),
        ("level.changed", "1"),
    ]
    solo_events = facts(solo, before, solo_rules, drop="post_read#")
    solo_events = [e for e in solo_events if not e[0].startswith("streak.")]  # the read's day
    assert events == solo_events

    ledger = [(e.kind, e.ref, e.amount) for e in effects.ledger]
    assert ledger == [
        ("badge", "badge_earned#centurion", 5),
        ("badge", "badge_earned#team-spirit", 5),
        ("level", "level#1", 3),
        ("quest", f"quest_reward#{QUEST_ID}", 10),
    ]
    assert ledger == [(e.kind, e.ref, e.amount) for e in solo.effects.ledger if e.kind != "event"]
    assert state.wallet.balance("gems") == 23


def test_a_paid_entry_pays_nothing_and_an_idle_member_is_paid_from_zero() -> None:
    team_rules = rules("team")
    paid = payment(quest("team"), two_read(), team_rules, NOW)
    assert paid is not None
    assert payment(quest("team"), paid.state, team_rules, NOW + timedelta(hours=1)) is None

    idle = payment(quest("team"), UserState.new("idle"), team_rules, NOW)  # pay: members
    assert idle is not None
    assert idle.state.quests[QUEST_ID] == QuestProgress(count=0, completed_at=NOW)
    assert idle.state.xp == 40
    assert idle.state.wallet.balance("gems") == 10 + 5

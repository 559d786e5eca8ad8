"""The history lake's rows for what happened before the lake existed, from what the table holds.

The lake is fed by the publisher from the moment it is deployed; earlier activity survives only
as the table's current state. This rebuilds, per user, the events that state still proves, with
**the same event ids** the live commit gave them (``domain_events.event_id`` of the same fact),
so a backfilled row and a live row of one fact share their ``row_id`` and every report, which
counts distinct subjects or rows, counts it once. Only facts that happened before ``before``
(the lake's start) are emitted; ``sequence`` is 0 on every backfilled row (live ones are
≥ 10,000), which tells them apart.

What the table proves, and what it cannot (docs/analytics.md, "Backfill"):

* ``xp.awarded``: one per dedupe marker (``SEEN#<key>``, with the commit time ``at``): the
  activity's key and type, when it was applied. **Not** its XP (caps, boosts and catalog changes
  are not kept per activity): ``xp`` and ``total_xp`` are null. Over-cap activities (0 XP, no
  live event) have markers too, on a day the user already earned that type's cap, so the days a
  user was active are exact;
* ``badge.earned`` and ``quest.completed``: exact (the profile keeps each with its time);
* ``streak.extended``: one per day of the streak runs the profile keeps (the last 60 days;
  older runs are folded into a summary), at the day's start in the user's timezone, counted
  along the run (freezes that bridged two runs are not replayed);
* ``level.changed``: the current level only, when the current XP was reached (``xp_at``); the
  levels passed on the way are not dated (``previous_level`` is null);
* ``league.closed``: the last closed week only; ``experiment.assigned``: at the first marker.

Left out: streak milestones and breaks, freezes used, league seats of weeks that closed before
the last, exclusions, wallet entries (their ledger is kept, but not in the lake's events), and
everything of erased users (they have nothing left: that is the point).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gamification.domain.domain_events import event_id
from gamification.domain.event_catalog import CATALOG, DomainEvent
from gamification.domain.game_rules import GameRules
from gamification.domain.periods import week_bounds
from gamification.domain.profile_records import StoredUser

BACKFILL_SEQUENCE = 0
"""``sequence`` of a backfilled row (a live one is ``version x 10,000 + index``, ≥ 10,000)."""


def history(
    stored: StoredUser,
    applied: Sequence[tuple[str, datetime]],
    rules: GameRules,
    tenant: str,
    before: datetime,
) -> list[DomainEvent]:
    """The events the user's stored state proves happened before ``before``.

    ``applied`` is the user's dedupe markers: (dedupe key, when it was applied)."""
    state = stored.state
    user_id = state.user_id
    found: list[DomainEvent] = []

    def add(event_type: str, fact: str, at: datetime | None, **data: Any) -> None:
        if at is None or at >= before:
            return
        found.append(
            DomainEvent(
                id=event_id(tenant, user_id, event_type, fact),
                type=event_type,
                schema_version=CATALOG[event_type].schema_version,
                tenant=tenant,
                user_id=user_id,
                sequence=BACKFILL_SEQUENCE,
                occurred_at=at,
                data=data,
            )
        )

    for key, at in sorted(applied, key=lambda pair: (pair[1], pair[0])):
        kind = key.split("#", 1)[0]
        add("xp.awarded", key, at, source=key, activity_type=kind, xp=None, total_xp=None)
    for badge_id, at in sorted(state.badges.items()):
        badge = rules.badges.get(badge_id)
        add("badge.earned", badge_id, at, badge_id=badge_id, name=badge.name if badge else badge_id)
    for quest_id, progress in sorted(state.quests.items()):
        quest = rules.quests.get(quest_id) if rules.quests is not None else None
        add(
            "quest.completed",
            quest_id,
            progress.completed_at,
            quest_id=quest_id,
            name=quest.name if quest else quest_id,
            reward_xp=quest.reward_xp if quest else None,
        )
    zone = ZoneInfo(state.settings.timezone)
    for run in state.streak.runs:
        for n in range(run.length):
            day = run.start + timedelta(days=n)
            start = datetime.combine(day, time(), tzinfo=zone)
            add("streak.extended", day.isoformat(), start, day=day.isoformat(), streak_days=n + 1)
    if state.level > 0:
        add("level.changed", str(state.level), stored.xp_at, previous_level=None, level=state.level)
    result = state.league.result
    if result is not None:
        closed_at = week_bounds(result.week)[1]
        add(
            "league.closed",
            result.week,
            closed_at,
            week=result.week,
            rank=result.rank,
            movement=result.movement.value,
            from_tier=result.from_tier,
            to_tier=result.to_tier,
            weekly_xp=result.xp,
        )
    if state.experiment is not None and applied:
        first = min(at for _, at in applied)
        group = state.experiment
        add("experiment.assigned", group.salt, first, experience=group.group, experiment=group.salt)
    return found

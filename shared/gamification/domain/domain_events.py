"""Domain events derived from what a transition did (pure: no I/O, no clock).

``derive`` turns one commit's effects into drafts, each naming the *fact* it reports (the award
key, the badge id, the day...). The id of an event is a hash of the deployment, the user, the
type and that fact, never of the time or the batch, so deriving the effect again (a retried
commit, a redelivered stream record, a replay) gives the same id and receivers can dedupe by it.
``stamp`` adds what only the commit knows: the profile version it wrote, which orders a user's
events (``sequence``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gamification.domain.catalog import STREAK_MILESTONE
from gamification.domain.event_catalog import CATALOG, DomainEvent
from gamification.domain.freezes import FreezeRules, chain, freeze_status
from gamification.domain.friend_streak_notices import FriendNotice, NoticeKind
from gamification.domain.game_rules import GameRules
from gamification.domain.leagues import Membership, Outcome
from gamification.domain.notifications import NotificationKind
from gamification.domain.quests import QUEST_REWARD
from gamification.domain.state import UserState
from gamification.domain.transition import Effects
from gamification.domain.wallet import Cause, LedgerEntry

SEQUENCE_STRIDE = 10_000
"""``sequence = version x SEQUENCE_STRIDE + index in the commit``: increasing per user (a profile
version is written once), and a commit holds far fewer events than this."""


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before the commit stamps it: its type, the fact it reports, its payload."""

    type: str
    fact: str
    occurred_at: datetime
    data: dict[str, Any]


def event_id(tenant: str, user_id: str, event_type: str, fact: str) -> str:
    """Stable id: the same effect gives the same id on every derivation and delivery."""
    digest = hashlib.sha256("\x1f".join((tenant, user_id, event_type, fact)).encode()).hexdigest()
    return f"evt_{digest[:32]}"


def derive(
    before: UserState, after: UserState, effects: Effects, rules: GameRules, now: datetime
) -> tuple[EventDraft, ...]:
    """The events of one commit, in a stable order (awards, badges, quests, streak, level)."""
    drafts: list[EventDraft] = []

    def add(event_type: str, fact: str, **data: Any) -> None:
        assert event_type in CATALOG, event_type
        drafts.append(EventDraft(event_type, fact, now, data))

    for award in effects.awards:
        if award.xp:
            add(
                "xp.awarded",
                award.key,
                source=award.key,
                activity_type=award.event_type,
                xp=award.xp,
                boost_id=award.boost_id,
                total_xp=after.xp,
                # JSON-ready, as every draft's data (the outbox stores drafts as they are)
                activity_at=award.occurred_at.isoformat() if award.occurred_at else None,
            )
    for badge_id in effects.badges_earned:
        badge = rules.badges.get(badge_id)
        add("badge.earned", badge_id, badge_id=badge_id, name=badge.name if badge else badge_id)
    for award in effects.awards:
        kind, _, what = award.key.partition("#")
        if kind == QUEST_REWARD:
            quest = rules.quests.get(what) if rules.quests is not None else None
            add(
                "quest.completed",
                what,
                quest_id=what,
                name=quest.name if quest else what,
                reward_xp=quest.reward_xp if quest else award.xp,
            )
        elif kind == STREAK_MILESTONE:
            add(
                "streak.milestone",
                what,
                ordinal=int(what),
                every=rules.policy.milestone_every,
            )
    drafts.extend(_streak_drafts(before, after, effects, rules, now))
    if effects.level_up is not None:
        up = effects.level_up
        add("level.changed", str(up.new), previous_level=up.old, level=up.new)
    return tuple(drafts)


def _streak_drafts(
    before: UserState, after: UserState, effects: Effects, rules: GameRules, now: datetime
) -> list[EventDraft]:
    freeze_rules = rules.policy.freezes
    old = chain(before.streak, before.freezes, freeze_rules)
    new = chain(after.streak, after.freezes, freeze_rules)
    found: list[EventDraft] = []
    for note in effects.notifications:
        if note.kind is NotificationKind.STREAK_FREEZE_USED:
            day = note.id.removeprefix("freeze#")
            frozen = next((f for f in new.frozen if f.day.isoformat() == day), None)
            found.append(
                EventDraft(
                    "streak.freeze_used",
                    day,
                    now,
                    {"day": day, "streak_days": frozen.streak if frozen else 0},
                )
            )
    if new.last is None or (old.last is not None and new.last <= old.last):
        return found
    if (
        old.last is not None
        and before.broken_told != old.last  # the reminder job told it already
        and _broke_after(old.last, after, {f.day for f in new.frozen})
    ):
        found.append(_broken(old.last, old.length, now))
    found.append(
        EventDraft(
            "streak.extended",
            new.last.isoformat(),
            now,
            {"day": new.last.isoformat(), "streak_days": new.length},
        )
    )
    return found


def _broken(last: date, streak_days: int, now: datetime) -> EventDraft:
    """``streak.broken`` of the streak ending on ``last``: the same fact (hence id) whichever
    path finds it, the next activity or the reminder job."""
    return EventDraft(
        "streak.broken",
        last.isoformat(),
        now,
        {"last_day": last.isoformat(), "streak_days": streak_days},
    )


def broken_by_clock(state: UserState, rules: FreezeRules, now: datetime) -> EventDraft | None:
    """The ``streak.broken`` the reminder job finds at ``now``: the latest streak's first missed
    day (in the user's timezone) is over and the freezes held could not cover it, and no
    ``streak.broken`` of that streak went out yet (``state.broken_told``; the activity path
    emits one only when the streak goes on after the gap, so neither path tells it twice)."""
    scan = chain(state.streak, state.freezes, rules)
    if scan.last is None or state.broken_told == scan.last:
        return None
    status = freeze_status(state.streak, state.freezes, rules, state.settings.timezone, now)
    if status.current != 0:
        return None
    return _broken(scan.last, scan.length, now)


def told_broken(state: UserState, draft: EventDraft) -> UserState:
    """The state that records ``draft`` (a ``broken_by_clock`` result) as told."""
    assert draft.type == "streak.broken", draft.type
    return state.model_copy(update={"broken_told": date.fromisoformat(draft.fact)})


def _broke_after(last: date, after: UserState, frozen: set[date]) -> bool:
    """Whether the streak that ended on ``last`` is broken by the next active day after it: a
    gap of missed days that freezes did not all cover."""
    following = [r.start for r in after.streak.runs if r.start > last]
    if not following or after.streak.active_on(last) is False:
        return False
    run = next(r for r in after.streak.runs if r.start <= last <= r.end)
    if run.end > last:
        return False  # the next day was active: the run goes on
    gap_first, gap_last = run.end.toordinal() + 1, min(following).toordinal() - 1
    return any(date.fromordinal(d) not in frozen for d in range(gap_first, gap_last + 1))


def joined_league(seat: Membership, now: datetime) -> EventDraft:
    """A seat taken in this commit (exactly once per user-week, docs/pipeline.md)."""
    return EventDraft(
        "league.joined",
        seat.week,
        now,
        {"week": seat.week, "tier": seat.tier, "cohort": seat.board},
    )


def league_closed(outcome: Outcome, now: datetime) -> EventDraft:
    """A member's result of a closed week, committed with it (once per user and week)."""
    return EventDraft(
        "league.closed",
        outcome.week,
        now,
        {
            "week": outcome.week,
            "rank": outcome.rank,
            "movement": outcome.movement.value,
            "from_tier": outcome.from_tier,
            "to_tier": outcome.to_tier,
            "weekly_xp": outcome.xp,
        },
    )


def experiment_assigned(group: str, experiment: str, now: datetime) -> EventDraft:
    """A control-group assignment recorded in this commit (once per user and salt)."""
    return EventDraft(
        "experiment.assigned", experiment, now, {"experience": group, "experiment": experiment}
    )


def reward_redeemed(
    key: str,
    at: datetime,
    *,
    item_id: str,
    name: str,
    quantity: int,
    currency: str,
    amount: int,
    fulfilment: str,
) -> EventDraft:
    """A redeem, committed with its debit (the fact: its idempotency key)."""
    return EventDraft(
        "reward.redeemed",
        key,
        at,
        {
            "idempotency_key": key,
            "item_id": item_id,
            "name": name,
            "quantity": quantity,
            "currency": currency,
            "amount": amount,
            "fulfilment": fulfilment,
        },
    )


def wallet_entry_posted(entry: LedgerEntry) -> EventDraft:
    """One ledger entry, committed with it (the fact: its sequence number, which names the
    ``LEDGER#<seq>`` item the same transaction puts, once: the put is conditional). An admin's
    ``ref`` (``admin#<id>``) and every ``note`` (an admin's free-text reason) stay out: no
    other event names an operator or carries their words."""
    return EventDraft(
        "wallet.entry_posted",
        str(entry.seq),
        entry.at,
        {
            "seq": entry.seq,
            "currency": entry.currency,
            "amount": entry.amount,
            "balance": entry.balance,
            "cause": entry.cause.value,
            "kind": entry.kind,
            "ref": None if entry.cause is Cause.ADJUST else entry.ref,
            "credits": entry.credits,
            "spendable_from": entry.spendable_from.isoformat() if entry.spendable_from else None,
        },
    )


def user_excluded(reason: str, at: datetime) -> EventDraft:
    """An exclusion an operator committed (the fact: when it was set)."""
    return EventDraft(
        "user.excluded", at.isoformat(), at, {"reason": reason, "excluded_at": at.isoformat()}
    )


def user_erased(requested_at: datetime) -> EventDraft:
    """An erasure request, committed with its tombstone (once per request)."""
    return EventDraft(
        "user.erased",
        requested_at.isoformat(),
        requested_at,
        {"erased_at": requested_at.isoformat()},
    )


def friend_followed(followed_id: str, mutual: bool, at: datetime) -> EventDraft:
    """A follow committed at ``at`` (the edge's time: a follow again after an unfollow is a new
    fact, a repeated request for a follow that exists commits nothing)."""
    return EventDraft(
        "friend.followed",
        f"{followed_id}#{at.isoformat()}",
        at,
        {"followed_id": followed_id, "mutual": mutual},
    )


def friend_streak_started(partner_id: str, started_on: date, at: datetime) -> EventDraft:
    """A friend streak accepted, told to one partner (each gets their own)."""
    return EventDraft(
        "friend_streak.started",
        f"{partner_id}#{started_on.isoformat()}",
        at,
        {"partner_id": partner_id, "started_on": started_on.isoformat()},
    )


def friend_streak_event(notice: FriendNotice, now: datetime) -> EventDraft | None:
    """The event a friend streak notice reports to its recipient (``None`` for an at-risk
    reminder: a reminder, not a fact). The fact names the partner and the pair day, the same
    on every run of either partner, so it commits once with the notice's guard."""
    fact = f"{notice.partner}#{notice.day.isoformat()}"
    if notice.kind is NoticeKind.BROKEN:
        data: dict[str, Any] = {"last_day": notice.day.isoformat()}
        event_type = "friend_streak.broken"
    elif notice.kind is NoticeKind.MILESTONE:
        data = {"reached_on": notice.day.isoformat()}
        event_type = "friend_streak.milestone"
    else:
        return None
    data |= {"partner_id": notice.partner, "streak_days": notice.streak_days}
    return EventDraft(event_type, fact, now, data)


def stamp(
    drafts: Sequence[EventDraft], *, tenant: str, user_id: str, version: int
) -> list[DomainEvent]:
    """The drafts one commit (profile ``version``) stored, as the events sent."""
    events = []
    for index, draft in enumerate(drafts):
        spec = CATALOG[draft.type]
        data = spec.data.model_validate(draft.data).model_dump(mode="json")
        events.append(
            DomainEvent(
                id=event_id(tenant, user_id, draft.type, draft.fact),
                type=draft.type,
                schema_version=spec.schema_version,
                tenant=tenant,
                user_id=user_id,
                sequence=version * SEQUENCE_STRIDE + index,
                occurred_at=draft.occurred_at,
                data=data,
            )
        )
    return events

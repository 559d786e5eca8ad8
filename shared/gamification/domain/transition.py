"""The one transition function: (state, activities, rules, clock) -> (new state, effects).

Pure: no I/O and no clock of its own. The consumer, the backfill job and the tests all call it,
so every path applies the same rules. Its result depends on the *set* of activities, not on
their order or on how they were split into batches (proven by property tests); ``now`` only
stamps badges and notifications, and expires the wallet's lots due before it (domain.wallet).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from math import inf
from zoneinfo import ZoneInfo

from gamification.domain import notifications, text, wallet
from gamification.domain.activity import Activity, dedupe_key
from gamification.domain.badges import BadgeDefinition, UserStats
from gamification.domain.boosts import best_boost, boosted_xp
from gamification.domain.catalog import BADGE_EARNED, STREAK_MILESTONE, EventType, may_report
from gamification.domain.freezes import FREEZE_GRANTED, chain
from gamification.domain.freezes import fold as fold_freezes
from gamification.domain.game_rules import GameRules
from gamification.domain.levels import level_from_xp
from gamification.domain.notifications import Notification
from gamification.domain.periods import WEEKS_KEPT, iso_week
from gamification.domain.policy import Policy
from gamification.domain.quests import (
    QUEST_REWARD,
    QuestDefinition,
    QuestIndex,
    QuestProgress,
    QuestTimes,
    micros,
    open_progress,
)
from gamification.domain.state import CapSlot, UserState, slot_digest, user_stats
from gamification.domain.streaks import StreakTrack, local_day
from gamification.domain.tallies import prune as prune_tallies
from gamification.domain.tallies import record as record_tally
from gamification.domain.xp import add_xp


class RejectReason(StrEnum):
    UNKNOWN_TYPE = "unknown_event_type"
    NOT_PERMITTED = "event_type_not_reportable_by_source"
    TOO_OLD = "occurred_before_backdating_window"
    IN_FUTURE = "occurred_in_the_future"
    WRONG_USER = "activity_for_another_user"
    INVALID_ATTRIBUTE = "invalid_attribute"


@dataclass(frozen=True, slots=True)
class XpAward:
    key: str
    event_type: str
    xp: int
    """XP this activity changed the total by (0 when over its daily cap; less at ``MAX_XP``)."""
    boost_id: str | None = None
    occurred_at: datetime | None = None
    """When the activity that earned it occurred (``None`` for a bonus: badge, quest,
    milestone); the lake counts active days by it, not by when the commit ran."""


@dataclass(frozen=True, slots=True)
class Rejection:
    key: str
    reason: RejectReason
    detail: str
    field: str | None = None
    """The field to fix when the reason alone does not say (``attributes.<name>``)."""


@dataclass(frozen=True, slots=True)
class LevelUp:
    old: int
    new: int


@dataclass(slots=True)
class Effects:
    """What happened, for the caller to persist, publish and measure."""

    applied_keys: list[str] = field(default_factory=list)
    """Dedupe keys of accepted activities (store a marker for each)."""
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    awards: list[XpAward] = field(default_factory=list)
    milestones: int = 0
    badges_earned: list[str] = field(default_factory=list)
    level_up: LevelUp | None = None
    notifications: list[Notification] = field(default_factory=list)
    state_changed: bool = False
    ledger: list[wallet.LedgerEntry] = field(default_factory=list)
    """Currency credits the facts above earned (domain.wallet): commit with the state."""

    @property
    def xp_awarded(self) -> int:
        return sum(a.xp for a in self.awards)

    @property
    def changed(self) -> bool:
        """Whether there is anything to store (repeats can still mark a streak day)."""
        return bool(self.applied_keys or self.badges_earned or self.state_changed)


@dataclass(frozen=True, slots=True)
class Transition:
    state: UserState
    effects: Effects


def activity_key(activity: Activity, rules: GameRules) -> str:
    """Dedupe key of ``activity`` under ``rules`` (``type#object``; daily types add the day)."""
    event_type = rules.events.get(activity.type)
    return dedupe_key(activity, event_type.repeat) if event_type else dedupe_key(activity)


def check(
    activity: Activity, user_id: str, rules: GameRules, key: str | None = None
) -> Rejection | EventType:
    """Why an activity can never be applied, or its event type when it can."""
    key = key or activity_key(activity, rules)
    event_type = rules.events.get(activity.type)
    if event_type is None:
        return Rejection(
            key, RejectReason.UNKNOWN_TYPE, f"unknown event type '{text.shown(activity.type)}'"
        )
    if activity.user_id != user_id:
        return Rejection(
            key, RejectReason.WRONG_USER, f"activity is for '{text.shown(activity.user_id)}'"
        )
    if not may_report(activity.source, event_type):
        return Rejection(
            key,
            RejectReason.NOT_PERMITTED,
            f"'{text.shown(activity.type)}' cannot be reported by a {activity.source.value}",
        )
    policy = rules.policy
    if activity.occurred_at < activity.received_at - policy.max_backdate:
        return Rejection(
            key,
            RejectReason.TOO_OLD,
            f"more than {text.duration(policy.max_backdate)} before it was received",
        )
    if activity.occurred_at > activity.received_at + policy.max_clock_skew:
        return Rejection(key, RejectReason.IN_FUTURE, "after it was received")
    return _attribute_rejection(activity, event_type, key) or event_type


def _attribute_rejection(activity: Activity, event_type: EventType, key: str) -> Rejection | None:
    problem = event_type.attribute_problem(activity.attributes)
    if problem is None:
        return None
    name, why = problem
    field = f"attributes.{name}" if name else "attributes"
    return Rejection(key, RejectReason.INVALID_ATTRIBUTE, f"{field} {why}", field)


class _Working:
    """Mutable scratch copy of a state for one transition; frozen again at the end."""

    def __init__(self, state: UserState, quests: QuestIndex | None) -> None:
        self.quest_index = quests
        self.quests = dict(state.quests)
        self.quest_times = QuestTimes()
        """What the batch noted for the quests, counted into ``quests`` once per batch."""
        self.xp = state.xp
        self.counters = dict(state.counters)
        self.sketches = dict(state.sketches)
        self.streak = state.streak
        self.challenge = state.challenge_streak
        self.freezes = state.freezes
        self.capped = dict(state.capped)
        self.badges = dict(state.badges)
        self.weekly = dict(state.weekly_xp)

    def freeze(self, original: UserState) -> UserState:
        return original.model_copy(
            update={
                "xp": self.xp,
                "counters": self.counters,
                "sketches": self.sketches,
                "streak": self.streak,
                "challenge_streak": self.challenge,
                "freezes": self.freezes,
                "capped": self.capped,
                "badges": self.badges,
                "weekly_xp": self.weekly,
                "quests": self.quests_with_counts(),
            }
        )

    def stats(self) -> UserStats:
        return user_stats(self.xp, self.counters, self.streak, self.challenge)

    def credit(
        self,
        occurred_at: datetime,
        xp: int,
        total: int | None = None,
        day_span: tuple[int, int] | None = None,
        at: int | None = None,
    ) -> None:
        """Activity XP counts for the total (``total``: what it adds there, when a daily-cap
        slot changed hands; else ``xp``) and for the ISO week it happened in. The total stops
        at ``MAX_XP`` (``add_xp``: every term is ≥ 0, so the order still does not matter); a
        week's sum is exact (a slot moving between weeks takes XP off one of them), and the
        boards count it up to ``MAX_XP`` (``PlayerScore.xp_on``).

        A week left at 0 (its only capped slot moved to a boosted activity in the next UTC week)
        is dropped: whether it was ever credited depends on arrival order, so absent == 0.

        XP quests count a daily-capped activity by its local day (``day_span``, ``[start, end)``
        in epoch microseconds: the day counts if any of it is inside the window), not by its
        instant. A slot passes only to an activity with at least as much XP, but it can pass to
        an earlier one that arrived late: judged by instant, XP inside the window could complete
        a quest (never undone) and then move outside it, so completion would depend on arrival
        order. Both holders of one slot share a day, so by day the count never falls.
        """
        self.xp = add_xp(self.xp, xp if total is None else total)
        if self.quest_index is not None and self.quest_index.xp_groups:
            if day_span is None:
                at = micros(occurred_at) if at is None else at
                day_span = (at, at + 1)  # [at, at + 1) meets [start, end) iff start <= at < end
            self.quest_times.credits.append((*day_span, xp))
        week = iso_week(occurred_at)
        week_xp = self.weekly.get(week, 0) + xp
        if week_xp:
            self.weekly[week] = week_xp
        else:
            self.weekly.pop(week, None)

    def quests_with_counts(self) -> dict[str, QuestProgress]:
        """The progress entries with what the batch noted counted in, once per quest: a count
        ``n`` becomes ``max(low, n + by)`` (``QuestTimes.counts``); a completed quest's count
        no longer matters. An open quest left at 0 (a capped activity's 0 XP, or its slot lost
        to an earlier one) has no entry: whether one was made depends on arrival order, so
        absent == 0, as for a week's XP."""
        if self.quest_index is None:
            return self.quests
        quests = self.quests
        stored = quests.get  # this loop runs per quest a batch moved: locals, no max() calls
        for group, by, low in self.quest_times.counts(self.quest_index):
            fresh = low if low > by else by
            fresh_entry = open_progress(fresh) if fresh else None
            # The quests of one group count the same activities over one window, so their
            # counts are mostly equal: the entry made for one count serves the next quest.
            last_count, last_entry = -1, fresh_entry
            for quest_id in group.quest_ids:
                before = stored(quest_id)
                if before is None:
                    entry = fresh_entry
                elif before.completed_at is not None:
                    continue
                elif before.count == last_count:
                    entry = last_entry
                else:
                    last_count = before.count
                    count = last_count + by
                    entry = (
                        open_progress(count if count > low else low) if count > 0 or low else None
                    )
                    last_entry = entry
                if entry is None:
                    if before is not None:
                        del quests[quest_id]
                elif entry is not before:
                    quests[quest_id] = entry
        return quests

    def count_activity(self, activity: Activity, at: int) -> None:
        """O(distinct counters of its type), whatever the number of quests (``QuestIndex``);
        ``at``: the activity's instant in epoch microseconds."""
        index = self.quest_index
        if index is not None and activity.type in index.counters:
            self.quest_times.note(index, activity.type, at, activity.attributes)

    def bump(self, event_type: str, by: int = 1) -> None:
        self.counters[event_type] = self.counters.get(event_type, 0) + by


def apply_activities(
    state: UserState,
    activities: Iterable[Activity],
    rules: GameRules,
    now: datetime,
    seen: Set[str] = frozenset(),
) -> Transition:
    """Apply a batch for one user. ``seen`` holds dedupe keys already applied earlier."""
    work = _Working(state, rules.quests.index if rules.quests is not None else None)
    effects = Effects()
    zone = state.settings.timezone
    policy = rules.policy
    horizon = _history_start(state.streak, policy.streak_history_days)
    applied: set[str] = set(seen)
    tallies = rules.badges.tallies
    work.counters, work.sketches = prune_tallies(work.counters, work.sketches, tallies)

    for activity in sorted(activities, key=lambda a: (a.occurred_at, a.type, a.object_id)):
        key = activity_key(activity, rules)
        verdict = check(activity, state.user_id, rules, key)
        if isinstance(verdict, Rejection):
            effects.rejected.append(verdict)
            continue
        day = local_day(activity.occurred_at, zone)
        # The key's slot digest and the instant in microseconds, once per activity: the
        # duplicate check, the cap slot and the quests' notes all need them.
        digest = slot_digest(key) if verdict.daily_cap is not None else 0
        if key in applied or _holds_cap_slot(work, verdict, day, digest):
            effects.duplicates.append(key)
        else:
            applied.add(key)
            effects.applied_keys.append(key)
            at = micros(activity.occurred_at)
            effects.awards.append(
                _earn(
                    work, verdict, activity, key, day=day, zone=zone, rules=rules, slot=(at, digest)
                )
            )
            work.count_activity(activity, at)
            record_tally(
                work.counters, work.sketches, activity.type, activity.attributes, tallies, day=day
            )
            if verdict.name == FREEZE_GRANTED and day >= horizon:
                work.freezes = work.freezes.with_grant(day, policy.freezes)
        # A repeat earns nothing but still marks its day: the streak is a function of the days
        # the user was active, whichever report of an object happened to arrive first.
        if verdict.counts_for_streak and day >= horizon:
            work.streak = work.streak.with_day(day)
        if verdict.challenge and day >= horizon:
            work.challenge = work.challenge.with_day(day)

    settings = state.settings
    ctx = _Context(rules, state.user_id, now, settings.push_enabled, settings.locale)
    _award_milestones(work, state.streak, effects, ctx)
    _announce_freezes(work, state, effects, ctx)
    _complete_quests(work, effects, ctx)
    return _finish(work, state, effects, ctx)


def complete_quest(
    state: UserState, quest: QuestDefinition, rules: GameRules, now: datetime
) -> Transition:
    """Pay ``quest`` to a user whose completion was decided elsewhere (a pair quest: the pair's
    sum, ``domain.pair_quests``): the same completion, reward XP, reward badge, badges it
    unlocks, level-up and currency credits as a solo quest completed by ``apply_activities``,
    so every mode pays alike. The caller checked it is not completed yet."""
    work = _Working(state, rules.quests.index if rules.quests is not None else None)
    effects = Effects()
    settings = state.settings
    ctx = _Context(rules, state.user_id, now, settings.push_enabled, settings.locale)
    _pay_quest(work, effects, ctx, quest, work.quests.get(quest.id) or QuestProgress())
    return _finish(work, state, effects, ctx)


def _finish(work: _Working, state: UserState, effects: Effects, ctx: _Context) -> Transition:
    """What any XP change leads to: badges now met, the level-up and the wallet's credits (and
    the old history dropped, as at every write)."""
    _award_badges(work, effects, ctx)
    old_level, new_level = state.level, level_from_xp(work.xp)
    if new_level > old_level:
        effects.level_up = LevelUp(old_level, new_level)
        effects.notifications.append(
            notifications.level_up(
                user_id=state.user_id,
                old=old_level,
                new=new_level,
                now=ctx.now,
                push=ctx.push,
                locale=ctx.locale,
            )
        )
    rules = ctx.rules
    _forget_old_history(work, rules.policy)
    new_state = work.freeze(state)
    purse = new_state.wallet
    if rules.wallet.earning or purse.lots or purse.pending:  # lots: due at every write
        facts = wallet.facts_of(effects.awards, effects.badges_earned, old_level, new_level)
        paid, effects.ledger = wallet.earn(new_state.wallet, facts, rules.wallet, ctx.now)
        new_state = new_state.model_copy(update={"wallet": paid})
    effects.state_changed = new_state != state
    return Transition(new_state, effects)


def cap_days(activities: Iterable[Activity], rules: GameRules, timezone: str) -> set[str]:
    """Local days (ISO) whose cap slots applying ``activities`` reads: only these need loading."""
    days = set()
    for activity in activities:
        event_type = rules.events.get(activity.type)
        if event_type is not None and event_type.daily_cap is not None:
            days.add(local_day(activity.occurred_at, timezone).isoformat())
    return days


def _holds_cap_slot(work: _Working, event_type: EventType, day: date, digest: int) -> bool:
    """A key (``digest``: its ``slot_digest``) already holding a slot of its day's cap was
    applied before, whatever ``seen`` says."""
    if event_type.daily_cap is None:
        return False
    return digest in [slot.digest for slot in work.capped.get(_bucket(day, event_type.name), ())]


def _bucket(day: date, event_type: str) -> str:
    return f"{day.isoformat()}|{event_type}"


def _earn(
    work: _Working,
    event_type: EventType,
    activity: Activity,
    key: str,
    *,
    day: date,
    zone: str,
    rules: GameRules,
    slot: tuple[int, int],
) -> XpAward:
    """Add the activity's XP (respecting its daily cap) and count it; ``slot``: its instant in
    epoch microseconds and its key's ``slot_digest`` (0 for an uncapped type)."""
    boost = best_boost(rules.boosts, activity.type, activity.occurred_at)
    xp = boosted_xp(event_type.xp_for(activity.attributes), boost)
    boost_id = boost.id if boost else None
    held = work.xp
    if event_type.daily_cap is None:
        work.credit(activity.occurred_at, xp, at=slot[0])
        work.bump(activity.type)
        return XpAward(key, activity.type, work.xp - held, boost_id, activity.occurred_at)
    bucket = _bucket(day, activity.type)
    before = work.capped.get(bucket, ())  # sorted by rank, best first
    candidate = CapSlot(xp, *slot)
    position = bisect_right(before, candidate.rank(), key=CapSlot.rank)
    if position >= event_type.daily_cap:  # every slot holds a better activity
        return XpAward(key, activity.type, 0, None, activity.occurred_at)
    kept = (*before[:position], candidate, *before[position:])
    gained = xp
    span = _day_span(day, zone) if work.quest_index and work.quest_index.xp_groups else None
    if len(kept) > event_type.daily_cap:  # the worst slot changes hands (to a better one)
        dropped = kept[-1]
        kept = kept[:-1]
        work.credit(dropped.occurred_at, -dropped.xp, total=0, day_span=span)
        gained -= dropped.xp
    else:  # a free slot was taken
        work.bump(activity.type)
    work.capped[bucket] = kept
    work.credit(activity.occurred_at, xp, total=gained, day_span=span)
    gained = work.xp - held  # less than earned at MAX_XP
    return XpAward(key, activity.type, gained, boost_id if gained else None, activity.occurred_at)


@dataclass(frozen=True, slots=True)
class _Context:
    rules: GameRules
    user_id: str
    now: datetime
    push: bool
    locale: str


def _award_milestones(work: _Working, before: StreakTrack, effects: Effects, ctx: _Context) -> None:
    every = ctx.rules.policy.milestone_every
    first_new = before.milestones(every) + 1
    reached = work.streak.milestones(every)
    milestone_xp = ctx.rules.events[STREAK_MILESTONE].base_xp
    for ordinal in range(first_new, reached + 1):
        held, work.xp = work.xp, add_xp(work.xp, milestone_xp)
        work.bump(STREAK_MILESTONE)
        effects.milestones += 1
        effects.awards.append(
            XpAward(f"{STREAK_MILESTONE}#{ordinal}", STREAK_MILESTONE, work.xp - held)
        )
        effects.notifications.append(
            notifications.streak_milestone(
                user_id=ctx.user_id,
                ordinal=ordinal,
                every=every,
                xp=milestone_xp,
                now=ctx.now,
                push=ctx.push,
                locale=ctx.locale,
            )
        )


def _announce_freezes(work: _Working, before: UserState, effects: Effects, ctx: _Context) -> None:
    """A notification per day a freeze newly covers (the days are derived, so a late activity
    that fills one simply stops covering it: the freeze is back, with nothing to announce)."""
    rules = ctx.rules.policy.freezes
    if not work.freezes.grants and work.freezes.carry is None and len(work.streak.runs) < 2:
        return  # nothing can be covered: no gap inside the kept history
    old = {f.day for f in chain(before.streak, before.freezes, rules).frozen}
    for frozen in chain(work.streak, work.freezes, rules).frozen:
        if frozen.day not in old:
            effects.notifications.append(
                notifications.freeze_used(
                    user_id=ctx.user_id,
                    day=frozen.day.isoformat(),
                    streak_days=frozen.streak,
                    used_at=_day_end(frozen.day, before.settings.timezone),
                    push=ctx.push,
                    locale=ctx.locale,
                )
            )


def _complete_quests(work: _Working, effects: Effects, ctx: _Context) -> None:
    """Complete every quest whose count reached its target: once, since completion is stored
    in the profile this transition writes (a redelivery finds it completed). Entries of quests
    no longer in the catalog are dropped, which keeps the profile bounded."""
    index = work.quest_index
    if index is None:
        return
    current = work.quests_with_counts()
    if not current.keys() <= index.by_id.keys():
        current = {k: v for k, v in current.items() if k in index.by_id}
    work.quests = current
    targets = index.solo_targets  # pair and team quests complete elsewhere (pair/team_quests)
    due = [  # a quest with no solo target is never due: no count reaches infinity
        quest_id
        for quest_id, progress in current.items()
        if progress.completed_at is None and progress.count >= targets.get(quest_id, inf)
    ]
    due.sort()
    for quest_id in due:
        quest = index.by_id[quest_id]
        _pay_quest(work, effects, ctx, quest, current[quest_id])


def _pay_quest(
    work: _Working,
    effects: Effects,
    ctx: _Context,
    quest: QuestDefinition,
    progress: QuestProgress,
) -> None:
    """Complete ``quest`` (stored, hence once) and pay its reward XP and badge, with the
    notification; the ``quest_reward#<id>`` award is what ``domain_events`` reports."""
    work.quests[quest.id] = progress.model_copy(update={"completed_at": ctx.now})
    held, work.xp = work.xp, add_xp(work.xp, quest.reward_xp)  # all-time only, like milestones
    effects.awards.append(XpAward(f"{QUEST_REWARD}#{quest.id}", QUEST_REWARD, work.xp - held))
    effects.notifications.append(
        notifications.quest_completed(
            user_id=ctx.user_id,
            quest_id=quest.id,
            name=quest.name,
            xp=quest.reward_xp,
            now=ctx.now,
            push=ctx.push,
            locale=ctx.locale,
        )
    )
    badge = ctx.rules.badges.get(quest.reward_badge) if quest.reward_badge else None
    if badge is not None and badge.id not in work.badges:
        _grant_badge(work, effects, ctx, badge)


@lru_cache(maxsize=1024)
def _day_span(day: date, timezone: str) -> tuple[int, int]:
    """A local day as ``[start, end)`` in epoch microseconds (23 or 25 hours across DST);
    cached: XP quests need it for every capped activity, and a batch's share a few days."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))
    return micros(start), micros(_day_end(day, timezone))


def _day_end(day: date, timezone: str) -> datetime:
    after = day + timedelta(days=1)
    return datetime(after.year, after.month, after.day, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _award_badges(work: _Working, effects: Effects, ctx: _Context) -> None:
    """Award every badge now met; repeat, since a badge can unlock one that counts badges."""
    while True:
        stats = work.stats()
        new = ctx.rules.badges.index.newly_met(work.badges, stats)
        if not new:
            return
        for badge in new:
            _grant_badge(work, effects, ctx, badge)


def _grant_badge(work: _Working, effects: Effects, ctx: _Context, badge: BadgeDefinition) -> None:
    badge_xp = ctx.rules.events[BADGE_EARNED].base_xp
    work.badges[badge.id] = ctx.now
    held, work.xp = work.xp, add_xp(work.xp, badge_xp)
    work.bump(BADGE_EARNED)
    effects.badges_earned.append(badge.id)
    effects.awards.append(XpAward(f"{BADGE_EARNED}#{badge.id}", BADGE_EARNED, work.xp - held))
    effects.notifications.append(
        notifications.badge_unlocked(
            user_id=ctx.user_id,
            badge_id=badge.id,
            name=badge.name,
            description=badge.description,
            now=ctx.now,
            push=ctx.push,
            locale=ctx.locale,
        )
    )


def _history_start(streak: StreakTrack, keep_days: int) -> date:
    """Days before this can no longer change a streak: they are older than the kept history."""
    last = streak.last_day
    return date.min if last is None else last - timedelta(days=keep_days)


def _forget_old_history(work: _Working, policy: Policy) -> None:
    keep_days, every = policy.streak_history_days, policy.milestone_every
    last = work.streak.last_day
    if last is None:
        if work.freezes.grants:  # grants without any active day: keep the recent ones only
            newest = max(work.freezes.grants)
            keep_after = newest - timedelta(days=keep_days)
            work.freezes = fold_freezes(work.streak, work.freezes, policy.freezes, keep_after)
        return
    keep_after = last - timedelta(days=keep_days)
    work.freezes = fold_freezes(work.streak, work.freezes, policy.freezes, keep_after)
    work.streak = work.streak.folded(keep_after, every)
    work.challenge = work.challenge.folded(keep_after, every)
    cutoff = keep_after.isoformat()  # a bucket "<day>|<type>" sorts before it iff its day does
    if work.capped and min(work.capped) < cutoff:
        work.capped = {k: v for k, v in work.capped.items() if k >= cutoff}
    # Weeks are kept by date from the last active day (monotone in the set of activities), not
    # as "the latest N weeks present", which a week that later drops to 0 would distort.
    first_kept = iso_week(datetime.combine(last - timedelta(weeks=WEEKS_KEPT - 1), time(), UTC))
    work.weekly = {w: xp for w, xp in work.weekly.items() if w >= first_kept}

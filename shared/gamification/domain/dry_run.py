"""A badge definition's dry run: who would earn it now, and what going live would send.

The report is computed from what each profile already stores (its counters, tallies, streaks
and earned badges), by the same criteria the transition evaluates, and writes nothing. It is a
monoid (``merge``), so pages of users can be reported separately and added up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from gamification.domain.badges import LEVEL_SEPARATOR, BadgeDefinition, UserStats
from gamification.domain.quests import QuestDefinition, QuestProgress
from gamification.domain.tallies import TallyIndex

SAMPLE_SIZE = 10
"""User ids a report lists at most (the first found in index order)."""
BUCKETS = ("0%", "1-24%", "25-49%", "50-74%", "75-99%", "100%")
"""Progress toward the first level (or the badge), as ``GET /v1/users/{id}/badges`` shows it."""


def bucket(current: int, target: int) -> str:
    if current >= target:
        return BUCKETS[-1]
    if current <= 0:
        return BUCKETS[0]
    return BUCKETS[1 + min(3, 4 * current // target)]


def unknowable(badge: BadgeDefinition, live: TallyIndex) -> list[str]:
    """Tally keys the definition reads that no live badge keeps: nobody has counted them yet,
    and past activities cannot be recounted (attributes are stored nowhere)."""
    return sorted({t.key for t in badge.criteria.tallies() if t.key not in live.keep})


@dataclass(slots=True)
class DryRunReport:
    badge: BadgeDefinition
    """The definition tried (not saved)."""
    scanned: int = 0
    qualifying: int = 0
    """Users who meet the criterion (the first level) now."""
    already_held: int = 0
    """Of those, users who hold it already (an earlier definition with this id)."""
    newly_earned: int = 0
    """Levels (or badges) users would newly earn: one notification each unless the definition
    goes live silently (``notify_backfill: false``)."""
    notifications: int = 0
    """In-app notifications going live would write (0 when it goes live silently)."""
    pushes: int = 0
    """Of those, the ones also pushed (the user turned push on)."""
    levels: dict[str, int] = field(default_factory=dict)
    """Users at or past each level now, by level name (a badge without levels: its name)."""
    distribution: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    sample: list[str] = field(default_factory=list)
    """Up to ``SAMPLE_SIZE`` users who would newly earn it."""

    def add(self, user_id: str, stats: UserStats, earned: Collection[str], push: bool) -> None:
        """Count one user (``earned``: the ids they hold, levels as ``id#n``)."""
        badge_levels = self._levels
        self.scanned += 1
        progress = self.badge.criteria.progress(stats)
        self.distribution[bucket(progress.current, progress.target)] += 1
        met = self._met(stats)
        if not met:
            return
        self.qualifying += 1
        if self.badge.id in earned:
            self.already_held += 1
        new = [n for n in range(1, met + 1) if _earned_id(self.badge.id, n) not in earned]
        for number in range(1, met + 1):
            name = badge_levels[number - 1]
            self.levels[name] = self.levels.get(name, 0) + 1
        if new:
            self.newly_earned += len(new)
            if self.badge.notify_backfill:
                self.notifications += len(new)
                self.pushes += len(new) if push else 0
            if len(self.sample) < SAMPLE_SIZE:
                self.sample.append(user_id)

    def merge(self, other: DryRunReport) -> DryRunReport:
        """Two pages' reports as one (the sample keeps the first ``SAMPLE_SIZE``)."""
        levels = dict(self.levels)
        for name, n in other.levels.items():
            levels[name] = levels.get(name, 0) + n
        return DryRunReport(
            badge=self.badge,
            scanned=self.scanned + other.scanned,
            qualifying=self.qualifying + other.qualifying,
            already_held=self.already_held + other.already_held,
            newly_earned=self.newly_earned + other.newly_earned,
            notifications=self.notifications + other.notifications,
            pushes=self.pushes + other.pushes,
            levels=levels,
            distribution={b: self.distribution[b] + other.distribution[b] for b in BUCKETS},
            sample=[*self.sample, *other.sample][:SAMPLE_SIZE],
        )

    @property
    def _levels(self) -> list[str]:
        badge = self.badge
        return [level.name for level in badge.levels] if badge.levels else [badge.name]

    def _met(self, stats: UserStats) -> int:
        """How many levels ``stats`` reaches (0 or 1 for a badge without levels)."""
        badge = self.badge
        if badge.levels is None:
            return 1 if badge.criteria.is_met(stats) else 0
        value = badge.criteria.measure(stats)
        return sum(1 for level in badge.levels if value >= level.target)


def _earned_id(badge_id: str, number: int) -> str:
    return badge_id if number == 1 else f"{badge_id}{LEVEL_SEPARATOR}{number}"


def counts_carry_over(tried: QuestDefinition, live: QuestDefinition | None) -> bool:
    """Whether stored progress on ``live`` counts what ``tried`` would count: the same
    criterion and window (the target, texts and rewards may differ). Otherwise everyone starts
    at 0 when it goes live: a quest counts only activities applied while it is live."""
    return (
        live is not None
        and _unit(live) == _unit(tried)
        and (live.starts_at, live.ends_at) == (tried.starts_at, tried.ends_at)
    )


def _unit(quest: QuestDefinition) -> object:
    return quest.criteria.model_copy(update={"count": 1})


@dataclass(slots=True)
class QuestDryRunReport:
    quest: QuestDefinition
    carried: bool
    """Stored progress counts for it (see ``counts_carry_over``); else everyone is at 0."""
    scanned: int = 0
    completing: int = 0
    """Users whose stored count already reaches the target (a lowered target): a quest has no
    backfill, so each completes, and is notified, with their next activity."""
    already_completed: int = 0
    notifications: int = 0
    pushes: int = 0
    distribution: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    sample: list[str] = field(default_factory=list)

    def add(self, user_id: str, progress: QuestProgress | None, push: bool) -> None:
        self.scanned += 1
        count = progress.count if progress is not None and self.carried else 0
        done = progress is not None and self.carried and progress.completed_at is not None
        target = self.quest.target
        self.distribution[bucket(target if done else count, target)] += 1
        if done:
            self.already_completed += 1
        elif count >= target:
            self.completing += 1
            self.notifications += 1
            self.pushes += 1 if push else 0
            if len(self.sample) < SAMPLE_SIZE:
                self.sample.append(user_id)

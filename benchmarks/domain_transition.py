"""CPU time per activity of the transition function, with 200 badge definitions.

The consumer calls ``apply_activities`` once per user per batch, so its cost is the engine's
whole CPU bill; it must stay small and barely grow with the badge catalog (every criterion reads
a number already on the state, no I/O). Measured with ``time.process_time`` (CPU time, so other
processes on a shared machine matter less) with garbage collection paused as ``timeit`` does,
as the median of several runs. Every case is measured in every run, interleaved, so machine
noise hits all cases alike and the ratios compare like with like.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.histories import live_quests
from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, BadgeDefinition, newly_met
from gamification.domain.catalog import Reporter, load_event_catalog
from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestCatalog
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import apply_activities

RUNS = 7
BATCH_SIZE = 10
TIMED_DAYS = 20
HISTORY_DAYS = 30
"""Days applied before timing, so the state carries streak runs, cap buckets and badges."""
SESSIONS = (7, 13, 20)
"""Hours (UTC) of a user's three sessions a day; one batch each."""
START = datetime(2026, 9, 1, tzinfo=UTC)
MIX = (("post_read", 70), ("post_completed", 15), ("comment_left", 10), ("challenge_solved", 5))

Batch = tuple[tuple[Activity, ...], datetime]

_KINDS: tuple[Callable[[int], dict[str, Any]], ...] = (
    lambda n: {"type": "posts_read", "count": 5 * n * n},
    lambda n: {"type": "streak", "count": 2 + 3 * n},
    lambda n: {"type": "series_complete", "count": n},
    lambda n: {"type": "xp_total", "count": 250 * n * n},
    lambda n: {"type": "challenge_streak", "count": 1 + n},
    lambda n: {"type": "event_count", "event_type": "comment_left", "count": 3 * n * n},
    lambda n: {"type": "level_reached", "level": 2 * n},
)


def badge_catalog(count: int) -> BadgeCatalog:
    """``count`` definitions over every criterion type, targets rising so most stay unearned."""
    return BadgeCatalog(
        badges=tuple(
            BadgeDefinition.model_validate(
                {
                    "id": f"badge-{i}",
                    "name": f"Badge {i}",
                    "description": f"Benchmark badge {i}.",
                    "icon": f"icons/{i}.svg",
                    "criteria": _KINDS[i % len(_KINDS)](1 + i // len(_KINDS)),
                }
            )
            for i in range(count)
        )
    )


def workload(days: int, first_day: int, seed: int) -> list[Batch]:
    """Three sessions a day of ``BATCH_SIZE`` activities each, as one user produces them."""
    rnd = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    batches: list[Batch] = []
    for day in range(first_day, first_day + days):
        for hour in SESSIONS:
            session = START + timedelta(days=day, hours=hour)
            items = []
            for i in range(BATCH_SIZE):
                kind = rnd.choices(kinds, weights)[0]
                occurred_at = session + timedelta(minutes=3 * i)
                items.append(
                    Activity(
                        user_id="bench-user",
                        type=kind,
                        object_id=f"{kind}-{day}-{hour}-{i}",
                        occurred_at=occurred_at,
                        received_at=occurred_at + timedelta(seconds=rnd.randint(0, 600)),
                        source=Reporter.SERVICE if kind == "challenge_solved" else Reporter.CLIENT,
                    )
                )
            batches.append((tuple(items), session + timedelta(hours=1)))
    return batches


def singles(batches: Sequence[Batch]) -> list[Batch]:
    """The same activities, one per call."""
    return [((item,), now) for items, now in batches for item in items]


def replay(state: UserState, batches: Sequence[Batch], rules: GameRules) -> UserState:
    for items, now in batches:
        state = apply_activities(state, items, rules, now).state
    return state


def cpu_seconds_per_activity(state: UserState, batches: Sequence[Batch], rules: GameRules) -> float:
    activities = sum(len(items) for items, _ in batches)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.process_time()
        replay(state, batches, rules)
        elapsed = time.process_time() - started
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / activities


@dataclass
class Case:
    label: str
    badges: int
    per_call: int
    rules: GameRules
    start: UserState
    batches: list[Batch]
    samples: list[float]

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples) * 1e6


def quest_catalog(count: int) -> QuestCatalog:
    """``count`` quests live over the whole workload, over every counting criterion; targets
    out of reach, so every one is evaluated on every activity (the worst case)."""
    return live_quests(
        count, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC), target=10**6
    )


def _case(
    badges: int, per_call: int, timed: list[Batch], history: list[Batch], quests: int = 0
) -> Case:
    rules = GameRules(events=load_event_catalog(), badges=badge_catalog(badges))
    if quests:
        rules = rules.with_quests(quest_catalog(quests))
    fresh = UserState.new("bench-user", UserSettings(timezone="Europe/Berlin"))
    start = replay(fresh, history, rules)
    batches = timed if per_call == BATCH_SIZE else singles(timed)
    label = f"{badges} badges, {per_call}/call" + (f", {quests} quests" if quests else "")
    return Case(label, badges, per_call, rules, start, batches, [])


def badge_evaluation_us(catalog: BadgeCatalog, state: UserState, repeat: int = 2000) -> float:
    """One pass of every criterion over a stats snapshot (what each batch does at least once)."""
    stats = state.stats()
    started = time.process_time()
    for _ in range(repeat):
        newly_met(catalog, {}, stats)
    return (time.process_time() - started) / repeat * 1e6


def run() -> str:
    history = workload(HISTORY_DAYS, 0, seed=1)
    timed = workload(TIMED_DAYS, HISTORY_DAYS, seed=2)
    cases = [
        _case(200, BATCH_SIZE, timed, history),
        _case(20, BATCH_SIZE, timed, history),
        _case(0, BATCH_SIZE, timed, history),
        _case(200, 1, timed, history),
        _case(20, BATCH_SIZE, timed, history, quests=10),
        _case(20, BATCH_SIZE, timed, history, quests=100),
        _case(200, BATCH_SIZE, timed, history, quests=100),
    ]
    for _ in range(RUNS):
        for case in cases:
            case.samples.append(cpu_seconds_per_activity(case.start, case.batches, case.rules))

    headline, twenty, none = cases[0], cases[1], cases[2]
    twenty_quests, headline_quests = cases[-2], cases[-1]
    end = replay(headline.start, headline.batches, headline.rules)
    activities = sum(len(items) for items, _ in timed)
    lines = [
        "## Transition function: CPU time per activity",
        "",
        f"One user (Europe/Berlin) with {HISTORY_DAYS} days of history, then {activities} "
        f"activities over {TIMED_DAYS} days in batches of {BATCH_SIZE}; median of {RUNS} runs of "
        "`time.process_time`, GC paused.",
        "",
        "| case | CPU µs/activity (median) | min | max |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c.label} | {c.median_us:.1f} | {min(c.samples) * 1e6:.1f} "
        f"| {max(c.samples) * 1e6:.1f} |"
        for c in cases
    ]
    lines += [
        "",
        f"- 200 vs 20 badges (same run): {headline.median_us / twenty.median_us:.2f}x; "
        f"200 vs none: {headline.median_us / none.median_us:.2f}x; "
        f"100 live quests vs none, beside 20 badges: "
        f"{twenty_quests.median_us / twenty.median_us:.2f}x; beside 200 badges (the issue's "
        f"budget, 25 µs): {headline_quests.median_us / headline.median_us:.2f}x",
        f"- one evaluation of all 200 criteria: "
        f"{badge_evaluation_us(headline.rules.badges, end):.1f} µs",
        f"- badges earned by the end: {len(end.badges)} of 200; "
        f"XP {end.xp}, level {end.level}, streak {end.streak.current_run}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

"""``streak.broken`` goes out once per streak, whichever path finds the break first.

The next activity after a gap (``domain_events.derive``) and the reminder job's clock
(``broken_by_clock``, recorded with ``told_broken``) both find breaks, under the same fact (the
streak's last active day), hence the same id. However often the job runs, before or after the
day's activity, every break of a literal day-by-day walk is told exactly once, with its length,
and a streak that is still alive is never told.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.domain_events import EventDraft, broken_by_clock, derive, told_broken
from gamification.domain.freezes import FreezeRules
from gamification.domain.game_rules import GameRules
from gamification.domain.state import UserState
from tests.domain.builders import DEFAULT_RULES, activity, apply, rules_with, user

DAY0 = date(2026, 3, 1)
DAYS = 30
ZONES = ("UTC", "Pacific/Kiritimati", "America/New_York", "Asia/Kolkata")


def _rules(max_held: int) -> GameRules:
    policy = DEFAULT_RULES.policy.model_copy(update={"freezes": FreezeRules(max_held=max_held)})
    return rules_with(policy=policy)


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone))


def _walk(
    active: set[int], jobs: list[tuple[bool, bool]], zone: str, rules: GameRules
) -> tuple[list[EventDraft], list[EventDraft], UserState]:
    """Day by day: the job at 06:00 and/or 18:00 local as drawn, the day's activity at noon.
    Returns the breaks told by the activities, by the job, and the final state."""
    state = user(zone)
    by_activity: list[EventDraft] = []
    by_job: list[EventDraft] = []
    freezes = rules.policy.freezes
    for offset, (morning, evening) in enumerate(jobs):
        day = DAY0 + timedelta(days=offset)
        for hour, runs in ((6, morning), (12, offset in active), (18, evening)):
            if not runs:
                continue
            now = _at(day, hour, zone)
            if hour == 12:
                step = apply(state, [activity(obj=f"p{offset}", occurred=now)], rules, now=now)
                drafts = derive(state, step.state, step.effects, rules, now)
                by_activity += [d for d in drafts if d.type == "streak.broken"]
                state = step.state
            elif (draft := broken_by_clock(state, freezes, now)) is not None:
                by_job.append(draft)
                state = told_broken(state, draft)
    return by_activity, by_job, state


_jobs = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=DAYS, max_size=DAYS)


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, DAYS - 1)), _jobs, st.sampled_from(ZONES))
def test_without_freezes_each_break_of_a_literal_walk_is_told_once(
    active: set[int], jobs: list[tuple[bool, bool]], zone: str
) -> None:
    by_activity, by_job, _ = _walk(active, jobs, zone, _rules(0))

    runs: list[list[int]] = []  # the literal walk: runs of consecutive active days
    for offset in sorted(active):
        if runs and runs[-1][-1] == offset - 1:
            runs[-1].append(offset)
        else:
            runs.append([offset])
    expected = {(DAY0 + timedelta(days=r[-1]), len(r)) for r in runs[:-1]}
    if runs:  # the last streak: told once a job ran on the second day after it, or later
        end = runs[-1][-1]
        if any(m or e for m, e in jobs[end + 2 :]):
            expected.add((DAY0 + timedelta(days=end), len(runs[-1])))
    told = [(date.fromisoformat(d.fact), d.data["streak_days"]) for d in by_activity + by_job]
    assert Counter(told) == Counter(expected), "each break told once, no other"
    assert all(d.fact == d.data["last_day"] for d in by_activity + by_job)


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, DAYS - 1)), _jobs, st.sampled_from(ZONES))
def test_with_freezes_the_job_tells_only_what_the_activities_would_and_each_once(
    active: set[int], jobs: list[tuple[bool, bool]], zone: str
) -> None:
    """With freezes earned and spent, the job only tells early (or at the end) a break the
    activities alone would tell, with the same fact and length, and nothing twice."""
    rules = _rules(2)
    by_activity, by_job, final = _walk(active, jobs, zone, rules)
    alone, _, _ = _walk(active, [(False, False)] * DAYS, zone, rules)

    told = Counter((d.fact, d.data["streak_days"]) for d in by_activity + by_job)
    reference = Counter((d.fact, d.data["streak_days"]) for d in alone)
    assert max(told.values(), default=1) == 1, "nothing told twice"
    assert set(reference) <= set(told)
    extra = set(told) - set(reference)
    assert len(extra) <= 1  # the last streak, broken by the clock with no activity after it
    last = final.streak.last_day
    assert all(fact == (last.isoformat() if last else None) for fact, _ in extra)

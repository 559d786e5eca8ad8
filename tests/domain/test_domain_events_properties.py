"""Domain event ids are facts, not deliveries: a receiver that dedupes by id sees each effect once.

However the queue delivers a user's activities (duplicated, reordered, split into batches), the
events the commits derive name each effect with one id: the badges, quests and milestones are
the same set as one in-order application gives, no id is derived twice (except a covered day's
``streak.freeze_used``, which late activity can take away and give back: the same id again), the
XP the ``xp.awarded`` events carry adds up to the final total, and deriving a commit again (a
retried commit at another time) gives the same ids.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.domain.domain_events import EventDraft, derive, event_id, stamp
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from tests.strategies import Scenario, scenarios

_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TENANT = "test"
ONCE_PER_FACT = ("badge.earned", "quest.completed", "streak.milestone")


def _replay(scenario: Scenario) -> tuple[UserState, list[EventDraft]]:
    state = UserState.new(scenario.user_id, scenario.settings)
    seen: set[str] = set()
    drafts: list[EventDraft] = []
    for batch in scenario.batches:
        now = max(a.received_at for a in batch)
        step = apply_activities(state, batch, scenario.rules, now, frozenset(seen))
        seen.update(step.effects.applied_keys)
        drafts += derive(state, step.state, step.effects, scenario.rules, now)
        state = step.state
    return state, drafts


def _ids(drafts: list[EventDraft], *types: str) -> Counter[str]:
    return Counter(
        event_id(TENANT, "u", d.type, d.fact) for d in drafts if not types or d.type in types
    )


@_SETTINGS
@given(scenarios(arrival="any"))
def test_each_effect_has_one_id_whatever_the_delivery(scenario: Scenario) -> None:
    start = UserState.new(scenario.user_id, scenario.settings)
    ordered = sorted(scenario.activities, key=lambda a: a.occurred_at)
    once = apply_activities(start, ordered, scenario.rules, scenario.now)
    reference = derive(start, once.state, once.effects, scenario.rules, scenario.now)

    final, drafts = _replay(scenario)

    assert final.xp == once.state.xp
    assert sum(d.data["xp"] for d in drafts if d.type == "xp.awarded") == final.xp
    assert _ids(drafts, *ONCE_PER_FACT) == _ids(list(reference), *ONCE_PER_FACT)
    repeated = {i for i, n in _ids(drafts).items() if n > 1}
    assert repeated <= set(_ids(drafts, "streak.freeze_used")), "only a re-covered day repeats"


@_SETTINGS
@given(scenarios(arrival="any", max_activities=25), st.integers(1, 10_000))
def test_a_retried_commit_derives_the_same_ids(scenario: Scenario, later_seconds: int) -> None:
    """A commit lost to a conflict and run again later (another ``now``) names the same events."""
    start = UserState.new(scenario.user_id, scenario.settings)
    first_batch = scenario.batches[0] if scenario.batches else ()
    ids = []
    for now in (scenario.now, scenario.now + timedelta(seconds=later_seconds)):
        step = apply_activities(start, first_batch, scenario.rules, now)
        drafts = derive(start, step.state, step.effects, scenario.rules, now)
        ids.append([e.id for e in stamp(drafts, tenant=TENANT, user_id="u", version=1)])
    assert ids[0] == ids[1]


@_SETTINGS
@given(scenarios(arrival="any"))
def test_sequence_orders_a_users_events_across_commits(scenario: Scenario) -> None:
    state = UserState.new(scenario.user_id, scenario.settings)
    seen: set[str] = set()
    sequences: list[int] = []
    for version, batch in enumerate(scenario.batches, start=1):
        now = max(a.received_at for a in batch)
        step = apply_activities(state, batch, scenario.rules, now, frozenset(seen))
        seen.update(step.effects.applied_keys)
        drafts = derive(state, step.state, step.effects, scenario.rules, now)
        sequences += [
            e.sequence
            for e in stamp(drafts, tenant=TENANT, user_id=scenario.user_id, version=version)
        ]
        state = step.state
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == len(sequences)

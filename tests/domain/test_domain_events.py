"""Which events a commit derives, and the catalog's schemas."""

from __future__ import annotations

import jsonschema
import pytest

from gamification.domain.domain_events import derive, event_id, stamp
from gamification.domain.event_catalog import CATALOG, json_schema, schemas
from gamification.domain.transition import Transition
from tests.domain.builders import NOW, USER, activity, apply, badge, rules_with, user

FIRST_READ = badge("first-read", {"type": "posts_read", "count": 1, "scope": "total"})


def _events(before_state, step: Transition, rules, version: int = 1):  # type: ignore[no-untyped-def]
    drafts = derive(before_state, step.state, step.effects, rules, NOW)
    return stamp(drafts, tenant="dev", user_id=USER, version=version)


def test_a_first_read_derives_xp_badge_streak_and_level() -> None:
    rules = rules_with(badges=[FIRST_READ])
    start = user()
    step = apply(start, [activity()], rules)
    events = _events(start, step, rules)
    by_type = {e.type: e for e in events}
    assert set(by_type) >= {"xp.awarded", "badge.earned", "streak.extended"}
    assert by_type["badge.earned"].data == {"badge_id": "first-read", "name": "First-Read"}
    assert by_type["streak.extended"].data == {"day": "2026-06-10", "streak_days": 1}
    assert [e.sequence for e in events] == list(range(10_000, 10_000 + len(events)))
    for event in events:
        jsonschema.validate(event.model_dump(mode="json"), json_schema(event.type))


def test_an_award_names_when_its_activity_occurred() -> None:
    """A back-dated or offline report commits today (the event's ``occurred_at``) but is
    activity of its own day: the lake counts active days by ``activity_at``."""
    rules = rules_with(badges=[FIRST_READ])
    step = apply(user(), [activity(occurred="2026-06-10T12:00+00:00")], rules)  # NOW: 06-30
    awards = [e for e in _events(user(), step, rules) if e.type == "xp.awarded"]
    by_source = {e.data["source"].partition("#")[0]: e for e in awards}
    assert by_source["post_read"].data["activity_at"] == "2026-06-10T12:00:00Z"
    assert by_source["post_read"].occurred_at == NOW


def test_the_id_names_the_fact_not_the_delivery() -> None:
    assert event_id("dev", USER, "badge.earned", "first-read") == event_id(
        "dev", USER, "badge.earned", "first-read"
    )
    assert event_id("dev", USER, "badge.earned", "x") != event_id("prod", USER, "badge.earned", "x")
    assert event_id("dev", USER, "badge.earned", "x") != event_id("dev", "bob", "badge.earned", "x")


def test_a_gap_no_freeze_covers_breaks_the_streak_once() -> None:
    rules = rules_with(badges=[])
    first = apply(user(), [activity(obj="a", occurred="2026-06-10T12:00+00:00")], rules)
    second = apply(first.state, [activity(obj="b", occurred="2026-06-11T12:00+00:00")], rules)
    after_gap = apply(second.state, [activity(obj="c", occurred="2026-06-14T12:00+00:00")], rules)
    events = _events(second.state, after_gap, rules, version=3)
    broken = [e for e in events if e.type == "streak.broken"]
    assert [e.data for e in broken] == [{"last_day": "2026-06-11", "streak_days": 2}]
    extended = [e for e in events if e.type == "streak.extended"]
    assert [e.data for e in extended] == [{"day": "2026-06-14", "streak_days": 1}]
    next_day = apply(after_gap.state, [activity(obj="d", occurred="2026-06-15T12:00+00:00")], rules)
    assert not [e for e in _events(after_gap.state, next_day, rules) if e.type == "streak.broken"]


def test_a_repeat_with_nothing_new_derives_nothing() -> None:
    rules = rules_with(badges=[])
    first = apply(user(), [activity()], rules)
    again = apply(first.state, [activity()], rules, seen=first.effects.applied_keys)
    assert _events(first.state, again, rules) == []


def test_every_schema_is_a_valid_2020_12_schema_of_its_type() -> None:
    published = schemas()
    assert set(published) == set(CATALOG)
    for name, schema in published.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["type"] == {"const": name, "title": "Type", "type": "string"}


def test_a_payload_outside_the_schema_is_refused() -> None:
    start = user()
    rules = rules_with(badges=[FIRST_READ])
    event = _events(start, apply(start, [activity()], rules), rules)[0].model_dump(mode="json")
    event["data"]["unexpected"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, json_schema(event["type"]))

"""Domain events out of the pipeline: the consumer's commit carries them in the profile (moto),
the table's stream hands the image to the publisher handler, which puts them on the bus (the
local stack's JSON-lines log). Only committed effects emit; redeliveries give the same ids."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from gamification import composition
from gamification.domain.profile_records import UserChange, VersionConflictError
from gamification.local.provision import Provisioned
from gamification.resources import EVENTS
from tests.integration.jobs.support import Context
from tests.integration.pipeline.support import Pipeline, activity, build_pipeline, record


@pytest.fixture
def log(stack_env: Provisioned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "events.jsonl"
    monkeypatch.setenv("GAMIFY_EVENT_LOG", str(path))
    monkeypatch.setenv("GAMIFY_STAGE", "test")
    composition.reset()
    return path


@pytest.fixture
def pipeline(stack_env: Provisioned, redis_client: redis.Redis) -> Pipeline:
    return build_pipeline(stack_env, redis_client)


def publish(records: list[dict[str, Any]]) -> dict[str, Any]:
    from functions.publisher.handler import lambda_handler

    wanted = [r for r in records if EVENTS.accepts(r)]  # the mapping's filter
    return dict(lambda_handler({"Records": wanted}, Context("publisher")))


def logged(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_first_read_puts_its_events_on_the_bus(pipeline: Pipeline, log: Path) -> None:
    pipeline.consumer.consume([record(activity(object_id="post-1"))])

    assert publish(pipeline.stream.read()) == {"published": 5, "dead_lettered": 0}

    events = logged(log)
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("xp.awarded", 10_000),  # the read's 10 XP (the badge's 0 XP bonus is not an award)
        ("badge.earned", 10_001),
        ("streak.extended", 10_002),
        ("league.joined", 10_003),  # the user-week's first XP took a league seat
        ("wallet.entry_posted", 10_004),  # the badge's 5 gems (data/currencies.json)
    ]
    badge = next(e for e in events if e["type"] == "badge.earned")
    assert badge["data"] == {"badge_id": "first-read", "name": "First Steps"}
    gems = next(e for e in events if e["type"] == "wallet.entry_posted")
    assert gems["data"] == {
        "seq": 0,
        "currency": "gems",
        "amount": 5,
        "balance": 5,
        "cause": "earn",
        "kind": "badge",
        "ref": "badge_earned#first-read",
        "credits": 1,
        "spendable_from": None,
    }
    assert badge["user_id"] == "alice"
    assert badge["tenant"] == "test"
    assert len({e["id"] for e in events}) == len(events)


def test_redelivered_stream_records_and_activities_add_no_new_ids(
    pipeline: Pipeline, log: Path
) -> None:
    pipeline.consumer.consume([record(activity(object_id="post-1"))])
    records = pipeline.stream.read()
    publish(records)
    publish(records)  # the event source mapping retried the batch
    pipeline.consumer.consume([record(activity(object_id="post-1"))])  # a redelivered message
    publish(pipeline.stream.read())

    events = logged(log)
    first_ids = [e["id"] for e in events[: len(events) // 2]]
    assert [e["id"] for e in events] == first_ids * 2
    assert [e["sequence"] for e in events] == [e["sequence"] for e in events[: len(first_ids)]] * 2


def test_events_of_a_user_are_ordered_by_sequence_across_commits(
    pipeline: Pipeline, log: Path
) -> None:
    for day in range(3):
        at = activity(object_id=f"post-{day}").occurred_at + timedelta(days=day)
        pipeline.clock.now = at
        pipeline.consumer.consume([record(activity(object_id=f"post-{day}", at=at))])
    publish(pipeline.stream.read())

    sequences = [e["sequence"] for e in logged(log)]
    assert sequences == sorted(sequences)
    streak = [e["data"]["streak_days"] for e in logged(log) if e["type"] == "streak.extended"]
    assert streak == [1, 2, 3]


def test_a_rolled_back_commit_emits_nothing(pipeline: Pipeline, log: Path) -> None:
    from gamification.domain.domain_events import EventDraft

    pipeline.consumer.consume([record(activity(object_id="post-1"))])
    publish(pipeline.stream.read())
    before = len(logged(log))
    stale = pipeline.users.load("alice")
    draft = EventDraft("badge.earned", "never", pipeline.clock(), {"badge_id": "x", "name": "X"})
    change = UserChange(before=stale, state=stale.state, now=pipeline.clock(), events=[draft])
    pipeline.users.save(change)
    with pytest.raises(VersionConflictError):
        pipeline.users.save(change)  # the same version again: rolled back

    publish(pipeline.stream.read())

    assert [e["data"].get("badge_id") for e in logged(log)[before:]] == ["x"]


def test_a_profile_write_without_events_does_not_invoke_the_publisher(
    pipeline: Pipeline, log: Path
) -> None:
    pipeline.consumer.consume([record(activity(object_id="post-1"))])
    pipeline.stream.read()
    stale = pipeline.users.load("alice")
    pipeline.users.save(UserChange(before=stale, state=stale.state, now=pipeline.clock()))

    records = pipeline.stream.read()

    assert records
    assert not [r for r in records if EVENTS.accepts(r)]


def test_an_exclusion_and_an_erasure_each_emit_once(pipeline: Pipeline, log: Path) -> None:
    from gamification.domain.profile_records import Exclusion

    pipeline.consumer.consume([record(activity(object_id="post-1"))])
    publish(pipeline.stream.read())
    before = len(logged(log))
    now = pipeline.clock()
    pipeline.users.set_exclusion("alice", Exclusion("spam", now), now)
    pipeline.users.set_exclusion("alice", Exclusion("spam again", now), now)  # still excluded
    pipeline.users.begin_erasure("alice", now, timedelta(days=28))
    pipeline.users.finish_erasure("alice", now)

    publish(pipeline.stream.read())

    events = logged(log)[before:]
    assert [(e["type"], e["data"]) for e in events] == [
        (
            "user.excluded",
            {"reason": "spam", "excluded_at": now.isoformat().replace("+00:00", "Z")},
        ),
        ("user.erased", {"erased_at": now.isoformat().replace("+00:00", "Z")}),
    ]
    assert events[1]["user_id"] == "alice"

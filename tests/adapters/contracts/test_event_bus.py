"""The publisher's ``EventBus`` port: the fake (tests/fakes/events.py), ``EventBridgeBus`` on
moto's EventBridge (a rule forwarding to an SQS queue, as a subscriber's would) and the local
stack's ``LocalEventLog`` pass the same tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from gamification.adapters.event_bus import EventBridgeBus, LocalEventLog
from gamification.domain.domain_events import EventDraft, stamp
from gamification.domain.event_catalog import SOURCE, DomainEvent
from gamification.local.provision import Provisioned
from tests.fakes.events import FakeEventBus

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
Bus = FakeEventBus | EventBridgeBus | LocalEventLog


def _events(count: int) -> list[DomainEvent]:
    drafts = [
        EventDraft("badge.earned", f"b{i}", NOW, {"badge_id": f"b{i}", "name": f"B{i}"})
        for i in range(count)
    ]
    return stamp(drafts, tenant="test", user_id="ann", version=1)


def _eventbridge() -> tuple[EventBridgeBus, Callable[[], list[DomainEvent]]]:
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name="gamify-test")
    url = sqs.create_queue(QueueName="bus-subscriber")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="all", EventBusName="gamify-test", EventPattern=json.dumps({"source": [SOURCE]})
    )
    events.put_targets(Rule="all", EventBusName="gamify-test", Targets=[{"Id": "q", "Arn": arn}])

    def arrived() -> list[DomainEvent]:
        found = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                envelope = json.loads(message["Body"])
                assert envelope["source"] == SOURCE
                assert envelope["detail-type"] == envelope["detail"]["type"]
                found.append(DomainEvent.model_validate(envelope["detail"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return found

    return EventBridgeBus(events, "gamify-test"), arrived


@pytest.fixture(params=["fake", "eventbridge", "local-log"])
def bus(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[Bus, Callable[[], list[DomainEvent]]]:
    if request.param == "fake":
        fake = FakeEventBus()
        return fake, lambda: list(fake.sent)
    if request.param == "local-log":
        log = tmp_path / "events.jsonl"

        def lines() -> list[DomainEvent]:
            text = log.read_text(encoding="utf-8")
            return [DomainEvent.model_validate_json(x) for x in text.splitlines()]

        return LocalEventLog(log), lines
    request.getfixturevalue("aws")  # moto
    return _eventbridge()


def test_ten_events_go_in_one_put_and_each_arrives_once_as_sent(
    bus: tuple[Bus, Callable[[], list[DomainEvent]]],
) -> None:
    sink, arrived = bus
    events = _events(10)

    refused = sink.put(events)

    assert refused == {}
    assert sorted(arrived(), key=lambda e: e.sequence) == events


def test_local_subscribers_see_every_event(tmp_path: Path) -> None:
    seen: list[DomainEvent] = []
    LocalEventLog(tmp_path / "events.jsonl", [seen.append]).put(_events(3))

    assert [e.data["badge_id"] for e in seen] == ["b0", "b1", "b2"]


def test_the_fake_fits_the_port(aws: Provisioned) -> None:
    from gamification.services import event_publisher
    from tests.fakes.events import FakeDeadLetters

    fake_bus: event_publisher.EventBus = FakeEventBus()
    fake_dead: event_publisher.DeadLetters = FakeDeadLetters()
    assert fake_bus
    assert fake_dead

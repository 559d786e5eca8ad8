"""The outbox's ``Pusher`` port: the fake (tests/fakes/push.py) and ``PushPublisher`` on moto
SNS pass the same tests."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from gamification.adapters.push_publisher import PushPublisher
from gamification.domain import notifications
from gamification.local.provision import Provisioned
from tests.fakes.push import FakePusher

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture(params=["fake", "sns"])
def pusher(request: pytest.FixtureRequest) -> FakePusher | PushPublisher:
    if request.param == "fake":
        return FakePusher()
    aws: Provisioned = request.getfixturevalue("aws")
    return PushPublisher(boto3.client("sns"), aws.topic_arn)


def test_each_publish_answers_its_own_message_id(pusher: FakePusher | PushPublisher) -> None:
    first = notifications.level_up(user_id="ann", old=0, new=1, now=NOW, push=True)
    second = notifications.level_up(user_id="ann", old=1, new=2, now=NOW, push=True)

    ids = [pusher.publish(first), pusher.publish(second)]

    assert all(isinstance(i, str) and i for i in ids)
    assert ids[0] != ids[1]

"""The ``DeliveryLines`` port: the fake (tests/fakes/webhooks.py) and ``WebhookLines`` on moto's
DynamoDB pass the same tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters.webhook_lines import GRACE, WebhookLines
from gamification.local.provision import Provisioned
from gamification.services import webhooks
from tests.fakes.webhooks import FakeDeliveryLines

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
Lines = FakeDeliveryLines | WebhookLines


@pytest.fixture(params=["fake", "dynamodb"])
def lines(request: pytest.FixtureRequest) -> Lines:
    if request.param == "fake":
        return FakeDeliveryLines(GRACE)
    aws: Provisioned = request.getfixturevalue("aws")
    return WebhookLines(boto3.client("dynamodb"), aws.table_name)


def test_the_head_is_the_lowest_sequence_of_that_user_and_endpoint(lines: Lines) -> None:
    port: webhooks.DeliveryLines = lines
    port.join("crm", "ann", 420_001, "evt_b", NOW)
    port.join("crm", "ann", 9_990_001, "evt_c", NOW)  # a longer number sorts after, not before
    port.join("crm", "ann", 420_000, "evt_a", NOW)
    port.join("crm", "bob", 1, "evt_x", NOW)
    port.join("crm-2", "ann", 1, "evt_y", NOW)  # an endpoint whose id starts like crm's

    assert port.head("crm", "ann", NOW) == (420_000, "evt_a")
    port.leave("crm", "ann", 420_000, "evt_a")
    assert port.head("crm", "ann", NOW) == (420_001, "evt_b")
    assert port.head("crm", "bob", NOW) == (1, "evt_x")
    assert port.head("app", "ann", NOW) is None


def test_a_place_lapses_grace_after_its_due_time_and_a_renewal_keeps_it(lines: Lines) -> None:
    port: webhooks.DeliveryLines = lines
    port.join("crm", "ann", 1, "evt_a", NOW)
    port.join("crm", "ann", 2, "evt_b", NOW)
    port.join("crm", "ann", 1, "evt_a", NOW + timedelta(minutes=15))  # re-queued: renewed

    assert port.head("crm", "ann", NOW + GRACE + timedelta(minutes=1)) == (1, "evt_a")
    port.leave("crm", "ann", 1, "evt_a")
    assert port.head("crm", "ann", NOW + GRACE + timedelta(minutes=1)) is None


def test_a_renewal_keeps_a_place_but_never_brings_one_back(lines: Lines) -> None:
    """A delivery re-queued after its user's erasure deleted the line leaves nothing behind."""
    port: webhooks.DeliveryLines = lines
    port.join("crm", "ann", 1, "evt_a", NOW)
    port.renew("crm", "ann", 1, "evt_a", NOW + timedelta(minutes=15))
    port.renew("crm", "ann", 2, "evt_b", NOW)  # never joined (or erased): stays out

    assert port.head("crm", "ann", NOW + GRACE + timedelta(minutes=1)) == (1, "evt_a")
    port.leave("crm", "ann", 1, "evt_a")  # what the erasure walk does to the partition
    port.renew("crm", "ann", 1, "evt_a", NOW + timedelta(minutes=30))
    assert port.head("crm", "ann", NOW) is None

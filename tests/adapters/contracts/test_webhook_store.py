"""The ``WebhookStore`` port: the fake (tests/fakes/webhooks.py) and ``WebhookRepository`` on
moto's DynamoDB pass the same tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters.user_repository import UserRepository
from gamification.adapters.webhook_repository import WebhookRepository
from gamification.domain.webhooks import Attempt, Delivery, Webhook
from gamification.local.provision import Provisioned
from gamification.services import webhooks
from tests.fakes.webhooks import FakeWebhookStore

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
Store = FakeWebhookStore | WebhookRepository


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "fake":
        return FakeWebhookStore()
    aws: Provisioned = request.getfixturevalue("aws")
    return WebhookRepository(boto3.client("dynamodb"), aws.table_name)


def _hook(webhook_id: str, **changes: object) -> Webhook:
    fields: dict[str, object] = {
        "id": webhook_id,
        "url": "https://example.com/h",
        "event_types": ("badge.earned",),
        "secret": "s" * 32,
        "created_at": NOW,
    }
    return Webhook.model_validate(fields | changes)


def test_put_get_all_delete(store: Store) -> None:
    port: webhooks.WebhookStore = store
    port.put(_hook("b"))
    port.put(
        _hook(
            "a",
            description="first",
            failing_since=NOW,
            previous_secret="p" * 32,
            previous_until=NOW,
        )
    )

    assert port.get("a") == _hook(
        "a", description="first", failing_since=NOW, previous_secret="p" * 32, previous_until=NOW
    )
    assert [w.id for w in port.all()] == ["a", "b"]
    assert port.delete("a") is True
    assert port.delete("a") is False
    assert port.get("a") is None


def test_the_deliveries_log_reads_newest_first(store: Store) -> None:
    for n in range(3):
        store.record(
            "a",
            Attempt(
                delivery_id="a:evt_1",
                event_id="evt_1",
                event_type="badge.earned",
                attempt=n + 1,
                at=NOW + timedelta(minutes=n),
                status="retrying" if n < 2 else "delivered",
                response_code=500 if n < 2 else 200,
                latency_ms=10 * n,
                response="é" * 10,
            ),
        )

    recent = store.recent("a", 2)

    assert [(a.attempt, a.status, a.response_code) for a in recent] == [
        (3, "delivered", 200),
        (2, "retrying", 500),
    ]
    assert recent[0].at == NOW + timedelta(minutes=2)
    assert store.recent("other", 5) == []


def test_a_parked_delivery_is_kept_for_a_retry_beside_the_log(store: Store) -> None:
    body = '{"id":"evt_9","type":"badge.earned"}'
    store.park(Delivery("a", "evt_9", body, NOW - timedelta(hours=24), attempt=17), NOW)
    store.record(
        "a",
        Attempt("a:evt_9", "evt_9", "badge.earned", 17, NOW, "failed", 500, 5, "down"),
    )

    parked = store.parked("a", "evt_9")

    assert parked == Delivery("a", "evt_9", body, NOW - timedelta(hours=24))
    assert store.parked("a", "evt_other") is None
    assert store.parked("b", "evt_9") is None
    assert [a.status for a in store.recent("a", 5)] == ["failed"]  # the log lists attempts only


def _erase(store: Store, user_id: str, at: datetime, request: pytest.FixtureRequest) -> None:
    """The tombstone an erasure request writes (the fake keeps the time by hand)."""
    if isinstance(store, FakeWebhookStore):
        store.erased[user_id] = at
        return
    aws: Provisioned = request.getfixturevalue("aws")
    users = UserRepository(boto3.client("dynamodb"), aws.table_name)
    users.begin_erasure(user_id, at, timedelta(days=28))


def test_a_delivery_of_an_event_from_before_its_users_erasure_is_not_parked(
    store: Store, request: pytest.FixtureRequest
) -> None:
    """A delivery still retrying when its user was erased must not park its body behind the
    erasure walk; an event after it (the user came back) and other users' still park."""

    def delivery(event_id: str, user: str, occurred: datetime) -> Delivery:
        event = {"id": event_id, "user_id": user, "occurred_at": occurred.isoformat()}
        return Delivery("a", event_id, json.dumps(event), NOW)

    _erase(store, "ann", NOW, request)

    assert store.park(delivery("evt_old", "ann", NOW - timedelta(seconds=1)), NOW) is False
    assert store.park(delivery("evt_new", "ann", NOW + timedelta(seconds=1)), NOW) is True
    assert store.park(delivery("evt_bob", "bob", NOW - timedelta(seconds=1)), NOW) is True
    assert store.parked("a", "evt_old") is None
    assert store.parked("a", "evt_new") is not None
    assert store.parked("a", "evt_bob") is not None


def test_marking_health_keeps_an_admins_concurrent_change(store: Store) -> None:
    """The sender read the endpoint, an admin rotated its secret, then the sender marks it
    failing: the rotation stays (a whole-item put would have undone it)."""
    port: webhooks.WebhookStore = store
    port.put(_hook("a", breaker_until=NOW))
    port.put(_hook("a", breaker_until=NOW, secret="n" * 32, previous_secret="s" * 32))

    port.mark("a", {"failing_since": NOW, "breaker_until": NOW + timedelta(seconds=10)})
    assert port.get("a") == _hook(
        "a",
        secret="n" * 32,
        previous_secret="s" * 32,
        failing_since=NOW,
        breaker_until=NOW + timedelta(seconds=10),
    )
    port.mark("a", {"failing_since": None, "breaker_until": None, "active": False})
    assert port.get("a") == _hook("a", secret="n" * 32, previous_secret="s" * 32, active=False)


def test_one_sender_claims_a_lapsed_breakers_probe(store: Store) -> None:
    """The half-open breaker's single probe: of the senders that find it lapsed at the same
    moment, one moves it ahead; none while it is open; none of a deleted endpoint."""
    port: webhooks.WebhookStore = store
    port.put(_hook("a"))
    port.mark("a", {"breaker_until": NOW})
    later = NOW + timedelta(microseconds=1)
    lease = NOW + timedelta(seconds=10)

    assert port.claim_probe("a", NOW - timedelta(microseconds=1), lease) is False  # still open
    assert port.claim_probe("a", later, lease) is True
    assert port.claim_probe("a", later, lease + timedelta(seconds=1)) is False  # claimed
    assert port.get("a") == _hook("a", breaker_until=lease)
    port.mark("a", {"breaker_until": None})  # a success closed it meanwhile: claimable
    assert port.claim_probe("a", later, lease) is True
    assert port.claim_probe("gone", later, lease) is False
    assert port.get("gone") is None


def test_marking_a_deleted_endpoint_does_not_bring_it_back(store: Store) -> None:
    port: webhooks.WebhookStore = store
    port.put(_hook("a"))
    port.delete("a")

    port.mark("a", {"failing_since": NOW})

    assert port.get("a") is None

"""Webhooks on the port fakes: the admin API's rules (secret shown once, https only, known
types), fan-out per endpoint, signed attempts, retries with backoff, giving up after 24 h."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from gamification.domain.webhooks import (
    EVENT_ID_HEADER,
    MAX_STORED_RESPONSE_BYTES,
    SIGNATURE_HEADER,
    Attempt,
    Delivery,
    Posted,
    verify,
)
from gamification.services.webhooks import (
    BREAKER_COOLDOWN,
    PROBE_LEASE,
    Deferred,
    InvalidWebhookError,
    UnknownDeliveryError,
    UnknownWebhookError,
    WebhookAdmin,
    WebhookFanOut,
    WebhookPausedError,
    WebhookSender,
)
from tests.fakes.webhooks import FakeDeliveryQueue, FakeSealer, FakeWebhookStore, ScriptedEndpoint

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
EVENT = {"id": "evt_1", "type": "badge.earned", "user_id": "ann", "data": {"badge_id": "b"}}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _admin(store: FakeWebhookStore, allow_http: bool = False) -> WebhookAdmin:
    return WebhookAdmin(
        store, lambda: NOW, sealer=FakeSealer(), allow_http=allow_http, new_secret=lambda: "s" * 32
    )


def test_the_secret_is_shown_when_created_and_kept_but_not_shown_when_replaced() -> None:
    store = FakeWebhookStore()
    admin = _admin(store)
    body = {"url": "https://example.com/hook", "event_types": ["badge.earned"]}

    created = admin.put("crm", body)
    replaced = admin.put("crm", {**body, "description": "CRM sync"})

    assert (created.created, created.secret) == (True, "s" * 32)
    assert (replaced.created, replaced.secret) == (False, None)
    assert store.webhooks["crm"].secret == FakeSealer().seal("s" * 32, "crm")  # sealed at rest
    assert store.webhooks["crm"].description == "CRM sync"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("http://example.com/hook", "url"),
        ("https://127.0.0.1/hook", "url"),
        ("https://169.254.169.254/latest/meta-data", "url"),
        ("https://10.0.0.5/hook", "url"),
        ("ftp://example.com", "url"),
    ],
)
def test_an_endpoint_off_https_or_at_an_internal_address_is_refused(url: str, field: str) -> None:
    with pytest.raises(InvalidWebhookError) as refused:
        _admin(FakeWebhookStore()).put("x", {"url": url, "event_types": ["*"]})
    assert refused.value.field == field


def test_the_local_stack_allows_plain_http_to_itself() -> None:
    saved = _admin(FakeWebhookStore(), allow_http=True).put(
        "local", {"url": "http://127.0.0.1:3000/local/webhooks/inbox/a", "event_types": ["*"]}
    )
    assert saved.created


def test_unknown_event_types_are_named() -> None:
    with pytest.raises(InvalidWebhookError, match=r"badge\.lost"):
        _admin(FakeWebhookStore()).put(
            "x", {"url": "https://example.com", "event_types": ["badge.lost"]}
        )


def test_an_unknown_endpoint_is_not_found() -> None:
    admin = _admin(FakeWebhookStore())
    with pytest.raises(UnknownWebhookError):
        admin.get("nope")
    with pytest.raises(UnknownWebhookError):
        admin.delete("nope")


def _world(
    *script: int | Exception,
) -> tuple[FakeWebhookStore, FakeDeliveryQueue, ScriptedEndpoint, Clock, WebhookSender]:
    store, queue, endpoint, clock = (
        FakeWebhookStore(),
        FakeDeliveryQueue(),
        ScriptedEndpoint(*script),
        Clock(),
    )
    admin = WebhookAdmin(store, clock, sealer=FakeSealer(), new_secret=lambda: "k" * 32)
    admin.put("crm", {"url": "https://example.com/hook", "event_types": ["badge.earned"]})
    admin.put("all", {"url": "https://example.org/hook", "event_types": ["*"]})
    admin.put("xp", {"url": "https://example.net/hook", "event_types": ["xp.awarded"]})
    sender = WebhookSender(
        store, endpoint, queue, clock, jitter=lambda: 1.0, lines=store.lines, sealer=FakeSealer()
    )
    return store, queue, endpoint, clock, sender


def test_an_event_fans_out_to_the_endpoints_that_want_its_type() -> None:
    store, queue, _, clock, _ = _world()

    deliveries = WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)

    assert sorted(d.webhook_id for d in deliveries) == ["all", "crm"]
    assert [d for d, _ in queue.messages] == deliveries


def test_an_attempt_is_signed_and_names_the_event() -> None:
    store, queue, endpoint, clock, sender = _world()
    [delivery, _] = WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)

    attempt = sender.attempt(delivery)

    assert isinstance(attempt, Attempt)
    assert attempt.status == "delivered"
    _, headers, body = endpoint.received[0]
    assert headers[EVENT_ID_HEADER] == "evt_1"
    assert verify("k" * 32, headers[SIGNATURE_HEADER], body, NOW)
    assert not verify("k" * 32, headers[SIGNATURE_HEADER], body, NOW + timedelta(minutes=6))
    assert json.loads(body) == EVENT


def test_500_three_times_then_200_arrives_on_the_fourth_attempt_with_growing_delays() -> None:
    store, queue, endpoint, clock, sender = _world(500, 500, 500)
    fan_out = WebhookFanOut(store, queue, clock, store.lines)
    fan_out.fan_out(EVENT)
    pending = [d for d in queue.take() if d.webhook_id == "crm"]
    delays: list[int] = []
    statuses = []
    while pending:
        attempt = sender.attempt(pending.pop())
        assert attempt is not None
        assert isinstance(attempt, Attempt)
        statuses.append(attempt.status)
        for again, delay in queue.messages:
            delays.append(delay)
            pending.append(again)
            clock.now += timedelta(seconds=delay)  # SQS holds the retry back that long
        queue.messages.clear()

    assert statuses == ["retrying", "retrying", "retrying", "delivered"]
    assert delays == [30, 60, 120]
    assert {b for _, _, b in endpoint.received} == {endpoint.received[0][2]}  # same body
    log = store.recent("crm", 10)
    assert [a.attempt for a in log] == [4, 3, 2, 1]
    assert all(len(a.response.encode()) <= MAX_STORED_RESPONSE_BYTES for a in log)


def test_after_24_hours_of_failures_the_endpoint_is_marked_failing() -> None:
    store, queue, _, clock, sender = _world(*([500] * 200))
    WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
    [delivery] = [d for d in queue.take() if d.webhook_id == "crm"]
    statuses = []
    while True:
        attempt = sender.attempt(delivery)
        assert isinstance(attempt, Attempt)
        statuses.append(attempt.status)
        if not queue.messages:
            break
        delivery, delay = queue.messages.pop()
        clock.now += timedelta(seconds=delay)

    assert statuses[-1] == "failed"
    assert store.webhooks["crm"].failing_since == clock.now
    assert 90 < len(statuses) < 110  # ≈ 24 h of 15-minute steps after the doubling ones


def test_a_refused_address_is_not_retried() -> None:
    store, queue, endpoint, clock, sender = _world()
    endpoint.refuse = True
    [delivery, _] = WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
    queue.messages.clear()

    attempt = sender.attempt(delivery)

    assert isinstance(attempt, Attempt)
    assert attempt.status == "refused"
    assert not queue.messages


def test_an_endpoint_failing_for_3_days_is_paused() -> None:
    store, queue, _, clock, sender = _world(*([500] * 1000))
    fan_out = WebhookFanOut(store, queue, clock, store.lines)
    pauses = 0
    for day in range(5):
        fan_out.fan_out({**EVENT, "id": f"evt_{day}"})
        pending = [d for d in queue.take() if d.webhook_id == "crm"]
        while pending:
            attempt = sender.attempt(pending.pop())
            pauses += isinstance(attempt, Attempt) and attempt.paused_endpoint
            for again, delay in queue.messages:
                clock.now += timedelta(seconds=delay)
                pending.append(again)
            queue.messages.clear()
            if attempt is None:
                break
        clock.now += timedelta(hours=1)

    webhook = store.webhooks["crm"]
    assert webhook.active is False
    assert webhook.failing_since is not None
    assert clock.now - webhook.failing_since >= timedelta(days=3)
    assert pauses == 1  # the one attempt that paused it says so: the handler alarms on it


def test_a_test_ping_is_queued_for_that_endpoint_only() -> None:
    store, queue, clock = FakeWebhookStore(), FakeDeliveryQueue(), Clock()
    admin = WebhookAdmin(
        store, clock, sealer=FakeSealer(), new_secret=lambda: "k" * 32, deliveries=queue, tenant="t"
    )
    admin.put("crm", {"url": "https://example.com/hook", "event_types": ["badge.earned"]})

    delivery = admin.send_test("crm")

    assert [d for d, _ in queue.messages] == [delivery]
    event = json.loads(delivery.event)
    assert (event["type"], event["tenant"], event["data"]) == (
        "webhook.test",
        "t",
        {"webhook_id": "crm"},
    )
    with pytest.raises(UnknownWebhookError):
        admin.send_test("nope")


def test_a_rotated_secret_signs_beside_the_old_one_for_24_hours() -> None:
    store, queue, endpoint, clock, sender = _world()
    admin = WebhookAdmin(store, clock, sealer=FakeSealer(), new_secret=lambda: "n" * 32)
    rotated = admin.rotate("crm")
    assert rotated.secret == "n" * 32
    [delivery] = [
        d
        for d in WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
        if d.webhook_id == "crm"
    ]

    sender.attempt(delivery)
    clock.now += timedelta(hours=24)
    sender.attempt(delivery)

    (_, during, body), (_, after, _) = endpoint.received
    assert verify("n" * 32, during[SIGNATURE_HEADER], body, NOW)
    assert verify("k" * 32, during[SIGNATURE_HEADER], body, NOW)  # the old one, still valid
    assert verify("n" * 32, after[SIGNATURE_HEADER], body, clock.now)
    assert not verify("k" * 32, after[SIGNATURE_HEADER], body, clock.now)


def test_a_refused_delivery_is_parked_and_an_admin_retry_sends_the_same_event_again() -> None:
    store, queue, endpoint, clock, sender = _world()
    admin = WebhookAdmin(
        store, clock, sealer=FakeSealer(), new_secret=lambda: "k" * 32, deliveries=queue
    )
    endpoint.refuse = True  # e.g. the host resolved to a private address for a while
    [delivery] = [
        d
        for d in WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
        if d.webhook_id == "crm"
    ]
    queue.messages.clear()
    sender.attempt(delivery)
    endpoint.refuse = False
    clock.now += timedelta(hours=1)

    again = admin.retry("crm", "crm:evt_1")

    assert [d for d, _ in queue.messages] == [again]
    assert (again.event, again.event_id, again.attempt) == (delivery.event, "evt_1", 1)
    assert again.first_attempt_at == clock.now  # a fresh 24 h of retries
    attempt = sender.attempt(again)
    assert isinstance(attempt, Attempt)
    assert attempt.status == "delivered"
    assert endpoint.received[-1][1][EVENT_ID_HEADER] == "evt_1"


def test_only_a_failed_or_refused_delivery_can_be_retried_and_not_while_paused() -> None:
    store, queue, _, clock, sender = _world()
    admin = WebhookAdmin(
        store, clock, sealer=FakeSealer(), new_secret=lambda: "k" * 32, deliveries=queue
    )
    [delivery] = [
        d
        for d in WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
        if d.webhook_id == "crm"
    ]
    sender.attempt(delivery)  # delivered: nothing kept

    with pytest.raises(UnknownDeliveryError):
        admin.retry("crm", "crm:evt_1")
    store.park(delivery, clock.now)
    with pytest.raises(UnknownDeliveryError):  # another endpoint's delivery id
        admin.retry("all", "crm:evt_1")
    store.put(store.webhooks["crm"].model_copy(update={"active": False}))
    with pytest.raises(WebhookPausedError):
        admin.retry("crm", "crm:evt_1")


def test_a_failure_seen_by_one_sender_holds_the_endpoint_for_every_sender() -> None:
    """The breaker is on the endpoint, not in one container's memory: a second sender (another
    Lambda container) defers its delivery to the failing endpoint without a POST."""
    store, queue, endpoint, clock, first = _world(TimeoutError(), TimeoutError())
    second = WebhookSender(
        store, endpoint, queue, clock, jitter=lambda: 1.0, lines=store.lines, sealer=FakeSealer()
    )
    fan_out = WebhookFanOut(store, queue, clock, store.lines)
    [one] = [d for d in fan_out.fan_out(EVENT) if d.webhook_id == "crm"]
    [two] = [d for d in fan_out.fan_out({**EVENT, "id": "evt_2"}) if d.webhook_id == "crm"]

    first.attempt(one)
    held = second.attempt(two)
    clock.now += BREAKER_COOLDOWN
    probed = second.attempt(two)

    assert isinstance(held, Deferred)
    assert held.reason == "breaker"
    assert isinstance(probed, Attempt)
    assert len(endpoint.received) == 2
    assert store.webhooks["crm"].breaker_until == clock.now + BREAKER_COOLDOWN


def _to_crm(store: FakeWebhookStore, queue: FakeDeliveryQueue, clock: Clock) -> list[Delivery]:
    """Three events of three users, each's delivery to ``crm`` (no line between them)."""
    fan_out = WebhookFanOut(store, queue, clock, store.lines)
    return [
        d
        for n, user in enumerate(("ann", "bob", "cy"))
        for d in fan_out.fan_out({**EVENT, "id": f"evt_{n}", "user_id": user})
        if d.webhook_id == "crm"
    ]


@pytest.mark.parametrize(("latency_ms", "held"), [(2499, False), (2500, True), (4900, True)])
def test_a_slow_success_holds_the_endpoint_like_a_failure_yet_is_delivered(
    latency_ms: int, held: bool
) -> None:
    store, queue, endpoint, clock, sender = _world()
    endpoint.latency_ms = latency_ms
    one, two, _ = _to_crm(store, queue, clock)
    store.mark("crm", {"failing_since": NOW - timedelta(days=1)})

    first = sender.attempt(one)
    second = sender.attempt(two)

    assert isinstance(first, Attempt)
    assert first.status == "delivered"
    assert store.webhooks["crm"].failing_since is None  # its health is not a slow answer's
    if held:
        assert isinstance(second, Deferred)
        assert second.reason == "breaker"
        assert len(endpoint.received) == 1
        assert store.webhooks["crm"].breaker_until == clock.now + BREAKER_COOLDOWN
    else:
        assert isinstance(second, Attempt)
        assert store.webhooks["crm"].breaker_until is None


class _Overlapping(ScriptedEndpoint):
    """Runs ``during`` while its next POST is under way (another sender at that moment) and
    counts the POSTs under way at once."""

    def __init__(self, *script: int | Exception) -> None:
        super().__init__(*script)
        self.during: list[Callable[[], object]] = []
        self.seen: list[object] = []
        self.under_way = self.most_under_way = 0

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        self.under_way += 1
        self.most_under_way = max(self.most_under_way, self.under_way)
        try:
            if self.during:
                self.seen.append(self.during.pop(0)())
            return super().post(url, headers, body, timeout)
        finally:
            self.under_way -= 1


def test_when_the_breaker_lapses_one_sender_probes_and_the_others_wait() -> None:
    """Two senders find the breaker lapsed at the same moment: the one that claimed the probe
    posts, the other is deferred while the probe is under way, then goes once it succeeded."""
    store, queue, _, clock, _ = _world()
    endpoint = _Overlapping(TimeoutError())
    first, second = (
        WebhookSender(
            store,
            endpoint,
            queue,
            clock,
            jitter=lambda: 1.0,
            lines=store.lines,
            sealer=FakeSealer(),
        )
        for _ in range(2)
    )
    one, two, three = _to_crm(store, queue, clock)
    first.attempt(one)  # times out: the breaker opens
    clock.now += BREAKER_COOLDOWN
    endpoint.during.append(lambda: second.attempt(three))

    probe = first.attempt(two)

    [waited] = endpoint.seen
    assert isinstance(waited, Deferred)
    assert waited.reason == "breaker"
    assert endpoint.most_under_way == 1
    assert isinstance(probe, Attempt)
    assert probe.status == "delivered"
    assert store.webhooks["crm"].breaker_until is None  # the probe's success closed it
    after = second.attempt(waited.delivery)
    assert isinstance(after, Attempt)
    assert after.status == "delivered"


def test_a_probe_that_never_reports_back_frees_the_breaker_after_its_lease() -> None:
    store, queue, endpoint, clock, sender = _world(TimeoutError())
    one, two, three = _to_crm(store, queue, clock)
    sender.attempt(one)
    clock.now += BREAKER_COOLDOWN
    assert store.claim_probe("crm", clock.now, clock.now + PROBE_LEASE)  # a prober that died

    held = sender.attempt(two)
    clock.now += PROBE_LEASE
    probed = sender.attempt(three)

    assert isinstance(held, Deferred)
    assert isinstance(probed, Attempt)
    assert len(endpoint.received) == 2


def test_a_success_clears_the_endpoints_failure_marks() -> None:
    store, queue, _, clock, sender = _world(500)
    [delivery] = [
        d
        for d in WebhookFanOut(store, queue, clock, store.lines).fan_out(EVENT)
        if d.webhook_id == "crm"
    ]
    store.mark("crm", {"failing_since": NOW - timedelta(days=1)})
    sender.attempt(delivery)
    assert store.webhooks["crm"].breaker_until is not None
    clock.now += BREAKER_COOLDOWN

    sender.attempt(delivery)

    assert store.webhooks["crm"].failing_since is None
    assert store.webhooks["crm"].breaker_until is None


def test_editing_an_endpoint_keeps_a_rotations_overlap() -> None:
    store, _, _, clock, _ = _world()
    admin = WebhookAdmin(store, clock, sealer=FakeSealer(), new_secret=lambda: "n" * 32)
    admin.rotate("crm")

    admin.put("crm", {"url": "https://example.com/v2", "event_types": ["badge.earned"]})

    edited = store.webhooks["crm"]
    assert edited.url == "https://example.com/v2"
    assert edited.secrets_at(NOW) == (
        FakeSealer().seal("n" * 32, "crm"),
        FakeSealer().seal("k" * 32, "crm"),
    )

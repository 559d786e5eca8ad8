"""Webhooks: endpoints an admin registers, and the deliveries of domain events to them.

Each event that reaches the webhook queue (a rule on the bus; the local log's subscriber) is
fanned out into one *delivery* per matching endpoint, and every attempt of a delivery is its
own queue message, so a slow or dead endpoint only ever holds its own messages: never the
pipeline, never another endpoint. An attempt that fails is sent again with a delay (exponential
backoff with jitter, ``domain.webhooks.retry_delay``) until ``RETRY_FOR`` has passed since the
first; then the endpoint is marked failing (a metric alarms). Every attempt carries the event's
id: a receiver that dedupes by it sees each effect once, whatever we retried.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from gamification.domain.webhooks import (
    DISABLE_AFTER,
    EVENT_ID_HEADER,
    ROTATION_OVERLAP,
    SIGNATURE_HEADER,
    TIMEOUT_SECONDS,
    Attempt,
    Delivery,
    DeliveryRefusedError,
    Health,
    Posted,
    Webhook,
    clipped,
    retry_delay,
    signature,
    unknown_event_types,
    url_problem,
    wait_delay,
)

# -- ports (adapters: webhook_repository.WebhookRepository, webhook_queue.WebhookQueue,
#    webhook_http.SafePoster; fakes: tests/fakes/webhooks.py)


class WebhookStore(Protocol):
    def get(self, webhook_id: str) -> Webhook | None: ...

    def put(self, webhook: Webhook) -> None: ...

    def mark(self, webhook_id: str, health: Health) -> None:
        """Set only the sender's fields of an endpoint, leaving what an admin changed meanwhile
        (a rotated secret, a new URL) as it is; nothing when the endpoint was deleted."""
        ...

    def claim_probe(self, webhook_id: str, now: datetime, until: datetime) -> bool:
        """Move the endpoint's breaker to ``until`` if it is not open at ``now`` (lapsed or
        cleared), in one conditional write: of the senders that find it lapsed at once, one
        wins and probes, the others keep waiting. ``False`` too when the endpoint is gone."""
        ...

    def delete(self, webhook_id: str) -> bool:
        """``False`` when there was none."""
        ...

    def all(self) -> list[Webhook]: ...

    def record(self, webhook_id: str, attempt: Attempt) -> None:
        """Keep one attempt in the endpoint's deliveries log (bounded, expiring)."""
        ...

    def recent(self, webhook_id: str, limit: int) -> list[Attempt]:
        """The endpoint's latest attempts, newest first."""
        ...

    def park(self, delivery: Delivery, at: datetime) -> bool:
        """Keep a delivery that ended ``failed`` or ``refused`` (its body included) for
        ``POST …/deliveries/{id}/retry``, findable by its user (the erasure deletes it); it
        expires with the deliveries log (7 days). ``False``: not kept, the user was erased
        after the event."""
        ...

    def parked(self, webhook_id: str, event_id: str) -> Delivery | None:
        """The parked delivery of ``event_id`` to the endpoint, if still kept."""
        ...


class DeliveryLines(Protocol):
    """Each user's deliveries to each endpoint in line by the event's ``sequence``
    (``adapters.webhook_lines``; fake in tests/fakes/webhooks.py). A place says a message of that
    delivery is alive and not yet delivered or parked; it lapses ``GRACE`` after ``due``."""

    def join(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        """Take the delivery's place (at the fan-out), its message due at ``due``."""
        ...

    def renew(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        """Keep the place its message re-queued for ``due`` holds, only if it is still there:
        a place the user's erasure deleted (or that lapsed and was swept) is not brought back."""
        ...

    def head(self, webhook_id: str, user_id: str, now: datetime) -> tuple[int, str] | None:
        """(sequence, event id) of the first live place, if any."""
        ...

    def leave(self, webhook_id: str, user_id: str, sequence: int, event_id: str) -> None: ...


class SecretSealer(Protocol):
    """Seals signing secrets for storage (``adapters.kms_sealer``: KMS ``Encrypt`` with the
    endpoint's id as encryption context; the local stack's stand-in; fake in tests). The admin
    function only seals; the sender alone opens."""

    def seal(self, secret: str, webhook_id: str) -> str: ...

    def open(self, sealed: str, webhook_id: str) -> str: ...


class DeliveryQueue(Protocol):
    def send(self, deliveries: Sequence[Delivery], delay_seconds: int = 0) -> None: ...


class Poster(Protocol):
    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        """POST without following redirects, the whole attempt (lookup included) within
        ``timeout`` seconds (``TimeoutError`` past it); raises DeliveryRefusedError for a
        refused address, any other exception for a failure worth retrying."""
        ...


class InvalidWebhookError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownWebhookError(Exception):
    pass


class UnknownDeliveryError(Exception):
    """No failed or refused delivery of that id is kept (delivered, still retrying, too old)."""


class WebhookPausedError(Exception):
    """The endpoint is paused (``active`` false): resume it before retrying a delivery."""


# -- admin ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedWebhook:
    webhook: Webhook
    created: bool
    secret: str | None
    """The signing secret, only in the answer that created the endpoint (shown once)."""


class WebhookAdmin:
    def __init__(
        self,
        store: WebhookStore,
        clock: Callable[[], datetime],
        *,
        sealer: SecretSealer,
        allow_http: bool = False,
        new_secret: Callable[[], str] = lambda: "whsec_" + secrets.token_hex(24),
        deliveries: DeliveryQueue | None = None,
        tenant: str = "dev",
    ) -> None:
        """``deliveries``: where ``send_test`` queues its ping (the sender's queue)."""
        self._store = store
        self._clock = clock
        self._sealer = sealer
        self._allow_http = allow_http
        self._new_secret = new_secret
        self._deliveries = deliveries
        self._tenant = tenant

    def put(self, webhook_id: str, fields: Mapping[str, Any]) -> SavedWebhook:
        """Create (with a new secret, returned once) or replace (the secret is kept)."""
        url = str(fields.get("url", ""))
        problem = url_problem(url, allow_http=self._allow_http)
        if problem:
            raise InvalidWebhookError("url", problem)
        types = tuple(fields.get("event_types") or ())
        unknown = unknown_event_types(types)
        if unknown:
            raise InvalidWebhookError("event_types", f"unknown event types: {', '.join(unknown)}")
        before = self._store.get(webhook_id)
        secret = None if before else self._new_secret()
        try:
            webhook = Webhook(
                id=webhook_id,
                url=url,
                event_types=types,
                description=str(fields.get("description", "")),
                active=bool(fields.get("active", True)),
                secret=before.secret if before else self._sealer.seal(str(secret), webhook_id),
                created_at=before.created_at if before else self._clock(),
                # a rotation's overlap survives an edit; the health starts afresh (a new URL)
                previous_secret=before.previous_secret if before else None,
                previous_until=before.previous_until if before else None,
            )
        except ValidationError as error:
            first = error.errors()[0]
            raise InvalidWebhookError(str(first["loc"][0]), first["msg"]) from error
        self._store.put(webhook)
        return SavedWebhook(webhook, created=before is None, secret=secret)

    def endpoints(self) -> list[Webhook]:
        return self._store.all()

    def get(self, webhook_id: str) -> Webhook:
        webhook = self._store.get(webhook_id)
        if webhook is None:
            raise UnknownWebhookError(webhook_id)
        return webhook

    def delete(self, webhook_id: str) -> None:
        if not self._store.delete(webhook_id):
            raise UnknownWebhookError(webhook_id)

    def rotate(self, webhook_id: str) -> SavedWebhook:
        """A new secret (answered this once); the old one keeps signing for
        ``ROTATION_OVERLAP`` so receivers can switch without dropping deliveries."""
        webhook = self.get(webhook_id)
        now = self._clock()
        secret = self._new_secret()
        rotated = webhook.model_copy(
            update={
                "secret": self._sealer.seal(secret, webhook.id),
                "previous_secret": webhook.secret,  # still sealed: copied, never opened
                "previous_until": now + ROTATION_OVERLAP,
            }
        )
        self._store.put(rotated)
        return SavedWebhook(rotated, created=False, secret=secret)

    def send_test(self, webhook_id: str) -> Delivery:
        """Queue a signed ``webhook.test`` event to this endpoint only (a fresh id each time);
        its attempts show in the deliveries log like any other."""
        webhook = self.get(webhook_id)
        if self._deliveries is None:
            raise RuntimeError("no delivery queue wired")
        now = self._clock()
        event_id = f"evt_test_{secrets.token_hex(12)}"
        event = {
            "id": event_id,
            "type": "webhook.test",
            "schema_version": 1,
            "tenant": self._tenant,
            "user_id": "",
            "sequence": 0,
            "occurred_at": now.isoformat(),
            "data": {"webhook_id": webhook.id},
        }
        body = json.dumps(event, separators=(",", ":"), sort_keys=True)
        delivery = Delivery(webhook.id, event_id, body, now, in_line=False)
        self._deliveries.send([delivery])
        return delivery

    def deliveries(self, webhook_id: str, limit: int = 50) -> list[Attempt]:
        self.get(webhook_id)
        return self._store.recent(webhook_id, limit)

    def retry(self, webhook_id: str, delivery_id: str) -> Delivery:
        """Send a delivery that ended ``failed`` or ``refused`` again: the same body and event
        id (receivers dedupe by it), a fresh schedule of attempts from now."""
        webhook = self.get(webhook_id)
        if self._deliveries is None:
            raise RuntimeError("no delivery queue wired")
        owner, _, event_id = delivery_id.partition(":")
        parked = self._store.parked(webhook.id, event_id) if owner == webhook.id else None
        if parked is None:
            raise UnknownDeliveryError(delivery_id)
        if not webhook.active:
            raise WebhookPausedError(webhook_id)
        again = Delivery(webhook.id, parked.event_id, parked.event, self._clock(), in_line=False)
        self._deliveries.send([again])
        return again


# -- delivery ------------------------------------------------------------------------------------


class WebhookFanOut:
    """An event → one delivery per endpoint that wants its type (a message each)."""

    def __init__(
        self,
        store: WebhookStore,
        queue: DeliveryQueue,
        clock: Callable[[], datetime],
        lines: DeliveryLines,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._lines = lines

    def fan_out(self, event: Mapping[str, Any]) -> list[Delivery]:
        """Each delivery takes its place in its user's line to the endpoint before its message
        is sent (a crash between leaves a place that lapses; the bus message is redelivered)."""
        body = json.dumps(event, separators=(",", ":"), sort_keys=True)
        now = self._clock()
        deliveries = [
            Delivery(webhook.id, str(event["id"]), body, now)
            for webhook in self._store.all()
            if webhook.wants(str(event["type"]))
        ]
        for delivery in deliveries:
            if (line := delivery.line) is not None:
                self._lines.join(delivery.webhook_id, *line, delivery.event_id, now)
        if deliveries:
            self._queue.send(deliveries)
        return deliveries


@dataclass(frozen=True, slots=True)
class Deferred:
    """An attempt not made: put back (``delay`` seconds) without a POST."""

    delivery: Delivery
    reason: str
    """``in_line``: an earlier event of the user to this endpoint is not yet delivered or
    parked; ``breaker``: the endpoint failed or answered slowly moments ago
    (``BREAKER_COOLDOWN``), or another sender is probing it (``PROBE_LEASE``)."""
    delay: int


BREAKER_COOLDOWN = timedelta(seconds=10)
"""After a failed attempt (a timeout, a refused connection, an error status), this sender sends
nothing else to the endpoint for this long: the other deliveries to it are put back, so a slow
endpoint costs one timeout per cooldown per sender, not one per message of a batch. Shorter than
the first retry's delay (≥ 15 s), so a delivery's own retry is never deferred by its failure.
Counted from the end of the attempt that opened it."""

SLOW_ANSWER = timedelta(seconds=2.5)
"""A 2xx slower than this (half the deadline) opens the breaker as a failure does, for
scheduling only: the delivery is delivered and the endpoint's health is not touched. Without it
an endpoint answering 2xx in 4.9 s never trips the breaker and can hold every sender."""

PROBE_LEASE = timedelta(seconds=2 * TIMEOUT_SECONDS)
"""When the breaker lapses, the one sender that claims the probe (``WebhookStore.claim_probe``)
moves ``breaker_until`` this far ahead while it posts, so no other sender starts a second
attempt meanwhile; longer than an attempt can take (the 5 s deadline), and it frees itself if
the prober dies. The probe's outcome then clears the breaker or opens it again."""


class WebhookSender:
    """One attempt of one delivery: sign, POST (a 5 s deadline, no redirects), log, retry or
    give up; the endpoint's breaker decides whether it is attempted now."""

    def __init__(
        self,
        store: WebhookStore,
        poster: Poster,
        queue: DeliveryQueue,
        clock: Callable[[], datetime],
        *,
        jitter: Callable[[], float] = random.random,
        retry_scale: float = 1.0,
        disable_after: timedelta = DISABLE_AFTER,
        lines: DeliveryLines,
        sealer: SecretSealer,
        breaker_cooldown: timedelta = BREAKER_COOLDOWN,
    ) -> None:
        """``retry_scale``: the local stack's shortcut through the backoff (1 on AWS);
        ``disable_after``: an endpoint failing this long is paused (``active`` false)."""
        self._store = store
        self._poster = poster
        self._queue = queue
        self._clock = clock
        self._jitter = jitter
        self._retry_scale = retry_scale
        self._disable_after = disable_after
        self._lines = lines
        self._sealer = sealer
        self._cooldown = breaker_cooldown * retry_scale
        self._open_until: dict[str, datetime] = {}
        """The breaker, per endpoint: this sender's memory (a warm Lambda container's)."""

    def attempt(self, delivery: Delivery) -> Attempt | Deferred | None:
        """``None``: the endpoint is gone or paused (nothing to send); ``Deferred``: put back
        without a POST (its turn has not come, or the endpoint's breaker is open)."""
        webhook = self._store.get(delivery.webhook_id)
        line = delivery.line
        if webhook is None or not webhook.active:
            if line is not None:
                self._lines.leave(delivery.webhook_id, *line, delivery.event_id)
            return None
        now = self._clock()
        if line is not None:
            head = self._lines.head(webhook.id, line[0], now)
            if head is not None and head < (line[1], delivery.event_id):
                return self._defer(delivery, "in_line", now, restart=delivery.attempt == 1)
        open_until = max(
            (t for t in (self._open_until.get(webhook.id), webhook.breaker_until) if t),
            default=None,
        )
        if open_until is not None and not delivery.gives_up_after(now):
            if now < open_until:
                return self._defer(delivery, "breaker", now, restart=False)
            if webhook.breaker_until is not None and not self._store.claim_probe(
                webhook.id, now, now + PROBE_LEASE
            ):  # half-open: another sender is probing it
                return self._defer(delivery, "breaker", now, restart=False)
        attempt = self._post(webhook, delivery, now)
        if attempt.status in ("delivered", "failed", "refused") and line is not None:
            self._lines.leave(webhook.id, *line, delivery.event_id)
        return attempt

    def _defer(self, delivery: Delivery, reason: str, now: datetime, *, restart: bool) -> Deferred:
        """Put the delivery back without a POST and renew its place in line. ``restart``: it
        was never attempted, so its 24 h of retries start at its first real attempt."""
        delay = max(1, int(wait_delay(delivery.waits) * self._retry_scale))
        again = replace(
            delivery,
            waits=delivery.waits + 1,
            first_attempt_at=now if restart else delivery.first_attempt_at,
        )
        self._requeue(again, delay, now)
        return Deferred(again, reason, delay)

    def _requeue(self, delivery: Delivery, delay: int, now: datetime) -> None:
        if (line := delivery.line) is not None:
            due = now + timedelta(seconds=delay)
            self._lines.renew(delivery.webhook_id, *line, delivery.event_id, due)
        self._queue.send([delivery], delay)

    def _post(self, webhook: Webhook, delivery: Delivery, now: datetime) -> Attempt:
        body = delivery.event.encode()
        current, *older = (self._sealer.open(s, webhook.id) for s in webhook.secrets_at(now))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "gamify-webhooks/1",
            SIGNATURE_HEADER: signature(current, int(now.timestamp()), body, *older),
            EVENT_ID_HEADER: delivery.event_id,
        }
        code: int | None = None
        latency, text, status = 0, "", "delivered"
        try:
            posted = self._poster.post(webhook.url, headers, body, TIMEOUT_SECONDS)
            code, latency, text = posted.status, posted.latency_ms, posted.body
            ok = 200 <= posted.status < 300
        except DeliveryRefusedError as refused:
            ok, status, text = False, "refused", str(refused)
        except Exception as error:  # a timeout, a reset, a TLS failure: worth retrying
            ok, text = False, f"{type(error).__name__}: {error}"
        paused = False
        if not ok and status != "refused":
            until = self._clock() + self._cooldown
            self._open_until[webhook.id] = until
            status, health = self._retry_or_give_up(webhook, delivery, now)
            paused = health.get("active") is False
            self._store.mark(webhook.id, {**health, "breaker_until": until})
        elif ok and latency >= SLOW_ANSWER.total_seconds() * 1000:
            until = self._clock() + self._cooldown
            self._open_until[webhook.id] = until
            recovered: Health = {"failing_since": None} if webhook.failing_since else {}
            self._store.mark(webhook.id, {**recovered, "breaker_until": until})
        elif ok:
            self._open_until.pop(webhook.id, None)
            if webhook.failing_since is not None or webhook.breaker_until is not None:
                self._store.mark(webhook.id, {"failing_since": None, "breaker_until": None})
        attempt = Attempt(
            delivery_id=delivery.delivery_id,
            event_id=delivery.event_id,
            event_type=str(json.loads(delivery.event).get("type", "")),
            attempt=delivery.attempt,
            at=now,
            status=status,
            response_code=code,
            latency_ms=latency,
            response=clipped(text),
            paused_endpoint=paused,
        )
        self._store.record(webhook.id, attempt)
        if status in ("failed", "refused"):
            self._store.park(delivery, now)
        return attempt

    def _retry_or_give_up(
        self, webhook: Webhook, delivery: Delivery, now: datetime
    ) -> tuple[str, Health]:
        """The attempt's status, and what it changes of the endpoint's health (``active``
        false: it paused the endpoint)."""
        failing = webhook.failing_since
        if failing is not None and now - failing >= self._disable_after:
            return "failed", {"active": False}  # its queued deliveries drop at their next try
        if delivery.gives_up_after(now):
            return "failed", {} if failing is not None else {"failing_since": now}
        again = replace(delivery, attempt=delivery.attempt + 1)
        delay = retry_delay(delivery.attempt, self._jitter())
        self._requeue(again, max(1, int(delay * self._retry_scale)), now)
        return "retrying", {}

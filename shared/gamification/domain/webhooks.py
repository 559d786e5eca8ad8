"""Webhooks as rules (pure): endpoints, their signature, the retry schedule, and which
addresses a delivery may reach.

A delivery is signed ``Gamify-Signature: t=<unix>,v1=<hex>``, the HMAC-SHA256 of
``"<t>.<body>"`` with the endpoint's secret (Stripe's scheme, so receivers know it); a receiver
rejects a timestamp older than ``TOLERANCE`` (replays) and dedupes by the event id, which every
attempt of an event carries unchanged (``Gamify-Event-Id``, and ``id`` in the body).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gamification.domain.event_catalog import CATALOG

SIGNATURE_HEADER = "Gamify-Signature"
EVENT_ID_HEADER = "Gamify-Event-Id"
TOLERANCE = timedelta(minutes=5)
ROTATION_OVERLAP = timedelta(hours=24)
"""After a rotation, deliveries carry a signature with the old secret too for this long."""
"""A receiver refuses a signature older (or newer) than this."""
TIMEOUT_SECONDS = 5.0
MAX_STORED_RESPONSE_BYTES = 1024
"""A response body is kept to this many bytes in the deliveries log, never more."""
RETRY_FOR = timedelta(hours=24)
"""Attempts continue this long after the first; then the endpoint is marked failing."""
DISABLE_AFTER = timedelta(days=3)
"""An endpoint marked failing this long is paused (``active`` false) until an admin resumes it
(``GAMIFY_WEBHOOK_DISABLE_AFTER_HOURS`` changes it)."""
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 900
"""SQS delays a message at most 15 minutes: the schedule's ceiling."""
ALL_TYPES = "*"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Webhook(BaseModel):
    """One endpoint: where to send which events. The secret signs; it is shown once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID.pattern)
    url: str = Field(min_length=1, max_length=2048)
    event_types: tuple[str, ...] = Field(min_length=1, max_length=len(CATALOG) + 1)
    description: str = Field(default="", max_length=280)
    active: bool = True
    secret: str = Field(min_length=32, max_length=1024)
    """The signing secret *sealed* (``services.webhooks.SecretSealer``: KMS on AWS), never the
    plaintext at rest; only the sender opens it, to sign."""
    created_at: AwareDatetime
    failing_since: AwareDatetime | None = None
    """Set when an event's attempts ran out (``RETRY_FOR``); cleared by the next success."""
    previous_secret: str | None = Field(default=None, min_length=32, max_length=1024)
    """The secret before the last rotation: deliveries are signed with it too until
    ``previous_until`` (``ROTATION_OVERLAP`` after the rotation), so receivers can switch."""
    previous_until: AwareDatetime | None = None
    breaker_until: AwareDatetime | None = None
    """The shared circuit breaker: a failed or slow (``SLOW_ANSWER``) attempt sets it
    (``BREAKER_COOLDOWN`` past its end) and every sender holds this endpoint's deliveries until
    then, not just the one that failed; once it lapses, the one sender that claims the probe
    moves it ``PROBE_LEASE`` ahead while it posts."""

    def secrets_at(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery at ``now`` is signed with (the current one first)."""
        old = self.previous_secret
        if old and self.previous_until is not None and now < self.previous_until:
            return (self.secret, old)
        return (self.secret,)

    def wants(self, event_type: str) -> bool:
        return self.active and (ALL_TYPES in self.event_types or event_type in self.event_types)


class Health(TypedDict, total=False):
    """The fields of an endpoint only its sender writes (``WebhookStore.mark``)."""

    failing_since: datetime | None
    active: bool
    breaker_until: datetime | None


def unknown_event_types(types: tuple[str, ...]) -> list[str]:
    return [t for t in types if t != ALL_TYPES and t not in CATALOG]


def url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why ``url`` may not be an endpoint (``None``: it may). ``allow_http``: the local stack."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes:
        return "the url must use https://" + (" or http://" if allow_http else "")
    if not parts.hostname:
        return "the url has no host"
    if parts.username or parts.password:
        return "the url may not carry credentials"
    if not allow_http:
        try:
            refused = address_problem(parts.hostname)
        except ValueError:
            return None  # a name: judged again on every delivery, once resolved
        if refused:
            return f"the url's host is {refused}"
    return None


def address_problem(address: str) -> str | None:
    """Why a delivery may not connect to ``address`` (an IP), or ``None``.

    Private, loopback, link-local (169.254.0.0/16: the instance metadata service and the
    Lambda runtime API), carrier-grade NAT, multicast, reserved and unspecified addresses are
    refused, so an endpoint cannot point the sender at the VPC, the account or AWS itself.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (metadata service)"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip in ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    )
    return next((reason for refused, reason in checks if refused), None)


def signature(secret: str, timestamp: int, body: bytes, *more: str) -> str:
    """The ``Gamify-Signature`` header value of ``body`` sent at ``timestamp`` (unix seconds):
    one ``v1`` per secret (``more``: a rotated-out secret still valid), the current first."""
    signed = f"{timestamp}.".encode() + body
    macs = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in (secret, *more)]
    return f"t={timestamp}," + ",".join(f"v1={mac}" for mac in macs)


def verify(secret: str, header: str, body: bytes, now: datetime) -> bool:
    """What a receiver does: the timestamp within ``TOLERANCE`` and one ``v1`` matching."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [v for k, v in fields if k == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now.timestamp() - timestamp) > TOLERANCE.total_seconds():
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, v) for k, v in fields if k == "v1")


def retry_delay(attempt: int, jitter: float) -> int:
    """Seconds before attempt ``attempt + 1`` (``attempt`` ≥ 1 failed): doubling from 30 s up
    to 15 minutes, times a jitter in [0.5, 1) so failed deliveries do not retry in step."""
    base = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (attempt - 1))
    return max(1, int(base * (0.5 + jitter / 2)))


FIRST_WAIT_SECONDS = 2


def wait_delay(waits: int) -> int:
    """Seconds before a delivery put back without a POST looks again (``waits`` ≥ 0 times
    before): doubling from 2 s up to 15 minutes, so a delivery behind one that retries for a
    day is looked at ≈ 100 times, not thousands."""
    return int(min(MAX_DELAY_SECONDS, FIRST_WAIT_SECONDS * 2 ** min(waits, 10)))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one endpoint; each attempt is a queue message carrying this."""

    webhook_id: str
    event_id: str
    event: str
    """The event's JSON, exactly the body every attempt sends."""
    first_attempt_at: datetime
    attempt: int = 1
    waits: int = 0
    """How many times this delivery was put back without a POST: waiting for an earlier event
    of its user to the same endpoint, or deferred by the endpoint's breaker."""
    in_line: bool = True
    """Whether it keeps its user's order to the endpoint (``False``: a manual retry of a
    parked delivery, which is out of order by nature, and test pings)."""

    @property
    def delivery_id(self) -> str:
        return f"{self.webhook_id}:{self.event_id}"

    @property
    def line(self) -> tuple[str, int] | None:
        """(user, sequence) when the delivery waits its turn among the user's events to this
        endpoint; ``None`` for one that does not (no user, or not ``in_line``)."""
        if not self.in_line:
            return None
        envelope = json.loads(self.event)
        user, sequence = envelope.get("user_id"), envelope.get("sequence")
        if not user or not isinstance(sequence, int):
            return None
        return str(user), sequence

    def gives_up_after(self, now: datetime) -> bool:
        return now - self.first_attempt_at >= RETRY_FOR


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one attempt did (the deliveries log keeps the last ones per endpoint)."""

    delivery_id: str
    event_id: str
    event_type: str
    attempt: int
    at: datetime
    status: str
    """``delivered``, ``retrying``, ``failed`` (attempts ran out) or ``refused`` (SSRF)."""
    response_code: int | None
    latency_ms: int
    response: str
    """At most ``MAX_STORED_RESPONSE_BYTES`` of the response body (or the error)."""
    paused_endpoint: bool = False
    """This failure paused the endpoint (failing ``DISABLE_AFTER``): an admin is alerted. Not
    kept in the log (the endpoint's ``active`` says it)."""


def clipped(text: str) -> str:
    """``text`` cut to ``MAX_STORED_RESPONSE_BYTES`` bytes of UTF-8 (never mid-character)."""
    return text.encode()[:MAX_STORED_RESPONSE_BYTES].decode(errors="ignore")


@dataclass(frozen=True, slots=True)
class Posted:
    """An endpoint's answer to one POST."""

    status: int
    body: str
    latency_ms: int


class DeliveryRefusedError(Exception):
    """The endpoint's address may not be reached (SSRF guard); retrying cannot help."""

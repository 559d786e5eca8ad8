"""The local stack's built-in webhook receiver: ``POST /local/webhooks/inbox/{name}``.

It does what a team's receiver should: verify ``Gamify-Signature`` with the endpoint's secret
(the webhook whose URL points at this inbox), refuse a bad or stale one with 400, and dedupe by
the event id. ``GET /local/webhooks/inbox/{name}`` lists what arrived (each event once, with how
many copies came); ``POST .../inbox/{name}?fail=N`` makes the next N deliveries answer 500, to
watch the retries (docs/events.md, "Locally").
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gamification.domain.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from gamification.local.apigateway import Request, Response, error, json_response

INBOX = re.compile(r"^/local/webhooks/inbox/(?P<name>[A-Za-z0-9_-]{1,64})$")

SecretOf = Callable[[str], str | None]
"""The secret of the webhook whose URL ends with the inbox's path (``None``: no such webhook)."""


class WebhookInbox:
    def __init__(
        self, secret_of: SecretOf, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._secret_of = secret_of
        self._clock = clock
        self._lock = threading.Lock()
        self._boxes: dict[str, dict[str, dict[str, Any]]] = {}
        self._failures: dict[str, int] = {}

    def handle(self, request: Request) -> Response | None:
        """The answer to an inbox request, or ``None`` when the path is not an inbox."""
        found = INBOX.match(request.path)
        if found is None:
            return None
        name = found["name"]
        if request.method == "GET":
            with self._lock:
                return json_response(200, {"events": list(self._boxes.get(name, {}).values())})
        if request.method != "POST":
            return error(405, "method_not_allowed", "GET or POST")
        fail = parse_qs(urlsplit(request.target).query).get("fail")
        if fail and fail[-1].isdigit():
            with self._lock:
                self._failures[name] = int(fail[-1])
            return json_response(200, {"failing_next": int(fail[-1])})
        return self._receive(name, request)

    def _receive(self, name: str, request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers}
        secret = self._secret_of(request.path)
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        if secret is None or not verify(secret, signature, request.body, self._clock()):
            return error(400, "invalid_signature", "Gamify-Signature does not verify")
        with self._lock:
            if self._failures.get(name, 0) > 0:
                self._failures[name] -= 1
                return error(500, "failing_on_purpose", "the inbox was asked to fail")
            event = json.loads(request.body)
            box = self._boxes.setdefault(name, {})
            event_id = headers.get(EVENT_ID_HEADER.lower(), event.get("id"))
            seen = box.get(event_id)
            if seen is None:
                box[event_id] = {"event": event, "copies": 1, "signature_valid": True}
            else:
                seen["copies"] += 1
        return json_response(200, {"received": event_id})

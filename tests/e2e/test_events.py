"""Domain events on the local stack: a badge earned reaches the built-in receiver as a signed
``badge.earned``; an endpoint answering 500 three times gets the event on the 4th attempt; a
webhook at a private address is accepted only because this is the local stack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    # Retries a second apart instead of 30 s, 1 min, 2 min...: the schedule, shortened.
    return {"GAMIFY_WEBHOOK_RETRY_SCALE": "0.01"}


def _register(stack: StackProcess, name: str, types: list[str]) -> dict[str, Any]:
    url = f"{stack.api.client.base_url}/local/webhooks/inbox/{name}"
    body = {"url": url, "event_types": types, "description": "e2e"}
    return dict(ok(stack.api.as_user("ops:admin", "PUT", f"/v1/admin/webhooks/{name}", body)))


def _inbox(stack: StackProcess, name: str) -> list[dict[str, Any]]:
    answer = ok(stack.api.client.request("GET", f"/local/webhooks/inbox/{name}"))
    return list(answer["events"])


def test_a_badge_earned_reaches_the_local_receiver_signed(stack: StackProcess) -> None:
    created = _register(stack, "crm", ["badge.earned"])
    assert created["secret"].startswith("whsec_")
    again = ok(stack.api.as_user("ops:admin", "GET", "/v1/admin/webhooks/crm"))
    assert again["secret"] is None  # shown once

    ok(stack.api.report("newbie", "post_read", "post-1"))

    arrived = eventually(lambda: _inbox(stack, "crm"), what="badge.earned at the receiver")
    [entry] = [e for e in arrived if e["event"]["data"]["badge_id"] == "first-read"]
    assert entry["signature_valid"] is True
    event = entry["event"]
    assert (event["type"], event["user_id"], event["tenant"]) == ("badge.earned", "newbie", "local")
    assert {e["event"]["type"] for e in arrived} == {"badge.earned"}
    log = ok(stack.api.as_user("ops:admin", "GET", "/v1/admin/webhooks/crm/deliveries"))
    assert {d["status"] for d in log["deliveries"]} == {"delivered"}


def test_three_500s_then_the_fourth_attempt_delivers(stack: StackProcess) -> None:
    _register(stack, "flaky", ["xp.awarded"])
    ok(stack.api.client.request("POST", "/local/webhooks/inbox/flaky", query={"fail": "3"}))

    ok(stack.api.report("flaky-user", "post_read", "post-9"))

    [entry] = eventually(lambda: _inbox(stack, "flaky"), timeout=60, what="the 4th attempt")
    assert entry["event"]["data"]["source"] == "post_read#post-9"
    log = ok(stack.api.as_user("ops:admin", "GET", "/v1/admin/webhooks/flaky/deliveries"))
    attempts = sorted((d["attempt"], d["status"], d["response_code"]) for d in log["deliveries"])
    assert attempts == [
        (1, "retrying", 500),
        (2, "retrying", 500),
        (3, "retrying", 500),
        (4, "delivered", 200),
    ]


def test_a_test_ping_reaches_the_endpoint_signed(stack: StackProcess) -> None:
    _register(stack, "ping", ["badge.earned"])

    sent = ok(stack.api.as_user("ops:admin", "POST", "/v1/admin/webhooks/ping/test"))

    [entry] = eventually(lambda: _inbox(stack, "ping"), what="the webhook.test ping")
    assert entry["event"]["id"] == sent["event_id"]
    assert entry["event"]["type"] == "webhook.test"
    assert entry["event"]["data"] == {"webhook_id": "ping"}


def test_the_cli_adds_lists_and_shows_deliveries_and_tails_the_bus(stack: StackProcess) -> None:
    from tests.e2e.test_cli import gamify

    url = f"{stack.api.client.base_url}/local/webhooks/inbox/cli"
    added = gamify(stack, "webhooks", "add", "cli", url, "--types", "level.changed")
    assert "signing secret (shown once): whsec_" in added
    assert "cli" in gamify(stack, "webhooks", "list")

    ok(
        stack.api.report_many(
            "climber", [{"type": "post_read", "object_id": f"p{i}"} for i in range(10)]
        )
    )

    eventually(lambda: _inbox(stack, "cli"), what="level.changed at the receiver")
    assert "delivered" in gamify(stack, "webhooks", "deliveries", "cli")
    tail = gamify(stack, "events", "tail", "--once")
    assert "level.changed" in tail
    assert "climber" in tail


def test_a_streak_broken_arrives_once_as_streak_broken(stack: StackProcess) -> None:
    """Active two local days ago (back-dated inside the 48 h window), then today: yesterday was
    missed, so today's activity finds the streak broken and it leaves once."""
    _register(stack, "breaks", ["streak.broken"])
    now = datetime.now(UTC)  # the stack's own clock: activities are judged against it
    # A zone where it is about noon now, so 47 h 55 min ago is always two local days back.
    zone = ZoneInfo(f"Etc/GMT{now.hour - 12:+d}")  # POSIX sign: Etc/GMT-5 is UTC+5
    body = {"timezone": str(zone)}
    ok(stack.api.as_user("lapsed", "PUT", "/v1/me/settings", body))
    two_days_ago = (now - timedelta(hours=47, minutes=55)).astimezone(zone)
    ok(stack.api.report("lapsed", "post_read", "old-1", occurred_at=two_days_ago.isoformat()))
    eventually(lambda: stack.api.profile("lapsed")["xp"] > 0, what="the back-dated read")

    ok(stack.api.report("lapsed", "post_read", "new-1"))
    ok(stack.api.report("lapsed", "post_read", "new-2"))  # same day: no second break

    [entry] = eventually(lambda: _inbox(stack, "breaks"), what="streak.broken at the receiver")
    data = entry["event"]["data"]
    assert (data["last_day"], data["streak_days"]) == (two_days_ago.date().isoformat(), 1)
    assert entry["signature_valid"] is True
    eventually(lambda: stack.api.profile("lapsed")["xp"] >= 30, what="all three reads")
    assert len(_inbox(stack, "breaks")) == 1

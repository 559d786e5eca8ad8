"""The wallet on the local stack: gems earned by a badge and by a league promotion, a streak
freeze bought with them (held at once, the streak's deadline a day later), an external item
redeemed once per key whose ``reward.redeemed`` reaches a webhook receiver signed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from gamification.domain.periods import week_bounds
from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_WEBHOOK_RETRY_SCALE": "0.01"}


def _gems(stack: StackProcess, user: str) -> int:
    wallet = ok(stack.api.as_user(user, "GET", "/v1/me/wallet"))
    return int({b["currency"]: b["balance"] for b in wallet["balances"]}["gems"])


def _item(stack: StackProcess, item_id: str, body: dict[str, Any]) -> None:
    ok(stack.api.as_user("ops:admin", "PUT", f"/v1/admin/shop/items/{item_id}", body))


def test_earn_by_badge_and_promotion_buy_a_freeze_and_redeem_an_external_item(
    stack: StackProcess,
) -> None:
    api = stack.api
    inbox = f"{api.client.base_url}/local/webhooks/inbox/fulfil"
    hook = {"url": inbox, "event_types": ["reward.redeemed"], "description": "fulfilment"}
    ok(api.as_user("ops:admin", "PUT", "/v1/admin/webhooks/fulfil", hook))
    _item(
        stack,
        "streak-freeze",
        {
            "name": "Streak Freeze",
            "price": {"currency": "gems", "amount": 10},
            "fulfilment": "internal",
            "grants": "streak_freeze",
        },
    )
    _item(
        stack,
        "sticker-pack",
        {"name": "Sticker pack", "price": {"currency": "gems", "amount": 15}, "stock": 2},
    )

    ok(api.report("gem", "post_read", "post-1"))  # first-read badge: 5 gems
    eventually(lambda: _gems(stack, "gem") == 5, what="5 gems for the first badge")
    week = api.league_week("gem")
    monday = (week_bounds(week)[1] + timedelta(minutes=5)).isoformat()
    api.job("leagues", at=monday)  # alone in the cohort with XP: promoted to Silver, 20 gems
    assert api.profile("gem")["league"]["tier"]["name"] == "Silver"
    assert _gems(stack, "gem") == 25

    before = api.profile("gem")["streak"]
    bought = ok(
        api.as_user(
            "gem",
            "POST",
            "/v1/me/wallet/redeem",
            {"item_id": "streak-freeze", "idempotency_key": "freeze-order-1"},
        )
    )
    after = api.profile("gem")["streak"]
    assert (bought["balance"], before["freezes"], after["freezes"]) == (15, 0, 1)
    # A held freeze covers tomorrow if it is missed: the streak breaks a day later.
    assert datetime.fromisoformat(after["expires_at"]) == datetime.fromisoformat(
        before["expires_at"]
    ) + timedelta(days=1)

    order = {"item_id": "sticker-pack", "idempotency_key": "sticker-order-1"}
    first = ok(api.as_user("gem", "POST", "/v1/me/wallet/redeem", order))
    again = ok(api.as_user("gem", "POST", "/v1/me/wallet/redeem", order))
    assert first == again
    assert _gems(stack, "gem") == 0

    def delivered() -> list[dict[str, Any]]:
        answer = ok(api.client.request("GET", "/local/webhooks/inbox/fulfil"))
        return list(answer["events"])

    eventually(lambda: len(delivered()) == 2, what="reward.redeemed at the receiver")
    arrived = delivered()
    # One event per redeem (the repeated key made none): the freeze's says it is done.
    by_item = {e["event"]["data"]["item_id"]: e for e in arrived}
    assert by_item["streak-freeze"]["event"]["data"]["fulfilment"] == "internal"
    entry = by_item["sticker-pack"]
    assert entry["signature_valid"] is True
    assert entry["event"]["type"] == "reward.redeemed"
    assert entry["event"]["data"]["fulfilment"] == "external"
    assert entry["event"]["data"]["idempotency_key"] == "sticker-order-1"
    ledger = ok(api.as_user("gem", "GET", "/v1/me/wallet/ledger"))["entries"]
    assert [(e["kind"], e["amount"]) for e in ledger] == [
        ("redeem", -15),
        ("redeem", -10),
        ("league_promotion", 20),
        ("badge", 5),
    ]


def test_a_freeze_bought_on_a_missed_day_then_saves_the_streak(stack: StackProcess) -> None:
    """The stack runs on the machine's clock, so the day passes the way a traveller's does:
    active yesterday (reported late), nothing today at UTC-12, a freeze bought with gems today,
    then a flight to UTC+12 (the same instant is tomorrow there) and an activity: the freeze
    covers the missed day and the streak goes on. (With an injected clock on moto:
    tests/integration/pipeline/test_wallet_freeze.py.)"""
    api = stack.api
    _item(
        stack,
        "streak-freeze",
        {
            "name": "Streak Freeze",
            "price": {"currency": "gems", "amount": 10},
            "fulfilment": "internal",
            "grants": "streak_freeze",
        },
    )
    ok(api.as_user("saver", "PUT", "/v1/me/settings", {"timezone": "Etc/GMT+12"}))  # UTC-12
    grant = {"currency": "gems", "amount": 10, "reason": "welcome gift"}
    ok(api.as_user("ops:admin", "POST", "/v1/admin/users/saver/wallet/adjust", grant))
    [entry] = ok(api.as_user("saver", "GET", "/v1/me/wallet/ledger"))["entries"]
    now = datetime.fromisoformat(entry["at"])  # the stack's clock, not the test's
    yesterday = (now - timedelta(days=1)).isoformat()  # the same hour, one local day before
    ok(api.report("saver", "post_read", "post-1", occurred_at=yesterday))
    eventually(lambda: api.profile("saver")["streak"]["current"] == 1, what="yesterday applied")

    order = {"item_id": "streak-freeze", "idempotency_key": "saver-freeze-1"}
    ok(api.as_user("saver", "POST", "/v1/me/wallet/redeem", order))
    assert api.profile("saver")["streak"]["freezes"] == 1
    missed_day = (now - timedelta(hours=12)).date().isoformat()  # today at UTC-12, unplayed

    ok(api.as_user("saver", "PUT", "/v1/me/settings", {"timezone": "Etc/GMT-12"}))  # UTC+12
    ok(api.report("saver", "post_read", "post-2"))
    eventually(lambda: api.profile("saver")["streak"]["current"] == 2, what="the streak goes on")
    streak = api.profile("saver")["streak"]
    assert (streak["freezes"], streak["frozen_days"]) == (0, [missed_day])

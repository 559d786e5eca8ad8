"""Pending gems on the local stack and in ``<gamify-wallet>``: an admin gives gems a holding
period (``hold_days`` in the wallet rules, admin API); a badge's gems are then in the ledger with
their first spendable day, shown as pending, not spendable (a purchase is refused), and the
widget says when they become spendable. Their release needs the clock to move: that is shown on
the fakes and on moto with an injected clock (tests/services, tests/adapters/contracts). A
module of its own: the rules it saves would hold every other module's gems.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import launched_chromium, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually, ok

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

USER = "hazel"
ADMIN = "ops:admin"

playwright_api = playwright_or_skip(axe=False)
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium(playwright_api)


def _gems(stack: StackProcess) -> dict[str, Any]:
    wallet = ok(stack.api.as_user(USER, "GET", "/v1/me/wallet"))
    return dict({b["currency"]: b for b in wallet["balances"]}["gems"])


def test_badge_gems_held_two_days_are_pending_and_the_widget_says_until_when(
    stack: StackProcess, browser: Browser
) -> None:
    api = stack.api
    rules = ok(api.as_user(ADMIN, "GET", "/v1/admin/wallet/rules"))
    rules["currencies"] = [
        {**c, "hold_days": 2} if c["id"] == "gems" else c for c in rules["currencies"]
    ]
    ok(api.as_user(ADMIN, "PUT", "/v1/admin/wallet/rules", rules))
    freeze = {
        "name": "Streak Freeze",
        "price": {"currency": "gems", "amount": 5},
        "fulfilment": "internal",
        "grants": "streak_freeze",
    }
    ok(api.as_user(ADMIN, "PUT", "/v1/admin/shop/items/streak-freeze", freeze))
    ok(api.report(USER, "post_read", "post-1"))  # the first-read badge: 5 gems, held
    eventually(lambda: _gems(stack)["pending"] == 5, what="5 pending gems for the first badge")

    [entry] = ok(api.as_user(USER, "GET", "/v1/me/wallet/ledger"))["entries"]
    credited = datetime.fromisoformat(entry["at"]).astimezone(UTC).date()
    release = (credited + timedelta(days=2)).isoformat()  # from 00:00 UTC that day
    assert (entry["amount"], entry["balance"], entry["spendable_from"]) == (5, 5, release)
    assert (_gems(stack)["balance"], _gems(stack)["next_release"]) == (0, release)
    order = {"item_id": "streak-freeze", "quantity": 1, "idempotency_key": "hazel-order-1"}
    refused = api.as_user(USER, "POST", "/v1/me/wallet/redeem", order)
    assert refused.status == 409
    assert refused.body["error"]["code"] == "insufficient_funds"

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{stack.url}/?user={USER}&lang=en")
    gems = page.locator("gamify-wallet [part=balance][data-currency=gems]")
    expect(gems.locator(".amount")).to_have_text("0", timeout=20_000)
    day = datetime.fromisoformat(release).strftime("%b %-d, %Y")  # dateStyle "medium", en
    expect(gems.locator("[part=pending]")).to_have_text(f"+5 pending, spendable from {day}")
    assert errors == []
    context.close()

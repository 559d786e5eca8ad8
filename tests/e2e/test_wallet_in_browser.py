"""``<gamify-wallet>`` in real Chromium against the local stack: a user earns gems for a badge
(the shipped ``currencies.json``), sees the balance, buys a streak freeze (an item the admin API
puts in the shop), sees the balance drop, the ledger entry and the freeze in ``<gamify-streak>``;
a purchase beyond the balance shows the refusal. The first answer of the purchase is lost on the
way back (the server committed it): "Try again" sends the same idempotency key and is not
charged twice; a new click sends a new key. Once in German, dark, at 360 px; axe-core over the
demo page with the wallet in both. Same browser setup as ``test_widgets_in_browser.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import axe_serious, launched_chromium, new_page, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually, ok

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Route

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts/browser"
USER = "wren"
FREEZE = "streak-freeze"

playwright_api = playwright_or_skip(axe=True)
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium(playwright_api)


def _gems(stack: StackProcess) -> int:
    wallet = ok(stack.api.as_user(USER, "GET", "/v1/me/wallet"))
    return int({b["currency"]: b["balance"] for b in wallet["balances"]}["gems"])


@pytest.fixture(scope="module")
def shop(stack: StackProcess) -> None:
    """A freeze at 5 gems and a limited sticker pack; the user's first badge pays 5 gems."""
    admin = "ops:admin"
    freeze = {
        "name": "Streak Freeze",
        "description": "Covers one missed day.",
        "price": {"currency": "gems", "amount": 5},
        "fulfilment": "internal",
        "grants": "streak_freeze",
    }
    ok(stack.api.as_user(admin, "PUT", f"/v1/admin/shop/items/{FREEZE}", freeze))
    stickers = {
        "name": "Sticker pack",
        "price": {"currency": "gems", "amount": 15},
        "stock": 2,
        "per_user_limit": 1,
    }
    ok(stack.api.as_user(admin, "PUT", "/v1/admin/shop/items/sticker-pack", stickers))
    ok(stack.api.report(USER, "post_read", "post-1"))  # the first-read badge
    eventually(lambda: _gems(stack) == 5, what="5 gems for the first badge")


def _open(browser: Browser, stack: StackProcess, *, scheme: str, lang: str, width: int) -> Page:
    page = new_page(browser, scheme=scheme, width=width)
    page.goto(f"{stack.url}/?user={USER}&lang={lang}")
    return page


def _settled(result: Locator) -> None:
    """Wait for the result's fade-in to end: axe judges the contrast of what it sees now."""
    result.evaluate("e => Promise.all(e.getAnimations().map((a) => a.finished))")


def test_earn_see_buy_a_freeze_retry_with_the_same_key_and_be_refused(
    stack: StackProcess, browser: Browser, shop: None
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, stack, scheme="light", lang="en", width=1280)
    wallet = page.locator("gamify-wallet")
    gems = wallet.locator("[part=balance][data-currency=gems]")
    expect(gems).to_contain_text("Gems", timeout=20_000)
    expect(gems.locator(".amount")).to_have_text("5")
    expect(wallet.locator("[part=entry]").first).to_have_attribute("data-kind", "badge")
    expect(wallet.locator("[part=entry]").first).to_contain_text("+5 Gems")
    freeze = wallet.locator(f"[part=item][data-item={FREEZE}]")
    expect(freeze.locator("[part=price]")).to_have_text("5 Gems")
    expect(freeze).to_contain_text("Unlimited")
    stickers = wallet.locator("[part=item][data-item=sticker-pack]")
    expect(stickers).to_contain_text("Limited: 2 units in all")
    expect(stickers).to_contain_text("2 left")  # units_left: the sum of the stock's shards
    expect(stickers).to_contain_text("Once per person")
    assert axe_serious(page) == []

    # The first answer is lost after the server committed the purchase; later ones arrive.
    sent: list[dict[str, Any]] = []

    def redeem(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        response = route.fetch()
        if len(sent) == 1:
            assert response.status == 200
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/v1/me/wallet/redeem", redeem)
    buy = wallet.get_by_role("button", name="Buy Streak Freeze for 5 Gems")
    buy.focus()
    page.keyboard.press("Enter")  # keyboard only
    result = wallet.locator("[part~=result]")
    expect(result).to_have_attribute("data-result", "retry")
    wallet.get_by_role("button", name="Try again to buy Streak Freeze").focus()
    page.keyboard.press("Enter")
    bought = "Bought Streak Freeze for 5 Gems. Your balance: 0 Gems."
    expect(result).to_have_text(bought)
    expect(buy).to_be_focused()  # "Try again" is gone: the keyboard is back on Buy
    expect(wallet.locator("[role=status].live")).to_have_text(bought)
    assert len(sent) == 2
    assert sent[0]["idempotency_key"] == sent[1]["idempotency_key"]  # the retry kept the key
    assert (sent[0]["item_id"], sent[0]["quantity"]) == (FREEZE, 1)
    expect(gems.locator(".amount")).to_have_text("0")
    latest = wallet.locator("[part=entry]").first
    expect(latest).to_have_attribute("data-kind", "redeem")
    expect(latest).to_contain_text("Purchase: 1 x Streak Freeze")  # the note the server wrote
    expect(latest.locator(".change")).to_have_text("-5 Gems")
    expect(wallet.locator("[part=entry]")).to_have_count(2)
    assert _gems(stack) == 0  # charged once for two requests
    streak = page.locator("gamify-streak")
    expect(streak.locator("[part=freezes]")).to_have_text("1 streak freeze held")

    # A new click is a new purchase (a new key): beyond the balance, refused.
    buy.focus()
    page.keyboard.press("Enter")
    expect(result).to_have_attribute("data-result", "insufficient_funds")
    refused = "Not enough Gems for Streak Freeze: it costs 5 Gems."
    expect(result).to_have_text(refused)
    expect(result).to_have_css("animation-name", "gamify-fade-in")
    expect(wallet.locator("[role=status].live")).to_have_text(refused)
    assert len(sent) == 3
    assert sent[2]["idempotency_key"] != sent[0]["idempotency_key"]
    expect(buy).to_be_focused()  # the redraws kept the keyboard on the button
    _settled(result)
    assert axe_serious(page) == []
    wallet.screenshot(path=str(ARTIFACTS / "wallet-light-en-1280.png"))
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_german_dark_360px(stack: StackProcess, browser: Browser, shop: None) -> None:
    page = _open(browser, stack, scheme="dark", lang="de", width=360)
    wallet = page.locator("gamify-wallet")
    expect(wallet.locator("[part=title]")).to_have_text("Geldbörse", timeout=20_000)
    expect(wallet).to_have_css("background-color", "rgb(22, 27, 34)")  # the dark surface
    stickers = wallet.locator("[part=item][data-item=sticker-pack]")
    expect(stickers).to_contain_text("Limitiert: 2 Stück insgesamt")
    expect(stickers).to_contain_text("Noch 2 Stück")
    expect(stickers).to_contain_text("Einmal pro Person")
    expect(wallet.locator("[part=entry]").first).to_contain_text("Kauf: 1 x Streak Freeze")
    buy = wallet.get_by_role("button", name="Streak Freeze für 5 Gems kaufen")
    buy.click()
    result = wallet.locator("[part~=result]")
    expect(result).to_have_text("Nicht genug Gems für Streak Freeze: es kostet 5 Gems.")
    expect(result).to_have_css("animation-name", "none")  # prefers-reduced-motion: reduce
    _settled(result)
    assert axe_serious(page) == []
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll: {widths}"
    wallet.screenshot(path=str(ARTIFACTS / "wallet-dark-de-360.png"))
    # App code without the widget: GamifyClient's wallet methods read the same state.
    read = page.evaluate(
        """async () => {
          const { GamifyClient } = await import("/gamify.js");
          const client = new GamifyClient({ token: "dev:wren" });
          const [wallet, ledger, shop] = await Promise.all(
            [client.wallet(), client.ledger({ limit: 1 }), client.shop()]);
          return [wallet.balances.find((b) => b.currency === "gems").balance,
                  ledger.entries.map((e) => e.kind),
                  shop.items.some((i) => i.id === "streak-freeze")];
        }"""
    )
    assert read == [0, ["redeem"], True]
    # The language switch redraws the shown result in English too.
    page.locator("#lang-select").select_option("en")
    expect(result).to_have_text("Not enough Gems for Streak Freeze: it costs 5 Gems.")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


REFUSED = {  # the API's 409/400 answers (docs/api.md) -> what the widget says, in German
    "limit_reached": "Du kannst Sticker pack nur einmal kaufen.",
    "out_of_stock": "Sticker pack ist ausverkauft.",
    "freezes_full": "Du hast schon so viel Serienschutz, wie du halten kannst.",
    "not_on_sale": "Sticker pack ist gerade nicht erhältlich.",
    "idempotency_key_reused": "Sticker pack konnte nicht gekauft werden: used for another order",
}


def test_each_refusal_a_double_click_and_the_sale_window(
    stack: StackProcess, browser: Browser, shop: None
) -> None:
    """The refusals the local stack cannot easily produce on demand are answered by the page's
    route (the API's error shape); the sale window comes from real items."""
    now = datetime.now(UTC)
    admin = "ops:admin"
    soon = {
        "name": "Winter hat",
        "price": {"currency": "gems", "amount": 1},
        "available_from": (now + timedelta(days=2)).isoformat(),
    }
    ok(stack.api.as_user(admin, "PUT", "/v1/admin/shop/items/winter-hat", soon))
    page = _open(browser, stack, scheme="light", lang="de", width=1280)
    wallet = page.locator("gamify-wallet")
    hat = wallet.locator("[part=item][data-item=winter-hat]")
    expect(hat).to_contain_text("Erhältlich ab", timeout=20_000)
    expect(hat.locator("button.buy")).to_be_disabled()
    # Served by the page's route (the admin API sets no past end): an item whose window
    # closed is left out; one on sale until tomorrow shows its end.
    hat_out = ok(stack.api.as_user(admin, "GET", "/v1/admin/shop/items/winter-hat"))
    ended = {
        **hat_out,
        "id": "autumn-hat",
        "available_from": None,
        "available_until": (now - timedelta(hours=1)).isoformat(),
    }
    scarf = {
        **hat_out,
        "id": "scarf",
        "available_from": None,
        "available_until": (now + timedelta(days=1)).isoformat(),
    }

    def with_windows(route: Route) -> None:
        answer = route.fetch().json()
        route.fulfill(json={"items": [*answer["items"], ended, scarf]})

    page.route("**/v1/shop/items", with_windows)
    page.evaluate("import('/gamify.js').then((m) => m.refreshAll())")
    expect(wallet.locator("[part=item][data-item=scarf]")).to_contain_text("Erhältlich bis")
    expect(wallet.locator("[part=item][data-item=autumn-hat]")).to_have_count(0)
    expect(hat).to_be_visible()
    page.unroute("**/v1/shop/items")

    answers: list[str] = []

    def refuse(route: Route) -> None:
        code = answers.pop(0)
        status = 400 if code == "not_on_sale" else 409
        message = "used for another order" if code == "idempotency_key_reused" else code
        route.fulfill(status=status, json={"error": {"code": code, "message": message}})

    page.route("**/v1/me/wallet/redeem", refuse)
    buy = wallet.get_by_role("button", name="Sticker pack für 15 Gems kaufen")
    result = wallet.locator("[part~=result]")
    for code, said in REFUSED.items():
        answers.append(code)
        buy.click()
        expect(result).to_have_attribute("data-result", code)
        expect(result).to_have_text(said)
        expect(wallet.locator("[role=status].live")).to_have_text(said)
    assert answers == []

    # A double click is one purchase: the second click lands while the first is in flight.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    answers.append("out_of_stock")
    buy.dblclick()
    expect(result).to_have_text(REFUSED["out_of_stock"])
    assert sum(url.endswith("/v1/me/wallet/redeem") for url in requests) == 1

    # A 503 (busy) is not an answer: "Try again" keeps the key.
    page.unroute("**/v1/me/wallet/redeem")
    page.route(
        "**/v1/me/wallet/redeem",
        lambda route: route.fulfill(status=503, json={"error": {"code": "busy", "message": "b"}}),
    )
    buy.click()
    expect(result).to_have_attribute("data-result", "retry")
    expect(
        wallet.get_by_role("button", name="Kauf von Sticker pack erneut versuchen")
    ).to_be_visible()
    _settled(result)
    assert axe_serious(page) == []
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()

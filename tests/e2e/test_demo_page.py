"""The demo page in real Chromium against the local stack: sign in as a dev user, send activities
through the page, and watch the profile, badge grid, leaderboard and a toast update.

Chromium is Debian's package (``/usr/bin/chromium``, installed by ``.ci/run``): Playwright's own
browser download cannot work here. Screenshots land in ``test-artifacts/browser/`` (gitignored).
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.e2e.browser import launched_chromium, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually, ok

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
USER, RIVAL = "alice", "bob"

playwright_api = playwright_or_skip(axe=False)
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched_chromium(playwright_api)


def test_a_user_sees_profile_badges_board_and_a_toast_move(
    stack: StackProcess, browser: Browser
) -> None:
    api = stack.api
    # A rival with the same 10 XP as the user will have: the board shows a tie.
    ok(api.report(RIVAL, "post_read", "rival-post"))
    eventually(lambda: api.leaderboard()["total"] >= 1, what="the rival on the board")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    requested: list[str] = []
    conditional: list[str] = []
    statuses: list[tuple[str, int]] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on(
        "request",
        lambda r: conditional.append(r.url) if "if-none-match" in r.headers else None,
    )
    page.on("response", lambda r: statuses.append((r.url, r.status)))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{stack.url}/?user={USER}&poll=1")
    page.evaluate(
        """() => { window.unlocked = [];
          document.addEventListener("gamify:badge-unlocked", (e) => unlocked.push(e.detail.id));
        }"""
    )
    profile = page.locator("gamify-profile")
    expect(profile.locator("[part=level]")).to_have_text("Level 0")
    expect(profile.locator("[part=xp]")).to_contain_text("0 XP")
    grid = page.locator("gamify-badge-grid")
    expect(grid.locator("li[data-badge=first-read]")).to_have_class(re.compile(r"\blocked\b"))

    page.get_by_role("button", name="Read a post (10 XP)").click()
    expect(page.locator("#sent")).to_contain_text("Queued post_read")

    # Profile: XP, weekly XP and a one-day streak.
    expect(profile.locator("[part=xp]")).to_contain_text("10 XP · 90 XP to level 1", timeout=20_000)
    expect(profile.locator("[part=weekly]")).to_have_text("10 XP")
    expect(profile.locator("[part=streak]")).to_contain_text("1 day")
    # Badge grid: First Steps earned (with its date), Bookworm locked at 1/10.
    first = grid.locator("li[data-badge=first-read]")
    expect(first).to_have_class(re.compile(r"\bearned\b"))
    expect(first.locator(".state")).to_contain_text("Earned")
    assert page.evaluate("window.unlocked") == ["first-read"], "the unlock animation plays once"
    bookworm = grid.locator("li[data-badge=bookworm]")
    expect(bookworm).to_have_class(re.compile(r"\blocked\b"))
    expect(bookworm.locator(".state")).to_have_text("1/10")
    # A toast for the badge.
    toast = page.locator("gamify-notifications .toast")
    expect(toast.first).to_contain_text("Badge Unlocked: First Steps", timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "demo-after-first-read.png"), full_page=True)

    # Leaderboard: the user's row highlighted, tied with the rival at rank 1.
    board = page.locator("gamify-leaderboard[period=alltime]")
    mine = board.locator(f"tr[data-user={USER}]")
    expect(mine).to_have_attribute("aria-current", "true", timeout=20_000)
    expect(mine).to_have_class("me")
    expect(mine.locator(".rank")).to_have_text("1")
    expect(board.locator(f"tr[data-user={RIVAL}] .rank")).to_have_text("1")

    # The widget polls conditionally, and an unchanged board answers the browser a 304.
    eventually(
        lambda: any("/v1/leaderboard" in u for u in conditional),
        timeout=30,
        what="a conditional leaderboard poll",
    )
    unchanged = page.evaluate(
        """async () => {
          const headers = { Authorization: "Bearer dev:alice" };
          const url = "/v1/leaderboard?period=alltime";
          const first = await fetch(url, { headers, cache: "no-store" });
          const tag = first.headers.get("ETag");
          const again = await fetch(url, {
            headers: { ...headers, "If-None-Match": tag }, cache: "no-store" });
          return [first.status, again.status];
        }"""
    )
    assert unchanged == [200, 304]

    # Notifications: unread count, mark all read.
    notifications = page.locator("gamify-notifications")
    expect(notifications.locator(".count")).not_to_have_text("0")
    notifications.get_by_role("button", name="Mark all read").click()
    expect(notifications.locator(".count")).to_have_text("0")
    page.screenshot(path=str(ARTIFACTS / "demo.png"), full_page=True)
    context.close()

    assert errors == []
    hosts = {urlsplit(u).hostname for u in requested}
    assert hosts == {"127.0.0.1"}, f"a request left 127.0.0.1: {sorted(map(str, hosts))}"


def test_the_local_api_answers_browsers_from_other_origins(stack: StackProcess) -> None:
    """The local default allows any origin: preflight, answers and the gateway's own 401."""
    origin = {"Origin": "http://localhost:5173"}
    preflight = _raw(
        stack,
        "OPTIONS",
        "/v1/leaderboard",
        {
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,if-none-match",
        },
    )
    answer = _raw(stack, "GET", "/v1/leaderboard", {**origin, "Authorization": "Bearer dev:x"})
    refused = _raw(stack, "GET", "/v1/leaderboard", origin)

    assert preflight[0] == 204
    assert "if-none-match" in preflight[1]["access-control-allow-headers"].lower()
    assert answer[0] == 200
    assert answer[1]["access-control-allow-origin"] == "*"
    assert "ETag" in answer[1]["access-control-expose-headers"]
    assert refused[0] == 401
    assert refused[1]["access-control-allow-origin"] == "*"


def _raw(
    stack: StackProcess, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()

"""The control group in real Chromium against the local stack (issue #33): a user the stack
draws into the control group (share 0.5, a fixed salt; docs/analytics.md) opens the demo page
and sees no widget: every element empty, hidden and silent, no toast after an activity that
would earn a treatment user a badge, and no request beyond the one shared ``GET /v1/me`` (and
the activity). A treatment user's page shows the widgets and the badge's toast. When that
``GET /v1/me`` fails the widgets render as for treatment, and hide once a later lookup
answers ``control``. Same browser setup as ``test_widgets_in_browser.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from gamification.domain.experiments import ControlGroup, draw
from tests.e2e.browser import launched_chromium, new_page, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHARE, SALT = 0.5, "e2e-widgets-1"
WIDGETS = "#widgets > *"
ELEMENTS = 12  # the demo page's widgets (two leaderboards)

playwright_api = playwright_or_skip(axe=False)
expect = playwright_api.expect


def _user(group: str, prefix: str) -> str:
    """The first id ``<prefix>-<n>`` the stack draws into ``group``."""
    control = ControlGroup(share=SHARE, salt=SALT)
    return next(
        u for u in (f"{prefix}-{n}" for n in itertools.count()) if draw(u, control) == group
    )


CONTROL, TREATMENT, FAILED = (
    _user("control", "cleo"),
    _user("treatment", "tara"),
    _user("control", "cass"),
)


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_CONTROL_SHARE": str(SHARE), "GAMIFY_CONTROL_SALT": SALT}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium(playwright_api)


def _api_calls(page: Page) -> list[str]:
    """Every API request the page sends, as "METHOD /path" (filled in as they go)."""
    calls: list[str] = []

    def seen(request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/v1/"):
            calls.append(f"{request.method} {path}")

    page.on("request", seen)
    return calls


def _shadow_nodes(page: Page) -> list[int]:
    """How many nodes each widget's shadow root holds (a held-out one: 0, not even its live
    region)."""
    script = "(all) => all.map((e) => e.shadowRoot.childNodes.length)"
    return [int(n) for n in page.locator(WIDGETS).evaluate_all(script)]


def _read_a_post(page: Page, stack: StackProcess, user: str) -> None:
    """Through the page's button (demo.js then refreshes every widget 4 times in 4 s)."""
    page.get_by_role("button", name="Read a post (10 XP)").click()
    expect(page.locator("#sent")).to_contain_text("Queued post_read")
    eventually(lambda: stack.api.profile(user)["badge_count"] == 1, what=f"{user}'s first badge")


def test_a_control_user_sees_no_widget_no_toast_and_sends_one_lookup(
    stack: StackProcess, browser: Browser
) -> None:
    page = new_page(browser, scheme="light", width=1280)
    calls = _api_calls(page)
    page.goto(f"{stack.url}/?user={CONTROL}&poll=1")  # polling every second, were it on

    widgets = page.locator(WIDGETS)
    expect(widgets).to_have_count(ELEMENTS)
    for widget in widgets.all():
        expect(widget).to_have_attribute("data-experience", "control")
        expect(widget).to_be_hidden()
    expect(page.locator("#control-note")).to_be_visible()
    # A page rule that forces a display does not bring a held-out widget back.
    page.add_style_tag(content="#widgets > * { display: block !important; }")
    assert [w.bounding_box() for w in widgets.all()] == [None] * ELEMENTS
    assert _shadow_nodes(page) == [0] * ELEMENTS  # no content, no live region

    _read_a_post(page, stack, CONTROL)  # the badge a treatment user is toasted for
    page.wait_for_timeout(5_000)  # demo.js's refreshes (to 4 s) and five 1-second polls

    expect(page.locator("gamify-notifications .toast")).to_have_count(0)
    assert _shadow_nodes(page) == [0] * ELEMENTS
    assert calls == ["GET /v1/me", "POST /v1/activities"]
    assert page.errors == []  # type: ignore[attr-defined]

    # The page signs in a treatment user (configure() with their token): the widgets come back.
    page.evaluate(
        """async (user) => (await import("/gamify.js")).configure({ token: `dev:${user}` })""",
        TREATMENT,
    )
    profile = page.locator("gamify-profile")
    expect(profile).to_have_attribute("data-experience", "treatment")
    expect(profile.locator("[part=level]")).to_have_text("Level 0")
    expect(page.locator("gamify-league")).to_be_visible()
    page.context.close()


def test_a_treatment_user_sees_the_widgets_and_the_badge_toast(
    stack: StackProcess, browser: Browser
) -> None:
    page = new_page(browser, scheme="light", width=1280)
    calls = _api_calls(page)
    page.goto(f"{stack.url}/?user={TREATMENT}")

    profile = page.locator("gamify-profile")
    expect(profile.locator("[part=level]")).to_have_text("Level 0")
    widgets = page.locator(WIDGETS)
    for widget in widgets.all():
        expect(widget).to_have_attribute("data-experience", "treatment")
        expect(widget).to_be_visible()
    expect(page.locator("#control-note")).to_be_hidden()
    expect(page.locator("gamify-league [part=title]")).to_have_text("Bronze League")
    expect(page.locator("gamify-badge-grid li[data-badge=first-read]")).to_be_visible()
    # One lookup for the page, plus the profile's and the streak's own reads of /v1/me.
    assert calls.count("GET /v1/me") == 3

    _read_a_post(page, stack, TREATMENT)
    toast = page.locator("gamify-notifications .toast")
    expect(toast.first).to_contain_text("Badge Unlocked: First Steps", timeout=20_000)
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_failed_lookup_shows_the_widgets_until_one_answers_control(
    stack: StackProcess, browser: Browser
) -> None:
    """The decision (docs/widgets.md): a failed GET /v1/me must not blank everyone's widgets."""
    page = new_page(browser, scheme="light", width=1280)
    calls = _api_calls(page)
    busy = {"error": {"code": "busy", "message": "busy"}}
    page.route("**/v1/me", lambda route: route.fulfill(status=503, json=busy))
    page.goto(f"{stack.url}/?user={FAILED}")  # no ?poll: the default rates, none due in the test

    league = page.locator("gamify-league")
    expect(league.locator("[part=title]")).to_have_text("Bronze League")
    expect(page.locator("gamify-profile .error")).to_contain_text("busy")  # its own /v1/me
    expect(page.locator("gamify-streak .error")).to_contain_text("busy")
    assert league.get_attribute("data-experience") is None  # not known: shown as for treatment
    expect(page.locator("#control-note")).to_be_hidden()
    # The twelve widgets shared one failed lookup; the profile and the streak read /v1/me too.
    assert calls.count("GET /v1/me") == 3, calls

    page.unroute("**/v1/me")  # the API is back: a refresh after the retry window (5 s) asks again
    page.evaluate(
        """async () => {
          const { refreshAll } = await import("/gamify.js");
          setInterval(refreshAll, 500);
        }"""
    )
    for widget in page.locator(WIDGETS).all():
        expect(widget).to_have_attribute("data-experience", "control", timeout=15_000)
        expect(widget).to_be_hidden()
    assert _shadow_nodes(page) == [0] * ELEMENTS
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()

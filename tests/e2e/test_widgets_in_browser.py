"""The league, quests and streak widgets in real Chromium against the local stack, in both colour
schemes and both shipped languages: one page load per scheme (light + English at 1280 px, dark +
German + reduced motion at 360 px), axe-core over the whole page in each, and a keyboard-only
path. axe-core is the copy vendored in the ``axe-playwright-python`` wheel (nothing downloaded).

The stack accepts activities 300 h old, so the streak's history (seven days, a missed day a
freeze covers, today) is reported now. Screenshots land in ``test-artifacts/browser/`` (or, with
``GAMIFY_UPDATE_SCREENSHOTS=1``, in ``docs/screenshots/`` for the README).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gamification.domain.periods import week_bounds
from tests.e2e.browser import axe_serious, launched_chromium, new_page, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually, ok

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
# GAMIFY_UPDATE_SCREENSHOTS=1 writes the README's screenshots (docs/screenshots/) instead.
ARTIFACTS = ROOT / (
    "docs/screenshots" if os.environ.get("GAMIFY_UPDATE_SCREENSHOTS") else "test-artifacts/browser"
)
USER = "mia"
RIVALS = {"ren": 20, "sam": 3, "tom": 1}  # posts read today: ren tops the cohort

playwright_api = playwright_or_skip(axe=True)
expect = playwright_api.expect


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": "300"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium(playwright_api)


RULES = """async () => {
  const { weekStates, streakMood } = await import("/gamify/streak.js");
  const { translator } = await import("/gamify/i18n.js");
  const week = (current, active_today, frozen_days, today) =>
    weekStates({ current, active_today, frozen_days }, today).map((d) => d.state).join(" ");
  const de = translator("de-AT");
  return {
    twoDaysNotToday: week(2, false, [], "2026-12-03"),
    broken: week(0, false, [], "2026-12-03"),
    coveredWednesday: week(3, true, ["2026-12-02"], "2026-12-03"),
    monday: week(5, true, ["2026-11-28"], "2026-11-30"),
    german: [de("days", { count: 1 }), de("days", { count: 2 }),
             translator("de")("questProgress", { current: 1200, target: 5000 })],
    moods: [[true, 3, "2026-12-04T00:00Z"], [false, 3, "2026-12-04T00:00Z"],
            [false, 3, "2026-12-03T20:00Z"], [false, 0, null]].map(
      ([active_today, current, expires_at]) =>
        streakMood({ active_today, current, expires_at }, Date.parse("2026-12-03T15:00Z"))),
    english: [translator("en")("freezesHeld", { count: 0 }),
              translator("xx")("freezesHeld", { count: 2 })],
  };
}"""
"""The streak calendar's and the catalogue's rules on fixed dates, run in the page."""


def _noon(day: date) -> str:
    return datetime.combine(day, time(12), tzinfo=UTC).isoformat()


@pytest.fixture(scope="module")
def today(stack: StackProcess) -> date:
    """A week of play: quests, mia's streak with a covered day, and a league cohort."""
    api = stack.api
    now = datetime.now(UTC)
    quests = {  # id: (name, posts, starts in hours): two running, one tomorrow
        "quick-read": ("Quick Read", 1, -1),
        "daily-reader": ("Daily Reader", 3, -1),
        "weekend-sprint": ("Weekend Sprint", 5, 24),
    }
    for quest_id, (name, count, starts) in quests.items():
        quest = {
            "name": name,
            "description": f"Read {count} post{'s' if count > 1 else ''}.",
            "starts_at": (now + timedelta(hours=starts)).isoformat(),
            "ends_at": (now + timedelta(days=2, hours=max(starts, 0))).isoformat(),
            "criteria": {"type": "posts_read", "count": count},
            "reward_xp": 20 * count,
        }
        created = api.as_user("root:admin", "PUT", f"/v1/admin/quests/{quest_id}", quest)
        assert created.status == 201, created.body

    # Seven active days (8..2 days ago) earn a freeze, yesterday is missed, today is active.
    day = now.date()
    history = [
        {"type": "post_read", "object_id": f"day-{d}", "occurred_at": _noon(day - timedelta(d))}
        for d in range(8, 1, -1)
    ]
    assert ok(api.report_many(USER, history))["accepted"] == 7
    # The freeze earned on day 7 already shows as covering yesterday.
    yesterday = (day - timedelta(days=1)).isoformat()
    eventually(
        lambda: api.profile(USER)["streak"]["frozen_days"] == [yesterday], what="a covered day"
    )
    ok(api.as_user(USER, "PUT", "/v1/me/settings", {"display_name": "Mia"}))
    freeze = {  # the wallet's shop (docs/wallet.md); mia's badges pay the gems
        "name": "Streak Freeze",
        "description": "Covers one missed day.",
        "price": {"currency": "gems", "amount": 10},
        "per_user_limit": 2,
        "fulfilment": "internal",
        "grants": "streak_freeze",
    }
    ok(api.as_user("root:admin", "PUT", "/v1/admin/shop/items/streak-freeze", freeze))
    ok(api.report(USER, "post_read", "today"))
    for rival, reads in RIVALS.items():
        reads_today = [{"type": "post_read", "object_id": f"r{i}"} for i in range(reads)]
        ok(api.report_many(rival, reads_today))
    eventually(lambda: api.profile(USER)["streak"]["current"] == 8, what="an 8-day streak")

    def cohort() -> int:
        body = ok(api.as_user(USER, "GET", "/v1/me/league"))
        return len(body["entries"])

    eventually(lambda: cohort() == 4, what="mia and three rivals in one cohort")
    for followed in ("ren", "sam"):  # mia's friend board: her, ren and sam (not tom)
        ok(api.as_user(USER, "PUT", f"/v1/me/following/{followed}"))
        ok(api.as_user(followed, "PUT", f"/v1/me/following/{USER}"))  # friends: mutual
    ok(api.as_user("ren", "PUT", f"/v1/me/friend-streaks/{USER}"))  # ren invites mia
    ok(api.as_user(USER, "PUT", "/v1/me/friend-streaks/sam"))  # mia invites sam
    api.job("reconciler")
    api.wait_idle()
    return day


def _expected_week(today: date) -> dict[str, str]:
    """This ISO week as the streak calendar must show it: yesterday covered, the rest active."""
    monday = today - timedelta(days=today.weekday())
    states = {}
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day > today:
            states[day.isoformat()] = "future"
        elif day == today - timedelta(days=1):
            states[day.isoformat()] = "frozen"
        else:
            states[day.isoformat()] = "active"
    return states


def _open(browser: Browser, stack: StackProcess, *, scheme: str, lang: str, width: int) -> Page:
    page = new_page(browser, scheme=scheme, width=width)
    # Dark loads without ?poll: what it shows comes from the first loads and refreshAll(), not
    # from a poll papering over a refresh lost while another ran.
    poll = "&poll=1" if scheme == "light" else ""
    page.goto(f"{stack.url}/?user={USER}{poll}&lang={lang}")
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    return page


def _badge_names_unbroken(page: Page) -> None:
    """A one-word badge name ("Conversationalist") stays on one line: never cut or split."""
    split = page.locator("gamify-badge-grid .name").evaluate_all(
        r"""names => names.filter((e) => !/\s/.test(e.textContent.trim())).filter((e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1
            || e.scrollWidth > e.clientWidth;
        }).map((e) => e.textContent)"""
    )
    assert split == []


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll: {widths}"


def test_light_english_league_quests_streak_axe_and_keyboard(
    stack: StackProcess, browser: Browser, today: date
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, stack, scheme="light", lang="en", width=1280)

    streak = page.locator("gamify-streak")
    expect(streak.locator("[part=count]")).to_have_text("8-day streak", timeout=20_000)
    expect(streak.locator("[part=status]")).to_have_text("Done for today. Come back tomorrow!")
    days = streak.locator("li[data-day]")
    expect(days).to_have_count(7)
    shown = {d.get_attribute("data-day"): d.get_attribute("data-state") for d in days.all()}
    assert shown == _expected_week(today)
    expect(streak.locator("[part=freezes]")).to_have_text("No streak freezes held")
    flame = streak.locator("svg.flame")
    expect(flame).to_have_css("animation-name", "gamify-flicker")
    expect(streak).to_have_css("background-color", "rgb(255, 255, 255)")  # the light surface

    league = page.locator("gamify-league")
    expect(league.locator("[part=title]")).to_have_text("Bronze League")
    expect(league.locator("[part=countdown]")).to_contain_text(re.compile(r"Closes (in|tomorrow)"))
    expect(league.locator("tr[data-user]")).to_have_count(4)
    expect(league.locator("tr[data-user=ren]")).to_have_attribute("data-zone", "up")
    mine = league.locator(f"tr[data-user={USER}]")
    expect(mine).to_have_attribute("aria-current", "true")
    expect(mine).to_contain_text("Mia (you)")
    expect(league.locator(".legend")).to_contain_text("Top 1: promoted to the next league")
    expect(league.locator("[part=last-result]")).to_have_text("No result from last week yet.")

    quests = page.locator("gamify-quests")
    quick = quests.locator("li[data-quest=quick-read]")
    expect(quick).to_have_attribute("data-state", "completed")
    expect(quick).to_contain_text("Completed")
    reader = quests.locator("li[data-quest=daily-reader]")
    expect(reader).to_have_attribute("data-state", "active")
    expect(reader.locator(".progress")).to_have_text("1 of 3")
    expect(reader.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "1")
    expect(reader.locator("time")).to_contain_text(re.compile(r"Ends in (2 days|\d+ hours)"))
    sprint = quests.locator("li[data-quest=weekend-sprint]")
    expect(sprint).to_have_attribute("data-state", "upcoming")
    expect(sprint.locator("time")).to_have_text(re.compile(r"Starts (tomorrow|in \d+ hours)"))
    expect(sprint.locator(".progress")).to_have_text("0 of 5")
    expect(quests.locator("[part=summary]")).to_have_text("1 of 3 completed")

    wallet = page.locator("gamify-wallet")  # its purchases: test_wallet_in_browser.py
    expect(wallet.locator("[part=item][data-item=streak-freeze] [part=price]")).to_have_text(
        "10 Gems"
    )
    expect(wallet.locator("[part=item][data-item=streak-freeze]")).to_contain_text(
        "Up to 2 per person"
    )

    friends = page.locator("gamify-friends-board")
    expect(friends.locator("caption")).to_have_text(re.compile(r"^Friends: This week \("))
    expect(friends.locator("tr[data-user]")).to_have_count(3)
    expect(friends.locator("tr[data-user=ren] .rank")).to_have_text("1")
    expect(friends.locator(f"tr[data-user={USER}]")).to_have_attribute("aria-current", "true")

    # Friend streaks: ren's invitation accepted from the keyboard; mia's to sam still open.
    pairs = page.locator("gamify-friend-streaks")
    expect(pairs.locator("li[data-user=sam]")).to_have_attribute("data-status", "invited")
    expect(pairs.locator("li[data-user=sam] button")).to_have_text("Withdraw")
    accept = pairs.get_by_role("button", name="Accept ren's friend streak")
    accept.focus()
    page.keyboard.press("Enter")
    expect(pairs.locator("li[data-user=ren]")).to_have_attribute("data-status", "active")
    expect(pairs.locator("li[data-user=ren] .state")).to_contain_text("together")

    # The calendar's and the catalogue's rules on fixed dates (Thursday 2026-12-03, Monday 11-30).
    rules = page.evaluate(RULES)
    assert rules == {
        "twoDaysNotToday": "missed active active today future future future",
        "broken": "missed missed missed today future future future",
        "coveredWednesday": "active active frozen active future future future",
        "monday": "active future future future future future future",
        "german": ["1 Tag", "2 Tage", "1.200 von 5.000"],
        "english": ["No streak freezes held", "2 streak freezes held"],
        "moods": ["doneToday", "expiresAt", "expiresSoon", "startToday"],
    }

    # The typed client app code uses without a widget: the same answers.
    read = page.evaluate(
        """async () => {
          const { GamifyClient } = await import("/gamify.js");
          const client = new GamifyClient({ token: "dev:mia" });
          const [league, quests] = await Promise.all([client.league(), client.quests()]);
          return [league.me.user_id, quests.quests.map((q) => q.id).sort()];
        }"""
    )
    assert read == [USER, ["daily-reader", "quick-read", "weekend-sprint"]]

    badge = page.locator("gamify-badge-grid li[data-badge=first-read] img.icon")
    expect(badge).to_have_attribute("src", re.compile(r"/icons/first-read\.svg$"))
    expect(badge).to_have_js_property("naturalWidth", 64)  # the SVG loaded (a poll redraws it)

    # Keyboard only: tab from the top to "Read a post", send it with Enter, then reach the
    # notifications toggle and close it with Space.
    page.keyboard.press("Tab")
    for _ in range(12):
        if page.evaluate("document.activeElement?.dataset?.type") == "post_read":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#sent")).to_contain_text("Queued post_read")
    toggle = page.locator("gamify-notifications button.toggle")
    for _ in range(30):
        if toggle.evaluate("b => b.getRootNode().activeElement === b"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")

    assert axe_serious(page) == []
    _no_horizontal_scroll(page)
    _badge_names_unbroken(page)
    page.screenshot(path=str(ARTIFACTS / "widgets-light-en-1280.png"), full_page=True)

    # Theming: a page's custom property and ::part() rule reach inside the shadow roots.
    page.add_style_tag(
        content="gamify-streak { --gamify-flame: rgb(1, 2, 3); }"
        " gamify-league::part(title) { text-transform: uppercase; }"
    )
    expect(flame).to_have_css("color", "rgb(1, 2, 3)")
    # A page with its own dark toggle forces the scheme, whatever the system's.
    page.add_style_tag(content="gamify-quests { --gamify-color-scheme: dark; }")
    expect(page.locator("gamify-quests")).to_have_css("background-color", "rgb(22, 27, 34)")
    expect(league.locator("[part=title]")).to_have_css("text-transform", "uppercase")

    # The demo's theme switch forces dark on the page and every widget, under a light system.
    page.locator("#theme-select").select_option("dark")
    expect(page.locator("body")).to_have_css("background-color", "rgb(13, 17, 23)")
    expect(page.locator("gamify-league")).to_have_css("background-color", "rgb(22, 27, 34)")

    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_dark_german_reduced_motion_at_360px(
    stack: StackProcess, browser: Browser, today: date
) -> None:
    page = _open(browser, stack, scheme="dark", lang="de", width=360)

    streak = page.locator("gamify-streak")
    expect(streak.locator("[part=count]")).to_have_text("8 Tage in Folge", timeout=20_000)
    frozen = streak.locator(f"li[data-day='{(today - timedelta(days=1)).isoformat()}']")
    if today.weekday() > 0:  # on a Monday yesterday belongs to last week's calendar
        expect(frozen).to_have_attribute("aria-label", re.compile("durch Serienschutz gedeckt$"))
    flame = streak.locator("svg.flame")
    expect(flame).to_have_css("animation-name", "none")
    expect(streak).to_have_css("background-color", "rgb(22, 27, 34)")  # the dark surface

    league = page.locator("gamify-league")
    expect(league.locator("[part=title]")).to_have_text("Bronze-Liga")
    expect(league.locator("[part=countdown]")).to_contain_text("Endet")
    quests = page.locator("gamify-quests")
    expect(quests.locator("[part=title]")).to_have_text("Aufgaben")
    expect(quests.locator("li[data-quest=daily-reader] .progress")).to_have_text(
        re.compile(r"^[12] von 3$")  # the first test's keyboard path read one more post
    )
    profile = page.locator("gamify-profile")
    expect(profile.locator("[part=level]")).to_have_text(re.compile(r"^Stufe \d+$"))
    expect(page.locator("gamify-leaderboard[period=alltime] caption")).to_have_text(
        "Bestenliste: Gesamt"
    )
    expect(page.locator("gamify-friends-board caption")).to_contain_text("Freunde: Diese Woche")
    expect(page.locator("gamify-wallet [part=title]")).to_have_text("Geldbörse")
    pairs = page.locator("gamify-friend-streaks")
    expect(pairs.locator("li[data-user=ren] .state")).to_contain_text("gemeinsam")
    expect(pairs.locator("li[data-user=sam] .state")).to_have_text("Einladung gesendet")

    assert axe_serious(page) == []
    _no_horizontal_scroll(page)
    _badge_names_unbroken(page)
    page.screenshot(path=str(ARTIFACTS / "widgets-dark-de-360.png"), full_page=True)

    # Bronze has no demotion zone and a real Silver cohort needs a second week: the zones of
    # one are drawn from a Silver answer (the API's own shape) served to this page only.
    silver = {
        **ok(stack.api.as_user(USER, "GET", "/v1/me/league")),
        "tier": {"index": 1, "name": "Silber"},
        "joined": True,
        "entries": [
            {"rank": r, "user_id": u, "display_name": None, "weekly_xp": 50 - 10 * r}
            for r, u in enumerate([USER, "ren", "sam", "tom"], start=1)
        ],
        "zones": {"promotion_up_to_rank": 1, "demotion_from_rank": 4},
    }
    silver["me"] = silver["entries"][0]
    page.route("**/v1/me/league", lambda route: route.fulfill(json=silver))
    page.evaluate("import('/gamify.js').then((m) => m.refreshAll())")
    expect(league.locator("tr[data-user=tom]")).to_have_attribute("data-zone", "down")
    boundaries = league.locator("tr.boundary")  # a dashed line where a zone begins or ends
    expect(boundaries).to_have_count(2)
    assert [b.get_attribute("data-user") for b in boundaries.all()] == [USER, "sam"]
    expect(league.locator("tr[data-user=tom] .rank")).to_contain_text("Abstiegszone")
    expect(league.locator(".legend")).to_contain_text("Ab Platz 4: Abstieg")
    # mia moved from rank 2 to 1: said once through the widget's polite live region.
    expect(league.locator("[role=status].live")).to_have_text(
        "Du bist jetzt auf Rang 1 deiner Liga."
    )

    # A full cohort of 30 scrolls inside the card, centred on your row (20th), keyboard-reachable.
    full = {
        **silver,
        "entries": [
            {
                "rank": r,
                "user_id": USER if r == 20 else f"p{r}",
                "display_name": None,
                "weekly_xp": 400 - 10 * r,
            }
            for r in range(1, 31)
        ],
        "zones": {"promotion_up_to_rank": 6, "demotion_from_rank": 25},
    }
    full["me"] = full["entries"][19]
    page.unroute("**/v1/me/league")
    page.route("**/v1/me/league", lambda route: route.fulfill(json=full))
    page.evaluate("import('/gamify.js').then((m) => m.refreshAll())")
    expect(league.locator("[role=status].live")).to_have_text(
        "Du bist jetzt auf Rang 20 deiner Liga."
    )
    scroller = league.locator(".scroller")
    expect(scroller).to_have_attribute("tabindex", "0")
    inside = """e => { const row = e.querySelector("tr.me").getBoundingClientRect();
      const box = e.getBoundingClientRect();
      return e.scrollTop > 0 && row.top >= box.top && row.bottom <= box.bottom; }"""
    page.wait_for_function(
        f"() => ({inside})(document.querySelector('gamify-league').shadowRoot"
        ".querySelector('.scroller'))"
    )
    page.unroute("**/v1/me/league")

    # The week closes (the job as of next Monday): the widget shows last week's result.
    monday = week_bounds(stack.api.league_week(USER))[1] + timedelta(minutes=5)
    stack.api.job("leagues", at=monday.isoformat())
    page.evaluate("import('/gamify.js').then((m) => m.refreshAll())")
    result = league.locator("[part=last-result]")
    expect(result).to_have_attribute("data-movement", "stayed", timeout=20_000)
    expect(result).to_contain_text("In der Bronze-Liga geblieben.")
    assert axe_serious(page) == []  # the result's own colours, dark

    # The language switch redraws every widget in English, without a reload.
    page.locator("#lang-select").select_option("en")
    expect(league.locator("[part=title]")).to_have_text("Bronze League")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()

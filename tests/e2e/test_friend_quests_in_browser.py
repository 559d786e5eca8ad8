"""Friend and team quests in the widgets, in real Chromium against the local stack.

``<gamify-quests>``: a friend quest (``mode: "pair"``) offers the user's mutual friends in a
select; a friend who stopped following back and one already paired elsewhere are refused
(the API's ``not_friends`` and ``already_paired``, shown as text); the pairing made shows the
partner and the pair's progress (the sum of both counts); End pairing leaves it. The requests
of one load are counted. ``<gamify-team-quests>``: the team's progress, your count, the
contributors and your payment. English (light, axe-core with the picker open), then German
(dark, 360 px, axe-core). Same browser setup as ``test_widgets_in_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import axe_serious, launched_chromium, new_page, playwright_or_skip
from tests.e2e.stack import StackProcess, eventually, ok

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts/browser"
USER = "fay"
PAIR = "read-together"
TEAM_QUEST = "crew-reads"

playwright_api = playwright_or_skip(axe=True)
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium(playwright_api)


@pytest.fixture(scope="module")
def world(stack: StackProcess) -> None:
    """Fay follows and is followed by Gus and Hal; Hal is paired with Jo for the friend quest.
    Fay and Gus are in team Crew: Fay reads 1 post, Gus 2, which completes the team quest."""
    api = stack.api
    admin = "root:admin"
    now = datetime.now(UTC)
    window = {
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    pair = {
        "name": "Read Together",
        "description": "Read 5 posts between the two of you.",
        "criteria": {"type": "posts_read", "count": 5},
        "reward_xp": 40,
        "mode": "pair",
        **window,
    }
    team = {
        "name": "Crew Reads",
        "description": "Three posts as a team.",
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 30,
        "mode": "team",
        **window,
    }
    ok(api.as_user(admin, "PUT", f"/v1/admin/quests/{PAIR}", pair))
    ok(api.as_user(admin, "PUT", f"/v1/admin/quests/{TEAM_QUEST}", team))
    ok(api.as_user(admin, "PUT", "/v1/admin/teams/crew", {"name": "Crew"}))
    for user in ("fay", "gus", "hal", "jo"):
        ok(api.as_user(user, "PUT", "/v1/me/settings", {"display_name": user.title()}))
    for a, b in (("fay", "gus"), ("fay", "hal"), ("hal", "jo")):
        ok(api.as_user(a, "PUT", f"/v1/me/following/{b}"))
        ok(api.as_user(b, "PUT", f"/v1/me/following/{a}"))
    ok(api.as_user("hal", "PUT", f"/v1/me/quests/{PAIR}/partner/jo"))
    for user in ("fay", "gus"):
        ok(api.as_user(user, "POST", "/v1/teams/crew/join"))
    ok(api.report("fay", "post_read", "f-1"))
    ok(api.report_many("gus", [{"type": "post_read", "object_id": f"g-{i}"} for i in (1, 2)]))

    def team_done() -> bool:
        (seen,) = ok(api.as_user("fay", "GET", "/v1/teams/crew/quests"))["quests"]
        return bool(seen["completed"] and seen["you_were_paid"])

    eventually(team_done, what="the team quest completed and paid")
    api.wait_idle()


def _open(browser: Browser, stack: StackProcess, *, scheme: str, lang: str, width: int) -> Page:
    page = new_page(browser, scheme=scheme, width=width)
    page.goto(f"{stack.url}/?user={USER}&lang={lang}")
    return page


def test_pick_a_partner_be_refused_pair_and_leave(
    stack: StackProcess, browser: Browser, world: None
) -> None:
    api = stack.api
    page = _open(browser, stack, scheme="light", lang="en", width=1280)
    quests = page.locator("gamify-quests")
    quest = quests.locator(f"li[data-quest={PAIR}]")
    expect(quest.locator("[part~=unpaired]")).to_contain_text(
        "A friend quest: do it with a mutual friend.", timeout=20_000
    )
    expect(quest.locator(".progress")).to_have_text("1 of 5")  # yours alone while unpaired
    in_list = quests.locator(f"li[data-quest={TEAM_QUEST}]")
    expect(in_list).to_contain_text("A team quest")
    expect(in_list.locator(".progress")).to_have_text("You: 1")  # no bar of the team's target
    expect(in_list.get_by_role("progressbar")).to_have_count(0)

    quest.get_by_role("button", name="Choose a partner for Read Together").click()
    select = quest.get_by_label("Partner", exact=True)
    expect(select).to_be_focused()
    expect(select.locator("option")).to_have_text(["Gus", "Hal"])  # the mutual friends
    assert axe_serious(page) == []

    result = quest.locator("[part~=result]")
    pair_up = quest.get_by_role("button", name="Pair up for Read Together with the chosen friend")
    ok(api.as_user("gus", "DELETE", "/v1/me/following/fay"))  # no longer mutual
    select.select_option("gus")
    pair_up.click()
    refused = "Gus and you must follow each other to pair up."
    expect(result).to_have_text(refused)
    expect(pair_up).to_be_focused()  # the redraw kept the keyboard on the button
    expect(result).to_have_attribute("part", "result refused")
    expect(quests.locator("[role=status].live")).to_have_text(refused)
    select.select_option("hal")  # paired with Jo
    pair_up.click()
    expect(result).to_have_text("You or Hal already have a partner for Read Together.")

    ok(api.as_user("gus", "PUT", "/v1/me/following/fay"))
    select.select_option("gus")
    pair_up.click()
    expect(result).to_have_text("You do Read Together with Gus now.")
    end = quest.get_by_role("button", name="End the pairing with Gus on Read Together")
    expect(end).to_be_focused()  # the keyboard moved to the control that replaced Pair up
    paired = quest.locator("[part~=paired]")
    expect(paired).to_have_attribute("data-partner", "gus")
    expect(paired).to_contain_text("With Gus")
    expect(paired).to_contain_text("1 of them yours")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    quests.screenshot(path=str(ARTIFACTS / "friend-quest-light-en-1280.png"))
    expect(quest.locator(".progress")).to_have_text("3 of 5")  # the pair's: 1 + 2
    expect(quest.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "3")

    # One load of the widget: the listing and one GET .../partner per friend quest (here 1).
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(f"{r.method} {r.url.split(stack.url)[-1]}")
            if "/v1/me/quests" in r.url or "/v1/me/following" in r.url
            else None
        ),
    )
    with page.expect_response(f"**/v1/me/quests/{PAIR}/partner"):
        page.evaluate("document.dispatchEvent(new CustomEvent('gamify:refresh'))")
    page.wait_for_timeout(300)  # anything later would belong to this load too
    assert sorted(sent) == ["GET /v1/me/quests", f"GET /v1/me/quests/{PAIR}/partner"]

    end.press("Enter")  # keyboard only
    expect(result).to_have_text("You left the pairing with Gus on Read Together.")
    expect(quest.get_by_role("button", name="Choose a partner for Read Together")).to_be_focused()
    expect(quest.locator("[part~=unpaired]")).to_be_visible()
    expect(quest.locator(".progress")).to_have_text("1 of 5")
    assert ok(api.as_user("gus", "GET", f"/v1/me/quests/{PAIR}/partner"))["partner"] is None
    from_client = page.evaluate(
        """async () => {
          const { GamifyClient } = await import("./gamify.js");
          const client = new GamifyClient({ token: "dev:fay" });
          return [(await client.partner("read-together")).count,
                  (await client.teamQuests("crew")).quests[0].your_count];
        }"""
    )
    assert from_client == [1, 1]  # GamifyClient's hooks for app code

    team = page.locator("gamify-team-quests")
    expect(team.locator("[part=title]")).to_have_text("Team quests: Crew")
    item = team.locator(f"li[data-quest={TEAM_QUEST}]")
    expect(item).to_have_attribute("data-state", "completed")
    expect(item.locator(".progress")).to_have_text("Team: 3 of 3")
    expect(item.locator(".yours")).to_have_text("You: 1")
    expect(item).to_contain_text("2 contributors")
    expect(item.locator("[part=paid]")).to_have_text("You were paid +30 XP")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_german_dark_360px(stack: StackProcess, browser: Browser, world: None) -> None:
    page = _open(browser, stack, scheme="dark", lang="de", width=360)
    quest = page.locator(f"gamify-quests li[data-quest={PAIR}]")
    expect(quest.get_by_role("button", name="Partner für Read Together wählen")).to_be_visible(
        timeout=20_000
    )
    team = page.locator("gamify-team-quests")
    expect(team.locator("[part=title]")).to_have_text("Teamaufgaben: Crew")
    expect(team).to_have_css("background-color", "rgb(22, 27, 34)")  # the dark surface
    item = team.locator(f"li[data-quest={TEAM_QUEST}]")
    expect(item.locator(".progress")).to_have_text("Team: 3 von 3")
    expect(item).to_contain_text("2 Personen haben beigetragen")
    expect(item.locator("[part=paid]")).to_have_text("Du hast +30 XP erhalten")
    assert axe_serious(page) == []
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths  # no horizontal scroll at 360 px
    quest.get_by_role("button", name="Partner für Read Together wählen").click()
    expect(quest.get_by_label("Partner", exact=True)).to_be_focused()
    page.locator("gamify-quests").screenshot(path=str(ARTIFACTS / "friend-quest-dark-de-360.png"))
    team.screenshot(path=str(ARTIFACTS / "team-quests-dark-de-360.png"))
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()

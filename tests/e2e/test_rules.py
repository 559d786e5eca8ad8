"""The second criteria language on ``make local`` (issue #32, docs/rules.md): a category badge,
a "5 in 7 days" badge and a 3-tier badge saved by an admin and earned through reported
activities, and a dry run that reports the qualifying users and sends no notification. (The
credential verified against the JWKS is in ``test_journey``.)

The badges are saved before any activity reaches this module's stack, so the consumer's first
catalog read already holds them (it keeps a catalog for up to a minute).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

ADMIN = "root:admin"
BADGES: dict[str, dict[str, Any]] = {
    "pythonista": {
        "name": "Pythonista",
        "description": "Read 2 Python posts.",
        "icon": "icons/python.svg",
        "criteria": {"type": "posts_read", "count": 2, "where": {"category": "python"}},
    },
    "busy-week": {
        "name": "Busy Week",
        "description": "Read 5 posts within 7 days.",
        "icon": "icons/week.svg",
        "criteria": {"type": "count_in_window", "event_type": "post_read", "count": 5, "days": 7},
    },
    "closer": {
        "name": "Closer",
        "description": "Finish posts to the end.",
        "icon": "icons/closer.svg",
        "criteria": {"type": "event_count", "event_type": "post_completed", "count": 1},
        "levels": [
            {"name": "Bronze", "target": 1},
            {"name": "Silver", "target": 2},
            {"name": "Gold", "target": 3},
        ],
    },
}


@pytest.fixture(scope="module", autouse=True)
def saved_badges(stack: StackProcess) -> None:
    for badge_id, badge in BADGES.items():
        saved = stack.api.as_user(ADMIN, "PUT", f"/v1/admin/badges/{badge_id}", badge)
        assert saved.status == 201, saved.body


def _badge(stack: StackProcess, user: str, badge_id: str) -> dict[str, Any]:
    badge: dict[str, Any]
    [badge] = [b for b in stack.api.badges(user)["badges"] if b["id"] == badge_id]
    return badge


def _has_xp(stack: StackProcess, user: str, xp: int) -> bool:
    return bool(stack.api.profile(user)["xp"] == xp)


def _titles(stack: StackProcess, user: str) -> list[str]:
    return [n["title"] for n in stack.api.notifications(user)]


def test_a_category_badge_counts_only_posts_of_its_category(stack: StackProcess) -> None:
    api = stack.api
    reads: list[dict[str, Any]] = [
        {"type": "post_read", "object_id": "c-1", "attributes": {"category": "python"}},
        {"type": "post_read", "object_id": "c-2", "attributes": {"category": "go"}},
        {"type": "post_read", "object_id": "c-3"},  # no category: matches no condition on it
    ]
    ok(api.report_many("gopher", reads))
    eventually(lambda: api.profile("gopher")["xp"] == 30, what="three reads")
    assert _badge(stack, "gopher", "pythonista")["progress"] == {"current": 1, "target": 2}

    more = {"type": "post_read", "object_id": "c-4", "attributes": {"category": "python"}}
    ok(api.report_many("gopher", [more]))
    eventually(lambda: _badge(stack, "gopher", "pythonista")["earned"], what="Pythonista")
    assert _titles(stack, "gopher").count("Badge Unlocked: Pythonista") == 1


def test_a_mistyped_attribute_is_refused_naming_the_field(stack: StackProcess) -> None:
    wrong = {"type": "post_read", "object_id": "x", "attributes": {"category": 7}}
    refused = stack.api.as_user("gopher", "POST", "/v1/activities", wrong)
    assert refused.status == 400, refused.body
    assert "attributes.category" in str(refused.body)


def test_five_reads_within_seven_days_earn_the_window_badge(stack: StackProcess) -> None:
    """Spread over the last 40 hours (the back-dating window is 48): four are not enough."""
    api, user = stack.api, "weekly"
    now = datetime.now(UTC)
    reads = [
        {
            "type": "post_read",
            "object_id": f"w-{i}",
            "occurred_at": (now - timedelta(hours=10 * i)).isoformat(),
        }
        for i in range(5)
    ]
    ok(api.report_many(user, reads[:4]))
    eventually(lambda: api.profile(user)["xp"] == 40, what="four reads")
    assert _badge(stack, user, "busy-week")["progress"] == {"current": 4, "target": 5}
    assert not _badge(stack, user, "busy-week")["earned"]

    ok(api.report_many(user, reads[4:]))
    eventually(lambda: _badge(stack, user, "busy-week")["earned"], what="Busy Week")
    assert _titles(stack, user).count("Badge Unlocked: Busy Week") == 1


def test_a_three_tier_badge_is_earned_and_announced_once_per_level(stack: StackProcess) -> None:
    api, user = stack.api, "closer"
    ok(api.report(user, "post_completed", "f-1"))
    eventually(lambda: _badge(stack, user, "closer")["earned"], what="Bronze")
    bronze = _badge(stack, user, "closer")
    assert bronze["level"] == {"held": 1, "name": "Bronze", "levels": 3, "next": "Silver"}
    assert bronze["progress"] == {"current": 1, "target": 2}

    completions = [{"type": "post_completed", "object_id": f"f-{i}"} for i in range(1, 4)]
    for _ in range(2):  # the repeats earn nothing and announce nothing again
        ok(api.report_many(user, completions))
    eventually(lambda: _badge(stack, user, "closer")["level"]["held"] == 3, what="Gold")
    api.wait_idle()
    gold = _badge(stack, user, "closer")
    assert gold["level"] == {"held": 3, "name": "Gold", "levels": 3, "next": None}
    titles = _titles(stack, user)
    for level in ("Bronze", "Silver", "Gold"):
        assert titles.count(f"Badge Unlocked: Closer ({level})") == 1


def test_a_dry_run_reports_the_qualifying_users_and_sends_no_notification(
    stack: StackProcess,
) -> None:
    api = stack.api
    talkers = {"talker-a": 2, "talker-b": 3, "talker-c": 1}
    for user, comments in talkers.items():
        ok(
            api.report_many(
                user,
                [{"type": "comment_left", "object_id": f"{user}-{i}"} for i in range(comments)],
            )
        )
    for user, comments in talkers.items():
        eventually(partial(_has_xp, stack, user, 5 * comments), what=f"{user}'s comments")
    before = {user: _titles(stack, user) for user in talkers}
    chatty = {
        "name": "Chatty",
        "description": "Leave 2 comments.",
        "icon": "icons/chatty.svg",
        "criteria": {"type": "event_count", "event_type": "comment_left", "count": 2},
    }

    report = ok(api.as_user(ADMIN, "POST", "/v1/admin/badges/chatty/dry-run", chatty))

    assert report["qualifying"] == report["newly_earned"] == report["notifications"] == 2
    assert sorted(report["sample"]) == ["talker-a", "talker-b"]
    assert report["scanned"] >= 3
    assert report["distribution"]["100%"] >= 2  # others in this stack are at 0 %
    assert report["next_cursor"] is None
    api.wait_idle()
    assert {user: _titles(stack, user) for user in talkers} == before  # nothing sent
    assert all(
        "chatty" not in {b["id"] for b in api.badges(user)["badges"]} for user in talkers
    )  # nothing saved

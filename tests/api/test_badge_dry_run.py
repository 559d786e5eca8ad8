"""The badge dry run through the API: a report from stored profiles, nothing written and no
notification sent (docs/rules.md, "Dry run")."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.api import seed
from tests.api.support import Api, admin, user

OWL: dict[str, Any] = {
    "name": "Night Owl",
    "description": "Read 3 posts.",
    "icon": "icons/owl.svg",
    "criteria": {"type": "posts_read", "count": 3},
}


def test_a_dry_run_reports_who_would_earn_it_and_writes_nothing(api: Api) -> None:
    seed.profile("alice", 30, counters={"post_read": 3})
    seed.profile("bob", 20, counters={"post_read": 2})

    reply = api.post("/v1/admin/badges/owl/dry-run", as_=admin(), body=OWL)

    assert reply.status == 200, reply.text
    report = reply.json
    assert (report["scanned"], report["qualifying"], report["notifications"]) == (2, 1, 1)
    assert report["sample"] == ["alice"]
    assert report["distribution"]["100%"] == 1
    assert report["next_cursor"] is None
    badges = api.get("/v1/badges", as_=user("alice")).json["badges"]
    assert "owl" not in {b["id"] for b in badges}  # not saved
    feed = api.get("/v1/me/notifications", as_=user("alice"))
    assert feed.status == 200, feed.text
    assert feed.json["notifications"] == []


def test_a_dry_run_validates_like_a_save(api: Api) -> None:
    body = {**OWL, "criteria": {"type": "posts_read", "where": {"colour": "red"}, "count": 1}}

    reply = api.post("/v1/admin/badges/owl/dry-run", as_=admin(), body=body)

    assert reply.status == 400, reply.text
    assert "body.criteria.where.colour" in reply.error_fields()


def test_only_admins_dry_run(api: Api) -> None:
    reply = api.post("/v1/admin/badges/owl/dry-run", as_=user("alice"), body=OWL)

    assert reply.status == 403


def _feed(api: Api, user_id: str) -> list[dict[str, Any]]:
    reply = api.get("/v1/me/notifications", as_=user(user_id))
    assert reply.status == 200, reply.text
    notifications: list[dict[str, Any]] = reply.json["notifications"]
    return notifications


def test_going_live_silently_awards_without_a_notification_and_the_dry_run_says_so(
    api: Api,
) -> None:
    seed.profile("alice", 30, counters={"post_read": 3})
    quiet = {**OWL, "notify_backfill": False}

    tried = api.post("/v1/admin/badges/owl/dry-run", as_=admin(), body=quiet)
    saved = api.put("/v1/admin/badges/owl", as_=admin(), body=quiet)

    assert tried.status == 200, tried.text
    assert (tried.json["newly_earned"], tried.json["notifications"]) == (1, 0)
    assert saved.status == 201, saved.text
    assert saved.json["notify_backfill"] is False
    [owl] = [
        b
        for b in api.get("/v1/users/alice/badges", as_=user("alice")).json["badges"]
        if b["id"] == "owl"
    ]
    assert owl["earned"] is True
    # Only this badge goes live silently (the backfill also awards what else the user meets).
    assert "badge#owl" not in {n["id"] for n in _feed(api, "alice")}


def test_going_live_normally_notifies_who_already_qualifies(api: Api) -> None:
    seed.profile("alice", 30, counters={"post_read": 3})

    saved = api.put("/v1/admin/badges/owl", as_=admin(), body=OWL)

    assert saved.status == 201, saved.text
    assert "notify_backfill" not in saved.json  # the default is not written back
    assert "badge#owl" in {n["id"] for n in _feed(api, "alice")}


def test_a_quest_dry_run_answers_from_stored_profiles(api: Api) -> None:
    seed.profile("alice", 30, counters={"post_read": 3})
    quest = {
        "name": "Weekend",
        "description": "Read on the weekend.",
        "starts_at": "2026-06-27T00:00:00Z",
        "ends_at": "2026-06-29T00:00:00Z",
        "criteria": {"type": "posts_read", "count": 2},
        "reward_xp": 40,
    }

    reply = api.post("/v1/admin/quests/weekend/dry-run", as_=admin(), body=quest)
    refused = api.post(
        "/v1/admin/quests/weekend/dry-run", as_=admin(), body={**quest, "reward_badge": "nope"}
    )

    assert reply.status == 200, reply.text
    assert (reply.json["carried"], reply.json["scanned"], reply.json["completing"]) == (False, 1, 0)
    assert refused.status == 400
    assert "body.reward_badge" in refused.error_fields()


def test_a_dry_run_goes_on_from_its_cursor_and_refuses_one_it_did_not_issue(api: Api) -> None:
    for name in ("alice", "bob", "carol"):
        seed.profile(name, 30, counters={"post_read": 3})
    crafted = base64.urlsafe_b64encode(json.dumps([0, '{"PK": {"S": "USER#x"}}']).encode())

    scanned, cursor, calls = 0, None, 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        reply = api.post("/v1/admin/badges/owl/dry-run", as_=admin(), body=OWL, query=query)
        assert reply.status == 200, reply.text
        scanned, cursor, calls = (
            scanned + reply.json["scanned"],
            reply.json["next_cursor"],
            calls + 1,
        )
        if cursor is None:
            break
    refused = [
        api.post("/v1/admin/badges/owl/dry-run", as_=admin(), body=OWL, query={"cursor": bad})
        for bad in ("Zm9v", crafted.decode().rstrip("="))
    ]

    assert scanned == 3
    assert calls >= 2
    assert [r.status for r in refused] == [400, 400]
    assert all("query.cursor" in r.error_fields() for r in refused)

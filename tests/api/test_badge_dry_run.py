"""The badge dry run through the API: a report from stored profiles, nothing written and no
notification sent (docs/rules.md, "Dry run")."""

from __future__ import annotations

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
    assert report["next"] is None
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

"""Admin badge changes: seeded catalog, validated definitions, the backfill port, deletes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import seed
from tests.api.support import Api, Identity, admin, user

OWL: dict[str, Any] = {
    "name": "Night Owl",
    "description": "Read 3 posts.",
    "icon": "icons/owl.svg",
    "criteria": {"type": "posts_read", "count": 3},
}


def _catalog(api: Api) -> dict[str, Any]:
    return {b["id"]: b for b in api.get("/v1/badges", as_=user("alice")).json["badges"]}


def test_an_admin_adds_changes_and_removes_a_badge(api: Api) -> None:
    created = api.put("/v1/admin/badges/owl", as_=admin(), body=OWL)
    replaced = api.put(
        "/v1/admin/badges/owl", as_=admin(), body={**OWL, "description": "Read 3 posts at night."}
    )
    catalog = _catalog(api)
    removed = api.delete("/v1/admin/badges/owl", as_=admin())
    again = api.delete("/v1/admin/badges/owl", as_=admin())

    assert created.status == 201, created.text
    assert created.json == {"id": "owl", **OWL, "criteria": {**OWL["criteria"], "scope": "total"}}
    assert replaced.status == 200
    assert len(catalog) == 16  # the shipped defaults were seeded by the first change
    assert catalog["owl"]["description"] == "Read 3 posts at night."
    assert removed.status == 204
    assert removed.text == ""
    assert "owl" not in _catalog(api)
    assert again.status == 404
    assert again.error["code"] == "badge_not_found"


def test_removing_a_default_badge_sticks(api: Api) -> None:
    reply = api.delete("/v1/admin/badges/bookworm", as_=admin())

    assert reply.status == 204
    catalog = _catalog(api)
    assert "bookworm" not in catalog
    assert len(catalog) == 14


@pytest.mark.parametrize(
    "groups", ["admin", "[admin, editors]", "[editors admin]", "editors,admin", ["admin"]]
)
def test_every_shape_of_the_groups_claim_is_understood(api: Api, groups: Any) -> None:
    reply = api.put("/v1/admin/badges/owl", as_=Identity("root", groups=groups), body=OWL)

    assert reply.status == 201, reply.text


def test_a_new_badge_reaches_users_who_already_qualify(api: Api) -> None:
    seed.profile("alice", 30, counters={"post_read": 3})
    seed.profile("bob", 20, counters={"post_read": 2})

    reply = api.put("/v1/admin/badges/owl", as_=admin(), body=OWL)

    assert reply.status == 201, reply.text
    earned = {
        user_id: next(
            b["earned"]
            for b in api.get(f"/v1/users/{user_id}/badges", as_=user("x")).json["badges"]
            if b["id"] == "owl"
        )
        for user_id in ("alice", "bob")
    }
    assert earned == {"alice": True, "bob": False}


@pytest.mark.parametrize(
    "icon", ["https://cdn.example.com/badges/owl.svg", "icons/owl.svg", "/static/owl.png"]
)
def test_https_and_relative_icons_are_accepted(api: Api, icon: str) -> None:
    reply = api.put("/v1/admin/badges/owl", as_=admin(), body={**OWL, "icon": icon})

    assert reply.status == 201, reply.text
    assert reply.json["icon"] == icon


def test_admin_texts_are_stored_trimmed_and_nfc(api: Api) -> None:
    """One stored spelling per rendering, as for display names."""
    body = {**OWL, "name": "  Cafe\u0301 Owl ", "description": " Read 3 posts. "}
    reply = api.put("/v1/admin/badges/owl", as_=admin(), body=body)
    assert reply.status == 201, reply.text
    assert (reply.json["name"], reply.json["description"]) == ("Caf\u00e9 Owl", "Read 3 posts.")

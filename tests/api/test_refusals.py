"""Refusals: every bad request gets the one error model naming the field, and changes nothing.

These tests share one moto account (``refusals`` checks after each test that the activity
queue is still empty); anything that must write lives in the per-route modules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gamification import composition
from gamification.resources import ROUTES
from tests.api import seed
from tests.api.support import SERVICE, Api, Identity, admin, user

ALICE = user("alice")


def _iso(delta: timedelta) -> str:
    return (seed.now() + delta).isoformat()


REJECTED: list[Any] = [
    pytest.param(
        {"type": "post_shared", "object_id": "p"}, 400, "unknown_event_type", "body.type",
        id="unknown-type",
    ),
    pytest.param(
        {"type": "challenge_solved", "object_id": "c"},
        400, "event_type_not_reportable_by_source", "body.type",
        id="service-only-type-from-a-client",
    ),
    pytest.param(
        {"type": "streak_milestone", "object_id": "s"},
        400, "event_type_not_reportable_by_source", "body.type",
        id="system-type",
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p", "occurred_at": _iso(timedelta(hours=-49))},
        400, "occurred_before_backdating_window", "body.occurred_at",
        id="beyond-the-window",
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p", "occurred_at": _iso(timedelta(hours=1))},
        400, "occurred_in_the_future", "body.occurred_at",
        id="in-the-future",
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p", "occurred_at": "2026-11-27T10:00:00"},
        422, "invalid_request", "body.occurred_at",
        id="no-utc-offset",
    ),
    pytest.param(
        {"type": "post_read"}, 422, "invalid_request", "body.object_id", id="missing-field"
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p" * 257},
        422, "invalid_request", "body.object_id",
        id="object-id-too-long",
    ),
    pytest.param(
        {"type": "Post Read", "object_id": "p"}, 422, "invalid_request", "body.type",
        id="malformed-type",
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p", "user_id": "bob"},
        422, "invalid_request", "body.user_id",
        id="posting-for-someone-else",
    ),
    pytest.param(
        {"type": "post_read", "object_id": "p", "xp": 1000},
        422, "invalid_request", "body.xp",
        id="client-chosen-xp",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("body", "status", "code", "field"), REJECTED)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_queued(
    refusals: Api, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    reply = refusals.post("/v1/activities", as_=ALICE, body=body)

    assert reply.status == status, reply.text
    assert reply.error["code"] == code
    assert field in reply.error_fields()
    assert field.removeprefix("body.") in reply.error["message"]


@pytest.mark.parametrize(
    ("raw", "headers", "status", "field"),
    [
        pytest.param('{"type": "post_read",', {}, 422, "body", id="broken-json"),
        pytest.param(
            '{"type": "post_read", "object_id": "' + "x" * 40_000 + '"}',
            {},
            413,
            "body",
            id="oversized-body",
        ),
        pytest.param(
            "type=post_read", {"Content-Type": "text/plain"}, 415, "header.content-type",
            id="not-json",
        ),
        pytest.param("", {}, 422, "body", id="empty-body"),
    ],
)  # fmt: skip
def test_unreadable_bodies_are_refused_and_nothing_is_queued(
    refusals: Api, raw: str, headers: dict[str, str], status: int, field: str
) -> None:
    reply = refusals.post("/v1/activities", as_=ALICE, raw_body=raw, headers=headers)

    assert reply.status == status, reply.text
    assert field in reply.error_fields()


@pytest.mark.parametrize(("count", "field"), [(0, "body.activities"), (26, "body.activities")])
def test_a_batch_holds_one_to_twenty_five_items(refusals: Api, count: int, field: str) -> None:
    items = [{"type": "post_read", "object_id": f"p-{i}"} for i in range(count)]

    reply = refusals.post("/v1/activities/batch", as_=ALICE, body={"activities": items})

    assert reply.status == 422
    assert field in reply.error_fields()


@pytest.mark.parametrize(
    ("identity", "body", "status", "code"),
    [
        pytest.param(
            ALICE, {"user_id": "bob", "type": "post_read", "object_id": "p"}, 403, "forbidden",
            id="a-user-cannot-use-the-service-route",
        ),
        pytest.param(
            SERVICE, {"user_id": "bob", "type": "badge_earned", "object_id": "x"},
            400, "event_type_not_reportable_by_source",
            id="not-even-a-service-reports-system-types",
        ),
        pytest.param(
            SERVICE, {"type": "post_read", "object_id": "p"}, 422, "invalid_request",
            id="the-service-route-needs-a-user-id",
        ),
    ],
)  # fmt: skip
def test_the_service_route_refusals(
    refusals: Api, identity: Any, body: dict[str, Any], status: int, code: str
) -> None:
    reply = refusals.post("/v1/internal/activities", as_=identity, body=body)

    assert reply.status == status, reply.text
    assert reply.error["code"] == code


# -- authorization -----------------------------------------------------------------------------

_SAMPLE_PATHS = {"{user_id}": "bob", "{badge_id}": "first-read"}
_VALID_BODIES: dict[str, Any] = {
    "/v1/activities": {"type": "post_read", "object_id": "p"},
    "/v1/activities/batch": {"activities": [{"type": "post_read", "object_id": "p"}]},
    "/v1/me/settings": {"push_enabled": True},
    "/v1/me/notifications/read": {"all": True},
    "/v1/admin/badges/{badge_id}": {
        "name": "N",
        "description": "D",
        "icon": "i",
        "criteria": {"type": "posts_read", "count": 1},
    },
}


def _concrete(path: str) -> str:
    for template, value in _SAMPLE_PATHS.items():
        path = path.replace(template, value)
    return path


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r.auth in {"user", "admin"}],
    ids=lambda r: f"{r.method} {r.path}",
)
@pytest.mark.parametrize(
    "identity", [Identity(), SERVICE], ids=["anonymous", "service-without-user-claims"]
)
def test_user_routes_need_a_user_pool_identity(
    refusals: Api, route: Any, identity: Identity
) -> None:
    """API Gateway's authorizer refuses these first; the handlers check again (after request
    validation, which Powertools runs before dependencies, hence valid bodies here)."""
    body = _VALID_BODIES.get(route.path) if route.method in {"POST", "PUT"} else None
    reply = refusals.request(route.method, _concrete(route.path), as_=identity, body=body)

    assert reply.status == 401, reply.text
    assert reply.error["code"] == "unauthorized"


@pytest.mark.parametrize(
    "identity",
    [
        user("alice"),
        Identity("alice", groups="administrators"),
        Identity("alice", groups="[editors, moderators]"),
        Identity("alice", groups=["editors"]),
    ],
    ids=["no-groups", "similar-group-name", "other-groups", "list-of-other-groups"],
)
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_only_the_admin_group_may_change_badges(
    refusals: Api, identity: Identity, method: str
) -> None:
    badge = {
        "name": "Sneaky",
        "description": "Given to myself.",
        "icon": "i.svg",
        "criteria": {"type": "posts_read", "count": 1},
    }

    reply = refusals.request(method, "/v1/admin/badges/sneaky", as_=identity, body=badge)

    assert reply.status == 403, reply.text
    assert reply.error["code"] == "forbidden"
    assert composition.badge_repository().load().get("sneaky") is None


# -- query parameters, paths, settings, badges ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/leaderboard", {"limit": "0"}, "query.limit"),
        ("/v1/leaderboard", {"limit": "101"}, "query.limit"),
        ("/v1/leaderboard", {"limit": "ten"}, "query.limit"),
        ("/v1/leaderboard", {"offset": "-1"}, "query.offset"),
        ("/v1/leaderboard", {"period": "monthly"}, "query.period"),
        ("/v1/leaderboard/around/alice", {"radius": "51"}, "query.radius"),
        ("/v1/me/notifications", {"limit": "0"}, "query.limit"),
        ("/v1/me/notifications", {"limit": "1000"}, "query.limit"),
        ("/v1/me/notifications", {"unread_only": "maybe"}, "query.unread_only"),
        ("/v1/users/not a valid id", {}, "path.user_id"),
    ],
)
def test_out_of_range_parameters_are_refused_naming_them(
    refusals: Api, path: str, query: dict[str, str], field: str
) -> None:
    reply = refusals.get(path, as_=ALICE, query=query)

    assert reply.status == 422, reply.text
    assert reply.error["code"] == "invalid_request"
    assert field in reply.error_fields()
    assert field in reply.error["message"]


@pytest.mark.parametrize(
    "cursor", ["not-base64!", "eyJzayI6IlVTRVIjYm9iIn0", "e30", "x" * 600], ids=str.__len__
)
def test_a_cursor_the_api_did_not_issue_is_refused(refusals: Api, cursor: str) -> None:
    reply = refusals.get("/v1/me/notifications", as_=ALICE, query={"cursor": cursor})

    assert reply.status in {400, 422}, reply.text
    assert "query.cursor" in reply.error_fields()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, 400, "body.timezone"),
        ({"timezone": "utc+2"}, 400, "body.timezone"),
        ({"display_name": "   "}, 400, "body.display_name"),
        ({"timezone": None}, 422, "body.timezone"),
        ({"timezone": ""}, 422, "body.timezone"),
        ({"display_name": "x" * 65}, 422, "body.display_name"),
        ({"display_name": "bell\u0007"}, 422, "body.display_name"),
        ({"push_enabled": "sometimes"}, 422, "body.push_enabled"),
        ({"push_enabled": 1}, 422, "body.push_enabled"),
        ({"xp": 100}, 422, "body.xp"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    refusals: Api, body: dict[str, Any], status: int, field: str
) -> None:
    """422: the body breaks the document's schema; 400: it keeps the schema but breaks a rule
    the schema cannot state (a timezone this runtime does not know, a blank name)."""
    reply = refusals.put("/v1/me/settings", as_=ALICE, body=body)

    assert reply.status == status, reply.text
    assert field in reply.error_fields()
    assert field.removeprefix("body.") in reply.error["message"]
    assert not composition.user_repository().load("alice").exists


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.ids"),
        ({"ids": []}, "body.ids"),
        ({"ids": ["a"], "all": True}, "body.all"),
        ({"all": False}, "body.all"),
        ({"all": 1}, "body.all"),
    ],
)
def test_mark_read_needs_ids_or_all(refusals: Api, body: dict[str, Any], field: str) -> None:
    reply = refusals.post("/v1/me/notifications/read", as_=ALICE, body=body)

    assert reply.status == 422, reply.text
    assert field in reply.error_fields()


GOOD_BADGE = {
    "name": "Night Owl",
    "description": "Read 3 posts.",
    "icon": "icons/owl.svg",
    "criteria": {"type": "posts_read", "count": 3},
}


@pytest.mark.parametrize(
    ("badge_id", "body", "status", "field"),
    [
        ("Bad Id", GOOD_BADGE, 422, "path.badge_id"),
        (
            "owl",
            {**GOOD_BADGE, "criteria": {"type": "posts_liked", "count": 3}},
            422,
            "body.criteria",
        ),
        (
            "owl",
            {**GOOD_BADGE, "criteria": {"type": "posts_read", "count": 0}},
            422,
            "body.criteria",
        ),
        (
            "owl",
            {**GOOD_BADGE, "criteria": {"type": "event_count", "event_type": "nap", "count": 1}},
            400,
            "body.criteria.event_type",
        ),
        ("owl", {**GOOD_BADGE, "name": ""}, 422, "body.name"),
        ("owl", {**GOOD_BADGE, "id": "other"}, 422, "body.id"),
    ],
    ids=["bad-id", "unknown-criterion", "zero-target", "unknown-event-type", "empty-name", "id"],
)
def test_invalid_badge_definitions_are_refused_when_saved(
    refusals: Api, badge_id: str, body: dict[str, Any], status: int, field: str
) -> None:
    reply = refusals.put(f"/v1/admin/badges/{badge_id}", as_=admin(), body=body)

    assert reply.status == status, reply.text
    assert any(f.startswith(field) for f in reply.error_fields()), reply.error
    assert composition.badge_repository().load().get("owl") is None


@pytest.mark.parametrize(
    "icon",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "http://example.com/owl.svg",
        "//evil.example/owl.svg",
        "https:owl.svg",
        "icons\\owl.svg",
        "vbscript:msgbox(1)",
    ],
)
def test_an_icon_that_is_not_https_or_relative_is_refused(refusals: Api, icon: str) -> None:
    reply = refusals.put("/v1/admin/badges/owl", as_=admin(), body={**GOOD_BADGE, "icon": icon})

    assert reply.status == 422, reply.text
    assert reply.error_fields() == {"body.icon"}
    assert composition.badge_repository().load().get("owl") is None


# -- routing -------------------------------------------------------------------------------------


def test_an_unknown_path_is_a_404_in_the_error_model(refusals: Api) -> None:
    reply = refusals.get("/v1/nothing-here", as_=ALICE)

    assert reply.status == 404
    assert reply.error["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "function", "allowed"),
    [
        ("POST", "/v1/me", "query", "DELETE, GET"),
        ("GET", "/v1/activities", "ingest", "POST"),
        ("POST", "/v1/admin/badges/x", "admin", "DELETE, PUT"),
    ],
)
def test_a_wrong_method_is_a_405_with_allow(
    refusals: Api, method: str, path: str, function: str, allowed: str
) -> None:
    reply = refusals.request(method, path, as_=ALICE, function=function)

    assert reply.status == 405
    assert reply.error["code"] == "method_not_allowed"
    assert reply.headers["Allow"] == allowed

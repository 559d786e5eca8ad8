"""Hostile input never reaches a 5xx: each is refused in the error model, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import SERVICE, Api, Identity, admin, user

ALICE = user("alice")

JSON_ROUTES: list[tuple[str, str, Identity]] = [
    ("POST", "/v1/activities", ALICE),
    ("POST", "/v1/activities/batch", ALICE),
    ("POST", "/v1/internal/activities", SERVICE),
    ("PUT", "/v1/me/settings", ALICE),
    ("POST", "/v1/me/notifications/read", ALICE),
    ("PUT", "/v1/admin/badges/first", admin()),
]
SHAPES: list[Any] = [
    pytest.param("[" * 990, "too_deep", id="990-open-brackets"),
    pytest.param('{"a":' * 500 + "1" + "}" * 500, "too_deep", id="500-nested-objects"),
    pytest.param('{"type": ' + "9" * 4301 + "}", "number_too_long", id="4301-digit-number"),
    pytest.param('{"count": -' + "1" * 50 + "}", "number_too_long", id="long-negative"),
]


@pytest.mark.parametrize(("method", "path", "who"), JSON_ROUTES)
@pytest.mark.parametrize(("body", "kind"), SHAPES)
def test_bodies_python_cannot_parse_are_a_422_on_every_json_route(
    refusals: Api, method: str, path: str, who: Identity, body: str, kind: str
) -> None:
    reply = refusals.request(method, path, as_=who, raw_body=body)

    assert reply.status == 422, reply.text
    assert reply.error["code"] == "invalid_request"
    assert [(d["field"], d["type"]) for d in reply.error["details"]] == [("body", kind)]


@pytest.mark.parametrize(
    "name", ["\u202eevil", "a\u2028b", "zero\u200bwidth", "\ufeffbom", "tab\there"]
)
def test_spoofing_display_names_are_refused(refusals: Api, name: str) -> None:
    reply = refusals.put("/v1/me/settings", as_=ALICE, body={"display_name": name})
    assert reply.status == 422, reply.text
    assert reply.error_fields() == {"body.display_name"}


@pytest.mark.parametrize("object_id", ["a\x00b", "a\u200bb", "\ufeffpost", "post\u202e1"])
def test_ids_with_invisible_characters_are_refused(refusals: Api, object_id: str) -> None:
    reply = refusals.post(
        "/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": object_id}
    )
    assert reply.status == 422, reply.text
    assert reply.error_fields() == {"body.object_id"}


def test_an_unknown_query_parameter_is_refused_not_ignored(refusals: Api) -> None:
    reply = refusals.get(
        "/v1/leaderboard", as_=ALICE, query={"period": "weekly", "week": "2026-W40"}
    )
    assert reply.status == 422, reply.text
    assert reply.error_fields() == {"query.week"}


def test_one_trailing_slash_is_the_same_route_and_an_empty_segment_is_none(
    refusals: Api,
) -> None:
    assert refusals.get("/v1/me/", as_=ALICE).status == 200
    assert refusals.get("/v1/me/", as_=Identity()).status == 401  # the route's own auth
    assert refusals.get("/v1//me", as_=ALICE).status == 404


def test_an_oversized_batch_is_told_the_item_limit_first(refusals: Api) -> None:
    items = [{"type": "post_read", "object_id": f"post-{n}"} for n in range(1000)]
    reply = refusals.post("/v1/activities/batch", as_=ALICE, body={"activities": items})
    assert reply.status == 413
    assert reply.error["message"].startswith("a batch holds at most 25 activities")

"""The local gateway's fidelity to API Gateway REST: routing, authorizers, proxy events."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.local.apigateway import (
    Matched,
    NotMatched,
    Request,
    Router,
    from_result,
    proxy_event,
)
from gamification.local.auth import (
    DevIdentity,
    Granted,
    Refused,
    authorize,
    dev_token,
    parse_dev_token,
)
from gamification.resources import ROUTES, Route

USERS_BADGES = Route("GET", "/v1/users/{user_id}/badges", "query")
INTERNAL = Route("POST", "/v1/internal/activities", "ingest", auth="service")
ADMIN = Route("PUT", "/v1/admin/badges/{badge_id}", "admin", auth="admin")
HEALTH = Route("GET", "/v1/health", "query", auth="none")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_declared_route_matches_its_own_template(route: Route) -> None:
    path = route.path.replace("{user_id}", "u-1").replace("{badge_id}", "b-1")
    found = Router().match(route.method, path)
    assert isinstance(found, Matched)
    assert found.route == route


def test_path_parameters_are_decoded_and_specific_routes_win() -> None:
    found = Router().match("GET", "/v1/users/alice%40example.com/badges")
    assert isinstance(found, Matched)
    assert found.route == USERS_BADGES
    assert found.path_parameters == {"user_id": "alice@example.com"}
    me = Router().match("GET", "/v1/me")
    assert isinstance(me, Matched)
    assert me.path_parameters == {}


def test_unknown_path_is_404_and_wrong_method_is_405_with_allow() -> None:
    assert Router().match("GET", "/v1/nope") == NotMatched(404)
    assert Router().match("GET", "/v1/users/a/badges/extra") == NotMatched(404)
    assert Router().match("POST", "/v1/me") == NotMatched(405, ("DELETE", "GET"))
    assert Router().match("GET", "/v1/admin/badges/x") == NotMatched(405, ("DELETE", "PUT"))


@pytest.mark.parametrize(
    ("route", "header", "expected"),
    [
        (USERS_BADGES, None, 401),
        (USERS_BADGES, "Bearer nonsense", 401),
        (USERS_BADGES, "Basic dev:alice", 401),
        (USERS_BADGES, "Bearer dev-service", 401),
        (INTERNAL, None, 401),
        (INTERNAL, "Bearer nonsense", 401),
        (INTERNAL, "Bearer dev:alice", 403),
        (INTERNAL, "Bearer dev:alice:admin", 403),
    ],
)
def test_refusals_match_api_gateway(route: Route, header: str | None, expected: int) -> None:
    verdict = authorize(route, header)
    assert isinstance(verdict, Refused)
    assert verdict.status == expected


def test_user_admin_and_service_identities() -> None:
    user = authorize(USERS_BADGES, "Bearer dev:alice")
    assert isinstance(user, Granted)
    assert user.authorizer is not None
    assert user.authorizer["claims"]["sub"] == "alice"
    assert "cognito:groups" not in user.authorizer["claims"]

    admin = authorize(ADMIN, "bearer dev:root:admin")
    assert isinstance(admin, Granted)
    assert admin.authorizer is not None
    assert admin.authorizer["claims"]["cognito:groups"] == "admin"
    # A plain user passes the Cognito authorizer on an admin route: the handler checks the group.
    assert isinstance(authorize(ADMIN, "Bearer dev:alice"), Granted)

    service = authorize(INTERNAL, "Bearer dev-service")
    assert isinstance(service, Granted)
    assert service.authorizer is None
    assert service.identity["userArn"].startswith("arn:aws:sts::")

    assert authorize(HEALTH, None) == Granted()


def test_proxy_event_has_the_rest_api_shape() -> None:
    request = Request(
        method="GET",
        target="/v1/users/bob/badges?limit=5&tag=a&tag=b&empty=",
        headers=[("Host", "127.0.0.1:3000"), ("X-Multi", "1"), ("X-Multi", "2")],
        source_ip="127.0.0.9",
    )
    found = Router().match(request.method, request.path)
    assert isinstance(found, Matched)
    grant = authorize(found.route, "Bearer dev:alice")
    assert isinstance(grant, Granted)

    event = proxy_event(request, found, grant)

    assert event["resource"] == "/v1/users/{user_id}/badges"
    assert event["path"] == "/v1/users/bob/badges"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"user_id": "bob"}
    assert event["queryStringParameters"] == {"limit": "5", "tag": "b", "empty": ""}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/v1/users/{user_id}/badges"
    assert context["stage"] == "local"
    assert context["httpMethod"] == "GET"
    assert context["requestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.9"
    assert context["authorizer"]["claims"]["sub"] == "alice"


def test_binary_bodies_are_base64_and_text_bodies_are_not() -> None:
    found = Router().match("POST", "/v1/activities")
    assert isinstance(found, Matched)
    text = proxy_event(Request("POST", "/v1/activities", body=b'{"a": 1}'), found, Granted())
    assert text["body"] == '{"a": 1}'
    assert text["queryStringParameters"] is None
    binary = proxy_event(Request("POST", "/v1/activities", body=b"\xff\x00"), found, Granted())
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00"


def test_results_become_responses_and_malformed_ones_a_502() -> None:
    response = from_result(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
        }
    )
    assert response.status == 201
    assert ("Set-Cookie", "b=2") in response.headers
    assert json.loads(response.body) == {"ok": True}

    encoded = from_result({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True})
    assert encoded.body == b"hi"

    broken = from_result({"body": "no status"})
    assert broken.status == 502
    assert json.loads(broken.body)["error"]["code"] == "bad_gateway"


user_ids = st.from_regex(r"[A-Za-z0-9_.@:+-]{1,128}", fullmatch=True)
"""Every id the API accepts (``domain.activity.UserId``)."""


@given(user_id=user_ids, admin=st.booleans())
def test_every_allowed_user_id_signs_in_with_its_dev_token(user_id: str, admin: bool) -> None:
    assert parse_dev_token(f"Bearer {dev_token(user_id, admin=admin)}") == DevIdentity(
        user_id, admin
    )


@pytest.mark.parametrize(
    ("token", "user_id", "admin"),
    [
        ("dev:org:42", "org:42", False),
        ("dev:org:42:admin", "org:42", True),
        ("dev:urn:x:admin:user", "urn:x:admin", False),  # an id that ends in ":admin"
        ("dev::x", ":x", False),
        ("dev:a@b.c:admin", "a@b.c", True),
    ],
)
def test_only_a_final_role_segment_is_a_role(token: str, user_id: str, admin: bool) -> None:
    granted = authorize(USERS_BADGES, f"Bearer {token}")
    assert isinstance(granted, Granted)
    assert granted.authorizer is not None
    claims = granted.authorizer["claims"]
    assert (claims["sub"], claims.get("cognito:groups") == "admin") == (user_id, admin)


@pytest.mark.parametrize("token", ["dev:", "dev:x!y:admin", "dev:a b", "dev:" + "x" * 129])
def test_a_token_naming_no_allowed_id_is_refused(token: str) -> None:
    assert parse_dev_token(f"Bearer {token}") is None


@pytest.mark.parametrize("user_id", ["org:42", "team:admin", "a:user"])
@pytest.mark.parametrize("admin", [False, True])
def test_the_cli_signs_in_as_the_user_it_names(user_id: str, admin: bool) -> None:
    """`gamify --user team:admin` is that user, not an admin named `team`."""
    import argparse

    from gamification.cli.main import _user_token

    token = _user_token(argparse.Namespace(token=None, user=user_id, admin=admin))
    assert parse_dev_token(f"Bearer {token}") == DevIdentity(user_id=user_id, admin=admin)

"""What a browser needs from the functions: CORS headers for allowed origins only, and conditional
GETs (ETag, 304) on the leaderboard and badge catalog reads the widgets poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext as PowertoolsContext

from gamification import composition
from gamification.adapters.player_score import PlayerScore
from gamification.api.conditional import entity_tag, matches
from gamification.api.cors import ORIGINS_ENV, CorsPolicy
from gamification.api.resolvers import build_resolver, routers_of
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import ANONYMOUS, Api, Identity, LambdaContext, Reply, api_event, user

ALLOWED = "https://app.example.com"
OTHER_ALLOWED = "https://admin.example.com"
DISALLOWED = "https://evil.example.net"
VIEWER = user("viewer")


def resolve(
    function: str, method: str, path: str, identity: Identity, headers: dict[str, str]
) -> Reply:
    """A resolver built now, so it reads the CORS origins this test set."""
    raw = build_resolver(routers_of(function)).resolve(
        api_event(method, path, identity=identity, headers=headers),
        cast(PowertoolsContext, LambdaContext(function)),
    )
    merged: dict[str, str] = dict(raw.get("headers") or {})
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        merged[key] = ", ".join(values)
    return Reply(int(raw["statusCode"]), merged, raw.get("body") or "", raw)


@pytest.fixture
def cors_origins(monkeypatch: pytest.MonkeyPatch, stack_env: Provisioned) -> None:
    monkeypatch.setenv(ORIGINS_ENV, f"{ALLOWED}, {OTHER_ALLOWED}")


def allow_origin(reply: Reply) -> str | None:
    return {k.lower(): v for k, v in reply.headers.items()}.get("access-control-allow-origin")


@pytest.mark.usefixtures("cors_origins")
@pytest.mark.parametrize("origin", [ALLOWED, OTHER_ALLOWED])
def test_an_allowed_origin_gets_the_headers_on_answers_and_refusals(origin: str) -> None:
    ok = resolve("query", "GET", "/v1/me", VIEWER, {"Origin": origin})
    refused = resolve("query", "GET", "/v1/me", ANONYMOUS, {"Origin": origin})

    assert ok.status == 200, ok.text
    assert allow_origin(ok) == origin
    assert "ETag" in ok.headers["Access-Control-Expose-Headers"]
    assert refused.status == 401
    assert allow_origin(refused) == origin


@pytest.mark.usefixtures("cors_origins")
def test_a_304_from_an_allowed_origin_carries_the_headers() -> None:
    first = resolve("query", "GET", "/v1/badges", VIEWER, {"Origin": ALLOWED})
    again = resolve(
        "query",
        "GET",
        "/v1/badges",
        VIEWER,
        {"Origin": ALLOWED, "If-None-Match": first.headers["ETag"]},
    )

    assert again.status == 304
    assert allow_origin(again) == ALLOWED


@pytest.mark.usefixtures("cors_origins")
def test_a_disallowed_origin_or_none_gets_no_cors_headers() -> None:
    for headers in ({"Origin": DISALLOWED}, {}):
        for identity in (VIEWER, ANONYMOUS):
            reply = resolve("query", "GET", "/v1/me", identity, headers)
            assert not any(k.lower().startswith("access-control-") for k in reply.headers), reply


def test_without_configured_origins_nothing_is_shared(
    monkeypatch: pytest.MonkeyPatch, stack_env: Provisioned
) -> None:
    monkeypatch.delenv(ORIGINS_ENV, raising=False)

    reply = resolve("query", "GET", "/v1/me", VIEWER, {"Origin": ALLOWED})

    assert reply.status == 200
    assert allow_origin(reply) is None


def test_the_policy_parses_lists_and_any_origin() -> None:
    assert CorsPolicy.parse(" https://a.example/ ,https://b.example").origins == (
        "https://a.example",
        "https://b.example",
    )
    assert CorsPolicy.parse("").powertools() is None
    anyone = CorsPolicy.parse("*")
    assert anyone.response_headers(DISALLOWED)["Access-Control-Allow-Origin"] == "*"
    assert anyone.response_headers(None) == {}
    preflight = CorsPolicy.parse(ALLOWED).preflight_headers(ALLOWED, ("GET",))
    assert preflight["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert CorsPolicy.parse(ALLOWED).preflight_headers(DISALLOWED, ("GET",)) == {}


# -- conditional GET ---------------------------------------------------------------------------


def publish_scores(xp_by_user: dict[str, int]) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    scores = [
        PlayerScore(user_id=u, xp=xp, xp_at=start + timedelta(minutes=i), display_name=None)
        for i, (u, xp) in enumerate(xp_by_user.items())
    ]
    composition.leaderboard().publish(scores, datetime.now(UTC))
    seed.complete_boards()


def get(api: Api, path: str, **headers: str) -> Reply:
    return api.get(path, as_=VIEWER, headers=headers)


@pytest.mark.parametrize("path", ["/v1/leaderboard", "/v1/leaderboard/around/alice", "/v1/badges"])
def test_an_unchanged_read_is_a_304_and_a_changed_one_a_200(api: Api, path: str) -> None:
    publish_scores({"alice": 100, "bob": 50})

    first = get(api, path)
    tag = first.headers["ETag"]
    again = get(api, path, **{"If-None-Match": tag})

    assert first.status == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert tag == entity_tag(first.json)
    assert again.status == 304
    assert again.text == ""
    assert again.headers["ETag"] == tag
    assert get(api, path, **{"If-None-Match": 'W/"something-else"'}).status == 200


def test_a_leaderboard_poll_after_a_change_gets_the_new_board(api: Api) -> None:
    publish_scores({"alice": 100})
    tag = get(api, "/v1/leaderboard").headers["ETag"]

    publish_scores({"alice": 100, "bob": 150})
    changed = get(api, "/v1/leaderboard", **{"If-None-Match": tag})

    assert changed.status == 200
    assert changed.headers["ETag"] != tag
    assert [e["user_id"] for e in changed.json["entries"]] == ["bob", "alice"]


def test_a_refused_read_carries_no_tag(api: Api) -> None:
    reply = api.get("/v1/leaderboard", headers={"If-None-Match": "*"})

    assert reply.status == 401
    assert "ETag" not in reply.headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('W/"abc"', True),
        ('"abc"', True),
        ('W/"x", W/"abc"', True),
        ("*", True),
        ('W/"abcd"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_uses_weak_comparison(header: Any, expected: bool) -> None:
    assert matches(header, 'W/"abc"') is expected


def test_equal_json_values_have_equal_tags() -> None:
    assert entity_tag({"a": 1, "b": [1, 2]}) == entity_tag('{"b": [1, 2], "a": 1}')
    assert entity_tag({"a": 1}) != entity_tag({"a": 2})

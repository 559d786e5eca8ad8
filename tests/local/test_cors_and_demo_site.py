"""The local gateway's answers to browsers: preflight on every route, CORS headers on its own
errors for allowed origins only, and the demo page from ``web/`` at ``/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gamification.api.cors import CorsPolicy
from gamification.api.gateway_checks import ApiResolver
from gamification.local.apigateway import Request, Response, Router
from gamification.local.demo_site import DemoSite, GatewayWithDemoSite, default_web_dir
from gamification.local.handlers import Invoker
from gamification.local.http_gateway import Gateway
from gamification.resources import ROUTES

ALLOWED = "https://app.example.com"
DISALLOWED = "https://evil.example.net"
CALLS: list[str] = []


def ok_function(name: str, event: dict[str, Any]) -> dict[str, Any]:
    CALLS.append(name)
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


def failing_function(name: str, event: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom")


def headers_of(response: Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers}


def request(method: str, path: str, origin: str | None = None, **headers: str) -> Request:
    pairs = [("Origin", origin)] if origin else []
    return Request(method, path, [*pairs, *headers.items()])


@pytest.fixture
def gateway() -> Gateway:
    return Gateway(ok_function, Router(ROUTES), CorsPolicy.parse(ALLOWED))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_answers_a_preflight_from_an_allowed_origin(
    gateway: Gateway, route: Any
) -> None:
    path = route.path.replace("{user_id}", "bob").replace("{badge_id}", "owl")
    CALLS.clear()

    answer = gateway.handle(
        request("OPTIONS", path, ALLOWED, **{"Access-Control-Request-Method": route.method})
    )

    headers = headers_of(answer)
    assert answer.status == 204
    assert headers["access-control-allow-origin"] == ALLOWED
    assert route.method in headers["access-control-allow-methods"].split(",")
    assert "Authorization" in headers["access-control-allow-headers"]
    assert CALLS == [], "a preflight never invokes a function"


def test_a_preflight_from_a_disallowed_origin_gets_no_cors_headers(gateway: Gateway) -> None:
    answer = gateway.handle(request("OPTIONS", "/v1/me", DISALLOWED))

    assert answer.status == 204
    assert not any(k.startswith("access-control-") for k in headers_of(answer))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/me", 401), ("GET", "/v1/nowhere", 404), ("POST", "/v1/me", 405)],
)
def test_gateway_errors_carry_the_header_for_allowed_origins_only(
    gateway: Gateway, method: str, path: str, status: int
) -> None:
    allowed = gateway.handle(request(method, path, ALLOWED))
    other = gateway.handle(request(method, path, DISALLOWED))

    assert (allowed.status, other.status) == (status, status)
    assert headers_of(allowed)["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-origin" not in headers_of(other)


def _resolver_function(policy: CorsPolicy) -> Any:
    """A function built like ours (``ApiResolver`` with the policy's Powertools CORS)."""
    app = ApiResolver(cors=policy.powertools())

    @app.get("/v1/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    return Invoker(loader=lambda _: app.resolve).invoke


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/health"), ("OPTIONS", "/v1/health"), ("GET", "/v1/users/bob/badges")],
    ids=["function answer", "preflight", "gateway 401"],
)
def test_every_answer_that_names_the_origin_varies_on_it(method: str, path: str) -> None:
    """A cache must not hand one origin's answer (and its allow header) to another origin."""
    policy = CorsPolicy.parse(f"{ALLOWED},https://other.example.com")
    gateway = Gateway(_resolver_function(policy), Router(ROUTES), policy)
    extra = {"Access-Control-Request-Method": "GET"} if method == "OPTIONS" else {}

    answer = gateway.handle(request(method, path, ALLOWED, **extra))

    headers = headers_of(answer)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in [v.strip() for v in headers.get("vary", "").split(",")]


def test_a_failed_integration_502_carries_the_header() -> None:
    gateway = Gateway(failing_function, Router(ROUTES), CorsPolicy.parse("*"))

    answer = gateway.handle(request("GET", "/v1/health", DISALLOWED))

    assert answer.status == 502
    assert headers_of(answer)["access-control-allow-origin"] == "*"


def test_the_local_default_is_any_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    from gamification.local.stack import DEFAULTS

    monkeypatch.setenv("GAMIFY_CORS_ORIGINS", DEFAULTS["GAMIFY_CORS_ORIGINS"])
    gateway = Gateway(ok_function, Router(ROUTES))

    answer = gateway.handle(request("GET", "/v1/me", "http://localhost:5173"))

    assert headers_of(answer)["access-control-allow-origin"] == "*"


# -- the demo page -----------------------------------------------------------------------------


@pytest.fixture
def site_gateway() -> GatewayWithDemoSite:
    return GatewayWithDemoSite(ok_function, DemoSite(default_web_dir()))


def test_the_demo_page_is_served_at_the_root(site_gateway: GatewayWithDemoSite) -> None:
    page = site_gateway.handle(request("GET", "/?user=alice"))
    module = site_gateway.handle(request("GET", "/gamify.js"))
    config = site_gateway.handle(request("GET", "/config.json"))

    assert page.status == 200
    assert headers_of(page)["content-type"].startswith("text/html")
    assert b"<gamify-leaderboard" in page.body
    assert headers_of(module)["content-type"].startswith("text/javascript")
    assert b"customElements.define" in module.body
    assert json.loads(config.body) == {"apiUrl": "", "devSignIn": True}


def test_the_widget_modules_and_badge_icons_are_served_from_subfolders(
    site_gateway: GatewayWithDemoSite,
) -> None:
    module = site_gateway.handle(request("GET", "/gamify/league.js"))
    icon = site_gateway.handle(request("GET", "/icons/first-read.svg"))

    assert module.status == 200
    assert headers_of(module)["content-type"].startswith("text/javascript")
    assert icon.status == 200
    assert headers_of(icon)["content-type"] == "image/svg+xml"
    assert icon.body.startswith(b"<svg ")


@pytest.mark.parametrize(
    "path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/.hidden", "/v1/me", "/nothing.js"]
)
def test_only_files_of_the_web_folder_are_served(
    site_gateway: GatewayWithDemoSite, path: str
) -> None:
    answer = site_gateway.handle(request("GET", path))

    assert answer.status in {401, 404}  # the API's answer: no file was read


def test_the_api_still_answers_behind_the_site(site_gateway: GatewayWithDemoSite) -> None:
    answer = site_gateway.handle(request("GET", "/v1/health"))

    assert answer.status == 200


def test_the_shipped_modules_render_api_text_as_text_only() -> None:
    modules = sorted(default_web_dir().glob("**/*.js"))
    source = "\n".join(module.read_text() for module in modules)

    assert {m.name for m in modules} >= {"gamify.js", "core.js", "league.js", "i18n.js"}

    assert "innerHTML" not in source
    assert "insertAdjacentHTML" not in source
    assert "eval(" not in source
    source = source.replace('"http://www.w3.org/2000/svg"', "")  # a namespace name, not a URL
    assert not any(marker in source for marker in ("http://", "cdn.", "unpkg", "jsdelivr")), (
        "the widgets load nothing from another host"
    )


def test_a_missing_web_folder_leaves_the_api_alone(tmp_path: Path) -> None:
    gateway = GatewayWithDemoSite(ok_function, DemoSite(tmp_path))

    assert gateway.handle(request("GET", "/")).status == 404

"""The hosted demo's sign-in in real Chromium: authorization code + PKCE against a fake Cognito.

The fake authorization server below plays Cognito's part as strictly as Cognito does for a
client that sent a challenge: ``/oauth2/authorize`` refuses a request without an S256 challenge
and answers with a one-time code bound to it, ``/oauth2/token`` refuses a code whose verifier
does not hash to that challenge or whose ``redirect_uri`` differs. It also serves ``web/``, a
``config.json`` pointing at itself and a stub of the API that records the ``Authorization``
header the widgets send. So a page that skipped PKCE, mixed up the state or sent another token
fails here. No local stack: the page's sign-in is the subject, not the API.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from gamification.local.demo_site import CONTENT_TYPES
from tests.e2e.browser import launched_chromium, playwright_or_skip
from tests.e2e.stack import eventually

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

# e2e too, like every browser test: a real browser stays out of `make unit`'s inner loop.
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WEB = Path(__file__).resolve().parents[2] / "web"
CLIENT_ID = "demo-page-client"
EMAIL = "alice@example.com"
FOREVER = 4_102_444_800
"""2100-01-01: the fake token's expiry, a constant (no test reads today's date)."""

playwright_api = playwright_or_skip(axe=False)
expect = playwright_api.expect


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    """RFC 7636's S256: the challenge the server expects for a verifier."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _jwt(claims: dict[str, Any]) -> str:
    header = _b64url(json.dumps({"alg": "RS256", "kid": "fake"}).encode())
    return f"{header}.{_b64url(json.dumps(claims).encode())}.{_b64url(b'not-a-signature')}"


ID_TOKEN = _jwt({"sub": "0f1e2d3c", "email": EMAIL, "token_use": "id", "exp": FOREVER})


@dataclass
class FakeCognito:
    """What the fake authorization server saw, and how it should misbehave."""

    origin: str = ""
    hosted_ui: bool = True
    forge_state: bool = False
    """Answer the authorize request with another state (as a forged callback would)."""
    bind_to_other_challenge: bool = False
    """Bind the code to a challenge the page never sent (its verifier cannot match)."""
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_answers: list[int] = field(default_factory=list)
    api_requests: list[tuple[str, str | None]] = field(default_factory=list)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def redirect_uri(self) -> str:
        return f"{self.origin}/"

    def config(self) -> dict[str, Any]:
        cognito: dict[str, str] = {
            "region": "eu-west-1",
            "userPoolId": "eu-west-1_Fake",
            "clientId": CLIENT_ID,
        }
        if self.hosted_ui:
            cognito |= {"domain": self.origin, "redirectUri": self.redirect_uri}
        return {"apiUrl": self.origin, "devSignIn": False, "cognito": cognito}


def _handler(fake: FakeCognito) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: Playwright's failures say enough

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path == "/config.json":
                self._json(200, fake.config())
            elif url.path == "/oauth2/authorize":
                self._authorize(query)
            elif url.path == "/logout":
                ok = query.get("client_id") == CLIENT_ID
                ok = ok and query.get("logout_uri") == fake.redirect_uri
                self._redirect(fake.redirect_uri) if ok else self._json(400, {"error": "logout"})
            elif url.path.startswith("/v1/"):
                self._api(url.path)
            else:
                self._static(url.path)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if url.path == "/oauth2/token":
                self._token(self.headers.get("Content-Type", ""), body)
            elif url.path.startswith("/v1/"):
                self._api(url.path)
            else:
                self._json(404, {"error": "not found"})

        def _authorize(self, query: dict[str, str]) -> None:
            with fake.lock:
                fake.authorize_requests.append(query)
            problems = [
                query.get("response_type") != "code",
                query.get("client_id") != CLIENT_ID,
                query.get("redirect_uri") != fake.redirect_uri,
                "openid" not in query.get("scope", "").split(),
                query.get("code_challenge_method") != "S256",
                not re.fullmatch(r"[A-Za-z0-9_-]{43}", query.get("code_challenge", "")),
                not query.get("state"),
            ]
            if any(problems):  # Cognito shows an error page and never calls back
                self._json(400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(16)
            challenge = s256("another verifier") if fake.bind_to_other_challenge else None
            with fake.lock:
                fake.codes[code] = (challenge or query["code_challenge"], query["redirect_uri"])
            state = "forged-state" if fake.forge_state else query["state"]
            self._redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': state})}")

        def _token(self, content_type: str, body: str) -> None:
            form = {k: v[-1] for k, v in parse_qs(body).items()}
            with fake.lock:
                fake.token_requests.append(form)
                bound = fake.codes.pop(form.get("code", ""), None)  # a code serves once
            valid = (
                content_type.startswith("application/x-www-form-urlencoded")
                and form.get("grant_type") == "authorization_code"
                and form.get("client_id") == CLIENT_ID
                and bound is not None
                and form.get("redirect_uri") == bound[1]
                and s256(form.get("code_verifier", "")) == bound[0]
            )
            status = 200 if valid else 400
            with fake.lock:
                fake.token_answers.append(status)
            if not valid:
                self._json(400, {"error": "invalid_grant"})
                return
            access = _jwt({"token_use": "access", "exp": FOREVER})
            self._json(
                200,
                {
                    "id_token": ID_TOKEN,
                    "access_token": access,
                    "refresh_token": "opaque",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                },
            )

        def _api(self, path: str) -> None:
            with fake.lock:
                fake.api_requests.append((path, self.headers.get("Authorization")))
            if path == "/v1/me":
                self._json(200, {"user_id": "0f1e2d3c", "xp": 0, "level": 0})
            else:  # the widgets show an error state; this test is about the header
                self._json(503, {"error": {"code": "stub", "message": "API stub"}})

        def _static(self, path: str) -> None:
            name = path.strip("/") or "index.html"
            file = (WEB / name).resolve()
            if not file.is_relative_to(WEB) or not file.is_file():
                self._json(404, {"error": "not found"})
                return
            self._send(200, file.read_bytes(), CONTENT_TYPES.get(file.suffix, "text/plain"))

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _json(self, status: int, value: object) -> None:
            self._send(status, json.dumps(value).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def cognito() -> Iterator[FakeCognito]:
    fake = FakeCognito()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched_chromium(playwright_api)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def _alert(page: Page, text: str) -> Locator:
    """The page's sign-in alert (the widgets' own alerts are there too, hidden)."""
    return page.get_by_role("alert").filter(has_text=text)


def _session_storage(page: Page) -> dict[str, str]:
    storage: dict[str, str] = page.evaluate("() => ({ ...sessionStorage })")
    return storage


def test_sign_in_sends_a_verifier_matching_the_challenge_and_the_widgets_the_id_token(
    cognito: FakeCognito, page: Page
) -> None:
    page.goto(f"{cognito.origin}/?theme=dark")
    page.locator("#hosted-sign-in-button").click()

    expect(page.locator("#session")).to_have_text(f"Signed in as {EMAIL}")
    # The code and state are gone from the URL; the page's own parameters stay.
    expect(page).to_have_url(f"{cognito.origin}/?theme=dark")
    (authorize,) = cognito.authorize_requests
    (token,) = cognito.token_requests
    assert cognito.token_answers == [200]
    assert authorize["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token["code_verifier"]), "32 bytes, base64url"
    assert s256(token["code_verifier"]) == authorize["code_challenge"]
    assert token["redirect_uri"] == authorize["redirect_uri"] == cognito.redirect_uri
    assert len(authorize["state"]) >= 20
    storage = _session_storage(page)
    assert storage == {"gamify.idToken": ID_TOKEN}, "the verifier and state are used up"

    # Every call the widgets make carries the ID token, as API Gateway's authorizer takes it.
    eventually(lambda: len(cognito.api_requests) >= 3, what="the widgets calling the API")
    with cognito.lock:
        calls = list(cognito.api_requests)
    assert {auth for _, auth in calls} == {ID_TOKEN}

    # A reload keeps the session (sessionStorage) and does not replay the code.
    page.reload()
    expect(page.locator("#session")).to_have_text(f"Signed in as {EMAIL}")
    assert len(cognito.token_requests) == 1

    # Sign out: the token goes, the hosted UI's session ends and the page offers sign-in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#hosted-sign-in-button")).to_be_visible()
    assert "gamify.idToken" not in _session_storage(page)


def test_a_wrong_state_is_refused_with_a_visible_error(cognito: FakeCognito, page: Page) -> None:
    cognito.forge_state = True
    page.goto(f"{cognito.origin}/")
    page.locator("#hosted-sign-in-button").click()

    expect(_alert(page, "state mismatch")).to_be_visible()
    expect(page.locator("#hosted-sign-in-button")).to_be_visible()
    expect(page).to_have_url(f"{cognito.origin}/")
    assert cognito.token_requests == [], "a code with a foreign state is never exchanged"
    assert "gamify.idToken" not in _session_storage(page)

    # A callback no sign-in of this tab started (login CSRF) is refused the same way.
    page.goto(f"{cognito.origin}/?code=planted&state=planted")
    expect(_alert(page, "state mismatch")).to_be_visible()
    assert cognito.token_requests == []

    # The hosted UI's own error answer is shown too.
    page.goto(f"{cognito.origin}/?error=access_denied&error_description=User+cancelled")
    expect(_alert(page, "Sign-in failed: User cancelled.")).to_be_visible()
    expect(page).to_have_url(f"{cognito.origin}/")


def test_a_verifier_that_does_not_match_is_refused_and_shown(
    cognito: FakeCognito, page: Page
) -> None:
    cognito.bind_to_other_challenge = True
    page.goto(f"{cognito.origin}/")
    page.locator("#hosted-sign-in-button").click()

    expect(_alert(page, "token endpoint (400 invalid_grant)")).to_be_visible()
    assert cognito.token_answers == [400]
    expect(page).to_have_url(f"{cognito.origin}/")
    expect(page.locator("#hosted-sign-in-button")).to_be_visible()
    assert "gamify.idToken" not in _session_storage(page)


def test_an_expired_token_is_forgotten(cognito: FakeCognito, page: Page) -> None:
    expired = _jwt({"sub": "0f1e2d3c", "email": EMAIL, "exp": 1})  # 1970: always past
    page.goto(f"{cognito.origin}/")
    page.evaluate("(token) => sessionStorage.setItem('gamify.idToken', token)", expired)
    page.reload()

    expect(page.locator("#hosted-sign-in-button")).to_be_visible()
    assert _session_storage(page) == {}
    assert cognito.api_requests == []


def test_without_a_hosted_ui_the_page_takes_a_pasted_token(
    cognito: FakeCognito, page: Page
) -> None:
    cognito.hosted_ui = False
    page.goto(f"{cognito.origin}/")
    expect(page.locator("#hosted-sign-in")).to_be_hidden()
    page.get_by_label("Cognito ID token").fill(ID_TOKEN)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#session")).to_have_text(f"Signed in as {EMAIL}")
    eventually(lambda: len(cognito.api_requests) >= 3, what="the widgets calling the API")
    assert cognito.authorize_requests == []
    with cognito.lock:
        assert {auth for _, auth in cognito.api_requests} == {ID_TOKEN}

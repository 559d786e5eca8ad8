"""A stack configured as on AWS (``GAMIFY_WEBHOOKS_ALLOW_PRIVATE`` not set to ``true``; the local
stack sets it only so that its own receiver on 127.0.0.1 can be an endpoint) refuses a webhook
at 127.0.0.1, at the metadata address and over plain http, naming the field (issue #28)."""

from __future__ import annotations

import pytest

from tests.e2e.stack import StackProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_WEBHOOKS_ALLOW_PRIVATE": "false"}


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks",
        "http://hooks.example.com/",
    ],
)
def test_an_address_inside_or_a_plain_http_url_is_refused(stack: StackProcess, url: str) -> None:
    body = {"url": url, "event_types": ["badge.earned"], "description": "e2e"}
    reply = stack.api.as_user("ops:admin", "PUT", "/v1/admin/webhooks/inside", body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "invalid_webhook"
    assert reply.body["error"]["details"][0]["field"] == "body.url"


def test_a_public_https_endpoint_is_accepted(stack: StackProcess) -> None:
    body = {"url": "https://hooks.example.com/gamify", "event_types": ["badge.earned"]}
    reply = stack.api.as_user("ops:admin", "PUT", "/v1/admin/webhooks/outside", body)
    assert reply.status in (200, 201), reply.body
    assert reply.body["secret"].startswith("whsec_")

"""The webhook admin API through the admin function: the secret shown once, https only and no
internal addresses outside the local stack, 400s naming the field, 404s, users refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import boto3

from gamification.adapters.webhook_repository import WebhookRepository
from gamification.domain.webhooks import Delivery
from gamification.local.provision import Provisioned
from tests.api.support import Api, admin, user

HOOK: dict[str, Any] = {
    "url": "https://hooks.example.com/gamify",
    "event_types": ["badge.earned", "level.changed"],
    "description": "CRM sync",
}


def test_an_admin_creates_reads_replaces_and_deletes_a_webhook(api: Api) -> None:
    created = api.put("/v1/admin/webhooks/crm", as_=admin(), body=HOOK)
    shown = api.get("/v1/admin/webhooks/crm", as_=admin())
    replaced = api.put("/v1/admin/webhooks/crm", as_=admin(), body={**HOOK, "active": False})
    deliveries = api.get("/v1/admin/webhooks/crm/deliveries", as_=admin())
    removed = api.delete("/v1/admin/webhooks/crm", as_=admin())
    gone = api.get("/v1/admin/webhooks/crm", as_=admin())

    assert created.status == 201, created.text
    assert created.json["secret"].startswith("whsec_")
    assert len(created.json["secret"]) >= 32
    assert shown.status == 200
    assert shown.json["secret"] is None
    assert shown.json["event_types"] == HOOK["event_types"]
    assert replaced.status == 200
    assert replaced.json["secret"] is None
    assert replaced.json["active"] is False
    assert deliveries.json == {"deliveries": []}
    assert removed.status == 204
    assert gone.status == 404
    assert gone.json["error"]["code"] == "webhook_not_found"


def test_an_internal_or_plain_http_url_is_a_400_naming_the_field(api: Api) -> None:
    for url in (
        "http://hooks.example.com/",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:3000/local/webhooks/inbox/x",
    ):
        reply = api.put("/v1/admin/webhooks/bad", as_=admin(), body={**HOOK, "url": url})
        assert reply.status == 400, url
        assert reply.json["error"]["code"] == "invalid_webhook"
        assert reply.json["error"]["details"][0]["field"] == "body.url"


def test_an_unknown_event_type_is_a_400(api: Api) -> None:
    reply = api.put(
        "/v1/admin/webhooks/bad", as_=admin(), body={**HOOK, "event_types": ["badge.lost"]}
    )
    assert reply.status == 400
    assert "badge.lost" in reply.json["error"]["message"]


def test_users_may_not_manage_webhooks(api: Api) -> None:
    assert api.put("/v1/admin/webhooks/x", as_=user("alice"), body=HOOK).status == 403
    assert api.get("/v1/admin/webhooks/x", as_=user("alice")).status == 403


def test_rotating_answers_a_new_secret_once(api: Api) -> None:
    first = api.put("/v1/admin/webhooks/rot", as_=admin(), body=HOOK).json["secret"]

    rotated = api.post("/v1/admin/webhooks/rot/rotate", as_=admin())
    missing = api.post("/v1/admin/webhooks/none/rotate", as_=admin())

    assert rotated.status == 200
    assert rotated.json["secret"].startswith("whsec_")
    assert rotated.json["secret"] != first
    assert api.get("/v1/admin/webhooks/rot", as_=admin()).json["secret"] is None
    assert missing.status == 404


def test_a_parked_delivery_is_retried_and_an_unknown_one_is_a_404(
    api: Api, stack_env: Provisioned
) -> None:
    api.put("/v1/admin/webhooks/crm", as_=admin(), body=HOOK)
    body = '{"id":"evt_abc","type":"badge.earned"}'
    WebhookRepository(boto3.client("dynamodb"), stack_env.table_name).park(
        Delivery("crm", "evt_abc", body, datetime(2026, 11, 26, tzinfo=UTC)),
        datetime(2026, 11, 27, tzinfo=UTC),
    )

    retried = api.post("/v1/admin/webhooks/crm/deliveries/crm:evt_abc/retry", as_=admin())
    unknown = api.post("/v1/admin/webhooks/crm/deliveries/crm:evt_nope/retry", as_=admin())
    malformed = api.post("/v1/admin/webhooks/crm/deliveries/evt_abc/retry", as_=admin())
    by_a_user = api.post("/v1/admin/webhooks/crm/deliveries/crm:evt_abc/retry", as_=user("al"))

    assert retried.status == 202, retried.text
    assert retried.json == {"delivery_id": "crm:evt_abc", "event_id": "evt_abc"}
    assert (unknown.status, unknown.json["error"]["code"]) == (404, "delivery_not_found")
    assert malformed.status == 422
    assert by_a_user.status == 403


def test_the_secret_is_stored_sealed_with_kms_and_only_shown_at_creation_and_rotation(
    api: Api, stack_env: Provisioned
) -> None:
    created = api.put("/v1/admin/webhooks/crm", as_=admin(), body=HOOK)
    rotated = api.post("/v1/admin/webhooks/crm/rotate", as_=admin())
    stored = WebhookRepository(boto3.client("dynamodb"), stack_env.table_name).get("crm")

    assert stored is not None
    assert stored.secret.startswith("kms:")
    assert rotated.json["secret"] not in stored.secret
    assert stored.previous_secret is not None
    assert stored.previous_secret.startswith("kms:")
    assert created.json["secret"] not in stored.previous_secret
    blob = stored.secret.removeprefix("kms:")
    opened = boto3.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(blob),
        EncryptionContext={"webhook_id": "crm"},
    )["Plaintext"]
    assert opened.decode() == rotated.json["secret"]

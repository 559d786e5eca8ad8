"""Admin: webhook endpoints (``admin`` group only). The signing secret is generated here and
shown once, in the answer that creates the endpoint (docs/events.md#webhooks)."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from gamification import composition
from gamification.api.contract import ADMIN_ERRORS, BODY_ERRORS, new_router, responses, route
from gamification.domain.webhooks import Attempt, Delivery, Webhook
from gamification.services.read_models import Model, ReadModel
from gamification.services.webhooks import WebhookAdmin

router = new_router()
TAGS = ["admin"]
WebhookIdPath = Annotated[
    str,
    Path(
        description="Lower-case letters, digits, `-`, `_`.", pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"
    ),
]


class WebhookIn(Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="`https://` only; a host resolving to a private, loopback or link-local "
        "address is refused at every delivery.",
    )
    event_types: list[str] = Field(
        min_length=1, max_length=32, description="Event types (`GET /v1/events/schema`), or `*`."
    )
    description: str = Field(default="", max_length=280)
    active: bool = True


class WebhookOut(ReadModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: datetime
    failing_since: datetime | None
    secret: str | None = Field(
        default=None,
        description="The signing secret: only in the answer that created the endpoint.",
    )


class AttemptOut(ReadModel):
    delivery_id: str
    event_id: str
    event_type: str
    attempt: int
    at: datetime
    status: str
    response_code: int | None
    latency_ms: int
    response: str


class DeliveriesOut(Model):
    deliveries: list[AttemptOut]


def _out(webhook: Webhook, secret: str | None = None) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        url=webhook.url,
        event_types=list(webhook.event_types),
        description=webhook.description,
        active=webhook.active,
        created_at=webhook.created_at,
        failing_since=webhook.failing_since,
        secret=secret,
    )


def webhook_admin() -> WebhookAdmin:
    return composition.webhook_admin()


@route(
    router,
    "PUT",
    "/v1/admin/webhooks/{webhook_id}",
    status_code=200,
    operation_id="putWebhook",
    summary="Create or replace a webhook endpoint",
    description="Answers 201 with the new endpoint's signing `secret` (shown this once; store "
    "it); replacing keeps the secret and answers 200 without it. Deliveries are signed "
    "`Gamify-Signature: t=<unix>,v1=<hex>` (docs/events.md).",
    tags=TAGS,
    responses={
        # 404: an id outside the pattern matches no route (as for every PUT of a definition).
        **responses(
            200,
            "Replaced",
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.NOT_FOUND,
            *ADMIN_ERRORS,
            *BODY_ERRORS,
        ),
        201: {"description": "Created (with its secret)"},
    },
)
def put_webhook(
    webhook_id: WebhookIdPath,
    body: WebhookIn,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> Response[WebhookOut]:
    saved = service.put(webhook_id, body.model_dump())
    return Response(
        status_code=HTTPStatus.CREATED if saved.created else HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=_out(saved.webhook, saved.secret),
    )


class WebhookListOut(Model):
    webhooks: list[WebhookOut]


@route(
    router,
    "GET",
    "/v1/admin/webhooks",
    operation_id="listWebhooks",
    summary="Every webhook endpoint (never their secrets)",
    tags=TAGS,
    responses=responses(200, "The endpoints", *ADMIN_ERRORS),
)
def list_webhooks(service: Annotated[WebhookAdmin, Depends(webhook_admin)]) -> WebhookListOut:
    return WebhookListOut(webhooks=[_out(w) for w in service.endpoints()])


@route(
    router,
    "GET",
    "/v1/admin/webhooks/{webhook_id}",
    operation_id="getWebhook",
    summary="A webhook endpoint (never its secret)",
    tags=TAGS,
    responses=responses(200, "The endpoint", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def get_webhook(
    webhook_id: WebhookIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> WebhookOut:
    return _out(service.get(webhook_id))


@route(
    router,
    "DELETE",
    "/v1/admin/webhooks/{webhook_id}",
    status_code=204,
    operation_id="deleteWebhook",
    summary="Remove a webhook endpoint",
    description="Deliveries already queued for it are dropped at their next attempt.",
    tags=TAGS,
    responses=responses(204, "Removed", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND, body=False),
)
def delete_webhook(
    webhook_id: WebhookIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> Response[None]:
    service.delete(webhook_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


@route(
    router,
    "GET",
    "/v1/admin/webhooks/{webhook_id}/deliveries",
    operation_id="getWebhookDeliveries",
    summary="The endpoint's latest delivery attempts",
    description="Newest first, at most 50, kept 7 days: status (`delivered`, `retrying`, "
    "`failed`, `refused`), response code, latency and at most 1 KB of the response.",
    tags=TAGS,
    responses=responses(200, "Attempts", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def get_deliveries(
    webhook_id: WebhookIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> DeliveriesOut:
    attempts: list[Attempt] = service.deliveries(webhook_id)
    return DeliveriesOut(deliveries=[AttemptOut.model_validate(a) for a in attempts])


class PingSentOut(Model):
    delivery_id: str
    event_id: str


@route(
    router,
    "POST",
    "/v1/admin/webhooks/{webhook_id}/test",
    status_code=202,
    operation_id="testWebhook",
    summary="Send a signed webhook.test event to this endpoint",
    description="Queued at once and delivered like any event (signed, retried); its attempts "
    "show in the deliveries log under the answered `delivery_id`.",
    tags=TAGS,
    responses=responses(202, "Queued", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def send_test_ping(
    webhook_id: WebhookIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> Response[PingSentOut]:
    return _queued(service.send_test(webhook_id))


def _queued(delivery: Delivery) -> Response[PingSentOut]:
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type=content_types.APPLICATION_JSON,
        body=PingSentOut(delivery_id=delivery.delivery_id, event_id=delivery.event_id),
    )


DeliveryIdPath = Annotated[
    str,
    Path(
        description="`<webhook id>:<event id>`, as the deliveries log names it.",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}:evt_[A-Za-z0-9_]{1,64}$",
    ),
]


@route(
    router,
    "POST",
    "/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    status_code=202,
    operation_id="retryWebhookDelivery",
    summary="Send a failed or refused delivery again",
    description="Only a delivery whose attempts ended `failed` or `refused` is kept for a "
    "retry (7 days): the same body and event id (receivers dedupe by it), signed at sending, "
    "with a fresh schedule of retries. 409 while the endpoint is paused.",
    tags=TAGS,
    responses=responses(202, "Queued", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
)
def retry_delivery(
    webhook_id: WebhookIdPath,
    delivery_id: DeliveryIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> Response[PingSentOut]:
    return _queued(service.retry(webhook_id, delivery_id))


@route(
    router,
    "POST",
    "/v1/admin/webhooks/{webhook_id}/rotate",
    operation_id="rotateWebhookSecret",
    summary="Rotate the endpoint's signing secret",
    description="Answers the new `secret` (shown this once). For 24 h deliveries carry two "
    "`v1` signatures, with the new and the old secret, so a receiver can switch at its pace.",
    tags=TAGS,
    responses=responses(200, "Rotated (with the new secret)", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def rotate_secret(
    webhook_id: WebhookIdPath,
    service: Annotated[WebhookAdmin, Depends(webhook_admin)],
) -> WebhookOut:
    saved = service.rotate(webhook_id)
    return _out(saved.webhook, saved.secret)

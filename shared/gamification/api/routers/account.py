"""Changes to the caller's own account: settings, and read marks on notifications."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body

from gamification import composition
from gamification.api.auth import Caller
from gamification.api.bodies import (
    MarkReadIn,
    MarkReadOut,
    MarkSomeReadIn,
    SettingsIn,
)
from gamification.api.budget import current_writer
from gamification.api.contract import (
    AUTH_ERRORS,
    BODY_ERRORS,
    WRITE_ERRORS,
    new_router,
    responses,
    route,
)
from gamification.services.account import AccountService
from gamification.services.read_models import SettingsOut

router = new_router()


def account() -> AccountService:
    return composition.account_service()


@route(
    router,
    "PUT",
    "/v1/me/settings",
    operation_id="updateMySettings",
    summary="Change your display name, timezone, language or push reminders",
    description="Only the fields you send change. The timezone (IANA, e.g. `Europe/Paris`) "
    "decides your streak days and when reminders go out; the locale, the language of your "
    "notifications.",
    tags=["account"],
    responses=responses(
        200,
        "Your settings",
        HTTPStatus.BAD_REQUEST,
        *AUTH_ERRORS,
        *WRITE_ERRORS,
        *BODY_ERRORS,
        HTTPStatus.SERVICE_UNAVAILABLE,
    ),
)
def update_settings(
    body: SettingsIn,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[AccountService, Depends(account)],
) -> SettingsOut:
    changes = body.model_dump(include=body.model_fields_set)
    return SettingsOut.model_validate(service.update_settings(caller.user_id, changes))


@route(
    router,
    "POST",
    "/v1/me/notifications/read",
    operation_id="markNotificationsRead",
    summary="Mark some or all of your notifications read",
    tags=["notifications"],
    responses=responses(200, "What was marked", *AUTH_ERRORS, *WRITE_ERRORS, *BODY_ERRORS),
)
def mark_read(
    body: Annotated[MarkReadIn, Body()],
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[AccountService, Depends(account)],
) -> MarkReadOut:
    ids = body.ids if isinstance(body, MarkSomeReadIn) else None
    return MarkReadOut.model_validate(service.mark_read(caller.user_id, ids))

"""What each service exception means over HTTP: the services never know about status codes.

Domain and service rules a request breaks are 400s naming the field; a missing resource is a
404; a dependency that failed is a 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from gamification.adapters.activity_queue import QueueUnavailableError
from gamification.adapters.notification_repository import InvalidCursorError
from gamification.adapters.user_repository import VersionConflictError
from gamification.api.errors import ApiError, ServiceErrorMap, field_error
from gamification.services.account import InvalidSettingsError
from gamification.services.admin import (
    BackfillNotStartedError,
    InvalidBadgeError,
    UnknownBadgeError,
)
from gamification.services.ingest import ActivityRejectedError
from gamification.services.queries import BoardUnavailableError, UnknownUserError


def _rejected(error: ActivityRejectedError) -> ApiError:
    reason = error.rejection.reason.value
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        reason,
        f"{error.field}: {error.rejection.detail}",
        [field_error(f"body.{error.field}", error.rejection.detail, reason)],
    )


def _invalid_badge(error: InvalidBadgeError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_badge",
        f"{error.field}: {error}",
        [field_error(f"body.{error.field}", str(error), "invalid_badge")],
    )


def _invalid_settings(error: InvalidSettingsError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_settings",
        f"{error.field}: {error}",
        [field_error(f"body.{error.field}", str(error), "invalid_settings")],
    )


def _bad_cursor(error: InvalidCursorError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_cursor",
        f"cursor: {error}",
        [field_error("query.cursor", str(error), "invalid_cursor")],
    )


def _unavailable(code: str, message: str, retry_after: int) -> Callable[[Exception], ApiError]:
    def translate(_: Exception) -> ApiError:
        return ApiError(
            HTTPStatus.SERVICE_UNAVAILABLE, code, message, headers={"Retry-After": str(retry_after)}
        )

    return translate


def _not_found(code: str, message: str) -> Callable[[Exception], ApiError]:
    def translate(_: Exception) -> ApiError:
        return ApiError(HTTPStatus.NOT_FOUND, code, message)

    return translate


SERVICE_ERRORS: ServiceErrorMap = {
    ActivityRejectedError: _rejected,
    InvalidBadgeError: _invalid_badge,
    InvalidSettingsError: _invalid_settings,
    InvalidCursorError: _bad_cursor,
    UnknownUserError: _not_found("user_not_found", "no such user"),
    UnknownBadgeError: _not_found("badge_not_found", "no such badge"),
    QueueUnavailableError: _unavailable("queue_unavailable", "nothing was queued; retry", 1),
    BoardUnavailableError: _unavailable(
        "leaderboard_unavailable", "the leaderboard is temporarily unavailable", 30
    ),
    BackfillNotStartedError: _unavailable(
        "backfill_not_started", "the badge is saved but its backfill did not start; repeat", 5
    ),
    VersionConflictError: _unavailable("busy", "the profile kept changing; retry", 1),
}

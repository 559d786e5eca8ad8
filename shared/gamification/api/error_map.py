"""What each service exception means over HTTP: the services never know about status codes.

Domain and service rules a request breaks are 400s naming the field; a missing resource is a
404; a dependency that failed is a 503 with ``Retry-After``.

The map names each exception by module and class, so no API function imports every other
function's services just to name their errors: :func:`service_errors` resolves those whose
module is loaded when the resolver is built, and :func:`late_service_error` translates the rest
when one is raised (the composition root imports adapters on first use).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from gamification.api.errors import ApiError, ServiceErrorMap, field_error
from gamification.validation import said_once

if TYPE_CHECKING:
    from gamification.adapters.cursor import InvalidCursorError
    from gamification.domain.pair_quests import PairQuestError
    from gamification.domain.teams import TeamError
    from gamification.services.account import InvalidSettingsError
    from gamification.services.admin import InvalidBadgeError, InvalidQuestError
    from gamification.services.dry_run import InvalidPositionError
    from gamification.services.exclusion import ReasonRequiredError
    from gamification.services.follows import FollowRefusedError
    from gamification.services.ingest import ActivityRejectedError
    from gamification.services.webhooks import InvalidWebhookError


def _rejected(error: ActivityRejectedError) -> ApiError:
    reason = error.rejection.reason.value
    # Every reason is a rule the document cannot state (an attribute's declaration depends on
    # the event type): 400, naming the field (``attributes.<name>`` for an attribute).
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        reason,
        said_once(error.field, error.rejection.detail),
        [field_error(f"body.{error.field}", error.rejection.detail, reason)],
    )


def _invalid(code: str) -> Callable[[Any], ApiError]:
    """A definition or setting the service refused, naming its field (``error.field``)."""

    def translate(
        error: InvalidBadgeError
        | InvalidQuestError
        | InvalidSettingsError
        | ReasonRequiredError
        | InvalidWebhookError,
    ) -> ApiError:
        return ApiError(
            HTTPStatus.BAD_REQUEST,
            code,
            said_once(error.field, str(error)),
            [field_error(f"body.{error.field}", str(error), code)],
        )

    return translate


def _bad_cursor(error: InvalidCursorError | InvalidPositionError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_cursor",
        said_once("cursor", str(error)),
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


def _follow_refused(error: FollowRefusedError) -> ApiError:
    """An unknown or undiscoverable user is a 404 like any missing one; the rest are rules the
    request breaks (400 naming the path's user)."""
    code = error.refusal.value
    if code == "user_not_found":
        return ApiError(HTTPStatus.NOT_FOUND, code, "no such user")
    message = {
        "cannot_follow_self": "you cannot follow or block yourself",
        "blocked": "you block this user: unblock them first",
        "following_limit": "you follow the most users allowed (1,000): unfollow one first",
        "blocking_limit": "you block the most users allowed (1,000): unblock one first",
        "not_friends": "a friend streak needs you to follow each other",
        "friend_streak_limit": "one of you already has 5 active friend streaks",
    }[code]
    return ApiError(
        HTTPStatus.BAD_REQUEST, code, message, [field_error("path.user_id", message, code)]
    )


def _pair_refused(error: PairQuestError) -> ApiError:
    """A missing quest is a 404; a partner taken a 409; the rest a 400 naming the field."""
    if error.code == "quest_not_found":
        return ApiError(HTTPStatus.NOT_FOUND, error.code, str(error))
    if error.code == "already_paired":
        return ApiError(HTTPStatus.CONFLICT, error.code, str(error))
    field = "path.quest_id" if error.code in {"not_a_pair_quest", "quest_ended"} else "path.user_id"
    return ApiError(
        HTTPStatus.BAD_REQUEST, error.code, str(error), [field_error(field, str(error), error.code)]
    )


def _team_refused(error: TeamError) -> ApiError:
    """A missing team is a 404, a team's page to a non-member a 403; every other refusal a 400
    naming the field at fault."""
    if error.code == "team_not_found":
        return ApiError(HTTPStatus.NOT_FOUND, error.code, str(error))
    if error.code == "not_a_member":
        return ApiError(HTTPStatus.FORBIDDEN, error.code, str(error))
    field = {"wrong_code": "body.code", "invalid_team": "body.code"}.get(error.code, "path.team_id")
    return ApiError(
        HTTPStatus.BAD_REQUEST, error.code, str(error), [field_error(field, str(error), error.code)]
    )


def _conflict(code: str, message: str) -> Callable[[Exception], ApiError]:
    def translate(_: Exception) -> ApiError:
        return ApiError(HTTPStatus.CONFLICT, code, message)

    return translate


def _bad_field(
    code: str, field: str, *, from_message: bool = False
) -> Callable[[Exception], ApiError]:
    """A 400 naming ``field`` (``from_message``: the field the message starts with, as in
    ``"amount: ..."``)."""

    def translate(error: Exception) -> ApiError:
        message = str(error).strip("'\"")
        named = message.split(":", 1)[0] if from_message and ":" in message else None
        where = f"body.{named}" if named and named.isidentifier() else field
        return ApiError(HTTPStatus.BAD_REQUEST, code, message, [field_error(where, message, code)])

    return translate


_WALLET = "gamification.domain.wallet"
_WALLET_SERVICE = "gamification.services.wallet"
WALLET_TRANSLATIONS: dict[tuple[str, str], Callable[[Any], ApiError]] = {
    (_WALLET, "InsufficientFundsError"): _conflict(
        "insufficient_funds", "your balance does not cover it"
    ),
    (_WALLET, "OutOfStockError"): _conflict("out_of_stock", "sold out"),
    (_WALLET, "LimitReachedError"): _conflict("limit_reached", "you bought the most allowed"),
    (_WALLET, "FreezesFullError"): _conflict(
        "freezes_full", "you hold the most streak freezes allowed"
    ),
    (_WALLET, "NotOnSaleError"): _bad_field("not_on_sale", "body.item_id"),
    (_WALLET, "QuantityError"): _bad_field("invalid_quantity", "body.quantity", from_message=True),
    (_WALLET_SERVICE, "KeyReusedError"): _conflict(
        "idempotency_key_reused", "this idempotency key was used for another request"
    ),
    (_WALLET_SERVICE, "UnknownCurrencyError"): _bad_field("unknown_currency", "body.currency"),
    (_WALLET_SERVICE, "StockLoweredError"): _bad_field("invalid_shop_item", "body.stock"),
    (_WALLET_SERVICE, "CurrencyRemovedError"): _bad_field(
        "invalid_wallet_rules", "body.currencies"
    ),
    (_WALLET_SERVICE, "BusyError"): _unavailable("busy", "the wallet kept changing; retry", 1),
}
"""The wallet's refusals: a state that does not allow it now is a 409; a field, a 400."""

_TRANSLATIONS: dict[tuple[str, str], Callable[[Any], ApiError]] = {
    ("gamification.domain.teams", "TeamError"): _team_refused,
    ("gamification.services.teams", "TeamBoardUnavailableError"): _unavailable(
        "team_board_unavailable", "the team boards cannot be read right now; retry", 5
    ),
    ("gamification.services.ingest", "ActivityRejectedError"): _rejected,
    ("gamification.services.admin", "InvalidBadgeError"): _invalid("invalid_badge"),
    ("gamification.services.admin", "InvalidQuestError"): _invalid("invalid_quest"),
    ("gamification.services.admin", "UnknownQuestError"): _not_found(
        "quest_not_found", "no such quest"
    ),
    ("gamification.services.account", "InvalidSettingsError"): _invalid("invalid_settings"),
    ("gamification.services.webhooks", "InvalidWebhookError"): _invalid("invalid_webhook"),
    ("gamification.services.webhooks", "UnknownWebhookError"): _not_found(
        "webhook_not_found", "no such webhook"
    ),
    ("gamification.services.webhooks", "UnknownDeliveryError"): _not_found(
        "delivery_not_found",
        "no failed or refused delivery of that id is kept (delivered, still retrying, or older "
        "than 7 days)",
    ),
    ("gamification.services.webhooks", "WebhookPausedError"): lambda _: ApiError(
        HTTPStatus.CONFLICT,
        "webhook_paused",
        "the endpoint is paused: resume it (PUT with active true) before retrying",
    ),
    ("gamification.adapters.cursor", "InvalidCursorError"): _bad_cursor,
    ("gamification.services.dry_run", "InvalidPositionError"): _bad_cursor,
    ("gamification.services.exclusion", "ReasonRequiredError"): _invalid("invalid_settings"),
    ("gamification.services.flags", "NoOpenFlagError"): _not_found(
        "flag_not_found", "the user has no open flag (never flagged, or reviewed already)"
    ),
    ("gamification.services.credentials", "NoCredentialError"): _not_found(
        "credential_not_found", "no such earned badge of yours"
    ),
    ("gamification.services.queries", "UnknownUserError"): _not_found(
        "user_not_found", "no such user"
    ),
    ("gamification.services.export", "UnknownUserError"): _not_found(
        "user_not_found", "nothing is stored about this user"
    ),
    ("gamification.services.admin", "UnknownBadgeError"): _not_found(
        "badge_not_found", "no such badge"
    ),
    ("gamification.adapters.activity_queue", "QueueUnavailableError"): _unavailable(
        "queue_unavailable", "nothing was queued; retry", 1
    ),
    ("gamification.services.queries", "BoardUnavailableError"): _unavailable(
        "leaderboard_unavailable",
        "the leaderboard is being rebuilt and has no snapshot yet; retry shortly",
        30,
    ),
    ("gamification.services.admin", "BackfillNotStartedError"): _unavailable(
        "backfill_not_started", "the badge is saved but its backfill did not start; repeat", 5
    ),
    ("gamification.services.follows", "FollowRefusedError"): _follow_refused,
    ("gamification.domain.pair_quests", "PairQuestError"): _pair_refused,
    ("gamification.domain.follows", "GraphBusyError"): _unavailable(
        "busy", "the relation kept changing; retry", 1
    ),
    **WALLET_TRANSLATIONS,
    ("gamification.domain.profile_records", "VersionConflictError"): _unavailable(
        "busy", "the profile kept changing; retry", 1
    ),
}


def late_service_error(error: Exception) -> ApiError | None:
    """The translation of ``error`` (by its class or a base class), or ``None``."""
    for cls in type(error).__mro__:
        translate = _TRANSLATIONS.get((cls.__module__, cls.__qualname__))
        if translate is not None:
            return translate(error)
    return None


def service_errors() -> ServiceErrorMap:
    """The translations of the exceptions whose modules are loaded (call after the routers)."""
    found: dict[type[Exception], Callable[[Any], ApiError]] = {}
    for (module_name, class_name), translate in _TRANSLATIONS.items():
        module = sys.modules.get(module_name)
        if module is not None:
            found[getattr(module, class_name)] = translate
    return found

"""Admin: the shop's items and wallet adjustments (``admin`` group only)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ValidationError

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.bodies import AdjustIn, AdjustOut, ShopItemIn, WalletRulesIn
from gamification.api.contract import (
    ADMIN_ERRORS,
    BODY_ERRORS,
    CONFLICT_ERRORS,
    new_router,
    responses,
    route,
)
from gamification.api.errors import ApiError, field_error
from gamification.domain.activity import UserId
from gamification.domain.wallet import ShopItem, WalletRules
from gamification.services.read_models import ShopItemOut
from gamification.services.wallet import WalletService

router = new_router()
TAGS = ["admin"]
ItemIdPath = Annotated[
    str,
    Path(
        description="Lower-case letters, digits, `-`, `_`.", pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"
    ),
]
UserIdPath = Annotated[UserId, Path(description="A user id (the user pool `sub`).")]


def wallet_service() -> WalletService:
    return composition.wallet_service()


def _refused(error: ValidationError, code: str, default: str) -> ApiError:
    """A domain model's refusal as a 400 naming the field (its message starts with it)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or default
    message = str(first["msg"]).removeprefix("Value error, ")
    field = message.split(":", 1)[0] if ":" in message else where
    return ApiError(
        HTTPStatus.BAD_REQUEST, code, message, [field_error(f"body.{field}", message, code)]
    )


@route(
    router,
    "GET",
    "/v1/admin/wallet/rules",
    operation_id="getWalletRules",
    summary="The currencies and earning rules in force",
    tags=TAGS,
    responses=responses(200, "The rules", *ADMIN_ERRORS),
)
def get_wallet_rules(service: Annotated[WalletService, Depends(wallet_service)]) -> WalletRulesIn:
    return WalletRulesIn.model_validate(
        service.wallet_rules().model_dump(mode="json", exclude_none=True)
    )


@route(
    router,
    "PUT",
    "/v1/admin/wallet/rules",
    operation_id="putWalletRules",
    summary="Replace the currencies and earning rules",
    description="Every container applies them within a minute. A currency can be added or "
    "renamed, never removed.",
    tags=TAGS,
    responses=responses(200, "The rules as saved", HTTPStatus.BAD_REQUEST, *ADMIN_ERRORS),
)
def put_wallet_rules(
    body: WalletRulesIn, service: Annotated[WalletService, Depends(wallet_service)]
) -> WalletRulesIn:
    try:
        rules = WalletRules.model_validate(body.model_dump(exclude_none=True))
    except ValidationError as error:
        raise _refused(error, "invalid_wallet_rules", "currencies") from error
    service.put_wallet_rules(rules)
    return body


def _item(item_id: str, body: ShopItemIn) -> ShopItem:
    """The domain's own checks (an internal item names what it grants, the window's order)."""
    try:
        return ShopItem(id=item_id, **body.model_dump())
    except ValidationError as error:
        raise _refused(error, "invalid_shop_item", "grants") from error


@route(
    router,
    "PUT",
    "/v1/admin/shop/items/{item_id}",
    operation_id="putShopItem",
    summary="Create or replace a shop item",
    description="A new stock is split over up to 10 shards; a stock can only grow.",
    tags=TAGS,
    responses=responses(
        200,
        "The item as stored",
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        *ADMIN_ERRORS,
        *BODY_ERRORS,
    ),
)
def put_item(
    item_id: ItemIdPath,
    body: ShopItemIn,
    service: Annotated[WalletService, Depends(wallet_service)],
) -> ShopItemOut:
    return ShopItemOut.model_validate(service.put_item(_item(item_id, body)))


@route(
    router,
    "GET",
    "/v1/admin/shop/items/{item_id}",
    operation_id="getShopItem",
    summary="A shop item",
    tags=TAGS,
    responses=responses(200, "The item", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def get_item(
    item_id: ItemIdPath, service: Annotated[WalletService, Depends(wallet_service)]
) -> ShopItemOut:
    item = service.item(item_id)
    if item is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "item_not_found", "no such shop item")
    return ShopItemOut.model_validate(item)


@route(
    router,
    "DELETE",
    "/v1/admin/shop/items/{item_id}",
    operation_id="deleteShopItem",
    summary="Take an item out of the shop",
    description="Ledger entries and receipts that name it stay.",
    tags=TAGS,
    responses=responses(204, "Deleted", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND, body=False),
)
def delete_item(
    item_id: ItemIdPath, service: Annotated[WalletService, Depends(wallet_service)]
) -> Response[None]:
    if not service.delete_item(item_id):
        raise ApiError(HTTPStatus.NOT_FOUND, "item_not_found", "no such shop item")
    return Response(HTTPStatus.NO_CONTENT.value, content_types.APPLICATION_JSON, None)


@route(
    router,
    "POST",
    "/v1/admin/users/{user_id}/wallet/adjust",
    operation_id="adjustWallet",
    summary="Grant, refund or correct a user's balance, with a reason",
    description="One ledger entry with the reason and the admin. A negative amount that would "
    "take the balance below zero is refused unless `allow_negative` is true.",
    tags=TAGS,
    responses=responses(
        200,
        "The ledger entry",
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        *ADMIN_ERRORS,
        *BODY_ERRORS,
        *CONFLICT_ERRORS,
    ),
)
def adjust(
    user_id: UserIdPath,
    body: AdjustIn,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[WalletService, Depends(wallet_service)],
) -> AdjustOut:
    entry = service.adjust(
        user_id,
        body.currency,
        body.amount,
        reason=body.reason,
        ref=f"admin#{caller.user_id}",
        allow_negative=body.allow_negative,
    )
    return AdjustOut(
        seq=entry.seq, currency=entry.currency, amount=entry.amount, balance=entry.balance
    )

"""Redeem a shop item with your wallet, once per idempotency key (the account function)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.auth import Caller
from gamification.api.bodies import RedeemIn
from gamification.api.budget import current_writer
from gamification.api.contract import (
    AUTH_ERRORS,
    BODY_ERRORS,
    CONFLICT_ERRORS,
    WRITE_ERRORS,
    new_router,
    responses,
    route,
)
from gamification.services.read_models import RedeemOut
from gamification.services.wallet import WalletService

router = new_router()


def wallet_service() -> WalletService:
    return composition.wallet_service()


@route(
    router,
    "POST",
    "/v1/me/wallet/redeem",
    operation_id="redeemShopItem",
    summary="Buy a shop item with your wallet",
    description="Debits the price, takes the units from the stock and counts them against "
    "the per-user limit in one transaction with the ledger entry. Repeating the request with "
    "the same `idempotency_key` returns the first answer and never debits twice. A streak "
    "freeze is yours at once; an external item is delivered by the team's system on the "
    "`reward.redeemed` event.",
    tags=["wallet"],
    responses=responses(
        200,
        "Redeemed",
        HTTPStatus.BAD_REQUEST,
        *AUTH_ERRORS,
        *WRITE_ERRORS,
        *BODY_ERRORS,
        *CONFLICT_ERRORS,
    ),
)
def redeem(
    body: RedeemIn,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[WalletService, Depends(wallet_service)],
) -> RedeemOut:
    result = service.redeem(caller.user_id, body.item_id, body.quantity, body.idempotency_key)
    return RedeemOut.model_validate(result)

"""The wallet, read: your balances, your ledger (paged, newest first) and the shop's items."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.read_models import (
    CurrencyBalanceOut,
    LedgerEntryOut,
    LedgerPageOut,
    ShopListingOut,
    ShopOut,
    WalletOut,
)
from gamification.services.wallet import WalletService

router = new_router()
TAGS = ["wallet"]


def wallet_service() -> WalletService:
    return composition.wallet_service()


@route(
    router,
    "GET",
    "/v1/me/wallet",
    operation_id="getMyWallet",
    summary="Your balance in each currency",
    description="Every currency of the deployment, a zero balance included, as of now: units "
    "past their last spendable day are not counted, units earned but still held are `pending` "
    "(docs/wallet.md). XP is not a currency: it is never spent.",
    tags=TAGS,
    responses=responses(200, "Your wallet", *AUTH_ERRORS),
)
def my_wallet(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[WalletService, Depends(wallet_service)],
) -> WalletOut:
    view = service.wallet(caller.user_id)
    return WalletOut(
        balances=[
            CurrencyBalanceOut(
                currency=c,
                name=view.currencies[c],
                balance=view.balances[c],
                pending=view.pending.get(c, 0),
                next_release=view.next_release.get(c),
                expiring_soon=view.expiring_soon.get(c, 0),
                next_expiry=view.next_expiry.get(c),
            )
            for c in view.currencies
        ],
        ledger_entries=view.entries,
    )


@route(
    router,
    "GET",
    "/v1/me/wallet/ledger",
    operation_id="getMyLedger",
    summary="Every credit and debit of your wallet, newest first",
    description="Each entry has its cause and the balance after it. Entries are kept "
    "800 days (docs/wallet.md).",
    tags=TAGS,
    responses=responses(200, "A page of your ledger", *AUTH_ERRORS),
)
def my_ledger(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[WalletService, Depends(wallet_service)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[int | None, Query(ge=1, description="`next_before` of the last page")] = None,
) -> LedgerPageOut:
    page = service.ledger(caller.user_id, limit, before)
    return LedgerPageOut(
        entries=[LedgerEntryOut.model_validate(e) for e in page.entries],
        next_before=page.next_before,
    )


@route(
    router,
    "GET",
    "/v1/shop/items",
    operation_id="listShopItems",
    summary="What the shop sells",
    description="Every item, with its price and sale window (an item outside its window "
    "cannot be redeemed), the units of its stock still on sale and how many you bought of an "
    "item with a per-user limit.",
    tags=TAGS,
    responses=responses(200, "The shop's items", *AUTH_ERRORS),
)
def shop_items(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[WalletService, Depends(wallet_service)],
) -> ShopOut:
    return ShopOut(
        items=[
            ShopListingOut.model_validate(
                {
                    **listing.item.model_dump(),
                    "units_left": listing.units_left,
                    "bought_so_far": listing.bought_so_far,
                }
            )
            for listing in service.listings(caller.user_id)
        ]
    )

"""A redeem and an admin adjustment, decided on a user's state (pure: the service commits them).

A redeem debits the price, fulfils an internal item at once (a streak freeze: one more grant
today, under the freezes' own rules, so ``max_held`` still applies) and drafts the
``reward.redeemed`` event; the stock shards, the per-user count and the receipt are checked by
the storage's conditions in the same transaction (services.wallet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from gamification.domain.domain_events import EventDraft, reward_redeemed
from gamification.domain.freezes import FreezeRules, freeze_status
from gamification.domain.state import UserState
from gamification.domain.streaks import local_day
from gamification.domain.wallet import (
    STREAK_FREEZE,
    Cause,
    FreezesFullError,
    LedgerEntry,
    QuantityError,
    RedeemResult,
    Redemption,
    ShopItem,
    WalletRules,
    debit,
    expire,
    post,
)


@dataclass(frozen=True, slots=True)
class Decision:
    state: UserState
    redemption: Redemption
    event: EventDraft
    expired: tuple[LedgerEntry, ...] = ()
    """Lots that expired before the debit (entries of the same commit, before the debit's)."""

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """Every ledger entry the commit writes, in sequence order."""
        return (*self.expired, self.redemption.entry)


def redeem(
    state: UserState,
    item: ShopItem,
    quantity: int,
    *,
    key: str,
    wallet_rules: WalletRules,
    freeze_rules: FreezeRules,
    stock_taken: Mapping[int, int],
    now: datetime,
) -> Decision:
    """Debit, fulfil and draft the event; raises when it cannot be bought (funds, window,
    quantity, limit asked beyond at once, freezes full)."""
    if item.per_user_limit is not None and quantity > item.per_user_limit:
        raise QuantityError(f"quantity: at most {item.per_user_limit} per user")
    purse, expired = expire(state.wallet, now)  # expired units are not spent
    purse, entry = debit(purse, item, quantity, wallet_rules, key=key, now=now)
    updated = state.model_copy(update={"wallet": purse})
    if item.grants == STREAK_FREEZE:
        updated = _grant_freezes(updated, quantity, freeze_rules, now)
    result = RedeemResult(
        key=key,
        item_id=item.id,
        quantity=quantity,
        currency=entry.currency,
        amount=-entry.amount,
        balance=purse.spendable(entry.currency, now.astimezone(UTC).date()),
        fulfilment=item.fulfilment,
        redeemed_at=now,
        seq=entry.seq,
    )
    redemption = Redemption(
        key=key,
        item_id=item.id,
        quantity=quantity,
        entry=entry,
        stock_taken=dict(stock_taken),
        per_user_limit=item.per_user_limit,
        result=result,
    )
    event = reward_redeemed(
        key,
        now,
        item_id=item.id,
        name=item.name,
        quantity=quantity,
        currency=entry.currency,
        amount=-entry.amount,
        fulfilment=item.fulfilment,
    )
    return Decision(updated, redemption, event, tuple(expired))


def _grant_freezes(state: UserState, quantity: int, rules: FreezeRules, now: datetime) -> UserState:
    """Freezes granted today (the user's day), as the service-only grant event does; refused
    when they would pass ``max_held`` (a freeze bought and lost at once is a refund ticket)."""
    settings = state.settings
    held = freeze_status(state.streak, state.freezes, rules, settings.timezone, now).held
    if held + quantity > rules.max_held:
        raise FreezesFullError(f"holds {held} of {rules.max_held} freezes")
    ledger = state.freezes
    today = local_day(now, settings.timezone)
    for _ in range(quantity):
        ledger = ledger.with_grant(today, rules)
    return state.model_copy(update={"freezes": ledger})


def adjust(
    state: UserState,
    currency_id: str,
    amount: int,
    *,
    reason: str,
    ref: str,
    allow_negative: bool,
    wallet_rules: WalletRules,
    now: datetime,
) -> tuple[UserState, list[LedgerEntry]]:
    """An admin's grant (> 0) or refund/correction (< 0), with its reason in the ledger. A
    debit below zero only when the admin says so (``allow_negative``). Due lots expire first
    (their entries come before the adjustment's: every entry returned, in sequence order)."""
    if amount == 0:
        raise QuantityError("amount: a grant or correction of 0 changes nothing")
    currency = wallet_rules.currency(currency_id)
    if currency is None:
        raise KeyError(currency_id)
    purse, expired = expire(state.wallet, now)
    purse, entry = post(
        purse,
        currency,
        amount,
        cause=Cause.ADJUST,
        kind="grant" if amount > 0 else "debit",
        ref=ref,
        at=now,
        note=reason,
        allow_negative=allow_negative,
    )
    return state.model_copy(update={"wallet": purse}), [*expired, entry]

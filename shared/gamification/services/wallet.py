"""The wallet's use cases: read it, page its ledger, redeem a shop item, adjust as an admin, and
keep the shop's items. Every balance change commits with its ledger entries in one profile
write under the profile's version guard (``UserChange.wallet``), so a balance always equals the
sum of its ledger and a retried request never debits twice (docs/wallet.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol
from zlib import crc32

from gamification.domain import redeem as decide
from gamification.domain.game_rules import GameRules
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.wallet import (
    EXPIRING_SOON,
    AlreadyRedeemedError,
    LedgerEntry,
    NotOnSaleError,
    OutOfStockError,
    RedeemResult,
    ShopItem,
    WalletRules,
    WalletState,
    WalletWrite,
    draw_from,
    expire,
)

# -- ports (adapters: UserRepository for profiles, WalletStore for the rest) --------------------


class WalletProfiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def save(self, change: UserChange) -> StoredUser:
        """Commit under the version guard; raises VersionConflictError, and for a redemption
        AlreadyRedeemedError, OutOfStockError, LimitReachedError (nothing written then)."""
        ...


class Shop(Protocol):
    def item(self, item_id: str) -> ShopItem | None: ...

    def items(self) -> list[ShopItem]: ...

    def put_item(self, item: ShopItem) -> None:
        """Store the item; a new stock is split into shards, a raised one adds the difference."""
        ...

    def delete_item(self, item_id: str) -> bool: ...

    def stock_left(self, item_id: str) -> dict[int, int]:
        """Units left per stock shard (eventually consistent: a hint, the commit decides)."""
        ...

    def rules(self) -> WalletRules | None:
        """The currencies and earning rules an admin saved (``None``: the shipped ones)."""
        ...

    def put_rules(self, rules: WalletRules) -> None: ...


class Ledgers(Protocol):
    def receipt(self, user_id: str, key: str) -> RedeemResult | None: ...

    def page(self, user_id: str, limit: int, before: int | None) -> list[LedgerEntry]:
        """Entries newest first, with ``seq < before`` when given."""
        ...

    def purchases(self, user_id: str) -> dict[str, int]:
        """Units the user bought of each item with a ``per_user_limit`` (the counts the redeem
        transaction guards; items without a limit are not counted)."""
        ...


class KeyReusedError(Exception):
    """An idempotency key already used for another item or quantity."""


class UnknownCurrencyError(KeyError):
    pass


class BusyError(Exception):
    """The user's profile kept changing (or the stock kept moving) under every attempt."""


class CurrencyRemovedError(ValueError):
    """A currency can be added or renamed, never removed: balances in it would be orphaned."""


class StockLoweredError(ValueError):
    """A stock can only grow: units on sale are never taken back (docs/wallet.md)."""


@dataclass(frozen=True, slots=True)
class WalletView:
    balances: dict[str, int]
    """What can be spent now: units past their last spendable day and pending units are left
    out (docs/wallet.md)."""
    currencies: dict[str, str]
    """Currency id -> name, for every currency of the deployment (a zero balance included)."""
    entries: int
    expiring_soon: dict[str, int] = field(default_factory=dict)
    """Units whose last spendable day is within ``EXPIRING_SOON`` (currency -> units)."""
    next_expiry: dict[str, date] = field(default_factory=dict)
    """The earliest last spendable day of each currency holding expiring units."""
    pending: dict[str, int] = field(default_factory=dict)
    """Units earned but held (``hold_days``): in the ledger's balance, not spendable yet."""
    next_release: dict[str, date] = field(default_factory=dict)
    """The earliest day pending units of each currency become spendable."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A shop item as one user sees it."""

    item: ShopItem
    units_left: int | None
    """Σ of the stock shards' ``left`` (``None``: unlimited); read eventually consistent."""
    bought_so_far: int | None
    """The caller's count against ``per_user_limit`` (``None``: the item has no limit)."""


@dataclass(frozen=True, slots=True)
class LedgerPage:
    entries: list[LedgerEntry]
    next_before: int | None


class WalletService:
    def __init__(
        self,
        profiles: WalletProfiles,
        shop: Shop,
        ledgers: Ledgers,
        *,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
        max_attempts: int = 6,
    ) -> None:
        self._profiles = profiles
        self._shop = shop
        self._ledgers = ledgers
        self._rules = rules
        self._clock = clock
        self._max_attempts = max_attempts

    # -- reads ---------------------------------------------------------------------------------

    def wallet(self, user_id: str) -> WalletView:
        """The wallet as of now: lots due to expire and pending lots due for release are applied
        to what is shown (the ``expired`` entries are written by the user's next wallet write;
        a release writes nothing, docs/wallet.md)."""
        stored = self._profiles.load(user_id, consistent=False)
        currencies = self._rules().wallet.currencies
        now = self._clock()
        purse: WalletState = stored.state.wallet
        posted = purse.entries
        purse, _ = expire(purse, now)
        soon = (now + EXPIRING_SOON).astimezone(UTC).date()
        today = now.astimezone(UTC).date()
        return WalletView(
            balances={c.id: purse.spendable(c.id, today) for c in currencies},
            currencies={c.id: c.name for c in currencies},
            entries=posted,
            expiring_soon={c.id: purse.expiring(c.id, soon) for c in currencies},
            next_expiry={c: min(lots) for c, lots in purse.lots.items() if lots},
            pending={c.id: purse.pending_units(c.id, today) for c in currencies},
            next_release={c: min(lots) for c, lots in purse.pending.items() if lots},
        )

    def ledger(self, user_id: str, limit: int, before: int | None = None) -> LedgerPage:
        entries = self._ledgers.page(user_id, limit, before)
        more = len(entries) == limit and entries[-1].seq > 0
        return LedgerPage(entries, entries[-1].seq if more else None)

    # -- redeem --------------------------------------------------------------------------------

    def redeem(self, user_id: str, item_id: str, quantity: int, key: str) -> RedeemResult:
        """Buy ``quantity`` of an item once per ``key``: a repeat returns the first answer."""
        done = self._ledgers.receipt(user_id, key)
        if done is not None:
            return _same_request(done, item_id, quantity)
        item = self._shop.item(item_id)
        if item is None:
            raise NotOnSaleError(item_id)
        for _ in range(self._max_attempts):
            rules = self._rules()
            now = self._clock()
            stored = self._profiles.load(user_id)
            taken: dict[int, int] = {}
            if item.stock is not None:
                left = self._shop.stock_left(item.id)
                # Start at the buyer's own shard, so concurrent buyers spread over the shards.
                drawn = draw_from(left, quantity, crc32(f"{user_id}/{key}".encode()))
                if drawn is None:
                    raise OutOfStockError(item.id)
                taken = drawn
            decision = decide.redeem(
                stored.state,
                item,
                quantity,
                key=key,
                wallet_rules=rules.wallet,
                freeze_rules=rules.policy.freezes,
                stock_taken=taken,
                now=now,
            )
            change = UserChange(
                before=stored,
                state=decision.state,
                now=now,
                events=(decision.event,),
                wallet=WalletWrite(decision.entries, decision.redemption),
            )
            try:
                self._profiles.save(change)
            except (VersionConflictError, OutOfStockError):
                continue  # re-read the profile and the shards, decide again
            except AlreadyRedeemedError:
                done = self._ledgers.receipt(user_id, key)
                if done is None:  # the receipt's commit is not visible yet
                    continue
                return _same_request(done, item_id, quantity)
            return decision.redemption.result
        raise BusyError(f"user {user_id}: {self._max_attempts} attempts")

    # -- admin ---------------------------------------------------------------------------------

    def adjust(
        self,
        user_id: str,
        currency: str,
        amount: int,
        *,
        reason: str,
        ref: str,
        allow_negative: bool = False,
    ) -> LedgerEntry:
        """An admin's grant or refund, with its reason in the ledger (``ref``: the request)."""
        rules = self._rules()
        if rules.wallet.currency(currency) is None:
            raise UnknownCurrencyError(currency)
        for _ in range(self._max_attempts):
            now = self._clock()
            stored = self._profiles.load(user_id)
            state, entries = decide.adjust(
                stored.state,
                currency,
                amount,
                reason=reason,
                ref=ref,
                allow_negative=allow_negative,
                wallet_rules=rules.wallet,
                now=now,
            )
            change = UserChange(
                before=stored, state=state, now=now, wallet=WalletWrite(tuple(entries), None)
            )
            try:
                self._profiles.save(change)
            except VersionConflictError:
                continue
            return entries[-1]
        raise BusyError(f"user {user_id}: {self._max_attempts} attempts")

    def wallet_rules(self) -> WalletRules:
        """The rules in force: saved by an admin, else the shipped ``data/currencies.json``."""
        return self._shop.rules() or self._rules().wallet

    def put_wallet_rules(self, rules: WalletRules) -> WalletRules:
        """Replace the currencies and earning rules (every container within a minute)."""
        kept = {c.id for c in rules.currencies}
        removed = sorted({c.id for c in self.wallet_rules().currencies} - kept)
        if removed:
            raise CurrencyRemovedError(f"currencies: {removed} cannot be removed")
        self._shop.put_rules(rules)
        invalidate = getattr(self._rules, "invalidate", None)
        if callable(invalidate):
            invalidate()
        return rules

    def put_item(self, item: ShopItem) -> ShopItem:
        if self._rules().wallet.currency(item.price.currency) is None:
            raise UnknownCurrencyError(item.price.currency)
        old = self._shop.item(item.id)
        if old is not None and old.stock is not None and (item.stock or 0) < old.stock:
            raise StockLoweredError(f"stock: at least {old.stock} (units on sale stay on sale)")
        if old is not None and old.stock is None and item.stock is not None:
            raise StockLoweredError("stock: an unlimited item stays unlimited")
        self._shop.put_item(item)
        return item

    def items(self) -> Sequence[ShopItem]:
        return self._shop.items()

    def listings(self, user_id: str) -> list[Listing]:
        """The shop for one user: each stocked item's units left (one eventually consistent
        query over its shards, summed) and the user's purchase counts (one query). A hint, not
        a promise: it may lag a purchase or a raise by a moment; the redeem's conditions on
        the shards decide the last units (docs/wallet.md)."""
        items = self._shop.items()
        bought = self._ledgers.purchases(user_id) if any(i.per_user_limit for i in items) else {}
        return [
            Listing(
                item=item,
                units_left=(
                    None if item.stock is None else sum(self._shop.stock_left(item.id).values())
                ),
                bought_so_far=None if item.per_user_limit is None else bought.get(item.id, 0),
            )
            for item in items
        ]

    def item(self, item_id: str) -> ShopItem | None:
        return self._shop.item(item_id)

    def delete_item(self, item_id: str) -> bool:
        """The item leaves the shop; receipts and ledger entries that name it stay."""
        return self._shop.delete_item(item_id)

    def stock_left(self, item_id: str) -> int | None:
        item = self._shop.item(item_id)
        if item is None or item.stock is None:
            return None
        return sum(self._shop.stock_left(item_id).values())


def _same_request(done: RedeemResult, item_id: str, quantity: int) -> RedeemResult:
    if (done.item_id, done.quantity) != (item_id, quantity):
        raise KeyReusedError(f"idempotency key {done.key!r} was used for another request")
    return done

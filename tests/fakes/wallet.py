"""In-memory wallet: the ports of services.wallet (real: ``UserRepository`` for the profiles,
``adapters.wallet_store.WalletStore`` for the shop and ledgers; the contract:
tests/adapters/contracts/test_wallet.py).

``save`` checks what the real transaction's conditions check, all or nothing, under a lock:
the profile's version, the receipt's key, each stock shard's units, the per-user count.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from gamification.domain.domain_events import EventDraft
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.state import UserState
from gamification.domain.wallet import (
    AlreadyRedeemedError,
    LedgerEntry,
    LimitReachedError,
    OutOfStockError,
    RedeemResult,
    ShopItem,
    WalletRules,
    split_stock,
    stock_shards,
)


class FakeWallet:
    def __init__(self) -> None:
        self.profiles: dict[str, StoredUser] = {}
        self.ledgers: dict[str, dict[int, LedgerEntry]] = {}
        self.receipts: dict[tuple[str, str], RedeemResult] = {}
        self.bought: dict[tuple[str, str], int] = {}
        self.shop: dict[str, ShopItem] = {}
        self.stock: dict[str, dict[int, int]] = {}
        self.sold_units: dict[str, int] = {}
        self.events: list[tuple[str, str]] = []
        """(user, event type) of every committed outbox draft."""
        self.outbox: list[tuple[str, int, tuple[EventDraft, ...]]] = []
        """(user, version written, drafts) of every commit, as the profile's outbox holds them."""
        self.saved_rules: WalletRules | None = None
        self._lock = threading.Lock()

    # -- profiles ------------------------------------------------------------------------------

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        return self.profiles.get(user_id) or StoredUser(UserState.new(user_id))

    def save(self, change: UserChange) -> StoredUser:
        with self._lock:
            user_id = change.state.user_id
            if self.load(user_id).version != change.before.version:
                raise VersionConflictError(user_id)
            ledger = self.ledgers.setdefault(user_id, {})
            if any(e.seq in ledger for e in change.wallet.entries):
                raise VersionConflictError(user_id)
            redemption = change.wallet.redemption
            if redemption is not None:
                if (user_id, redemption.key) in self.receipts:
                    raise AlreadyRedeemedError(redemption.key)
                shards = self.stock.get(redemption.item_id, {})
                if any(shards.get(s, 0) < n for s, n in redemption.stock_taken.items()):
                    raise OutOfStockError(redemption.item_id)
                count = self.bought.get((user_id, redemption.item_id), 0)
                limit = redemption.per_user_limit
                if limit is not None and count + redemption.quantity > limit:
                    raise LimitReachedError(redemption.item_id)
                for shard, units in redemption.stock_taken.items():
                    shards[shard] -= units
                    self.sold_units[redemption.item_id] = (
                        self.sold_units.get(redemption.item_id, 0) + units
                    )
                if limit is not None:
                    self.bought[(user_id, redemption.item_id)] = count + redemption.quantity
                self.receipts[(user_id, redemption.key)] = redemption.result
            for entry in change.wallet.entries:
                ledger[entry.seq] = entry
            self.events += [(user_id, e.type) for e in change.outbox]
            self.outbox.append((user_id, change.before.version + 1, change.outbox))
            stored = StoredUser(change.state, change.before.version + 1, change.xp_at)
            self.profiles[user_id] = replace(stored, marks=change.new_marks)
            return self.profiles[user_id]

    # -- currencies and earning rules ------------------------------------------------------

    def rules(self) -> WalletRules | None:
        return self.saved_rules

    def put_rules(self, rules: WalletRules) -> None:
        self.saved_rules = rules

    # -- shop ----------------------------------------------------------------------------------

    def item(self, item_id: str) -> ShopItem | None:
        return self.shop.get(item_id)

    def items(self) -> list[ShopItem]:
        return sorted(self.shop.values(), key=lambda i: i.id)

    def put_item(self, item: ShopItem) -> None:
        with self._lock:
            old = self.shop.get(item.id)
            if item.stock is not None and old is None:
                split = split_stock(item.stock, stock_shards(item.stock))
                self.stock[item.id] = dict(enumerate(split))
            elif item.stock is not None and old is not None and old.stock is not None:
                shards = self.stock.setdefault(item.id, {0: 0})
                shards[0] = shards.get(0, 0) + item.stock - old.stock
            self.shop[item.id] = item

    def delete_item(self, item_id: str) -> bool:
        self.stock.pop(item_id, None)
        return self.shop.pop(item_id, None) is not None

    def stock_left(self, item_id: str) -> dict[int, int]:
        return dict(self.stock.get(item_id, {}))

    def sold(self, item_id: str) -> int:
        return self.sold_units.get(item_id, 0)

    # -- ledgers -------------------------------------------------------------------------------

    def receipt(self, user_id: str, key: str) -> RedeemResult | None:
        return self.receipts.get((user_id, key))

    def page(self, user_id: str, limit: int, before: int | None) -> list[LedgerEntry]:
        entries = sorted(self.ledgers.get(user_id, {}).values(), key=lambda e: -e.seq)
        return [e for e in entries if before is None or e.seq < before][:limit]

    def purchases(self, user_id: str) -> dict[str, int]:
        return {item: n for (user, item), n in self.bought.items() if user == user_id}

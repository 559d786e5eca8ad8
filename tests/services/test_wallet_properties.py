"""Money-like state balances under any interleaving and redelivery (services.wallet on fakes).

For any sequence of earns, redeems (idempotency keys drawn from a small pool, so they repeat),
refunds and redeliveries, some of them interleaved (another request commits between one's read
and its write), every balance equals the sum of its ledger and is never negative, a key debits
at most once, no stock shard goes below zero and the units sold never pass the stock. With an
expiring currency the clock moves between the steps too: units expire exactly once (one
``expired`` entry per lot day), the lots never hold more than the balance nor more than
``MAX_LOTS`` days, and what ``GET /v1/me/wallet`` shows is what the next write posts.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.profile_records import StoredUser
from gamification.domain.wallet import (
    MAX_LOTS,
    Cause,
    Currency,
    InsufficientFundsError,
    LimitReachedError,
    OutOfStockError,
    Price,
    QuantityError,
    RedeemResult,
    ShopItem,
    WalletRules,
)
from gamification.services.wallet import KeyReusedError, WalletService
from tests.fakes.wallet import FakeWallet

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
USERS = ("ann", "bob", "cid")
RULES = default_game_rules().model_copy(
    update={"wallet": WalletRules(currencies=(Currency(id="gems", name="Gems", balance_cap=500),))}
)
EXPIRING = default_game_rules().model_copy(
    update={
        "wallet": WalletRules(
            currencies=(Currency(id="gems", name="Gems", balance_cap=500, expires_after_days=2),)
        )
    }
)
ITEMS = (
    ShopItem(id="mug", name="Mug", price=Price(currency="gems", amount=10), stock=4),
    ShopItem(
        id="sticker", name="Sticker", price=Price(currency="gems", amount=5), per_user_limit=3
    ),
    ShopItem(
        id="hoodie",
        name="Hoodie",
        price=Price(currency="gems", amount=50),
        stock=25,
        per_user_limit=2,
    ),
)
EXPECTED = (
    InsufficientFundsError,
    OutOfStockError,
    LimitReachedError,
    KeyReusedError,
    QuantityError,
)


class Interleaving(FakeWallet):
    """A read can be made stale: the next ``load`` of a user returns an older snapshot, as when
    another request commits between this one's read and its write."""

    def __init__(self) -> None:
        super().__init__()
        self.stale: dict[str, StoredUser] = {}
        self.stale_stock: dict[str, dict[int, int]] = {}
        self.stale_receipts: dict[str, dict[tuple[str, str], RedeemResult]] = {}

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        if user_id in self.stale:
            return self.stale.pop(user_id)
        return super().load(user_id, consistent)

    def receipt(self, user_id: str, key: str) -> RedeemResult | None:
        if user_id in self.stale_receipts:
            return self.stale_receipts.pop(user_id).get((user_id, key))
        return super().receipt(user_id, key)

    def stock_left(self, item_id: str) -> dict[int, int]:
        if item_id in self.stale_stock:
            return self.stale_stock.pop(item_id)
        return super().stock_left(item_id)


class Slow(FakeWallet):
    """Reading the stock takes a moment (as a network call does): other buyers run meanwhile."""

    def stock_left(self, item_id: str) -> dict[int, int]:
        left = super().stock_left(item_id)
        time.sleep(0.002)
        return left


class Clock:
    """The injected clock: the tests move it between steps."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _service(
    store: FakeWallet, rules: GameRules = RULES, clock: Clock | None = None
) -> WalletService:
    service = WalletService(store, store, store, rules=lambda: rules, clock=clock or Clock())
    for item in ITEMS:
        service.put_item(item)
    return service


def _run(service: WalletService, op: tuple[Any, ...]) -> None:
    kind, user = op[0], op[1]
    try:
        if kind == "earn":
            service.adjust(user, "gems", op[2], reason="earned", ref=f"earn-{op[3]}")
        elif kind == "refund":
            service.adjust(user, "gems", -op[2], reason="refund", ref=f"refund-{op[3]}")
        else:
            service.redeem(user, op[2], op[3], f"key-{op[4]:04d}")
    except EXPECTED:
        pass


_ops = st.one_of(
    st.tuples(st.just("earn"), st.sampled_from(USERS), st.integers(1, 120), st.integers(0, 99)),
    st.tuples(st.just("refund"), st.sampled_from(USERS), st.integers(1, 60), st.integers(0, 99)),
    st.tuples(
        st.just("redeem"),
        st.sampled_from(USERS),
        st.sampled_from([i.id for i in ITEMS]),
        st.integers(1, 3),
        st.integers(0, 5),
    ),
)


def _assert_balanced(store: FakeWallet) -> None:
    for user in USERS:
        wallet = store.load(user).state.wallet
        entries = sorted(store.ledgers.get(user, {}).values(), key=lambda e: e.seq)
        assert [e.seq for e in entries] == list(range(wallet.entries))
        assert sum(e.amount for e in entries) == wallet.balance("gems")
        assert all(e.balance >= 0 for e in entries)
        lots = wallet.lots.get("gems", {})
        assert 0 <= sum(lots.values()) <= max(0, wallet.balance("gems"))
        assert len(lots) <= MAX_LOTS
        assert all(n > 0 for n in lots.values())
        expired = [e for e in entries if e.cause is Cause.EXPIRE]
        assert all(e.amount < 0 and e.kind == "expired" for e in expired)
        assert len({e.ref for e in expired}) == len(expired), "a lot day expired twice"
        redeems = [e.ref for e in entries if e.cause is Cause.REDEEM]
        assert not [k for k, n in Counter(redeems).items() if n > 1], "a key debited twice"
        assert len(redeems) == sum(1 for (u, _) in store.receipts if u == user)
    for item in ITEMS:
        if item.stock is not None:
            left = store.stock_left(item.id)
            assert min(left.values()) >= 0
            assert sum(left.values()) + store.sold(item.id) == item.stock
        if item.per_user_limit is not None:
            counts = [n for (_, i), n in store.bought.items() if i == item.id]
            assert all(n <= item.per_user_limit for n in counts)
    sold = Counter[str]()
    for (_, _), receipt in store.receipts.items():
        sold[receipt.item_id] += receipt.quantity
    for item in ITEMS:
        if item.stock is not None:
            assert sold[item.id] == store.sold(item.id) <= item.stock


@pytest.mark.parametrize("rules", [RULES, EXPIRING], ids=["lasting", "expiring"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(_ops, st.booleans(), st.booleans(), _ops | st.just("same"), st.integers(0, 40)),
        max_size=40,
    )
)
def test_any_interleaving_and_redelivery_keeps_every_wallet_balanced(
    rules: GameRules,
    steps: list[tuple[tuple[Any, ...], bool, bool, Any, int]],
) -> None:
    store = Interleaving()
    clock = Clock()
    service = _service(store, rules, clock)
    for op, interleaved, redelivered, drawn, hours in steps:
        clock.now += timedelta(hours=hours)  # expiring gems last 2 days after their own day
        other = op if drawn == "same" else drawn  # "same": a concurrent redelivery of ``op``
        if interleaved:  # ``other`` commits between ``op``'s read and its write
            read = store.load(op[1])
            receipts = dict(store.receipts)
            stock = {i.id: store.stock_left(i.id) for i in ITEMS if i.stock}
            _run(service, other)
            store.stale[op[1]], store.stale_receipts[op[1]], store.stale_stock = (
                read,
                receipts,
                stock,
            )
        _run(service, op)
        store.stale, store.stale_receipts, store.stale_stock = {}, {}, {}  # ``op`` read or not
        if redelivered:
            _run(service, op)
        _assert_balanced(store)
    shown = {user: service.wallet(user).balances["gems"] for user in USERS}
    for user in USERS:  # a write posts what the read showed: nothing due is left in a lot
        service.adjust(user, "gems", 1, reason="touch", ref="touch")
        wallet = store.load(user).state.wallet
        assert wallet.balance("gems") == min(500, shown[user] + 1)
        assert min(wallet.lots.get("gems", {clock.now.date(): 0})) >= clock.now.date()
    _assert_balanced(store)


def test_fifty_concurrent_buyers_of_the_last_ten_units_never_oversell() -> None:
    store = Slow()
    service = _service(store)
    service.put_item(
        ShopItem(id="last", name="Last ten", price=Price(currency="gems", amount=1), stock=10)
    )
    buyers = [f"buyer-{n}" for n in range(50)]
    for buyer in buyers:
        service.adjust(buyer, "gems", 5, reason="seed", ref="seed")
    outcomes: Counter[str] = Counter()
    barrier = threading.Barrier(len(buyers))

    def buy(buyer: str) -> None:
        barrier.wait()
        try:
            service.redeem(buyer, "last", 1, f"{buyer}-key-1")
            outcomes["bought"] += 1
        except OutOfStockError:
            outcomes["sold out"] += 1

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"bought": 10, "sold out": 40}
    assert store.sold("last") == 10
    assert sum(store.stock_left("last").values()) == 0
    paid = sum(store.load(b).state.wallet.balance("gems") == 4 for b in buyers)
    assert paid == 10


@pytest.mark.parametrize("quantity", [1, 2])
def test_the_same_key_returns_the_same_result_and_debits_once(quantity: int) -> None:
    store = FakeWallet()
    service = _service(store)
    service.adjust("ann", "gems", 200, reason="seed", ref="seed")
    first = service.redeem("ann", "mug", quantity, "key-same-0001")
    again = service.redeem("ann", "mug", quantity, "key-same-0001")
    assert again == first
    assert store.load("ann").state.wallet.balance("gems") == 200 - 10 * quantity
    with pytest.raises(KeyReusedError):
        service.redeem("ann", "sticker", 1, "key-same-0001")

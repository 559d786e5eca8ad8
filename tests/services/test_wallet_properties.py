"""Money-like state balances under any interleaving and redelivery (services.wallet on fakes).

For any sequence of earns, redeems (idempotency keys drawn from a small pool, so they repeat),
refunds and redeliveries, some of them interleaved (another request commits between one's read
and its write), every balance equals the sum of its ledger and is never negative, every ledger
entry went out as exactly one ``wallet.entry_posted`` event (one id each), a key debits
at most once, no stock shard goes below zero and the units sold never pass the stock. With an
expiring currency the clock moves between the steps too: units expire exactly once (one
``expired`` entry per lot day), the lots never hold more than the balance nor more than
``MAX_LOTS`` days, and what ``GET /v1/me/wallet`` shows is what the next write posts. With a
holding period (and expiry) the earns are the consumer's credits for facts, redelivered too:
each fact pays once, pending units are never spent by a redeem (what is spendable never goes
below zero), never outnumber the balance, and are released by the clock alone.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.domain.domain_events import event_id
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.wallet import (
    MAX_LOTS,
    Cause,
    Currency,
    EarningRule,
    EarnOn,
    Fact,
    InsufficientFundsError,
    LedgerEntry,
    LimitReachedError,
    OutOfStockError,
    Price,
    QuantityError,
    RedeemResult,
    ShopItem,
    WalletRules,
    WalletWrite,
    earn,
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
HELD = default_game_rules().model_copy(
    update={
        "wallet": WalletRules(
            currencies=(
                Currency(
                    id="gems", name="Gems", balance_cap=500, hold_days=1, expires_after_days=2
                ),
            ),
            earning=(EarningRule(on=EarnOn.BADGE, currency="gems", amount=40),),
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


class Consumer:
    """What the pipeline commits for a fact (a badge earned): its credits with their ledger
    entries, in one profile write under the version guard, once per fact (the pipeline's dedupe
    markers commit with the profile; here: the fact's ref already in the user's ledger)."""

    def __init__(self, store: FakeWallet, rules: GameRules, clock: Clock) -> None:
        self.store, self.rules, self.clock = store, rules, clock

    def badge(self, user: str, badge: int) -> None:
        fact = Fact(EarnOn.BADGE, f"badge-{badge}", f"badge_earned#badge-{badge}")
        for _ in range(6):
            if any(e.ref == fact.ref for e in self.store.ledgers.get(user, {}).values()):
                return  # a redelivery: the fact was applied
            stored = self.store.load(user)
            now = self.clock()
            purse, entries = earn(stored.state.wallet, [fact], self.rules.wallet, now)
            state = stored.state.model_copy(update={"wallet": purse})
            change = UserChange(
                before=stored, state=state, now=now, wallet=WalletWrite(tuple(entries), None)
            )
            try:
                self.store.save(change)
            except VersionConflictError:
                continue
            return


def _run(service: WalletService, op: tuple[Any, ...], consumer: Consumer | None = None) -> None:
    kind, user = op[0], op[1]
    try:
        if kind == "earn" and consumer is not None:  # earned: held when the currency holds
            consumer.badge(user, op[3] % 20)  # facts repeat: redeliveries of a badge
        elif kind == "earn":
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


def _assert_balanced(store: FakeWallet, now: datetime = NOW) -> None:
    for user in USERS:
        wallet = store.load(user).state.wallet
        entries = sorted(store.ledgers.get(user, {}).values(), key=lambda e: e.seq)
        assert [e.seq for e in entries] == list(range(wallet.entries))
        assert sum(e.amount for e in entries) == wallet.balance("gems")
        assert all(e.balance >= 0 for e in entries)
        pending = wallet.pending.get("gems", {})
        assert sum(pending.values()) <= max(0, wallet.balance("gems"))
        assert len(pending) <= MAX_LOTS
        assert wallet.spendable("gems", now.date()) >= 0
        replayed = _pending_by_the_ledger(entries)
        assert {d: n for d, n in replayed.items() if d > now.date()} == {
            d: n for d, n in pending.items() if d > now.date()
        }
        earned = [e.ref for e in entries if e.cause is Cause.EARN]
        assert len(earned) == len(set(earned)), "a fact paid twice"
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
        _assert_one_event_per_entry(store, user, entries)
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


def _assert_one_event_per_entry(store: FakeWallet, user: str, entries: list[LedgerEntry]) -> None:
    """The committed outboxes carry exactly one ``wallet.entry_posted`` per ledger entry, with
    its numbers, and one ``reward.redeemed`` per receipt: whatever was retried, redelivered or
    raced, each id once (the events of failed commits never left)."""
    drafts = [d for u, _, outbox in store.outbox if u == user for d in outbox]
    posted = [d for d in drafts if d.type == "wallet.entry_posted"]
    assert [(d.fact, d.data["amount"], d.data["balance"], d.data["cause"]) for d in posted] == [
        (str(e.seq), e.amount, e.balance, e.cause.value) for e in entries
    ]
    ids = [event_id("prod", user, d.type, d.fact) for d in drafts]
    assert len(ids) == len(set(ids)), "an event id committed twice"
    redeemed = sum(1 for d in drafts if d.type == "reward.redeemed")
    assert redeemed == sum(1 for (u, _) in store.receipts if u == user)


def _pending_by_the_ledger(entries: list[LedgerEntry]) -> dict[date, int]:
    """The pending units the ledger alone explains: each held credit waits until its
    ``spendable_from``; a redeem must have been covered by the units spendable at its time; an
    admin's debit beyond them takes pending units, the earliest release first."""
    pending: dict[date, int] = {}
    for entry in entries:
        today = entry.at.date()
        pending = {d: n for d, n in pending.items() if d > today}
        if entry.spendable_from is not None:
            assert entry.spendable_from > today
            pending[entry.spendable_from] = pending.get(entry.spendable_from, 0) + entry.amount
        spendable = entry.balance - sum(pending.values())
        if entry.cause is Cause.REDEEM:
            assert spendable >= 0, f"redeem {entry.ref} spent pending units"
        excess = -spendable
        for day in sorted(pending):
            take = min(max(0, excess), pending[day])
            pending[day] -= take
            excess -= take
        pending = {d: n for d, n in pending.items() if n}
    return pending


@pytest.mark.parametrize("rules", [RULES, EXPIRING, HELD], ids=["lasting", "expiring", "held"])
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
    consumer = Consumer(store, rules, clock) if rules is HELD else None
    for op, interleaved, redelivered, drawn, hours in steps:
        clock.now += timedelta(hours=hours)  # expiring gems last 2 days after their own day
        other = op if drawn == "same" else drawn  # "same": a concurrent redelivery of ``op``
        if interleaved:  # ``other`` commits between ``op``'s read and its write
            read = store.load(op[1])
            receipts = dict(store.receipts)
            stock = {i.id: store.stock_left(i.id) for i in ITEMS if i.stock}
            _run(service, other, consumer)
            store.stale[op[1]], store.stale_receipts[op[1]], store.stale_stock = (
                read,
                receipts,
                stock,
            )
        _run(service, op, consumer)
        store.stale, store.stale_receipts, store.stale_stock = {}, {}, {}  # ``op`` read or not
        if redelivered:
            _run(service, op, consumer)
        _assert_balanced(store, clock.now)
    views = {user: service.wallet(user) for user in USERS}
    today = clock.now.date()
    for user in USERS:  # a write posts what the read showed: nothing due is left in a lot
        shown, held = views[user].balances["gems"], views[user].pending["gems"]
        service.adjust(user, "gems", 1, reason="touch", ref="touch")  # a grant: not held
        wallet = store.load(user).state.wallet
        assert wallet.balance("gems") == min(500, shown + held + 1)
        assert wallet.pending_units("gems", today) == held
        assert wallet.spendable("gems", today) == min(500, shown + held + 1) - held
        assert min(wallet.lots.get("gems", {today: 0})) >= today
        assert min(wallet.pending.get("gems", {today + timedelta(1): 0})) > today
    _assert_balanced(store, clock.now)


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


def test_held_gems_show_as_pending_and_become_spendable_when_the_clock_moves() -> None:
    store, clock = FakeWallet(), Clock()
    service = _service(store, HELD, clock)
    Consumer(store, HELD, clock).badge("ann", 1)
    view = service.wallet("ann")
    assert (view.balances["gems"], view.pending["gems"]) == (0, 40)
    assert view.next_release == {"gems": date(2026, 12, 4)}  # hold_days=1
    with pytest.raises(InsufficientFundsError):
        service.redeem("ann", "mug", 1, "key-held-0001")
    clock.now += timedelta(hours=12)  # Dec 4, 00:00 UTC: released, nothing written
    view = service.wallet("ann")
    assert (view.balances["gems"], view.pending["gems"], view.next_release) == (40, 0, {})
    assert service.redeem("ann", "mug", 1, "key-held-0001").balance == 30
    [earned, bought] = sorted(store.ledgers["ann"].values(), key=lambda e: e.seq)
    assert earned.spendable_from == date(2026, 12, 4)
    assert (bought.cause, bought.balance) == (Cause.REDEEM, 30)

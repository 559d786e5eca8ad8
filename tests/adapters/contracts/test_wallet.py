"""The wallet's ports: the fake (tests/fakes/wallet.py) and the real adapters on moto
(``UserRepository`` for the profile commit with its ledger, receipt, stock and limit items;
``WalletStore`` for the shop and the ledger reads) pass the same tests, through the service.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from gamification.adapters.user_repository import UserRepository
from gamification.adapters.wallet_store import WalletStore
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import UserChange
from gamification.domain.wallet import (
    Cause,
    Currency,
    EarningRule,
    EarnOn,
    Fact,
    InsufficientFundsError,
    LimitReachedError,
    OutOfStockError,
    Price,
    ShopItem,
    WalletRules,
    WalletWrite,
    earn,
)
from gamification.local.provision import Provisioned
from gamification.services.wallet import StockLoweredError, WalletService
from tests.fakes.wallet import FakeWallet

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
RULES = default_game_rules()
EXPIRING = RULES.model_copy(
    update={
        "wallet": RULES.wallet.model_copy(
            update={"currencies": (Currency(id="gems", name="Gems", expires_after_days=3),)}
        )
    }
)

HELD = RULES.model_copy(
    update={
        "wallet": WalletRules(
            currencies=(Currency(id="gems", name="Gems", hold_days=2),),
            earning=(EarningRule(on=EarnOn.BADGE, currency="gems", amount=30),),
        )
    }
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    service: WalletService
    store: Any
    """The shop/ledger side (FakeWallet or WalletStore): ``sold`` and ``stock_left``."""
    clock: Clock
    expiring: WalletService
    """The same stores under rules where gems expire 3 days after their day."""
    profiles: Any
    """The profile side (FakeWallet or UserRepository): a consumer's commit goes there."""


@pytest.fixture(params=["fake", "dynamodb"])
def rig(request: pytest.FixtureRequest) -> Rig:
    clock = Clock()
    if request.param == "fake":
        fake = FakeWallet()
        profiles: Any = fake
        store: Any = fake
    else:
        aws: Provisioned = request.getfixturevalue("aws")
        client = boto3.client("dynamodb")
        store = WalletStore(client, aws.table_name)
        profiles = UserRepository(client, aws.table_name)
    service = WalletService(profiles, store, store, rules=lambda: RULES, clock=clock)
    expiring = WalletService(profiles, store, store, rules=lambda: EXPIRING, clock=clock)
    return Rig(service, store, clock, expiring, profiles)


def _item(item_id: str, price: int, **fields: Any) -> ShopItem:
    return ShopItem(
        id=item_id, name=item_id.title(), price=Price(currency="gems", amount=price), **fields
    )


def test_a_redeem_debits_once_draws_stock_and_writes_its_ledger_entry(rig: Rig) -> None:
    rig.service.put_item(_item("mug", 30, stock=25))
    rig.service.adjust("ann", "gems", 100, reason="welcome", ref="req-1")

    first = rig.service.redeem("ann", "mug", 2, "order-0001")
    again = rig.service.redeem("ann", "mug", 2, "order-0001")

    assert again == first
    assert (first.amount, first.balance, first.seq) == (60, 40, 1)
    assert rig.service.wallet("ann").balances == {"gems": 40}
    assert rig.service.stock_left("mug") == 23
    assert rig.store.sold("mug") == 2
    page = rig.service.ledger("ann", limit=10)
    assert [(e.seq, e.amount, e.balance, e.cause) for e in page.entries] == [
        (1, -60, 40, Cause.REDEEM),
        (0, 100, 100, Cause.ADJUST),
    ]
    assert page.entries[1].note == "welcome"
    assert page.next_before is None


def test_funds_limits_and_stock_refuse_without_writing(rig: Rig) -> None:
    rig.service.put_item(_item("pin", 10, stock=3, per_user_limit=2))
    rig.service.adjust("ann", "gems", 100, reason="seed", ref="r1")
    rig.service.adjust("bob", "gems", 5, reason="seed", ref="r1")

    with pytest.raises(InsufficientFundsError):
        rig.service.redeem("bob", "pin", 1, "bob-order-1")
    rig.service.redeem("ann", "pin", 2, "ann-order-1")
    with pytest.raises(LimitReachedError):
        rig.service.redeem("ann", "pin", 1, "ann-order-2")
    rig.service.adjust("bob", "gems", 100, reason="seed", ref="r2")
    with pytest.raises(OutOfStockError):
        rig.service.redeem("bob", "pin", 2, "bob-order-2")

    assert rig.service.wallet("ann").balances == {"gems": 80}
    assert rig.service.wallet("bob").balances == {"gems": 105}
    assert rig.service.stock_left("pin") == 1


def test_the_ledger_pages_newest_first(rig: Rig) -> None:
    for n in range(5):
        rig.service.adjust("ann", "gems", n + 1, reason=f"r{n}", ref=f"ref-{n}")

    first = rig.service.ledger("ann", limit=2)
    second = rig.service.ledger("ann", limit=2, before=first.next_before)
    third = rig.service.ledger("ann", limit=2, before=second.next_before)

    assert [e.seq for e in first.entries + second.entries + third.entries] == [4, 3, 2, 1, 0]
    assert third.next_before is None


def test_a_stock_only_grows(rig: Rig) -> None:
    rig.service.put_item(_item("cap", 5, stock=20))
    rig.service.put_item(_item("cap", 5, stock=26))

    assert rig.service.stock_left("cap") == 26
    with pytest.raises(StockLoweredError):
        rig.service.put_item(_item("cap", 5, stock=10))
    assert rig.service.delete_item("cap")
    assert rig.service.item("cap") is None


def test_the_shop_shows_units_left_and_what_the_caller_bought(rig: Rig) -> None:
    rig.service.put_item(_item("pin", 10, stock=30, per_user_limit=3))
    rig.service.put_item(_item("mug", 10, stock=20))
    rig.service.put_item(_item("sticker", 1))
    rig.service.put_item(_item("mug", 10, stock=25))  # raised: 5 more units on shard 0
    rig.service.adjust("ann", "gems", 100, reason="seed", ref="r1")
    rig.service.redeem("ann", "pin", 2, "ann-order-1")
    rig.service.redeem("ann", "mug", 4, "ann-order-2")

    seen = {x.item.id: (x.units_left, x.bought_so_far) for x in rig.service.listings("ann")}
    assert seen == {"pin": (28, 2), "mug": (21, None), "sticker": (None, None)}
    others = {x.item.id: x.bought_so_far for x in rig.service.listings("bob")}
    assert others == {"pin": 0, "mug": None, "sticker": None}


def test_expired_units_leave_once_with_a_ledger_entry(rig: Rig) -> None:
    rig.expiring.adjust("ann", "gems", 30, reason="seed", ref="r1")  # spendable through Dec 6
    rig.clock.now = NOW + timedelta(days=2)
    rig.expiring.adjust("ann", "gems", 10, reason="seed", ref="r2")  # through Dec 8
    rig.service.put_item(_item("pin", 25))
    rig.expiring.redeem("ann", "pin", 1, "ann-order-1")  # 25 of the Dec 6 lot (FIFO)

    rig.clock.now = NOW + timedelta(days=4)  # Dec 7: the Dec 6 lot's 5 units are gone
    shown = rig.expiring.wallet("ann")
    assert (shown.balances, shown.expiring_soon) == ({"gems": 10}, {"gems": 10})
    assert shown.next_expiry == {"gems": date(2026, 12, 8)}
    assert shown.entries == 3  # not written yet: the next write posts it
    rig.expiring.adjust("ann", "gems", 1, reason="touch", ref="r3")
    rig.expiring.adjust("ann", "gems", 1, reason="touch", ref="r4")

    entries = rig.service.ledger("ann", limit=10).entries
    assert [(e.cause, e.amount, e.balance) for e in reversed(entries)] == [
        (Cause.ADJUST, 30, 30),
        (Cause.ADJUST, 10, 40),
        (Cause.REDEEM, -25, 15),
        (Cause.EXPIRE, -5, 10),
        (Cause.ADJUST, 1, 11),
        (Cause.ADJUST, 1, 12),
    ]
    assert entries[2].ref == "expired#gems#2026-12-06"
    assert rig.expiring.wallet("ann").balances == {"gems": 12}


def test_a_held_credit_is_stored_pending_and_released_by_the_clock(rig: Rig) -> None:
    """The consumer's commit of an earned, held credit: the profile keeps its pending lot, the
    ledger entry its first spendable day; a redeem waits for that day, nothing is written then."""
    held = WalletService(rig.profiles, rig.store, rig.store, rules=lambda: HELD, clock=rig.clock)
    stored = rig.profiles.load("ann")
    fact = Fact(EarnOn.BADGE, "first-read", "badge_earned#first-read")
    purse, entries = earn(stored.state.wallet, [fact], HELD.wallet, NOW)
    state = stored.state.model_copy(update={"wallet": purse})
    rig.profiles.save(
        UserChange(before=stored, state=state, now=NOW, wallet=WalletWrite(tuple(entries)))
    )
    assert rig.profiles.load("ann").state.wallet.pending == {"gems": {date(2026, 12, 5): 30}}
    [entry] = held.ledger("ann", limit=5).entries
    assert (entry.amount, entry.balance, entry.spendable_from) == (30, 30, date(2026, 12, 5))
    shown = held.wallet("ann")
    assert (shown.balances, shown.pending, shown.next_release) == (
        {"gems": 0},
        {"gems": 30},
        {"gems": date(2026, 12, 5)},
    )
    rig.service.put_item(_item("pin", 25))
    with pytest.raises(InsufficientFundsError):
        held.redeem("ann", "pin", 1, "ann-held-1")
    rig.clock.now = NOW + timedelta(days=2)  # Dec 5: released
    assert held.wallet("ann").balances == {"gems": 30}
    assert held.redeem("ann", "pin", 1, "ann-held-1").balance == 5
    assert rig.profiles.load("ann").state.wallet.pending == {}


def test_fifty_concurrent_buyers_of_the_last_ten_units_never_oversell(rig: Rig) -> None:
    """Each buyer is a thread with its own request; the stock is 10 units over one shard."""
    rig.service.put_item(_item("last", 1, stock=10))
    buyers = [f"buyer-{n:02d}" for n in range(50)]
    for buyer in buyers:
        rig.service.adjust(buyer, "gems", 3, reason="seed", ref="seed")
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(buyers))

    def buy(buyer: str) -> None:
        barrier.wait()
        try:
            rig.service.redeem(buyer, "last", 1, f"{buyer}-order")
            result = "bought"
        except OutOfStockError:
            result = "sold out"
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {"bought": 10, "sold out": 40}
    assert rig.store.sold("last") == 10
    assert rig.service.stock_left("last") == 0
    balances = Counter(rig.service.wallet(b).balances["gems"] for b in buyers)
    assert balances == {2: 10, 3: 40}

"""Expiring currencies by example: lots by expiry day, spent earliest expiry first (FIFO by
expiry), expired exactly once with an ``expired`` ledger entry, a bounded number of lots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gamification.domain.game_rules import default_game_rules
from gamification.domain.redeem import adjust, redeem
from gamification.domain.state import UserState
from gamification.domain.wallet import (
    MAX_LOTS,
    MAX_OPEN_LOTS,
    Cause,
    Currency,
    EarningRule,
    EarnOn,
    Fact,
    InsufficientFundsError,
    Price,
    ShopItem,
    WalletRules,
    WalletState,
    earn,
    expire,
    expiry_day,
    lot_width,
    post,
    unexplained,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
COINS = Currency(id="coins", name="Coins", expires_after_days=3)
RULES = WalletRules(
    currencies=(COINS, Currency(id="gems", name="Gems")),
    earning=(EarningRule(on=EarnOn.BADGE, currency="coins", amount=10),),
)
GAME = default_game_rules().model_copy(update={"wallet": RULES})
MUG = ShopItem(id="mug", name="Mug", price=Price(currency="coins", amount=15))


def _credit(wallet: WalletState, amount: int, at: datetime) -> WalletState:
    wallet, _ = post(wallet, COINS, amount, cause=Cause.ADJUST, kind="grant", ref="r", at=at)
    return wallet


def test_a_credit_is_spendable_through_the_day_n_days_later() -> None:
    wallet = _credit(WalletState(), 10, NOW)

    assert wallet.lots == {"coins": {date(2026, 12, 6): 10}}
    assert expire(wallet, datetime(2026, 12, 6, 23, 59, tzinfo=UTC))[1] == []
    after, [entry] = expire(wallet, datetime(2026, 12, 7, tzinfo=UTC))
    assert (entry.amount, entry.balance, entry.cause, entry.kind) == (
        -10,
        0,
        Cause.EXPIRE,
        "expired",
    )
    assert entry.ref == "expired#coins#2026-12-06"
    assert after.balance("coins") == 0
    assert after.lots == {}
    assert unexplained(wallet, after, [entry]) is None


def test_expiry_happens_once_a_second_pass_finds_nothing() -> None:
    wallet = _credit(WalletState(), 10, NOW)
    later = NOW + timedelta(days=9)
    once, entries = expire(wallet, later)
    twice, again = expire(once, later + timedelta(days=30))
    assert len(entries) == 1
    assert again == []
    assert twice == once


def test_a_debit_spends_the_earliest_expiry_first_then_units_in_no_lot() -> None:
    legacy = WalletState(balances={"coins": 5}, entries=1)  # held before coins expired
    wallet = _credit(legacy, 10, NOW)  # last day Dec 6
    wallet = _credit(wallet, 10, NOW + timedelta(days=2))  # last day Dec 8

    wallet, _ = post(wallet, COINS, -12, cause=Cause.REDEEM, kind="redeem", ref="k", at=NOW)
    assert wallet.lots["coins"] == {date(2026, 12, 8): 8}
    assert wallet.balance("coins") == 13

    wallet, [entry] = expire(wallet, datetime(2026, 12, 9, tzinfo=UTC))
    assert entry.amount == -8
    assert wallet.balance("coins") == 5


def test_a_credit_repays_a_negative_balance_before_filling_a_lot() -> None:
    wallet, _ = post(
        WalletState(),
        COINS,
        -4,
        cause=Cause.ADJUST,
        kind="debit",
        ref="a",
        at=NOW,
        allow_negative=True,
    )
    wallet = _credit(wallet, 10, NOW)
    assert wallet.balance("coins") == 6
    assert wallet.lots["coins"] == {date(2026, 12, 6): 6}
    wallet, [entry] = expire(wallet, NOW + timedelta(days=4))
    assert entry.balance == 0


def test_lots_are_bounded_whatever_the_history() -> None:
    year = Currency(id="coins", name="Coins", expires_after_days=365)
    assert lot_width(365) == 31
    assert lot_width(12) == 1
    wallet = WalletState()
    for day in range(400):
        at = NOW + timedelta(days=day)
        wallet, _ = expire(wallet, at)
        wallet, _ = post(wallet, year, 1, cause=Cause.EARN, kind="event", ref="e", at=at)
        assert len(wallet.lots["coins"]) <= MAX_OPEN_LOTS + 1
        # never expires sooner than promised, at most one lot width later
        last = max(wallet.lots["coins"])
        assert timedelta(days=365) <= last - at.date() < timedelta(days=365 + 31)
    today = (NOW + timedelta(days=399)).date()
    alive = sum(expiry_day(365, NOW + timedelta(days=d)) >= today for d in range(400))
    assert wallet.balance("coins") == alive < 400  # exactly the credits past their last day left


def test_changing_the_expiry_keeps_the_lots_under_the_hard_bound() -> None:
    wallet = WalletState()
    for days in range(1, 40):
        currency = Currency(id="coins", name="Coins", expires_after_days=days * 7)
        wallet, _ = post(wallet, currency, 1, cause=Cause.EARN, kind="event", ref="e", at=NOW)
        assert len(wallet.lots["coins"]) <= MAX_LOTS
    assert sum(wallet.lots["coins"].values()) == wallet.balance("coins") == 39


def test_expiry_day_rounds_up_to_the_lot_width_from_a_fixed_origin() -> None:
    at = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
    assert expiry_day(3, at) == date(2026, 12, 6)
    day = expiry_day(100, at)
    assert day.toordinal() % lot_width(100) == 0
    assert timedelta(days=100) <= day - at.date() < timedelta(days=100 + lot_width(100))


def test_earning_expires_first_and_every_entry_is_numbered_in_order() -> None:
    wallet = _credit(WalletState(), 7, NOW)
    later = NOW + timedelta(days=5)
    wallet2, entries = earn(wallet, [Fact(EarnOn.BADGE, "b", "badge_earned#b")], RULES, later)
    assert [(e.kind, e.amount, e.seq) for e in entries] == [("expired", -7, 1), ("badge", 10, 2)]
    assert wallet2.balance("coins") == 10
    assert unexplained(wallet, wallet2, entries) is None


def test_expired_units_cannot_be_spent_and_their_entry_precedes_the_debit() -> None:
    state = UserState(user_id="u", wallet=_credit(WalletState(), 20, NOW))
    later = NOW + timedelta(days=3)  # Dec 6: still spendable
    decision = redeem(
        state,
        MUG,
        1,
        key="key-00001",
        wallet_rules=RULES,
        freeze_rules=GAME.policy.freezes,
        stock_taken={},
        now=later,
    )
    assert decision.expired == ()
    assert decision.state.wallet.balance("coins") == 5

    with pytest.raises(InsufficientFundsError):
        redeem(
            state,
            MUG,
            1,
            key="key-00002",
            wallet_rules=RULES,
            freeze_rules=GAME.policy.freezes,
            stock_taken={},
            now=later + timedelta(days=1),
        )
    fresh = state.model_copy(update={"wallet": _credit(state.wallet, 15, later)})
    decision = redeem(
        fresh,
        MUG,
        1,
        key="key-00003",
        wallet_rules=RULES,
        freeze_rules=GAME.policy.freezes,
        stock_taken={},
        now=later + timedelta(days=1),
    )
    assert [e.kind for e in decision.entries] == ["expired", "redeem"]
    assert [e.seq for e in decision.entries] == [2, 3]
    assert unexplained(fresh.wallet, decision.state.wallet, decision.entries) is None


def test_an_adjustment_expires_first() -> None:
    state = UserState(user_id="u", wallet=_credit(WalletState(), 20, NOW))
    after, entries = adjust(
        state,
        "coins",
        5,
        reason="refund",
        ref="admin#a",
        allow_negative=False,
        wallet_rules=RULES,
        now=NOW + timedelta(days=10),
    )
    assert [(e.kind, e.amount) for e in entries] == [("expired", -20), ("grant", 5)]
    assert after.wallet.balance("coins") == 5
    assert after.wallet.lots["coins"] == {date(2026, 12, 16): 5}  # a refund gets a fresh lot


def test_the_wallet_round_trips_through_json() -> None:
    wallet = _credit(WalletState(), 20, NOW)
    assert WalletState.model_validate_json(wallet.model_dump_json()) == wallet

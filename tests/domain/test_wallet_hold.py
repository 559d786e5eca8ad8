"""Holding periods by example (Gameball-style pending points): earned units are pending until
their release day, then spendable with nothing posted; a redeem spends only released units, an
admin's debit may reach pending ones, an expiry never does and counts from the release; the
pending lots are bounded like the expiry lots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gamification.domain.game_rules import default_game_rules
from gamification.domain.redeem import adjust, redeem
from gamification.domain.state import UserState
from gamification.domain.wallet import (
    MAX_CURRENCIES,
    MAX_LOTS,
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
    post,
    unexplained,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)  # a Thursday
TODAY = NOW.date()
GEMS = Currency(id="gems", name="Gems", hold_days=3)
RULES = WalletRules(
    currencies=(GEMS,), earning=(EarningRule(on=EarnOn.BADGE, currency="gems", amount=10),)
)
GAME = default_game_rules().model_copy(update={"wallet": RULES})
MUG = ShopItem(id="mug", name="Mug", price=Price(currency="gems", amount=4))


def _earned(wallet: WalletState, at: datetime, badge: str = "first-read") -> WalletState:
    fact = Fact(EarnOn.BADGE, badge, f"badge_earned#{badge}")
    after, entries = earn(wallet, [fact], RULES, at)
    assert unexplained(wallet, after, entries) is None
    return after


def _buy(wallet: WalletState, at: datetime, key: str = "key-00001") -> WalletState:
    state = UserState(user_id="u", wallet=wallet)
    decision = redeem(
        state,
        MUG,
        1,
        key=key,
        wallet_rules=RULES,
        freeze_rules=GAME.policy.freezes,
        stock_taken={},
        now=at,
    )
    return decision.state.wallet


def test_earned_units_are_pending_until_their_day_and_the_entry_says_which() -> None:
    wallet, [entry] = earn(WalletState(), [Fact(EarnOn.BADGE, "b", "badge_earned#b")], RULES, NOW)
    assert entry.spendable_from == date(2026, 12, 6)  # 3 days after the credit's (UTC) day
    assert (entry.amount, entry.balance) == (10, 10)  # in the balance and the ledger at once
    assert wallet.pending == {"gems": {date(2026, 12, 6): 10}}
    assert wallet.spendable("gems", TODAY) == 0
    assert wallet.spendable("gems", date(2026, 12, 5)) == 0
    assert wallet.spendable("gems", date(2026, 12, 6)) == 10  # from 00:00 UTC that day
    released, entries = expire(wallet, NOW + timedelta(days=3))
    assert entries == []  # a release posts nothing: the balance does not change
    assert released.pending == {}
    assert released.balance("gems") == 10


def test_a_redeem_spends_only_released_units() -> None:
    wallet = _earned(WalletState(), NOW)
    with pytest.raises(InsufficientFundsError) as refused:
        _buy(wallet, NOW)
    assert (refused.value.balance, refused.value.needed) == (0, 4)  # spendable, not the balance
    later = _buy(wallet, NOW + timedelta(days=3))
    assert later.balance("gems") == 6
    assert later.pending == {}


def test_the_redeem_answer_shows_what_is_still_spendable() -> None:
    wallet = _earned(WalletState(), NOW - timedelta(days=3), "old")  # released today
    wallet = _earned(wallet, NOW, "new")  # pending until Dec 6
    state = UserState(user_id="u", wallet=wallet)
    decision = redeem(
        state,
        MUG,
        1,
        key="key-00002",
        wallet_rules=RULES,
        freeze_rules=GAME.policy.freezes,
        stock_taken={},
        now=NOW,
    )
    assert decision.redemption.entry.balance == 16  # the ledger counts the pending units
    assert decision.redemption.result.balance == 6  # what the buyer can still spend


def test_an_admin_grant_is_not_held() -> None:
    wallet, entry = post(
        WalletState(), GEMS, 7, cause=Cause.ADJUST, kind="grant", ref="admin#ops", at=NOW
    )
    assert entry.spendable_from is None
    assert wallet.spendable("gems", TODAY) == 7


def test_an_admin_debit_takes_spendable_units_first_then_pending_ones_earliest_first() -> None:
    wallet = _earned(WalletState(), NOW - timedelta(days=4), "a")  # released
    wallet = _earned(wallet, NOW - timedelta(days=1), "b")  # pending until Dec 5
    wallet = _earned(wallet, NOW, "c")  # pending until Dec 6
    state = UserState(user_id="u", wallet=wallet)
    after, [entry] = adjust(
        state,
        "gems",
        -15,
        reason="order returned",
        ref="admin#ops",
        allow_negative=False,
        wallet_rules=RULES,
        now=NOW,
    )
    assert entry.balance == 15
    assert after.wallet.pending == {"gems": {date(2026, 12, 5): 5, date(2026, 12, 6): 10}}
    assert after.wallet.spendable("gems", TODAY) == 0
    with pytest.raises(InsufficientFundsError):  # beyond the balance: only when the admin says
        adjust(
            after,
            "gems",
            -16,
            reason="x",
            ref="admin#ops",
            allow_negative=False,
            wallet_rules=RULES,
            now=NOW,
        )
    negative, [entry] = adjust(
        after,
        "gems",
        -20,
        reason="x",
        ref="admin#ops",
        allow_negative=True,
        wallet_rules=RULES,
        now=NOW,
    )
    assert entry.balance == -5
    assert negative.wallet.pending == {}


def test_a_credit_repays_a_negative_balance_at_once_and_holds_only_the_rest() -> None:
    wallet, _ = post(
        WalletState(),
        GEMS,
        -6,
        cause=Cause.ADJUST,
        kind="debit",
        ref="a",
        at=NOW,
        allow_negative=True,
    )
    wallet = _earned(wallet, NOW)
    assert wallet.balance("gems") == 4
    assert wallet.pending == {"gems": {date(2026, 12, 6): 4}}
    assert wallet.spendable("gems", TODAY) == 0


def test_expiry_counts_from_the_release_and_never_takes_pending_units() -> None:
    both = Currency(id="gems", name="Gems", hold_days=3, expires_after_days=2)
    wallet, entry = post(WalletState(), both, 10, cause=Cause.EARN, kind="badge", ref="b", at=NOW)
    assert entry.spendable_from == date(2026, 12, 6)
    assert wallet.lots == {"gems": {date(2026, 12, 8): 10}}  # spendable Dec 6 through Dec 8
    for days in range(6):  # through Dec 8: nothing expires
        assert expire(wallet, NOW + timedelta(days=days))[1] == []
    after, [expired] = expire(wallet, NOW + timedelta(days=6))
    assert (expired.amount, expired.balance) == (-10, 0)
    assert after == WalletState(entries=2)


def test_a_currency_given_a_hold_later_holds_only_new_credits() -> None:
    plain = Currency(id="gems", name="Gems")
    wallet, _ = post(WalletState(), plain, 5, cause=Cause.EARN, kind="badge", ref="a", at=NOW)
    wallet, _ = post(wallet, GEMS, 5, cause=Cause.EARN, kind="badge", ref="b", at=NOW)
    assert wallet.spendable("gems", TODAY) == 5


def test_pending_and_expiry_lots_are_bounded_whatever_the_history() -> None:
    """A daily credit for 400 days in each of 8 currencies held a year and expiring a year
    later: ≤ ``MAX_LOTS`` pending and expiry days per currency (no merge needed), and the
    wallet's JSON in the profile's state stays under 6 KB (docs/data-model.md)."""
    currencies = [
        Currency(
            id=f"currency-{n}", name="C", hold_days=365, expires_after_days=365, balance_cap=10**9
        )
        for n in range(MAX_CURRENCIES)
    ]
    wallet = WalletState()
    for day in range(400):
        at = NOW + timedelta(days=day)
        wallet, _ = expire(wallet, at)
        for currency in currencies:
            wallet, entry = post(wallet, currency, 1, cause=Cause.EARN, kind="e", ref="e", at=at)
            assert entry.spendable_from is not None
            assert timedelta(days=365) <= entry.spendable_from - at.date() < timedelta(days=396)
    for currency in currencies:
        assert len(wallet.pending[currency.id]) <= MAX_LOTS
        assert len(wallet.lots[currency.id]) <= MAX_LOTS
        assert sum(wallet.pending[currency.id].values()) <= wallet.balance(currency.id)
    assert len(wallet.model_dump_json()) <= 6 * 1024  # measured 2,978 B; every lot open: 5,269 B

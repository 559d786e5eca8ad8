"""The wallet's rules by example: the shipped currencies, earning, the cap, the shop's items,
stock shards, a streak freeze bought under the freezes' rules, admin adjustments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from gamification.domain.freezes import FreezeRules, freeze_status
from gamification.domain.game_rules import default_game_rules
from gamification.domain.redeem import adjust, redeem
from gamification.domain.state import UserState
from gamification.domain.streaks import StreakTrack
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import (
    LEDGER_ENTRIES_EACH,
    Cause,
    Currency,
    EarningRule,
    EarnOn,
    Fact,
    FreezesFullError,
    InsufficientFundsError,
    NotOnSaleError,
    Price,
    QuantityError,
    ShopItem,
    WalletRules,
    WalletState,
    draw_from,
    earn,
    promotion_fact,
    split_stock,
    stock_shards,
    unexplained,
)
from tests.domain.builders import activity, daily, user

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
RULES = default_game_rules()
GEMS = RULES.wallet.by_id["gems"]


def _rich(gems: int) -> UserState:
    return UserState.new("ann").model_copy(
        update={"wallet": WalletState(balances={"gems": gems}, entries=1)}
    )


def test_the_first_badge_pays_five_gems_with_its_ledger_entry() -> None:
    step = apply_activities(user(), [activity("post_read", "p-1")], RULES, NOW)

    assert step.effects.badges_earned == ["first-read"]
    assert step.state.wallet == WalletState(balances={"gems": 5}, entries=1)
    (entry,) = step.effects.ledger
    assert (entry.seq, entry.amount, entry.balance, entry.cause, entry.kind, entry.ref) == (
        0,
        5,
        5,
        Cause.EARN,
        "badge",
        "badge_earned#first-read",
    )


def test_a_week_of_reading_pays_the_milestone_and_the_week_warrior_badge() -> None:
    step = apply_activities(user(), daily(NOW - timedelta(days=6), 7), RULES, NOW)

    kinds = sorted(e.kind for e in step.effects.ledger)
    assert kinds == ["badge", "badge", "streak_milestone"]  # first-read, week-warrior
    assert step.state.wallet.balance("gems") == 5 + 5 + 10


def test_levels_pay_once_when_crossed_and_a_promotion_by_its_tier() -> None:
    rules = WalletRules(
        currencies=(Currency(id="gems", name="Gems"),),
        earning=(
            EarningRule(on=EarnOn.LEVEL, match="2", currency="gems", amount=7),
            EarningRule(on=EarnOn.LEAGUE_PROMOTION, match="Silver", currency="gems", amount=20),
        ),
    )
    wallet, paid = earn(WalletState(), [promotion_fact("2026-W49", "Silver")], rules, NOW)
    _, none = earn(wallet, [promotion_fact("2026-W49", "Gold")], rules, NOW)

    assert [(e.amount, e.ref) for e in paid] == [(20, "league_promotion#2026-W49")]
    assert none == []
    with pytest.raises(ValidationError, match="level reached"):
        EarningRule(on=EarnOn.LEVEL, currency="gems", amount=1)


def test_credits_stop_at_the_cap_and_record_what_they_really_got() -> None:
    capped = Currency(id="gems", name="Gems", balance_cap=12)
    rules = WalletRules(
        currencies=(capped,),
        earning=(EarningRule(on=EarnOn.LEAGUE_PROMOTION, currency="gems", amount=10),),
    )
    wallet, first = earn(WalletState(), [promotion_fact("w1", "Silver")], rules, NOW)
    wallet, second = earn(wallet, [promotion_fact("w2", "Gold")], rules, NOW)

    assert [(e.amount, e.balance) for e in first + second] == [(10, 10), (2, 12)]
    assert wallet.balance("gems") == 12


def test_a_commit_of_many_credits_folds_the_rest_into_one_entry_per_currency() -> None:
    """One activity completing 100 quests must fit its one transaction: nine entries of their
    own, then one per currency for the rest; the balance is the same either way."""
    rules = WalletRules(
        currencies=(Currency(id="gems", name="Gems"), Currency(id="coins", name="Coins")),
        earning=(
            EarningRule(on=EarnOn.QUEST, currency="gems", amount=10),
            EarningRule(on=EarnOn.QUEST, currency="coins", amount=1),
        ),
    )
    facts = sorted(Fact(EarnOn.QUEST, f"q{i:03d}", f"quest_reward#q{i:03d}") for i in range(100))

    wallet, entries = earn(WalletState(), facts, rules, NOW)

    assert len(entries) == LEDGER_ENTRIES_EACH + 2
    assert (wallet.balance("gems"), wallet.balance("coins")) == (1000, 100)
    assert sum(e.amount for e in entries if e.currency == "gems") == 1000
    assert [(e.kind, e.credits) for e in entries[-2:]] == [("several", 96), ("several", 95)]
    assert [e.seq for e in entries] == list(range(len(entries)))
    assert entries[-1].balance == wallet.balance(entries[-1].currency)


def test_unknown_currencies_and_an_expiry_out_of_range_are_refused() -> None:
    with pytest.raises(ValidationError, match="expires_after_days"):
        Currency(id="coins", name="Coins", expires_after_days=0)
    with pytest.raises(ValidationError, match="unknown currencies"):
        WalletRules(earning=(EarningRule(on=EarnOn.BADGE, currency="gems", amount=1),))


def test_an_internal_item_names_what_it_grants_and_a_window_is_ordered() -> None:
    price = Price(currency="gems", amount=1)
    with pytest.raises(ValidationError, match="grants"):
        ShopItem(id="x", name="X", price=price, fulfilment="internal")
    with pytest.raises(ValidationError, match="grants"):
        ShopItem(id="x", name="X", price=price, grants="streak_freeze")
    with pytest.raises(ValidationError, match="available_until"):
        ShopItem(id="x", name="X", price=price, available_from=NOW, available_until=NOW)


def test_stock_shards_split_exactly_and_a_draw_goes_round_from_the_buyers_shard() -> None:
    assert [stock_shards(s) for s in (0, 5, 10, 45, 100, 10_000)] == [1, 1, 1, 4, 10, 10]
    assert split_stock(45, 4) == [12, 11, 11, 11]
    assert sum(split_stock(10_000_001, 10)) == 10_000_001
    assert draw_from({0: 0, 1: 1, 2: 0}, 1, start=7) == {1: 1}
    assert draw_from({0: 2, 1: 1, 2: 0}, 3, start=1) == {1: 1, 0: 2}
    assert draw_from({0: 1, 1: 1}, 3, start=0) is None


def test_a_redeem_debits_the_price_and_refuses_what_is_not_covered() -> None:
    item = ShopItem(id="mug", name="Mug", price=Price(currency="gems", amount=30))
    late = item.model_copy(update={"available_until": NOW})
    decided = redeem(
        _rich(100),
        item,
        2,
        key="order-0001",
        wallet_rules=RULES.wallet,
        freeze_rules=FreezeRules(),
        stock_taken={},
        now=NOW,
    )

    assert decided.state.wallet == WalletState(balances={"gems": 40}, entries=2)
    assert (decided.redemption.entry.amount, decided.redemption.result.seq) == (-60, 1)
    assert decided.event.type == "reward.redeemed"
    assert decided.event.fact == "order-0001"
    assert unexplained(_rich(100).wallet, decided.state.wallet, [decided.redemption.entry]) is None
    common = {"key": "k-00000001", "wallet_rules": RULES.wallet, "freeze_rules": FreezeRules()}
    with pytest.raises(InsufficientFundsError):
        redeem(_rich(59), item, 2, stock_taken={}, now=NOW, **common)  # type: ignore[arg-type]
    with pytest.raises(NotOnSaleError):
        redeem(_rich(100), late, 1, stock_taken={}, now=NOW, **common)  # type: ignore[arg-type]
    with pytest.raises(QuantityError):
        redeem(_rich(100), item, 0, stock_taken={}, now=NOW, **common)  # type: ignore[arg-type]


def test_a_bought_freeze_is_held_at_once_and_max_held_still_applies() -> None:
    rules = FreezeRules(max_held=2)
    freeze = ShopItem(
        id="streak-freeze",
        name="Streak Freeze",
        price=Price(currency="gems", amount=10),
        fulfilment="internal",
        grants="streak_freeze",
    )
    today = NOW.date()
    active = _rich(100).model_copy(
        update={"streak": StreakTrack().with_day(today - timedelta(days=1)).with_day(today)}
    )
    common = {"wallet_rules": RULES.wallet, "freeze_rules": rules, "stock_taken": {}}
    one = redeem(active, freeze, 1, key="freeze-0001", now=NOW, **common)  # type: ignore[arg-type]
    state = one.state
    held = freeze_status(state.streak, state.freezes, rules, "UTC", NOW).held
    two = redeem(state, freeze, 1, key="freeze-0002", now=NOW, **common)  # type: ignore[arg-type]

    assert held == 1
    assert freeze_status(two.state.streak, two.state.freezes, rules, "UTC", NOW).held == 2
    with pytest.raises(FreezesFullError):
        redeem(two.state, freeze, 1, key="freeze-0003", now=NOW, **common)  # type: ignore[arg-type]
    # Two days later, after a missed day, the bought freeze covers it.
    later = NOW + timedelta(days=2)
    covered = freeze_status(two.state.streak, two.state.freezes, rules, "UTC", later)
    assert covered.current == 2
    assert covered.frozen == (date(2026, 12, 4),)


def test_an_admin_debit_below_zero_needs_the_explicit_flag() -> None:
    common = {"reason": "chargeback", "ref": "admin#root", "wallet_rules": RULES.wallet, "now": NOW}
    with pytest.raises(InsufficientFundsError):
        adjust(_rich(3), "gems", -5, allow_negative=False, **common)  # type: ignore[arg-type]
    state, entries = adjust(_rich(3), "gems", -5, allow_negative=True, **common)  # type: ignore[arg-type]
    [entry] = entries

    assert (entry.balance, entry.note, entry.kind) == (-2, "chargeback", "debit")
    assert state.wallet.balance("gems") == -2
    with pytest.raises(QuantityError):
        adjust(_rich(3), "gems", 0, allow_negative=False, **common)  # type: ignore[arg-type]

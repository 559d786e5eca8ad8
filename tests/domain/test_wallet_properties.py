"""The wallet's earning is exactly once and order-independent, like XP, and always balances.

However the queue delivers a user's activities (duplicated, reordered, split into batches, the
state stored as JSON in between), the balances equal one in-order application's, every fact
is paid once per matching rule, and each balance equals the sum of the ledger entries written
(with contiguous sequence numbers), also when a balance cap cuts credits.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import (
    MAX_LOTS,
    Cause,
    Currency,
    EarningRule,
    EarnOn,
    InsufficientFundsError,
    LedgerEntry,
    WalletRules,
    WalletState,
    expire,
    expiry_day,
    lot_width,
    post,
    unexplained,
)
from tests.strategies import Scenario, scenarios

_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def wallet_rules(draw: st.DrawFn, event_types: list[str]) -> WalletRules:
    """Two currencies, one with a cap small enough to be hit, the other maybe with a holding
    period; rules on every kind of fact."""
    cap = draw(st.sampled_from([15, 40, 1_000_000]))
    hold = draw(st.none() | st.integers(1, 10))
    currencies = (
        Currency(id="gems", name="Gems", balance_cap=cap),
        Currency(id="coins", name="C", hold_days=hold),
    )
    kinds = st.sampled_from(list(EarnOn))
    rules = []
    for _ in range(draw(st.integers(1, 8))):
        on = draw(kinds)
        match: str | None = None
        if on is EarnOn.LEVEL:
            match = str(draw(st.integers(1, 6)))
        elif on is EarnOn.EVENT and draw(st.booleans()):
            match = draw(st.sampled_from(event_types))
        rules.append(
            EarningRule(
                on=on,
                match=match,
                currency=draw(st.sampled_from(["gems", "coins"])),
                amount=draw(st.integers(1, 20)),
            )
        )
    return WalletRules(currencies=currencies, earning=tuple(rules))


@st.composite
def wallet_scenarios(draw: st.DrawFn) -> Scenario:
    scenario = draw(scenarios(arrival="any", max_activities=30))
    types = [t.name for t in scenario.rules.events]
    rules = scenario.rules.model_copy(update={"wallet": draw(wallet_rules(types))})
    return Scenario(rules, scenario.settings, scenario.activities, scenario.batches, scenario.now)


def _sums(entries: list[LedgerEntry]) -> dict[str, int]:
    sums: Counter[str] = Counter()
    for entry in entries:
        sums[entry.currency] += entry.amount
    return {c: n for c, n in sums.items() if n}


@_SETTINGS
@given(wallet_scenarios())
def test_any_delivery_earns_the_in_order_balances_each_fact_once(scenario: Scenario) -> None:
    start = UserState.new(scenario.user_id, scenario.settings)
    ordered = sorted(scenario.activities, key=lambda a: a.occurred_at)
    once = apply_activities(start, ordered, scenario.rules, scenario.now)

    state, seen, ledger = start, set[str](), list[LedgerEntry]()
    for batch in scenario.batches:
        now = max(a.received_at for a in batch)
        step = apply_activities(state, batch, scenario.rules, now, frozenset(seen))
        # What UserChange checks on every commit: the entries explain the balances exactly.
        assert unexplained(state.wallet, step.state.wallet, step.effects.ledger) is None
        seen.update(step.effects.applied_keys)
        ledger += step.effects.ledger
        state = UserState.model_validate_json(step.state.model_dump_json())

    assert state.wallet.balances == once.state.wallet.balances
    assert _sums(ledger) == state.wallet.balances
    assert [e.seq for e in ledger] == list(range(len(ledger)))
    # Each fact credited once: as an entry of its own, or folded into a commit's "several"
    # (how a commit folds depends on its batch, the number of credits does not).
    assert Counter(e.currency for e in ledger for _ in range(e.credits)) == Counter(
        e.currency for e in once.effects.ledger for _ in range(e.credits)
    )
    for currency in scenario.rules.wallet.currencies:
        assert 0 <= state.wallet.balance(currency.id) <= currency.balance_cap


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wallet_scenarios())
def test_a_whole_redelivery_earns_nothing(scenario: Scenario) -> None:
    start = UserState.new(scenario.user_id, scenario.settings)
    first = apply_activities(start, scenario.activities, scenario.rules, scenario.now)
    again = apply_activities(
        first.state,
        scenario.activities,
        scenario.rules,
        scenario.now,
        frozenset(first.effects.applied_keys),
    )
    assert again.effects.ledger == []
    assert again.state.wallet == first.state.wallet


# -- expiring currencies ------------------------------------------------------------------------

_EXPIRY_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), st.integers(1, 20)),
        st.tuples(st.just("debit"), st.integers(1, 30)),
        st.tuples(st.just("tick"), st.integers(0, 60)),  # hours
    ),
    max_size=60,
)


@_SETTINGS
@given(_EXPIRY_OPS, st.integers(1, 40), st.sampled_from([25, 1_000_000]))
def test_units_expire_once_and_are_spent_earliest_expiry_first(
    ops: list[tuple[str, int]], days: int, cap: int
) -> None:
    """Against a model that keeps every unit with its own last day: a debit takes the units
    that expire first, a tick drops the ones past their day; the lots, the balance and the
    ``expired`` entries must say the same, and the lots stay within ``MAX_LOTS`` days."""
    currency = Currency(id="coins", name="Coins", balance_cap=cap, expires_after_days=days)
    now = datetime(2026, 12, 31, 23, tzinfo=UTC)
    wallet, ledger, units = WalletState(), list[LedgerEntry](), list[date]()
    for op, n in ops:
        if op == "tick":
            now += timedelta(hours=n)
        wallet, expired = expire(wallet, now)  # what every writer does first
        gone = [d for d in units if d < now.date()]
        units = sorted(d for d in units if d >= now.date())
        assert -sum(e.amount for e in expired) == len(gone)
        ledger += expired
        if op == "credit":
            wallet, entry = post(wallet, currency, n, cause=Cause.EARN, kind="e", ref="r", at=now)
            units = sorted(units + [expiry_day(days, now)] * entry.amount)
            ledger.append(entry)
        elif op == "debit":
            if n > len(units):
                continue
            wallet, entry = post(
                wallet, currency, -n, cause=Cause.REDEEM, kind="r", ref="k", at=now
            )
            units = units[n:]  # the earliest last days first
            ledger.append(entry)
        lots = wallet.lots.get("coins", {})
        assert sorted(d for d, k in lots.items() for _ in range(k)) == units
        assert wallet.balance("coins") == len(units) == sum(e.amount for e in ledger)
        assert len(lots) <= MAX_LOTS
        assert [e.seq for e in ledger] == list(range(wallet.entries))
        assert all(e.balance >= 0 for e in ledger)


@_SETTINGS
@given(wallet_scenarios(), st.integers(1, 3), st.integers(0, 3), st.none() | st.integers(1, 4))
def test_expiry_interleaved_with_earning_and_redelivery_keeps_the_ledger_exact(
    scenario: Scenario, days: int, gap: int, hold: int | None
) -> None:
    """Coins expire ``days`` after their day (after their release, when held ``hold`` days);
    batches arrive ``gap`` days apart and are all delivered twice: every commit's entries
    explain its balances, every fact is paid once, expired units leave once, and pending
    units are released on their day and never expire."""
    coins = Currency(id="coins", name="C", expires_after_days=days, hold_days=hold)
    purse = scenario.rules.wallet
    rules = scenario.rules.model_copy(
        update={"wallet": purse.model_copy(update={"currencies": (purse.currencies[0], coins)})}
    )
    start = UserState.new(scenario.user_id, scenario.settings)
    once = apply_activities(start, scenario.activities, rules, scenario.now)
    state, seen, ledger = start, set[str](), list[LedgerEntry]()
    for n, batch in enumerate(scenario.batches * 2):  # the second round: all redelivered
        now = max(a.received_at for a in scenario.activities) + timedelta(days=n * gap)
        step = apply_activities(state, batch, rules, now, frozenset(seen))
        assert unexplained(state.wallet, step.state.wallet, step.effects.ledger) is None
        seen.update(step.effects.applied_keys)
        ledger += step.effects.ledger
        state = UserState.model_validate_json(step.state.model_dump_json())
        lots = state.wallet.lots.get("coins", {})
        pending = state.wallet.pending.get("coins", {})
        assert sum(lots.values()) <= state.wallet.balance("coins")
        assert sum(pending.values()) <= state.wallet.balance("coins")
        assert len(lots) <= MAX_LOTS
        assert len(pending) <= MAX_LOTS
        assert min(lots, default=now.date()) >= now.date()  # nothing due is left in a lot
        assert min(pending, default=now.date() + timedelta(1)) > now.date()  # nor held
        assert all(e.spendable_from is None or hold for e in step.effects.ledger)
    assert _sums(ledger) == {c: b for c, b in state.wallet.balances.items() if b}
    assert all(e.balance >= 0 for e in ledger)
    earned = Counter(e.currency for e in ledger if e.cause is Cause.EARN for _ in range(e.credits))
    assert earned == Counter(e.currency for e in once.effects.ledger for _ in range(e.credits))
    expired = [e.ref for e in ledger if e.cause is Cause.EXPIRE]
    assert len(expired) == len(set(expired))


# -- holding periods (pending units) -------------------------------------------------------------

_HOLD_OPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["earn", "grant"]), st.integers(1, 20)),
        st.tuples(st.sampled_from(["redeem", "claw"]), st.integers(1, 30)),
        st.tuples(st.just("tick"), st.integers(0, 72)),  # hours
    ),
    max_size=60,
)


@_SETTINGS
@given(
    _HOLD_OPS,
    st.integers(1, 30),
    st.none() | st.integers(1, 40),
    st.sampled_from([25, 1_000_000]),
)
def test_held_units_wait_their_day_then_are_spent_and_expire_like_any_other(
    ops: list[tuple[str, int]], hold: int, days: int | None, cap: int
) -> None:
    """Against a model that keeps every unit with its own first spendable day and last day:
    earned units wait ``hold`` days (an admin's grant does not), a redeem spends only released
    units (earliest expiry first), an admin's debit takes the spendable units first and then
    the pending ones (earliest release first), an expiry never takes a pending unit; the
    balance, the pending and expiry lots and the ledger must say the same, within ``MAX_LOTS``
    days each."""
    currency = Currency(
        id="coins", name="Coins", balance_cap=cap, expires_after_days=days, hold_days=hold
    )
    width = currency.expiry_lot_width
    now = datetime(2026, 12, 31, 23, tzinfo=UTC)
    wallet, ledger = WalletState(), list[LedgerEntry]()
    units: list[tuple[date, date]] = []  # (first spendable day, last spendable day)
    for op, n in ops:
        if op == "tick":
            now += timedelta(hours=n)
        today = now.date()
        wallet, expired = expire(wallet, now)  # what every writer does first
        gone = [u for u in units if u[1] < today]
        assert all(first <= today for first, _ in gone), "a pending unit expired"
        units = [u for u in units if u[1] >= today]
        assert -sum(e.amount for e in expired) == len(gone)
        ledger += expired
        spendable = sorted((u for u in units if u[0] <= today), key=lambda u: (u[1], u[0]))
        waiting = sorted(u for u in units if u[0] > today)
        if op in ("earn", "grant"):
            cause = Cause.EARN if op == "earn" else Cause.ADJUST
            wallet, entry = post(wallet, currency, n, cause=cause, kind=op, ref="r", at=now)
            first = today
            if op == "earn" and entry.amount:
                assert entry.spendable_from is not None
                first = entry.spendable_from
                # Never sooner than promised, and at most one lot width later.
                assert 0 <= (first - today).days - hold < lot_width(hold)
            else:
                assert entry.spendable_from is None
            start = datetime.combine(first, datetime.min.time(), UTC)
            last = date.max if days is None else expiry_day(days, start, width)
            if days is not None:
                assert (last - first).days >= days  # the expiry counts from the release
            units += [(first, last)] * entry.amount
            ledger.append(entry)
        elif op == "redeem":
            if n > len(spendable):
                with pytest.raises(InsufficientFundsError):
                    post(wallet, currency, -n, cause=Cause.REDEEM, kind="r", ref="k", at=now)
                continue
            wallet, entry = post(
                wallet, currency, -n, cause=Cause.REDEEM, kind="r", ref="k", at=now
            )
            units = spendable[n:] + waiting
            ledger.append(entry)
        else:  # an admin's correction, not below zero
            if n > len(units):
                with pytest.raises(InsufficientFundsError):
                    post(wallet, currency, -n, cause=Cause.ADJUST, kind="d", ref="a", at=now)
                continue
            wallet, entry = post(
                wallet, currency, -n, cause=Cause.ADJUST, kind="d", ref="a", at=now
            )
            units = (spendable + waiting)[n:]
            ledger.append(entry)
        pending = {d: k for d, k in wallet.pending.get("coins", {}).items() if d > today}
        assert sorted(d for d, k in pending.items() for _ in range(k)) == sorted(
            u[0] for u in units if u[0] > today
        )
        assert wallet.spendable("coins", today) == sum(1 for u in units if u[0] <= today)
        assert wallet.balance("coins") == len(units) == sum(e.amount for e in ledger)
        if days is not None:
            lots = wallet.lots.get("coins", {})
            assert sorted(d for d, k in lots.items() for _ in range(k)) == sorted(
                u[1] for u in units
            )
            assert len(lots) <= MAX_LOTS
        assert len(wallet.pending.get("coins", {})) <= MAX_LOTS
        assert [e.seq for e in ledger] == list(range(wallet.entries))
        assert all(e.balance >= 0 for e in ledger)

"""The wallet: spendable currencies (gems, coins), earned by rules as data, spent in the shop.

XP measures progress and is never spent; a currency is a separate balance per user, kept in the
profile (one integer per currency, so the profile does not grow with history) and explained by
an append-only ledger: every change of a balance is one :class:`LedgerEntry` with its cause,
its sequence number and the balance after it, committed in the same write as the balance.

Pure: no I/O and no clock. Earning is a function of the *facts* a transition produced (an
activity applied, a badge earned, a quest completed, a level crossed, a streak milestone, a
league promotion); each fact happens exactly once (the transition's own exactly-once), so each
credit does too. Credits only add (up to a currency's cap, ``min(cap, b + x + y)`` whatever the
order), so the balances earned from a set of activities do not depend on their order or batching.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from gamification.domain.catalog import DATA_DIR

MAX_CURRENCIES = 8
"""Currencies a deployment may define: the profile holds one balance per currency."""
MAX_EARNING_RULES = 200
MAX_BALANCE = 1_000_000_000
"""The largest cap a currency may have (a balance always fits DynamoDB's and JSON's numbers)."""
MAX_REF_BYTES = 300
"""A ledger entry's ``ref`` (the cause's id: a dedupe key, a badge id, an idempotency key)."""
MAX_NOTE_CHARS = 200
MAX_QUANTITY = 100
DEFAULT_CURRENCIES_FILE = DATA_DIR / "currencies.json"

CurrencyId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
IdempotencyKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{8,64}$")]


class Currency(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: CurrencyId
    name: Annotated[str, Field(min_length=1, max_length=64)]
    balance_cap: Annotated[int, Field(ge=1, le=MAX_BALANCE)] = 1_000_000
    """Credits stop at the cap (the ledger records what was really credited, maybe 0)."""
    expires_after_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Units credited on a (UTC) day stay spendable through the day ``expires_after_days``
    later, rounded up to the lot width (:func:`expiry_day`); ``None``: they never expire. Held
    units count their days from the day they become spendable, not from their credit."""
    hold_days: Annotated[int, Field(ge=1, le=365)] | None = None
    """Earned units are *pending* (in the balance, not spendable) until the (UTC) day
    ``hold_days`` after their credit's day, rounded up to the lot width (:func:`release_day`);
    ``None``: spendable at once. Only earned credits are held (an admin's grant is not)."""

    @property
    def expiry_lot_width(self) -> int:
        """Days one expiry lot covers. With a hold, units still pending have expiry days up to
        ``hold_days`` (and its rounding) further out, so the width covers both: the open lots
        stay within ``MAX_LOTS`` without merging (docs/wallet.md)."""
        if self.expires_after_days is None:
            return 1
        if self.hold_days is None:
            return lot_width(self.expires_after_days)
        spread = self.expires_after_days + self.hold_days + lot_width(self.hold_days) - 1
        return lot_width(spread)


class EarnOn(StrEnum):
    EVENT = "event"
    BADGE = "badge"
    QUEST = "quest"
    LEVEL = "level"
    STREAK_MILESTONE = "streak_milestone"
    LEAGUE_PROMOTION = "league_promotion"


class EarningRule(BaseModel):
    """``on`` a fact (``match``: which event type, badge, quest, level or league tier name;
    ``None``: any), credit ``amount`` of ``currency``. Every rule that matches a fact pays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on: EarnOn
    match: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    currency: CurrencyId
    amount: Annotated[int, Field(ge=1, le=1_000_000)]

    @model_validator(mode="after")
    def _level_is_a_number(self) -> EarningRule:
        if self.on is EarnOn.LEVEL and (self.match is None or not self.match.isdigit()):
            raise ValueError('match: a level rule names the level reached, e.g. "5"')
        return self


class WalletRules(BaseModel):
    """The currencies and the earning rules of a deployment (``data/currencies.json``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currencies: Annotated[tuple[Currency, ...], Field(max_length=MAX_CURRENCIES)] = ()
    earning: Annotated[tuple[EarningRule, ...], Field(max_length=MAX_EARNING_RULES)] = ()

    @model_validator(mode="after")
    def _consistent(self) -> WalletRules:
        ids = [c.id for c in self.currencies]
        if len(set(ids)) != len(ids):
            raise ValueError("currencies: ids must be unique")
        unknown = sorted({r.currency for r in self.earning} - set(ids))
        if unknown:
            raise ValueError(f"earning: unknown currencies {unknown}")
        return self

    @cached_property
    def by_id(self) -> Mapping[str, Currency]:
        return {c.id: c for c in self.currencies}

    def currency(self, currency_id: str) -> Currency | None:
        return self.by_id.get(currency_id)


def load_wallet_rules(path: Path = DEFAULT_CURRENCIES_FILE) -> WalletRules:
    return WalletRules.model_validate(json.loads(path.read_bytes()))


MAX_OPEN_LOTS = 12
"""Expiry lots a currency keeps open: the lot width grows with the expiry so that credits of
``expires_after_days`` fall into at most this many (+1) lots, whatever the history."""
MAX_LOTS = MAX_OPEN_LOTS + 1
"""The hard bound per currency (also after an admin changes ``expires_after_days``): past it the
two latest lots merge into the later date, so units only ever expire later than promised."""
EXPIRING_SOON = timedelta(days=7)


def lot_width(days: int) -> int:
    """Days one expiry lot covers: 1 up to ``MAX_OPEN_LOTS`` days of expiry, then wider."""
    return -(-days // MAX_OPEN_LOTS)


def expiry_day(days: int, at: datetime, width: int | None = None) -> date:
    """The last (UTC) day units credited at ``at`` can be spent: ``days`` later, rounded up to a
    multiple of the lot width (``lot_width(days)`` unless given; counted from day 1 of the
    calendar, so every credit agrees)."""
    last = at.astimezone(UTC).date().toordinal() + days
    width = width or lot_width(days)
    return date.fromordinal(-(-last // width) * width)


def release_day(days: int, at: datetime) -> date:
    """The first (UTC) day units earned at ``at`` can be spent under a hold of ``days``: the
    same rounding as :func:`expiry_day` (never sooner than promised, ``MAX_LOTS`` days at most
    per currency), read as the first day spendable instead of the last."""
    return expiry_day(days, at)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


class WalletState(BaseModel):
    """What the profile keeps: a balance per currency, how many ledger entries exist (the next
    entry's sequence number), for expiring currencies the units per expiry day (lots) and, for
    currencies with a hold, the earned units per first spendable day (pending lots). Bounded by
    ``2 * MAX_CURRENCIES * MAX_LOTS`` lots, whatever the history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    balances: dict[str, int] = Field(default_factory=dict)
    entries: int = Field(default=0, ge=0)
    lots: dict[str, dict[date, int]] = Field(default_factory=dict)
    """Currency -> last spendable day -> units. Invariant: ``0 <= Σ lots <= max(0, balance)``;
    units of a balance in no lot (held before the currency expired) never expire."""
    pending: dict[str, dict[date, int]] = Field(default_factory=dict)
    """Currency -> first spendable day -> units earned but held. Pending units are part of the
    balance (and of Σ ledger); a day not after today is released (lazily: nothing is posted,
    the credit's entry said when). Invariant: ``0 <= Σ pending <= max(0, balance)``."""

    def balance(self, currency_id: str) -> int:
        """Every unit held, pending ones included: what the ledger sums to."""
        return self.balances.get(currency_id, 0)

    def pending_units(self, currency_id: str, today: date) -> int:
        """Units of ``currency_id`` that cannot be spent on ``today`` yet."""
        return sum(n for day, n in self.pending.get(currency_id, {}).items() if day > today)

    def spendable(self, currency_id: str, today: date) -> int:
        """What a redeem may spend on ``today``: the balance less its pending units."""
        return self.balance(currency_id) - self.pending_units(currency_id, today)

    def expiring(self, currency_id: str, by: date) -> int:
        """Units of ``currency_id`` whose last spendable day is ``by`` or earlier."""
        return sum(n for day, n in self.lots.get(currency_id, {}).items() if day <= by)


class Cause(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    ADJUST = "adjust"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One change of one balance: append-only, numbered per user, with the balance after it, so
    any window of the ledger reconciles (``balance - amount`` is the balance before)."""

    seq: int
    currency: str
    amount: int
    """Signed: what the balance changed by (a credit at the cap records the 0 it really got)."""
    balance: int
    """The balance of ``currency`` after this entry."""
    cause: Cause
    kind: str
    """What caused it: an ``EarnOn`` value, ``"redeem"``, ``"grant"`` or ``"refund"``."""
    ref: str
    """Its id: the award key (``badge_earned#first-read``), the idempotency key of a redeem."""
    at: datetime
    note: str | None = None
    """The shop item's name, the admin's reason."""
    credits: int = 1
    """How many credits of one commit this entry stands for (more than 1: ``kind`` "several",
    the rest of a commit past ``LEDGER_ENTRIES_EACH``)."""
    spendable_from: date | None = None
    """A held credit: the (UTC) day its units become spendable (``None``: at once). Release
    posts nothing (the balance does not change), so this is where the ledger says it."""


class InsufficientFundsError(Exception):
    def __init__(self, currency: str, balance: int, needed: int) -> None:
        super().__init__(f"{currency}: balance {balance}, needs {needed}")
        self.currency, self.balance, self.needed = currency, balance, needed


def post(
    wallet: WalletState,
    currency: Currency,
    amount: int,
    *,
    cause: Cause,
    kind: str,
    ref: str,
    at: datetime,
    note: str | None = None,
    allow_negative: bool = False,
) -> tuple[WalletState, LedgerEntry]:
    """Apply one signed amount: a credit is cut at the cap (pending units count towards it) and,
    when earned in a currency with a hold, is pending until its release day; a redeem's debit
    must be covered by the *spendable* units, an admin's by the balance (unless ``allow_negative``).
    Returns the wallet after and the entry that explains it."""
    held = wallet.balance(currency.id)
    today = at.astimezone(UTC).date()
    waiting = {d: n for d, n in wallet.pending.get(currency.id, {}).items() if d > today}
    if amount >= 0:
        amount = max(0, min(amount, currency.balance_cap - held))
    elif cause is Cause.REDEEM and held - sum(waiting.values()) + amount < 0:
        raise InsufficientFundsError(currency.id, held - sum(waiting.values()), -amount)
    elif held + amount < 0 and not allow_negative:
        raise InsufficientFundsError(currency.id, held, -amount)
    after = held + amount
    release: date | None = None
    start = at  # when an expiring credit's days start: its release for a held one
    if cause is Cause.EARN and currency.hold_days is not None:
        fresh = max(0, after) - max(0, held)  # a negative balance is repaid at once, not held
        if fresh:
            release = release_day(currency.hold_days, at)
            start = _start_of(release)
            waiting[release] = waiting.get(release, 0) + fresh
            _merge_latest(waiting)
    _trim_earliest(waiting, max(0, after))
    entry = LedgerEntry(
        seq=wallet.entries,
        currency=currency.id,
        amount=amount,
        balance=after,
        cause=cause,
        kind=kind,
        ref=ref[:MAX_REF_BYTES],
        at=at,
        note=note[:MAX_NOTE_CHARS] if note else None,
        spendable_from=release,
    )
    lots = _moved_lots(wallet.lots.get(currency.id, {}), currency, held, after, start)
    purse = _with(
        wallet, currency.id, balance=after, lots=lots, pending=waiting, entries=wallet.entries + 1
    )
    return purse, entry


def _with(
    wallet: WalletState,
    currency_id: str,
    *,
    balance: int,
    lots: dict[date, int],
    pending: dict[date, int],
    entries: int,
) -> WalletState:
    """``wallet`` with one currency's balance, lots and pending lots replaced (empty ones and a
    zero balance left out, so a wallet compares equal however it got there)."""
    balances = {**wallet.balances, currency_id: balance}
    if balance == 0:
        balances.pop(currency_id)
    every = {**wallet.lots, currency_id: lots}
    if not lots:
        every.pop(currency_id)
    held = {**wallet.pending, currency_id: pending}
    if not pending:
        held.pop(currency_id)
    return WalletState(balances=balances, entries=entries, lots=every, pending=held)


def _merge_latest(lots: dict[date, int]) -> None:
    """Past ``MAX_LOTS`` days, merge the two latest into the later: units are then spendable
    (pending lots) or expire (expiry lots) later than promised, never sooner."""
    while len(lots) > MAX_LOTS:
        *_, later_but_one, latest = sorted(lots)
        lots[latest] += lots.pop(later_but_one)


def _trim_earliest(pending: dict[date, int], most: int) -> None:
    """Keep ``Σ pending <= most``: an admin's debit beyond the spendable units goes on to the
    pending ones, the earliest release first (units leave in the order they would be spent,
    so the expiry lots spent earliest first stay those of the units kept). A redeem never gets
    here (it may only spend what is spendable)."""
    excess = sum(pending.values()) - most
    for day in sorted(pending):
        if excess <= 0:
            break
        take = min(excess, pending[day])
        pending[day] -= take
        excess -= take
        if not pending[day]:
            del pending[day]


def _moved_lots(
    lots: Mapping[date, int], currency: Currency, held: int, after: int, start: datetime
) -> dict[date, int]:
    """The lots after the balance moved from ``held`` to ``after``. A credit puts the part that
    lands above zero (a negative balance is repaid first) in the lot of its expiry day, counted
    from ``start`` (its release for a held credit); a debit spends the lots **earliest expiry
    first** (FIFO by expiry), then units in no lot."""
    moved = dict(lots)
    if after >= held:
        fresh = max(0, after) - max(0, held)
        if fresh and currency.expires_after_days is not None:
            day = expiry_day(currency.expires_after_days, start, currency.expiry_lot_width)
            moved[day] = moved.get(day, 0) + fresh
            _merge_latest(moved)
        return moved
    spend = held - after
    for day in sorted(moved):
        take = min(spend, moved[day])
        moved[day] -= take
        spend -= take
        if not moved[day]:
            del moved[day]
        if not spend:
            break
    return moved


def expire(wallet: WalletState, at: datetime) -> tuple[WalletState, list[LedgerEntry]]:
    """Release the pending lots whose day has come (nothing to post: the balance already holds
    them) and remove the lots whose last spendable day is before ``at``'s (UTC) day: one
    ``expired`` entry per currency, in the commit that removes them, so a unit leaves the
    balance exactly once (a second commit finds the lot gone). Called by every writer of the
    wallet first; reads apply it to what they show. An expiry never takes a pending unit: it
    takes at most the spendable units (more can be due only after an admin changed a
    currency's days; the rest of such a lot then never expires, in the user's favour)."""
    today = at.astimezone(UTC).date()
    released = {
        c: kept
        for c, lots in wallet.pending.items()
        if (kept := {day: n for day, n in lots.items() if day > today})
    }
    if released != wallet.pending:
        wallet = wallet.model_copy(update={"pending": released})
    entries: list[LedgerEntry] = []
    for currency in sorted(wallet.lots):
        lots = wallet.lots[currency]
        due = sorted(day for day in lots if day < today)
        if not due:
            continue
        spendable = max(0, wallet.spendable(currency, today))
        amount = min(spendable, sum(lots[day] for day in due))
        after = wallet.balance(currency) - amount
        if amount:
            entries.append(
                LedgerEntry(
                    seq=wallet.entries,
                    currency=currency,
                    amount=-amount,
                    balance=after,
                    cause=Cause.EXPIRE,
                    kind="expired",
                    ref=f"expired#{currency}#{due[-1].isoformat()}",
                    at=at,
                    note=f"spendable until {due[-1].isoformat()}",
                )
            )
        kept = {day: n for day, n in lots.items() if day >= today}
        pending = dict(wallet.pending.get(currency, {}))
        count = wallet.entries + (1 if amount else 0)
        wallet = _with(wallet, currency, balance=after, lots=kept, pending=pending, entries=count)
    return wallet, entries


# -- earning ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Fact:
    """Something that happened exactly once and may earn currency."""

    on: EarnOn
    match: str
    ref: str


class _Award(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def event_type(self) -> str: ...


BADGE_PREFIX = "badge_earned#"
QUEST_PREFIX = "quest_reward#"
MILESTONE_PREFIX = "streak_milestone#"


def facts_of(
    awards: Iterable[_Award], badges: Iterable[str], old_level: int, new_level: int
) -> list[Fact]:
    """The facts of one transition's effects: every applied activity (its award), badge,
    completed quest, milestone and level crossed."""
    facts = []
    for award in awards:
        key = award.key
        if key.startswith(QUEST_PREFIX):
            facts.append(Fact(EarnOn.QUEST, key.removeprefix(QUEST_PREFIX), key))
        elif key.startswith(MILESTONE_PREFIX):
            facts.append(Fact(EarnOn.STREAK_MILESTONE, "", key))
        elif not key.startswith(BADGE_PREFIX):
            facts.append(Fact(EarnOn.EVENT, award.event_type, key))
    facts += [Fact(EarnOn.BADGE, b, BADGE_PREFIX + b) for b in badges]
    facts += [Fact(EarnOn.LEVEL, str(n), f"level#{n}") for n in range(old_level + 1, new_level + 1)]
    return sorted(facts)


def promotion_fact(week: str, tier_name: str) -> Fact:
    return Fact(EarnOn.LEAGUE_PROMOTION, tier_name, f"league_promotion#{week}")


LEDGER_ENTRIES_EACH = 9
"""Credits of one commit written as entries of their own; past them the rest are folded into
one entry per currency (a commit writes at most ``LEDGER_ENTRIES_EACH + 2 * MAX_CURRENCIES``
ledger items with the expiries, so one activity completing 100 quests still fits its one
transaction)."""


def earn(
    wallet: WalletState, facts: Sequence[Fact], rules: WalletRules, at: datetime
) -> tuple[WalletState, list[LedgerEntry]]:
    """Expire what is due, then credit every rule that matches each fact (facts sorted, rules in
    catalog order). The balance is the same however the credits are folded (every credit is
    ≥ 0, so cutting the sum at the cap equals cutting each one)."""
    wallet, entries = expire(wallet, at)
    if not rules.earning:
        return wallet, entries
    credits = [
        (rule, fact)
        for fact in facts
        for rule in rules.earning
        if rule.on is fact.on and (rule.match is None or rule.match == fact.match)
    ]
    for rule, fact in credits[:LEDGER_ENTRIES_EACH]:
        wallet, entry = post(
            wallet,
            rules.by_id[rule.currency],
            rule.amount,
            cause=Cause.EARN,
            kind=fact.on.value,
            ref=fact.ref,
            at=at,
        )
        entries.append(entry)
    folded: dict[str, list[tuple[EarningRule, Fact]]] = {}
    for rule, fact in credits[LEDGER_ENTRIES_EACH:]:
        folded.setdefault(rule.currency, []).append((rule, fact))
    for currency, rest in folded.items():
        wallet, entry = post(
            wallet,
            rules.by_id[currency],
            sum(rule.amount for rule, _ in rest),
            cause=Cause.EARN,
            kind="several",
            ref=rest[0][1].ref,
            at=at,
            note=f"{len(rest)} credits of one commit, from {rest[0][1].ref} on",
        )
        entries.append(replace(entry, credits=len(rest)))
    return wallet, entries


# -- the shop -----------------------------------------------------------------------------------


class Price(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: CurrencyId
    amount: Annotated[int, Field(ge=1, le=MAX_BALANCE)]


STREAK_FREEZE = "streak_freeze"


class ShopItem(BaseModel):
    """What the shop sells. ``internal`` items the engine fulfils itself (``grants``);
    ``external`` ones the team's system fulfils on the ``reward.redeemed`` event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: ItemId
    name: Annotated[str, Field(min_length=1, max_length=64)]
    description: Annotated[str, Field(max_length=280)] = ""
    price: Price
    stock: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    """Units ever offered (global); ``None``: unlimited."""
    per_user_limit: Annotated[int, Field(ge=1, le=10_000)] | None = None
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    fulfilment: Literal["internal", "external"] = "external"
    grants: Literal["streak_freeze"] | None = None
    """What an internal item gives (required for internal items, refused for external ones)."""

    @model_validator(mode="after")
    def _coherent(self) -> ShopItem:
        if (self.fulfilment == "internal") != (self.grants is not None):
            raise ValueError("grants: required for internal items, refused for external ones")
        start, end = self.available_from, self.available_until
        if start is not None and end is not None and end <= start:
            raise ValueError("available_until: must be after available_from")
        return self

    def on_sale(self, now: datetime) -> bool:
        if self.available_from is not None and now < self.available_from:
            return False
        return self.available_until is None or now < self.available_until


class NotOnSaleError(Exception):
    """The item does not exist, or is outside its sale window."""


class QuantityError(ValueError):
    pass


class OutOfStockError(Exception):
    """The stock shards drawn from hold fewer units than drawn (someone bought them first)."""


class LimitReachedError(Exception):
    """The user bought ``per_user_limit`` of the item already."""


class AlreadyRedeemedError(Exception):
    """A redeem with this idempotency key was committed before: answer its stored result."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was used before")
        self.key = key


class FreezesFullError(Exception):
    """A streak freeze bought now would be lost: the user holds ``max_held`` already."""


def debit(
    wallet: WalletState,
    item: ShopItem,
    quantity: int,
    rules: WalletRules,
    *,
    key: str,
    now: datetime,
) -> tuple[WalletState, LedgerEntry]:
    """Take the price of ``quantity`` units (refused when not on sale or not covered)."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise QuantityError(f"quantity: between 1 and {MAX_QUANTITY}")
    currency = rules.currency(item.price.currency)
    if currency is None or not item.on_sale(now):
        raise NotOnSaleError(item.id)
    return post(
        wallet,
        currency,
        -item.price.amount * quantity,
        cause=Cause.REDEEM,
        kind="redeem",
        ref=key,
        at=now,
        note=f"{quantity} x {item.name}",
    )


def stock_shards(stock: int) -> int:
    """How many items a global stock is split into: enough that buyers of a hot item spread
    over several keys (each DynamoDB item takes ~1,000 writes/s), few enough that the last
    units are found with one query."""
    return max(1, min(10, stock // 10))


def split_stock(stock: int, shards: int) -> list[int]:
    """``stock`` over ``shards`` as evenly as possible (the sum is exactly ``stock``)."""
    base, extra = divmod(stock, shards)
    return [base + (1 if i < extra else 0) for i in range(shards)]


def draw_from(left: Mapping[int, int], quantity: int, start: int) -> dict[int, int] | None:
    """Which shards to take ``quantity`` from, starting at shard ``start`` (the buyer's own, so
    buyers spread) and going round; ``None`` when all shards together hold too few."""
    if sum(left.values()) < quantity:
        return None
    order = sorted(left)
    if not order:
        return None
    first = start % len(order)
    taken: dict[int, int] = {}
    need = quantity
    for shard in order[first:] + order[:first]:
        take = min(need, left[shard])
        if take > 0:
            taken[shard] = take
            need -= take
        if need == 0:
            return taken
    return None


@dataclass(frozen=True, slots=True)
class Redemption:
    """What a redeem writes besides the profile: all in one transaction with it."""

    key: str
    item_id: str
    quantity: int
    entry: LedgerEntry
    stock_taken: Mapping[int, int]
    """Units per stock shard (empty for an unlimited item)."""
    per_user_limit: int | None
    result: RedeemResult


@dataclass(frozen=True, slots=True)
class RedeemResult:
    """What the route answers, stored with the idempotency key so a repeat gets the same."""

    key: str
    item_id: str
    quantity: int
    currency: str
    amount: int
    balance: int
    fulfilment: str
    redeemed_at: datetime
    seq: int


@dataclass(frozen=True, slots=True)
class WalletWrite:
    """The wallet part of a profile change: ledger entries (and a redemption) that commit with
    the profile's balances or not at all."""

    entries: tuple[LedgerEntry, ...] = ()
    redemption: Redemption | None = None

    def __bool__(self) -> bool:
        return bool(self.entries or self.redemption)


NO_WALLET_WRITE = WalletWrite()


def unexplained(
    before: WalletState, after: WalletState, entries: Sequence[LedgerEntry]
) -> str | None:
    """Why ``entries`` do not take ``before`` to ``after`` exactly (``None``: they do)."""
    if [e.seq for e in entries] != list(range(before.entries, after.entries)):
        seqs = [e.seq for e in entries]
        return f"ledger entries {seqs} for seq {before.entries}..{after.entries}"
    moved: dict[str, int] = {}
    for entry in entries:
        moved[entry.currency] = moved.get(entry.currency, 0) + entry.amount
    for currency in set(before.balances) | set(after.balances) | set(moved):
        if before.balance(currency) + moved.get(currency, 0) != after.balance(currency):
            return f"{currency}: {before.balance(currency)} + ledger != {after.balance(currency)}"
    return None


LEDGER_RETENTION = timedelta(days=800)
"""How long a ledger entry is kept (its TTL): two years and a bit, for audits and refunds. The
balance never depends on it (it lives in the profile); an expired window is reconciled by the
oldest kept entry's ``balance - amount`` (docs/wallet.md)."""

"""Every wallet ledger entry goes out as one ``wallet.entry_posted`` event, in the outbox of the
commit that writes it (``UserChange.outbox``), whichever writer made it: the consumer's
credits (folded ones included), an expiry, a redeem's debit, an admin's adjustment. Its id
comes from the entry's sequence number, so a redelivered stream record gives the same id; a
release posts no entry and emits nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gamification.domain.domain_events import derive, stamp
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.redeem import adjust, redeem
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import (
    LEDGER_ENTRIES_EACH,
    Currency,
    EarningRule,
    EarnOn,
    Fact,
    LedgerEntry,
    Price,
    ShopItem,
    WalletRules,
    WalletState,
    WalletWrite,
    earn,
    expire,
)
from tests.domain.builders import activity, user

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
RULES = default_game_rules()
POSTED = "wallet.entry_posted"


def _commit(wallet: WalletState, after: WalletState, entries: list[LedgerEntry]) -> UserChange:
    before = StoredUser(UserState.new("ann").model_copy(update={"wallet": wallet}), version=3)
    state = before.state.model_copy(update={"wallet": after})
    return UserChange(before=before, state=state, now=NOW, wallet=WalletWrite(tuple(entries)))


def _posted(change: UserChange) -> list[dict[str, object]]:
    return [d.data for d in change.outbox if d.type == POSTED]


def test_a_consumer_commit_carries_one_event_per_entry_after_its_other_events() -> None:
    before = StoredUser(user(), version=1)
    step = apply_activities(before.state, [activity("post_read", "p-1")], RULES, NOW)
    drafts = derive(before.state, step.state, step.effects, RULES, NOW)
    change = UserChange(
        before=before,
        state=step.state,
        now=NOW,
        events=drafts,
        wallet=WalletWrite(tuple(step.effects.ledger)),
    )

    assert change.outbox[: len(drafts)] == drafts
    [posted] = change.outbox[len(drafts) :]
    assert (posted.type, posted.fact, posted.occurred_at) == (POSTED, "0", NOW)
    assert posted.data == {
        "seq": 0,
        "currency": "gems",
        "amount": 5,
        "balance": 5,
        "cause": "earn",
        "kind": "badge",
        "ref": "badge_earned#first-read",
        "credits": 1,
        "spendable_from": None,
    }
    # The publisher stamps what the stream carries: a redelivered record, the same ids.
    first = stamp(change.outbox, tenant="prod", user_id="alice", version=2)
    again = stamp(change.outbox, tenant="prod", user_id="alice", version=2)
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.id for e in first}) == len(first)


def test_folded_credits_are_one_event_each_entry_not_each_credit() -> None:
    rules = WalletRules(
        currencies=(Currency(id="gems", name="Gems"), Currency(id="coins", name="Coins")),
        earning=(
            EarningRule(on=EarnOn.QUEST, currency="gems", amount=10),
            EarningRule(on=EarnOn.QUEST, currency="coins", amount=1),
        ),
    )
    facts = sorted(Fact(EarnOn.QUEST, f"q{i:03d}", f"quest_reward#q{i:03d}") for i in range(100))
    wallet, entries = earn(WalletState(), facts, rules, NOW)

    posted = _posted(_commit(WalletState(), wallet, entries))

    assert len(posted) == len(entries) == LEDGER_ENTRIES_EACH + 2
    assert [(p["kind"], p["credits"]) for p in posted[-2:]] == [("several", 96), ("several", 95)]
    assert sum(int(str(p["amount"])) for p in posted if p["currency"] == "gems") == 1000
    assert [p["seq"] for p in posted] == list(range(len(entries)))


def test_an_expiry_and_a_held_credit_go_out_with_their_entries_and_a_release_emits_nothing() -> (
    None
):
    gems = Currency(id="gems", name="Gems", expires_after_days=2, hold_days=1)
    rules = WalletRules(
        currencies=(gems,), earning=(EarningRule(on=EarnOn.BADGE, currency="gems", amount=10),)
    )
    first = Fact(EarnOn.BADGE, "a", "badge_earned#a")
    held, _ = earn(WalletState(), [first], rules, NOW)

    # The release day: the units become spendable, nothing is posted, no event.
    released, none = expire(held, NOW + timedelta(days=1))
    assert none == []
    assert _posted(_commit(held, released, none)) == []

    later = NOW + timedelta(days=10)
    after, entries = earn(held, [Fact(EarnOn.BADGE, "b", "badge_earned#b")], rules, later)
    expired, credit = _posted(_commit(held, after, entries))

    assert (expired["cause"], expired["kind"], expired["amount"]) == ("expire", "expired", -10)
    assert str(expired["ref"]).startswith("expired#gems#")
    assert (credit["cause"], credit["amount"], credit["balance"]) == ("earn", 10, 10)
    assert credit["spendable_from"] == (later + timedelta(days=1)).date().isoformat()


def test_a_redeem_emits_its_reward_and_each_debit_and_an_adjustment_names_no_admin() -> None:
    gems = Currency(id="gems", name="Gems", expires_after_days=1)
    rules = WalletRules(currencies=(gems,))
    mug = ShopItem(id="mug", name="Mug", price=Price(currency="gems", amount=4))
    start = UserState.new("ann")
    granted, [grant] = adjust(
        start,
        "gems",
        9,
        reason="sorry, Jane Doe",
        ref="admin#ops-7",
        allow_negative=False,
        wallet_rules=rules,
        now=NOW,
    )
    [posted] = _posted(_commit(start.wallet, granted.wallet, [grant]))
    assert (posted["cause"], posted["kind"], posted["amount"], posted["ref"]) == (
        "adjust",
        "grant",
        9,
        None,
    )
    assert not any(w in str(posted) for w in ("ops-7", "Jane", "sorry"))

    again, _ = adjust(
        granted,
        "gems",
        5,
        reason="top-up",
        ref="admin#ops-7",
        allow_negative=False,
        wallet_rules=rules,
        now=NOW + timedelta(days=1),
    )  # the first 9 are spendable until Dec 4, these 5 until Dec 5: buy on Dec 5
    dec5 = NOW + timedelta(days=2)
    decision = redeem(
        again,
        mug,
        1,
        key="key-00001",
        wallet_rules=rules,
        freeze_rules=RULES.policy.freezes,
        stock_taken={},
        now=dec5,
    )
    change = UserChange(
        before=StoredUser(again, version=4),
        state=decision.state,
        now=dec5,
        events=(decision.event,),
        wallet=WalletWrite(decision.entries, decision.redemption),
    )

    assert [(d.type, d.fact) for d in change.outbox] == [
        ("reward.redeemed", "key-00001"),
        (POSTED, "2"),  # the first grant's 9 gems expired
        (POSTED, "3"),  # the mug's 4 gems
    ]
    expired, debit = _posted(change)
    assert (expired["amount"], expired["balance"]) == (-9, 5)
    assert (debit["cause"], debit["ref"], debit["amount"], debit["balance"]) == (
        "redeem",
        "key-00001",
        -4,
        1,
    )

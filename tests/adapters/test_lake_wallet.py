"""Wallet ledger entries in a local lake (DuckDB over the Parquet files), selected with
``gamify analytics query``: every entry of every writer is one row, with its currency, signed
amount, cause and the balance after it, so a subject's ledger reconciles in the lake. Built by
the real domain (transition, earning, redeem, adjustment), each commit's outbox as the
publisher stamps it, every row delivered twice (Firehose is at least once)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.cli.main import main
from gamification.domain.domain_events import stamp
from gamification.domain.event_catalog import DomainEvent
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.redeem import adjust, redeem
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import (
    EarnOn,
    Fact,
    Price,
    ShopItem,
    WalletWrite,
    earn,
)
from gamification.services.history_lake import HistoryLake
from tests.domain.builders import activity
from tests.fakes.lake import FakeLakeKeys

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)
RULES = default_game_rules()
MUG = ShopItem(id="mug", name="Mug", price=Price(currency="gems", amount=10))


class Ledger:
    """One user's commits: each change's outbox stamped with the version it wrote."""

    def __init__(self, user_id: str) -> None:
        self.stored = StoredUser(UserState.new(user_id))
        self.events: list[DomainEvent] = []

    def commit(self, change: UserChange) -> None:
        version = self.stored.version + 1
        user = self.stored.state.user_id
        self.events += stamp(change.outbox, tenant="test", user_id=user, version=version)
        self.stored = StoredUser(change.state, version)

    def read(self, at: datetime) -> None:
        before = self.stored.state
        read = activity("post_read", f"p-{at:%j}", at, user=before.user_id)
        step = apply_activities(before, [read], RULES, at)
        ledger = WalletWrite(tuple(step.effects.ledger))
        self.commit(UserChange(before=self.stored, state=step.state, now=at, wallet=ledger))

    def grant(self, amount: int, at: datetime) -> None:
        state, entries = adjust(
            self.stored.state,
            "gems",
            amount,
            reason="launch gift",
            ref="admin#ops",
            allow_negative=False,
            wallet_rules=RULES.wallet,
            now=at,
        )
        self.commit(
            UserChange(before=self.stored, state=state, now=at, wallet=WalletWrite(tuple(entries)))
        )

    def buy(self, key: str, at: datetime) -> None:
        decision = redeem(
            self.stored.state,
            MUG,
            1,
            key=key,
            wallet_rules=RULES.wallet,
            freeze_rules=RULES.policy.freezes,
            stock_taken={},
            now=at,
        )
        write = WalletWrite(decision.entries, decision.redemption)
        change = UserChange(
            before=self.stored, state=decision.state, now=at, events=(decision.event,), wallet=write
        )
        self.commit(change)

    def quests(self, count: int, at: datetime) -> None:
        """One commit completing ``count`` quests: past nine, the credits fold into one entry."""
        facts = sorted(
            Fact(EarnOn.QUEST, f"q{i:02d}", f"quest_reward#q{i:02d}") for i in range(count)
        )
        purse, entries = earn(self.stored.state.wallet, facts, RULES.wallet, at)
        state = self.stored.state.model_copy(update={"wallet": purse})
        self.commit(
            UserChange(before=self.stored, state=state, now=at, wallet=WalletWrite(tuple(entries)))
        )


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ann, bob = Ledger("ann"), Ledger("bob")
    ann.read(NOW)  # first-read: 5 gems
    ann.grant(40, NOW + timedelta(hours=1))
    ann.buy("key-00001", NOW + timedelta(hours=2))  # -10
    bob.read(NOW)  # 5 gems
    bob.quests(12, NOW + timedelta(days=1))  # 9 entries of 10, then one "several" of 30
    events = ann.events + bob.events
    root = tmp_path_factory.mktemp("lake")
    keys = FakeLakeKeys()
    keys.live = {"ann", "bob"}
    writer = HistoryLake(keys, LocalLakeFolder(root))
    writer.record(events)
    writer.record(events)  # at least once
    return root


def _query(lake: Path, sql: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    argv = ["--url", "http://127.0.0.1:9", "--json", "analytics", "query", sql]
    assert main([*argv, "--lake", str(lake)]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


ENTRIES = (
    "(SELECT DISTINCT row_id, subject, seq, currency, amount, balance, cause, kind, credits "
    "FROM events WHERE type = 'wallet.entry_posted')"
)


def test_the_query_selects_every_ledger_entry_once_by_cause_and_kind(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = (
        "SELECT currency, cause, kind, COUNT(*) AS entries, SUM(credits) AS credits, "
        f"SUM(amount) AS units FROM {ENTRIES} GROUP BY currency, cause, kind "
        "ORDER BY cause, kind"
    )
    assert _query(lake, sql, capsys) == [
        {"currency": "gems", "cause": "adjust", "kind": "grant", "entries": 1, "credits": 1,
         "units": 40},
        {"currency": "gems", "cause": "earn", "kind": "badge", "entries": 2, "credits": 2,
         "units": 10},
        {"currency": "gems", "cause": "earn", "kind": "quest", "entries": 9, "credits": 9,
         "units": 90},
        {"currency": "gems", "cause": "earn", "kind": "several", "entries": 1, "credits": 3,
         "units": 30},
        {"currency": "gems", "cause": "redeem", "kind": "redeem", "entries": 1, "credits": 1,
         "units": -10},
    ]  # fmt: skip


def test_each_subjects_ledger_reconciles_in_the_lake(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Σ amount equals the last entry's balance, and the seqs run without a gap (the same SQL
    in Athena: ``max_by`` and ``COUNT(DISTINCT …)`` are Trino's too)."""
    sql = (
        "SELECT SUM(amount) AS total, max_by(balance, seq) AS last_balance, "
        "COUNT(DISTINCT seq) AS entries, MAX(seq) AS last_seq "
        f"FROM {ENTRIES} GROUP BY subject ORDER BY total"
    )
    assert _query(lake, sql, capsys) == [
        {"total": 35, "last_balance": 35, "entries": 3, "last_seq": 2},  # ann: 5 + 40 - 10
        {"total": 125, "last_balance": 125, "entries": 11, "last_seq": 10},  # bob: 5 + 120
    ]

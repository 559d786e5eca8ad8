"""The lake writer on fakes: pseudonymous rows, a key per user made once, nothing for an erased
user, and a lake that cannot be linked back to a user once their key is erased."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from gamification.domain import lake
from gamification.domain.domain_events import EventDraft, event_id, stamp, wallet_entry_posted
from gamification.domain.event_catalog import DomainEvent
from gamification.domain.wallet import Cause, LedgerEntry
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys, FakeLakeSink

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _events(user: str, *badges: str, version: int = 1) -> list[DomainEvent]:
    drafts = [EventDraft("badge.earned", b, NOW, {"badge_id": b, "name": b}) for b in badges]
    return stamp(drafts, tenant="prod", user_id=user, version=version)


def _erased(user: str) -> list[DomainEvent]:
    draft = EventDraft("user.erased", NOW.isoformat(), NOW, {"erased_at": NOW.isoformat()})
    return stamp([draft], tenant="prod", user_id=user, version=9)


@pytest.fixture
def parts() -> tuple[FakeLakeKeys, FakeLakeSink, HistoryLake]:
    keys, sink = FakeLakeKeys(), FakeLakeSink()
    keys.live = {"ann", "bob"}
    return keys, sink, HistoryLake(keys, sink)


def test_rows_name_users_by_pseudonym_only(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    keys, sink, writer = parts
    writer.record(_events("ann", "a", "b") + _events("bob", "a"))

    subjects = {r["subject"] for r in sink.rows}
    assert len(subjects) == 2
    assert all("ann" not in str(v) and "bob" not in str(v) for r in sink.rows for v in r.values())
    assert {r["subject"] for r in sink.rows[:2]} == {lake.subject(keys.keys["ann"], "prod", "ann")}


def test_a_redelivered_batch_gives_the_same_rows(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    _, sink, writer = parts
    writer.record(_events("ann", "a"))
    writer.record(_events("ann", "a"))
    assert sink.rows[0] == sink.rows[1]


def test_a_failing_sink_raises_for_the_stream_to_retry(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    _, sink, writer = parts
    sink.down = True
    with pytest.raises(ConnectionError):
        writer.record(_events("ann", "a"))


def test_erasure_reaches_the_lake(parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake]) -> None:
    keys, sink, writer = parts
    events = _events("ann", "a", "b")
    writer.record(events + _erased("ann"))  # the tombstone's event still has the key
    keys.erase("ann")  # the eraser's walk deletes USER#ann/LAKEKEY

    late = writer.record(_events("ann", "c", version=2))  # a late stream record

    assert late.rows == 0
    assert late.dropped == 1
    assert "ann" not in keys.keys
    # What someone who knows "ann", the tenant and every fact could compute links to no row:
    # the event ids (public hashes of the user id), any hash of the id, any key but the erased one.
    guesses = {event_id("prod", "ann", "badge.earned", f) for f in "abc"}
    guesses |= {hashlib.sha256(b"ann").hexdigest()[: lake.PSEUDONYM_HEX]}
    guesses |= {lake.subject(bytes(16), "prod", "ann")}
    cells = {str(v) for r in sink.rows for v in r.values()}
    assert not guesses & cells
    assert {r["type"] for r in sink.rows} == {"badge.earned", "user.erased"}


def test_no_key_is_made_for_an_erasure_alone(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    keys, sink, writer = parts
    result = writer.record(_erased("bob"))
    assert (result.rows, result.dropped) == (0, 1)
    assert keys.keys == {}
    assert sink.rows == []


def test_webhook_tests_never_reach_the_lake(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    _, sink, writer = parts
    draft = EventDraft("webhook.test", "w", NOW, {"webhook_id": "w"})
    writer.record(stamp([draft], tenant="prod", user_id="", version=1))
    assert sink.rows == []


def _wallet(user: str, *amounts: int, version: int = 1) -> list[DomainEvent]:
    """Ledger entries of one commit, as its outbox carries them (``UserChange.outbox``)."""
    entries, balance = [], 0
    for seq, amount in enumerate(amounts):
        balance += amount
        cause = Cause.EARN if amount > 0 else Cause.REDEEM
        ref = f"badge_earned#b{seq}" if amount > 0 else f"key-{seq:05d}"
        entries.append(LedgerEntry(seq, "gems", amount, balance, cause, cause.value, ref, NOW))
    drafts = [wallet_entry_posted(e) for e in entries]
    return stamp(drafts, tenant="prod", user_id=user, version=version)


def test_wallet_entries_are_rows_with_their_currency_amount_and_cause(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    keys, sink, writer = parts
    writer.record(_wallet("ann", 5, 10, -4))

    assert [
        (r["type"], r["currency"], r["amount"], r["cause"], r["balance"]) for r in sink.rows
    ] == [
        ("wallet.entry_posted", "gems", 5, "earn", 5),
        ("wallet.entry_posted", "gems", 10, "earn", 15),
        ("wallet.entry_posted", "gems", -4, "redeem", 11),
    ]
    assert [r["seq"] for r in sink.rows] == [0, 1, 2]
    assert {r["subject"] for r in sink.rows} == {lake.subject(keys.keys["ann"], "prod", "ann")}
    assert all(r["xp"] is None and r["badge_id"] is None for r in sink.rows)


def test_erasure_reaches_the_wallet_rows(
    parts: tuple[FakeLakeKeys, FakeLakeSink, HistoryLake],
) -> None:
    """The wallet's rows go through the same keyed pseudonyms: once the key is erased, neither
    the ids of the entries' events nor the user's id link to them, and late entries drop."""
    keys, sink, writer = parts
    writer.record(_wallet("ann", 5, -5) + _wallet("bob", 7) + _erased("ann"))
    keys.erase("ann")

    late = writer.record(_wallet("ann", 5, 5, version=2))

    assert (late.rows, late.dropped) == (0, 2)
    guesses = {event_id("prod", "ann", "wallet.entry_posted", str(seq)) for seq in range(2)}
    guesses |= {lake.subject(bytes(16), "prod", "ann")}
    cells = {str(v) for r in sink.rows for v in r.values()}
    assert not guesses & cells
    assert not any("ann" in c for c in cells)
    wallet_rows = [r for r in sink.rows if r["type"] == "wallet.entry_posted"]
    assert [r["amount"] for r in wallet_rows] == [5, -5, 7]  # the rows stay, unlinked

"""Team quests through the consumer against moto (issue #30): the members' reads are delivered
in any order, split across batches and redelivered, and a payment fails once midway (the
user's records are retried); each contributor is paid once, the team's progress is the sum of
its members' counts, and each payment's domain events reach the bus once (``quest.completed``
and ``xp.awarded``, hence the history lake's rows) and its wallet credit (the shipped ``quest``
earning rule) is in the ledger once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis

from gamification import composition
from gamification.adapters.team_quest_progress import TeamQuestTable
from gamification.adapters.team_repository import TeamRepository
from gamification.adapters.user_repository import UserRepository
from gamification.adapters.wallet_store import WalletStore
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.quests import QuestCatalog, parse_quest
from gamification.domain.teams import Team
from gamification.local.provision import Provisioned
from gamification.resources import EVENTS
from gamification.services.consumer import AfterApplies
from gamification.services.team_quests import TeamQuests
from tests.integration.jobs.support import Context
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record

QUEST = parse_quest(
    {
        "id": "together",
        "name": "Read together",
        "description": "Five posts between the team.",
        "starts_at": (NOW - timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=1)).isoformat(),
        "criteria": {"type": "posts_read", "count": 5},
        "reward_xp": 40,
        "mode": "team",
    }
)


class FailingOnce:
    """The profiles port, failing the first payment (a crash between two payees)."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users
        self.failed = False

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        return self._users.load(user_id, consistent)

    def save(self, change: UserChange) -> StoredUser:
        if not self.failed and change.events:
            self.failed = True
            raise ConnectionError("injected: the payment's write was lost")
        return self._users.save(change)


@pytest.fixture
def log(stack_env: Provisioned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "events.jsonl"
    monkeypatch.setenv("GAMIFY_EVENT_LOG", str(path))
    monkeypatch.setenv("GAMIFY_STAGE", "test")
    composition.reset()
    return path


def test_contributors_are_paid_once_through_redeliveries_and_a_failure(
    stack_env: Provisioned, redis_client: redis.Redis, log: Path
) -> None:
    from functions.publisher.handler import lambda_handler

    rules = default_game_rules().with_quests(QuestCatalog(quests=(QUEST,)))
    pipeline = build_pipeline(stack_env, redis_client, rules=rules)
    client = boto3.client("dynamodb")
    teams = TeamRepository(client, stack_env.table_name)
    store = TeamQuestTable(client, stack_env.table_name)
    teams.put(Team("trio", "Trio", max_members=10))
    for user in ("ann", "bob", "cy"):
        teams.join("trio", user, NOW, limit=10, by_admin=False)
    profiles = FailingOnce(pipeline.users)
    service = TeamQuests(lambda: rules, store, teams, profiles, pipeline.clock)
    consumer = pipeline.consumer
    consumer._after_apply = AfterApplies(service)  # as composition.queue_consumer wires it

    reads = [activity("ann", object_id=f"a{i}") for i in range(3)]
    reads += [activity("bob", object_id=f"b{i}") for i in range(2)]
    batches = [
        [reads[4], reads[0]],
        [reads[2], reads[1], reads[0]],
        [reads[3]],
        list(reversed(reads)),
    ]
    failures = 0
    for batch in batches:
        report = consumer.consume([record(r) for r in batch])
        failures += len(report.failed_message_ids)
        if report.failed_message_ids:  # SQS redelivers the failed user's records
            assert not consumer.consume([record(r) for r in batch]).failed_message_ids
    assert failures >= 1
    assert profiles.failed

    for user, xp in (("ann", 30 + 40), ("bob", 20 + 40), ("cy", 0)):
        assert pipeline.users.load(user).state.xp == xp, user
    standing = store.standing("trio", "together")
    assert (standing.progress, standing.contributors, standing.settled) == (5, 2, True)

    wanted = [r for r in pipeline.stream.read() if EVENTS.accepts(r)]
    lambda_handler({"Records": wanted}, Context("publisher"))
    lambda_handler({"Records": wanted}, Context("publisher"))  # a redelivered stream
    events: list[dict[str, Any]] = [json.loads(line) for line in log.read_text().splitlines()]
    mine = [
        e
        for e in events
        if e["data"].get("quest_id") == "together"
        or e["data"].get("source") == "quest_reward#together"
    ]
    assert sorted({(e["user_id"], e["type"]) for e in mine}) == [
        ("ann", "quest.completed"),
        ("ann", "xp.awarded"),
        ("bob", "quest.completed"),
        ("bob", "xp.awarded"),
    ]
    assert len({e["id"] for e in mine}) == 4  # the same effect, the same id: receivers dedupe
    ledgers = WalletStore(client, stack_env.table_name)
    for user, paid in (("ann", 1), ("bob", 1), ("cy", 0)):  # the shipped quest rule: 10 gems
        entries = ledgers.page(user, 50, None)
        quests = [e.amount for e in entries if e.kind == "quest"]
        assert quests == [10] * paid, user  # once, through the failure and the redeliveries
        balance = pipeline.users.load(user).state.wallet.balance("gems")
        assert balance == sum(e.amount for e in entries), user  # with the first-read badge's


def test_a_team_larger_than_the_bound_is_paid_in_steps_then_by_the_sweep(
    stack_env: Provisioned, redis_client: redis.Redis, log: Path
) -> None:
    """``pay: members``, a team of 30 and steps of 4 (a commit) and 7 (the sweep) on the real
    adapters: the completing commit pays its user and one step, its redelivery and a failing
    payment go on from the cursor, the team goes quiet and the sweep (the consumer's schedule,
    stopped after one step, then to the end) pays the rest; each member once, the payout
    closed."""
    members_quest = parse_quest({**QUEST.model_dump(mode="json"), "id": "all-in", "pay": "members"})
    rules = default_game_rules().with_quests(QuestCatalog(quests=(members_quest,)))
    pipeline = build_pipeline(stack_env, redis_client, rules=rules)
    client = boto3.client("dynamodb")
    teams = TeamRepository(client, stack_env.table_name)
    store = TeamQuestTable(client, stack_env.table_name)
    teams.put(Team("crowd", "Crowd", max_members=100))
    users = [f"m{i:02d}" for i in range(30)]
    for user in users:
        teams.join("crowd", user, NOW, limit=10, by_admin=False)
    profiles = FailingOnce(pipeline.users)
    profiles.failed = True  # armed again below
    service = TeamQuests(
        lambda: rules,
        store,
        teams,
        profiles,
        pipeline.clock,
        commit_step=4,
        payout_step=7,
    )
    consumer = pipeline.consumer
    consumer._after_apply = AfterApplies(service)

    reads = [activity("m17", object_id=f"p{i}") for i in range(5)]  # m17 completes it alone
    assert not consumer.consume([record(r) for r in reads]).failed_message_ids

    def paid() -> set[str]:
        return {u for u in users if pipeline.users.load(u).state.xp >= 40}

    first = paid()
    assert "m17" in first  # the committer first
    assert 1 < len(first) <= 1 + 4  # then one step
    assert store.open_payouts() == [("crowd", "all-in")]
    profiles.failed = False  # the next payment's write is lost: the user's records fail
    assert consumer.consume([record(reads[0])]).failed_message_ids
    assert not consumer.consume([record(reads[0])]).failed_message_ids  # SQS redelivers
    second = paid()
    assert first < second

    stops = iter([False, True, True])
    assert 0 < service.sweep(lambda: next(stops)) <= 7  # the schedule's time ran out
    assert not store.standing("crowd", "all-in").settled
    service.sweep(lambda: False)  # the next run goes on to the end
    assert paid() == set(users)
    assert store.standing("crowd", "all-in").settled
    assert store.open_payouts() == []
    ledgers = WalletStore(client, stack_env.table_name)
    for user in users:  # once each: the reward, and the reads of the one who did them
        state = pipeline.users.load(user).state
        assert state.xp == 40 + (50 if user == "m17" else 0), user
        entries = ledgers.page(user, 50, None)
        quests = [e.ref for e in entries if e.kind == "quest"]
        assert quests == ["quest_reward#all-in"], user  # once: replays and the failure too
        assert state.wallet.balance("gems") == sum(e.amount for e in entries), user
    published = [r for r in pipeline.stream.read() if EVENTS.accepts(r)]
    assert published  # the payments' outbox reaches the stream (ids checked above)


def test_the_consumers_schedule_runs_the_sweep(stack_env: Provisioned, log: Path) -> None:
    """The consumer's handler given EventBridge's scheduled event sweeps (nothing open: 0)."""
    from functions.consumer.handler import lambda_handler
    from gamification.local.scheduler import scheduled_event

    event = scheduled_event("consumer", NOW)
    assert lambda_handler(event, Context("consumer", remaining_ms=30_000)) == {"paid": 0}

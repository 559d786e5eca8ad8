"""The scale simulation's counting, on cases small enough to work out by hand, so the benchmark
(``python -m benchmarks scale``) cannot silently measure something else than it says."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from benchmarks import scale
from benchmarks.fakes import KB, LATENCY_S, FakeDynamoDB, makespan
from gamification.adapters import keys
from gamification.adapters.dynamo_codec import item_size
from gamification.config import Settings
from gamification.domain.game_rules import default_game_rules
from gamification.domain.periods import iso_week
from gamification.services.reminders import LOOKBACK_HOURS

RULES = default_game_rules()
SETTINGS = Settings.from_env({})


def _item(pk: str, size: int, **extra: str) -> dict[str, dict[str, str]]:
    """An item of exactly ``size`` bytes (names + values): PK, SK and a padding attribute."""
    base = {"PK": {"S": pk}, "SK": {"S": "s"}, **{k: {"S": v} for k, v in extra.items()}}
    pad = size - item_size(base) - 1  # the attribute name "d" is one byte
    item = {**base, "d": {"S": "x" * pad}}
    assert item_size(item) == size
    return item


def test_write_units_are_started_kilobytes_and_transactions_count_twice() -> None:
    fake = FakeDynamoDB()
    fake.put_item(TableName="t", Item=_item("a", KB))
    assert fake.meter.write_units == 1
    fake.put_item(TableName="t", Item=_item("b", KB + 1))
    assert fake.meter.write_units == 1 + 2
    # Replacing a 1,025-byte item with a small one bills the larger (old) size.
    fake.put_item(TableName="t", Item=_item("b", 100))
    assert fake.meter.write_units == 1 + 2 + 2
    fake.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": _item("c", 3000)}}])
    assert fake.meter.write_units == 1 + 2 + 2 + 2 * 3
    assert fake.meter.requests == {"PutItem": 3, "TransactWriteItems": 1}
    assert fake.meter.clock == pytest.approx(3 * LATENCY_S["PutItem"] + 0.015)


def test_read_units_are_started_4kb_and_eventual_reads_cost_half() -> None:
    fake = FakeDynamoDB()
    fake.put_item(TableName="t", Item=_item("a", 4 * KB))
    fake.put_item(TableName="t", Item=_item("b", 4 * KB + 1))
    key = {"PK": {"S": "a"}, "SK": {"S": "s"}}
    fake.get_item(TableName="t", Key=key, ConsistentRead=True)
    assert fake.meter.read_units == 1
    fake.get_item(TableName="t", Key={"PK": {"S": "b"}, "SK": {"S": "s"}})
    assert fake.meter.read_units == 1 + 1  # 2 units, halved
    fake.get_item(TableName="t", Key={"PK": {"S": "none"}, "SK": {"S": "s"}}, ConsistentRead=True)
    assert fake.meter.read_units == 1 + 1 + 1  # a missing item still costs a unit
    # A query rounds its page once: three 1,500-byte items are 4,500 bytes, 2 units.
    for n in range(3):
        fake.put_item(TableName="t", Item={**_item("q", 1500), "SK": {"S": f"s{n}"}})
    before = fake.meter.read_units
    response = fake.query(
        TableName="t",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "q"}},
        ConsistentRead=True,
    )
    assert len(response["Items"]) == 3
    assert fake.meter.read_units - before == 2


def test_index_writes_follow_aws_rules() -> None:
    """A GSI write when an item enters the index, two when its key moves, none when neither
    its keys nor its projected attributes change."""
    fake = FakeDynamoDB()
    item = _item("USER#a", 500, GSI1PK="REMIND#1", GSI1SK="USER#a")
    fake.put_item(TableName="t", Item=item)
    assert fake.meter.writes_by_key[("GSI1", "REMIND#1")] == 1
    fake.put_item(TableName="t", Item={**item, "d": {"S": "changed"}})  # GSI1 is KEYS_ONLY
    assert fake.meter.writes_by_key[("GSI1", "REMIND#1")] == 1
    fake.put_item(TableName="t", Item={**item, "GSI1PK": {"S": "REMIND#2"}})
    assert fake.meter.writes_by_key[("GSI1", "REMIND#1")] == 2  # the delete
    assert fake.meter.writes_by_key[("GSI1", "REMIND#2")] == 1  # the put
    assert fake.meter.writes_by_key[("table", "USER#a")] == 3
    assert fake.meter.index_write_units == 3


def test_conditions_and_cancelled_transactions() -> None:
    fake = FakeDynamoDB()
    item = _item("a", 200)
    fake.put_item(TableName="t", Item=item, ConditionExpression="attribute_not_exists(PK)")
    with pytest.raises(fake.exceptions.ConditionalCheckFailedException):
        fake.put_item(TableName="t", Item=item, ConditionExpression="attribute_not_exists(PK)")
    with pytest.raises(ClientError) as cancelled:
        fake.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": _item("b", 200)}},
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            ]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert fake.stored(("b", "s")) is None  # nothing of a cancelled transaction is written
    with pytest.raises(NotImplementedError):
        fake.put_item(TableName="t", Item=item, ConditionExpression="size(PK) > :n")


def test_makespan_is_list_scheduling_on_parallel_workers() -> None:
    total, finished = makespan([1.0, 1.0, 1.0, 1.0, 2.0], workers=2)
    assert finished == [1.0, 1.0, 2.0, 2.0, 4.0]
    assert total == 4.0


def test_generated_profiles_are_the_repositorys_own_items() -> None:
    """A user's generated item is exactly what ``UserRepository.profile_item`` writes for them."""
    population = scale.Population(300, RULES, SETTINGS)
    for index in (0, 1, 7, 299):
        template = population.template(index)
        state = template.state.model_copy(update={"user_id": scale.user_id(index)})
        expected = population.repository.profile_item(
            state, 42, scale.NOW - timedelta(days=1), scale.NOW
        )
        assert population.profile(index) == expected


def test_every_due_reminder_of_a_small_hour_is_sent_once_at_the_predicted_simulated_time() -> None:
    users = 150
    rig = scale.fan_out_rig(users, RULES, SETTINGS)
    shards = SETTINGS.reminder_shards
    finished, units, timed_out = scale.run_hour(rig, rig.hour, workers=shards, timeout_s=120)
    # A first run queues every shard of its hour and of the two earlier ones (no run started
    # them: a fresh deploy); every shard fits one page, so nothing continues.
    assert (units, timed_out) == ((LOOKBACK_HOURS + 1) * shards, 0)
    assert sum(sent for _, sent in finished) == users
    # Per unit: two index queries (the hour's period partition, then the day-keyed partition
    # of before issue #26, read until every profile moved), then (users in its shard > 0) two
    # BatchGetItems (profiles,
    # guards) and one transaction per user; an earlier hour's unit is its shard's final pass
    # (an UpdateItem). The hourly run: an UpdateItem (the hour started), a GetItem per earlier
    # hour (its progress) and the units in batches of 10.
    occupied = {keys.reminder_shard(scale.user_id(i), shards) for i in range(users)}
    assert rig.fake.meter.requests == {
        "UpdateItem": 1 + LOOKBACK_HOURS * shards,
        "GetItem": LOOKBACK_HOURS,
        "SendMessageBatch": math.ceil(units / 10),
        "Query": 2 * units,
        "BatchGetItem": 2 * len(occupied),
        "TransactWriteItems": users,
    }
    busiest = max(
        sum(keys.reminder_shard(scale.user_id(i), shards) == s for i in range(users))
        for s in range(shards)
    )
    enqueue = (
        LATENCY_S["UpdateItem"]
        + LOOKBACK_HOURS * LATENCY_S["GetItem"]
        + math.ceil(units / 10) * LATENCY_S["SendMessageBatch"]
    )
    slowest = (
        2 * LATENCY_S["Query"]
        + 2 * LATENCY_S["BatchGetItem"]
        + busiest * LATENCY_S["TransactWriteItems"]
    )
    # The hour's units go first, one per worker, so the busiest shard ends at:
    assert max(t for t, sent in finished if sent == busiest) == pytest.approx(
        enqueue + scale.QUEUE_HOP_S + slowest
    )
    # The next hour's final pass reads every shard again and sends nothing twice.
    again, _, _ = scale.run_hour(rig, rig.hour + timedelta(hours=1), workers=4, timeout_s=120)
    assert sum(sent for _, sent in again) == 0
    assert rig.fake.writes_by_kind["REMINDED"] == users
    assert rig.fake.writes_by_kind["NOTIF"] == users
    for index in range(users):
        pk = keys.user_pk(scale.user_id(index))
        assert any(k[0] == pk and k[1].startswith("REMINDED#") for k in rig.fake._items)


def test_a_unit_is_killed_at_the_workers_timeout() -> None:
    """One shard of 300 users, a 1 s timeout: a query and two reads (28 ms), then a 15 ms
    transaction per reminder, each started before the deadline: 1 + (1.0 - 0.028) // 0.015."""
    one_shard = Settings.from_env({"GAMIFY_REMINDER_SHARDS": "1"})
    rig = scale.fan_out_rig(300, RULES, one_shard)
    _, units, timed_out = scale.run_hour(rig, rig.hour, workers=1, timeout_s=1.0)
    assert (units, timed_out) == (1 + LOOKBACK_HOURS, 1)  # the earlier hours: empty
    assert rig.fake.writes_by_kind["REMINDED"] == 65


def test_the_reminder_hour_row_sends_every_due_reminder_once() -> None:
    result = scale.reminder_hour(400, RULES, SETTINGS)
    assert (result.sent_in_hour, result.sent_total, result.duplicates) == (400, 400, 0)
    assert result.timed_out == 0


def test_reconciliation_reads_the_player_index_twice() -> None:
    """Read units of a full reconcile = two walks of GSI2 (keys only, pages of 1,000 rounded
    once each) and of the players' profiles (one eventually consistent read each)."""
    players = 2500
    result = scale.reconciliation(players, RULES, SETTINGS)
    population = scale.Population(players, RULES, SETTINGS, seated=iso_week(scale.NOW))
    fake = FakeDynamoDB()
    per_shard: dict[int, list[int]] = {}
    profiles = 0.0
    for index in range(players):
        item = population.profile(index)
        profiles += math.ceil(item_size(item) / (4 * KB)) / 2
        projected = fake._projected(fake._indexes["GSI2"], item)
        assert projected is not None
        per_shard.setdefault(keys.player_shard(scale.user_id(index)), []).append(
            item_size(projected)
        )
    walk = 0.0
    for sizes in per_shard.values():
        for start in range(0, len(sizes), 1000):
            walk += math.ceil(sum(sizes[start : start + 1000]) / (4 * KB)) / 2
    assert result.read_units_per_run == 2 * (walk + profiles)


def test_league_close_sample_closes_every_member_in_one_transaction_each() -> None:
    sample = scale.league_close_sample(2, RULES, SETTINGS)
    assert (sample.members, sample.transactions) == (60, 60)
    assert sample.per_cohort_s > 30 * LATENCY_S["TransactWriteItems"]


def test_hot_keys_count_every_profile_write_on_the_player_index() -> None:
    hot = scale.hot_keys(scale.Sizes.scaled(2000), RULES, SETTINGS)
    assert hot.activities == 20
    # Every commit rewrites a profile with more XP; GSI2 projects keys only, so its entry
    # does not change (before issue #26 it projected xp: one index write each).
    assert hot.writes["PROFILE"] == hot.users
    assert hot.writes.get("GSI2", 0) == 0
    assert "table SEATS" in hot.by_kind

"""The cost model's arithmetic and its meter, on cases worked out by hand, so the bill in
docs/cost.md (``make costs``) cannot silently price something else than it says."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.capacity import metering
from benchmarks.cost_model import (
    FREE_TYPES,
    PRICES,
    Inventory,
    PerUnit,
    inventory,
    runs_per_month,
    variable_dollars,
)
from benchmarks.cost_usage import Rig, index_writes
from benchmarks.costs import realistic_traffic, returning_users
from gamification import composition
from gamification.local.redis_server import RedisServer


def _s(value: str) -> dict[str, str]:
    return {"S": value}


PROFILE = {
    "PK": _s("USER#u"),
    "SK": _s("PROFILE"),
    "GSI1PK": _s("REMIND#2026-11-04T10"),
    "GSI1SK": _s("u"),
    "GSI2PK": _s("XP#3"),
    "GSI2SK": _s("u"),
    "xp": {"N": "10"},
    "streak": {"N": "1"},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"streak": {"N": "2"}}, {}),  # neither index projects it
        ({"xp": {"N": "20"}}, {}),  # GSI2 projects keys only (issue #26): nothing rewritten
        ({"GSI1PK": _s("REMIND#2026-11-05T10")}, {"GSI1": 2}),  # a key move: delete + put
    ],
)
def test_index_writes_follow_the_gsi_rules(
    change: dict[str, Any], expected: dict[str, int]
) -> None:
    assert index_writes(PROFILE, {**PROFILE, **change}) == expected


def test_a_new_and_a_deleted_item_write_each_index_it_is_in_once() -> None:
    assert index_writes(None, PROFILE) == {"GSI1": 1, "GSI2": 1}
    assert index_writes(PROFILE, None) == {"GSI1": 1, "GSI2": 1}
    assert index_writes(None, {"PK": _s("RATE#u"), "SK": _s("W#1")}) == {}


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(1 minute)", 43_800),
        ("rate(15 minutes)", 2_920),
        ("rate(1 day)", 30.416666666666668),
        ("cron(0 * * * ? *)", 730),
        ("cron(0,30 * * * ? *)", 1_460),
    ],
)
def test_schedules_run_as_often_as_their_expression_says(expression: str, runs: float) -> None:
    assert runs_per_month(expression) == pytest.approx(runs)


def test_an_unknown_resource_type_is_listed_unpriced_not_taken_as_free() -> None:
    template = {
        "Resources": {
            "A": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
            "B": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Metrics": [{"MetricStat": {}}, {"MetricStat": {}}, {}]},
            },
            "K": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
            "W": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": [{}, {}, {}]}},
            "N": {"Type": "AWS::Shiny::NewThing", "Properties": {}},
        }
    }
    found = inventory(template)
    assert (found.alarms, found.kms_keys, found.rotating_keys) == (3, 1, 1)
    assert (found.web_acls, found.waf_rules) == (1, 3)
    assert dict(found.unpriced) == {"AWS::Shiny::NewThing": 1}
    assert "AWS::Shiny::NewThing" not in FREE_TYPES


def test_a_unit_of_traffic_is_priced_at_the_list_prices() -> None:
    per = PerUnit(api_requests=1, ddb_write_units=6, ddb_index_write_units=1, sqs_requests=2)
    dollars = variable_dollars(per, 1e6, Inventory())
    assert dollars["API Gateway"] == pytest.approx(3.50)
    assert dollars["DynamoDB writes"] == pytest.approx(6 * 0.625)
    assert dollars["DynamoDB index writes"] == pytest.approx(0.625)
    assert dollars["SQS"] == pytest.approx(0.80)
    assert all(p.source.startswith("https://aws.amazon.com/") for p in PRICES.values())


def test_the_rigs_meter_bills_what_the_capacity_benchmark_bills_for_the_same_traffic() -> None:
    """The cost model's DynamoDB units come from :class:`Rig`'s meter (moto's stored items);
    ``make bench``'s capacity benchmark bills with ``benchmarks.capacity.metering``. On the same
    realistic traffic they must agree on every table unit and request."""
    with RedisServer() as server, Rig(server.url, {"GAMIFY_WRITE_BUDGET_PER_MINUTE": "120"}) as rig:
        users = returning_users(rig, 4)
        client = composition.dynamodb()
        with rig.metering() as usage, metering(client) as capacity:
            realistic_traffic(rig, users, rounds=3)  # the third reads pending markers back
    assert usage.errors == []
    assert usage.count("dynamodb") == capacity.requests > 0
    assert usage.write_units == capacity.write_units > 0
    assert usage.read_units == capacity.read_units > 0
    assert usage.invocations["consumer"] == 3
    # XP changed, but GSI2 projects keys only and the reminder key keeps its week: no index
    # write (before issue #26: a GSI2 row rewritten per activity).
    assert usage.index_write_units == 0

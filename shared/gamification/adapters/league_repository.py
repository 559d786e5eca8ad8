"""League seats, cohort member lists and close-job checkpoints in the single table.

Seats: one atomic counter per tier, week and seat shard (``UpdateItem ADD``): the n-th join of a
shard sits in cohort ``(n - 1) // cohort_size`` of that shard, so cohorts fill in order of
joining and never exceed their size. The membership item is written in the user's own
transaction (``UserChange.membership``) together with the profile that records the cohort, so a
user-week is seated exactly once: a redelivery finds the profile joined, a concurrent consumer
loses the profile's version guard. A seat taken by a consumer that then lost that race stays
empty (the cohort is one short), which is the price of O(1) requests per user-week.

Keys are per user (membership SK ``USER#<id>``) and named from the profile's league state, so an
erasure finds a user's memberships from the profile; memberships and counters expire by TTL.

Seat shards adapt to each tier's size: the week's *seat plan* (``SEATS#<week>``, ``PLAN``) holds
every tier's shard count, ``domain.leagues.seat_shards`` from an earlier week's joins
(``plan_week``, called by the close job), so a tier of 100 players keeps one counter (full
cohorts) and one of a million spreads its week-start joins over 100. Every shard fills its own
cohorts, so all seats of a week must agree on the count: a plan is written once, only before its
week starts, and read once per week by each container. A week without a plan uses
``seat_shards`` (the setting) for every tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.checkpoints import CloseCheckpoint
from gamification.domain.leagues import Membership as Membership  # noqa: PLC0414 (re-exported: its old home)
from gamification.domain.leagues import cohort_name as cohort_name  # noqa: PLC0414 (re-exported: its old home)
from gamification.domain.leagues import seat_shards
from gamification.domain.periods import week_bounds

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PLAN_LEAD = timedelta(minutes=5)
"""A plan is written only this long before its week starts, at the latest (clock margin)."""

LEAGUE_RETENTION = timedelta(days=35)
"""Seat counters and member lists live this long after their week (results live on profiles)."""


def expires_at(week: str) -> int:
    _, end = week_bounds(week)
    return int((end + LEAGUE_RETENTION).timestamp())


def membership_put(table: str, membership: Membership, now: datetime) -> dict[str, Any]:
    """The transaction item that records a seat (fails if the user already sits there)."""
    return {
        "Put": {
            "TableName": table,
            "Item": to_item(
                {
                    "PK": keys.cohort_pk(membership.week, membership.tier, membership.cohort),
                    "SK": keys.cohort_member_sk(membership.user_id),
                    "user_id": membership.user_id,
                    "joined_at": now.isoformat(),
                    "expires_at": expires_at(membership.week),
                }
            ),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


class LeagueRepository:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        cohort_size: int = 30,
        seat_shards: int = 1,
    ) -> None:
        self._client = client
        self._table = table_name
        self._size = cohort_size
        self._shards = seat_shards
        self._plans: dict[str, dict[int, int]] = {}
        """Seat plans read by this container (one GetItem per week it seats or closes)."""

    @property
    def seat_shards(self) -> int:
        return self._shards

    def shards_of(self, week: str, tier: int) -> int:
        """The seat shard count of ``tier`` in ``week``: the week's plan, else the setting."""
        plan = self._plans.get(week)
        if plan is None:
            response = self._client.get_item(
                TableName=self._table,
                Key=to_item({"PK": keys.seat_plan_pk(week), "SK": keys.SEAT_PLAN_SK}),
                ConsistentRead=True,
            )
            item = response.get("Item")
            stored = from_item(item).get("shards", {}) if item else {}
            plan = {int(t): int(n) for t, n in stored.items()}
            if len(self._plans) >= 8:  # a container serves a week or two at a time
                self._plans.clear()
            self._plans[week] = plan
        return plan.get(tier, self._shards)

    def plan_week(self, week: str, joins: Mapping[int, int], tiers: int, now: datetime) -> bool:
        """Fix ``week``'s seat shard counts from a past week's ``joins`` per tier; ``False``
        when the week already has a plan or starts too soon (seats may already be taken)."""
        if now > week_bounds(week)[0] - PLAN_LEAD:
            return False
        shards = {str(tier): seat_shards(joins.get(tier, 0), self._shards) for tier in range(tiers)}
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        "PK": keys.seat_plan_pk(week),
                        "SK": keys.SEAT_PLAN_SK,
                        "shards": shards,
                        "planned_at": now.isoformat(),
                        "expires_at": expires_at(week),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def planned(self, week: str) -> bool:
        """Whether ``week`` has its seat plan (one GetItem, not cached)."""
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.seat_plan_pk(week), "SK": keys.SEAT_PLAN_SK}),
            ProjectionExpression="PK",
        )
        return "Item" in response

    def joins(self, week: str, tiers: int) -> dict[int, int]:
        """Seats taken in each tier of ``week`` (the week's counters, one BatchGetItem)."""
        found: dict[int, int] = {}
        for (tier, _), count in self._taken(week, tiers).items():
            found[tier] = found.get(tier, 0) + count
        return found

    def take_seat(self, week: str, tier: int, user_id: str) -> Membership:
        """One ``UpdateItem ADD``: the next seat of the user's seat shard in ``tier``."""
        shards = self.shards_of(week, tier)
        shard = keys.seat_shard(user_id, shards)
        response = self._client.update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.seats_pk(week, tier, shard), "SK": keys.SEATS_SK}),
            UpdateExpression="ADD taken :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ExpressionAttributeValues=to_item({":one": 1, ":ttl": expires_at(week)}),
            ReturnValues="UPDATED_NEW",
        )
        taken = int(from_item(response["Attributes"])["taken"])
        index = (taken - 1) // self._size
        return Membership(week, tier, index * shards + shard, user_id)

    def cohorts(self, week: str, tiers: int) -> list[tuple[int, int]]:
        """Every ``(tier, cohort)`` of a week: the plan, then one BatchGetItem of the counters."""
        found = [
            (tier, index * self.shards_of(week, tier) + shard)
            for (tier, shard), count in self._taken(week, tiers).items()
            for index in range(-(-count // self._size))
        ]
        return sorted(found)

    def _taken(self, week: str, tiers: int) -> dict[tuple[int, int], int]:
        """``(tier, shard) -> seats taken`` of every counter of the week."""
        wanted = [(t, s) for t in range(tiers) for s in range(self.shards_of(week, t))]
        taken: dict[tuple[int, int], int] = {}
        for start in range(0, len(wanted), 100):
            request: Any = {
                self._table: {
                    "Keys": [
                        to_item({"PK": keys.seats_pk(week, t, s), "SK": keys.SEATS_SK})
                        for t, s in wanted[start : start + 100]
                    ],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    values = from_item(item)
                    _, _, tier, shard = str(values["PK"]).split("#")
                    taken[(int(tier), int(shard))] = int(values["taken"])
                request = response.get("UnprocessedKeys") or None
        return taken

    def members(self, week: str, tier: int, cohort: int) -> list[str]:
        """The cohort's member ids: one Query (≤ cohort size items, ≈ 150 B each)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.cohort_pk(week, tier, cohort)}),
            ConsistentRead=True,
        )
        return sorted(str(from_item(i)["user_id"]) for i in response.get("Items", []))


_COUNTS = ("position", "closed", "promoted", "demoted", "stayed", "already", "left", "flagged")


class CloseCheckpoints:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load(self, week: str, shard: int, shards: int) -> CloseCheckpoint:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item(
                {"PK": keys.league_close_pk(week), "SK": keys.league_close_sk(shard, shards)}
            ),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            return CloseCheckpoint(week, shard, shards)
        values = from_item(item)
        return CloseCheckpoint(
            week,
            shard,
            shards,
            done=bool(values.get("done")),
            **{name: int(values.get(name, 0)) for name in _COUNTS},
        )

    def save(self, checkpoint: CloseCheckpoint, now: datetime) -> None:
        """Only forward: a slower, overlapping run never moves a checkpoint back."""
        values = {name: getattr(checkpoint, name) for name in _COUNTS}
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        "PK": keys.league_close_pk(checkpoint.week),
                        "SK": keys.league_close_sk(checkpoint.shard, checkpoint.shards),
                        **values,
                        "done": checkpoint.done,
                        "updated_at": now.isoformat(),
                        "expires_at": expires_at(checkpoint.week),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK) OR #p < :p",
                ExpressionAttributeNames={"#p": "position"},
                ExpressionAttributeValues=to_item({":p": checkpoint.position}),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return

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
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.periods import week_bounds

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEAGUE_RETENTION = timedelta(days=35)
"""Seat counters and member lists live this long after their week (results live on profiles)."""


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's seat in one cohort, written in the user's transaction."""

    week: str
    tier: int
    cohort: int
    user_id: str

    @property
    def board(self) -> str:
        """The cohort's name on the profile, the projector and the boards (``week:tier:n``)."""
        return cohort_name(self.week, self.tier, self.cohort)


def cohort_name(week: str, tier: int, cohort: int) -> str:
    return f"{week}:{tier}:{cohort}"


def parse_cohort_name(name: str) -> tuple[str, int, int]:
    week, tier, cohort = name.split(":")
    return week, int(tier), int(cohort)


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

    @property
    def seat_shards(self) -> int:
        return self._shards

    def take_seat(self, week: str, tier: int, user_id: str) -> Membership:
        """One ``UpdateItem ADD``: the next seat of the user's seat shard in ``tier``."""
        shard = keys.seat_shard(user_id, self._shards)
        response = self._client.update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.seats_pk(week, tier, shard), "SK": keys.SEATS_SK}),
            UpdateExpression="ADD taken :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ExpressionAttributeValues=to_item({":one": 1, ":ttl": expires_at(week)}),
            ReturnValues="UPDATED_NEW",
        )
        taken = int(from_item(response["Attributes"])["taken"])
        index = (taken - 1) // self._size
        return Membership(week, tier, index * self._shards + shard, user_id)

    def cohorts(self, week: str, tiers: int) -> list[tuple[int, int]]:
        """Every ``(tier, cohort)`` of a week: one BatchGetItem of the seat counters."""
        wanted = [(t, s) for t in range(tiers) for s in range(self._shards)]
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
        found = [
            (tier, index * self._shards + shard)
            for (tier, shard), count in taken.items()
            for index in range(-(-count // self._size))
        ]
        return sorted(found)

    def members(self, week: str, tier: int, cohort: int) -> list[str]:
        """The cohort's member ids: one Query (≤ cohort size items, ≈ 150 B each)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.cohort_pk(week, tier, cohort)}),
            ConsistentRead=True,
        )
        return sorted(str(from_item(i)["user_id"]) for i in response.get("Items", []))


@dataclass(frozen=True, slots=True)
class CloseCheckpoint:
    """Progress of one shard of one week's close: cohorts ``[0, position)`` of it are done."""

    week: str
    shard: int
    shards: int
    position: int = 0
    closed: int = 0
    promoted: int = 0
    demoted: int = 0
    stayed: int = 0
    already: int = 0
    left: int = 0
    """Members no longer ranked here: erased, hidden or excluded (they keep their tier)."""
    done: bool = False

    def advanced(self, done: bool, **counts: int) -> CloseCheckpoint:
        totals = {name: getattr(self, name) + value for name, value in counts.items()}
        return replace(self, position=self.position + 1, done=done, **totals)


_COUNTS = ("position", "closed", "promoted", "demoted", "stayed", "already", "left")


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

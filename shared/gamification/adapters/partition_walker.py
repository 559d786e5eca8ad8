"""Deletes every item of one partition, a page at a time (the erasure walk's only tool), and
names the partitions that hold a user's items (``USER_KEY_FAMILIES``).

A page is a keys-only ``Query`` from the partition's start: the items a previous page deleted are
gone, so no position needs keeping and a walk interrupted anywhere simply starts again. Deletes
go 25 to a ``BatchWriteItem`` (its limit), unprocessed keys are sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.follow_graph import unlink
from gamification.adapters.team_repository import unlink as leave_teams
from gamification.adapters.webhook_repository import unlink_parked

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE_LIMIT = 25

Unlink = Callable[["DynamoDBClient", str, str, Sequence[str]], int]
"""(client, table, user id, sort keys of a page) -> the requests it made."""


@dataclass(frozen=True, slots=True)
class KeyFamily:
    """One partition per user that the walk empties. Add a family here when a feature stores
    per-user items under a new partition key (and its prefix to the eraser's IAM policy)."""

    name: str
    partition: Callable[[str], str]
    keep: Callable[[str], bool] = lambda _sk: False
    """Sort keys the walk must not delete (the tombstone profile)."""
    unlink: Unlink | None = None
    """Deletes what mirrors a page of these items in other users' partitions, before the page
    itself goes (the reverse of a follow edge): an item whose mirror is gone is never left."""


USER_KEY_FAMILIES: tuple[KeyFamily, ...] = (
    # Profile (kept as the tombstone), cap days, dedupe markers, notifications, reminder guards.
    KeyFamily("user", keys.user_pk, keep=lambda sk: sk == keys.PROFILE_SK),
    # The per-minute write budget counters (api.budget).
    KeyFamily("write_budget", keys.budget_pk),
    # Follows, followers, blocks and their counters (issue #29); each edge's other side, in the
    # other user's partition, is deleted first (adapters.follow_graph.unlink).
    KeyFamily("graph", keys.graph_pk, unlink=unlink),
    # Team memberships and their count (issue #30): each membership leaves its team first
    # (adapters.team_repository.unlink), so the team's count and boards drop the user.
    KeyFamily("teams", keys.membership_pk, unlink=leave_teams),
    # Webhook bookkeeping (issue #28): the index of the user's parked deliveries, whose bodies
    # (in the endpoints' logs) are deleted first, and their deliveries' places in line.
    KeyFamily("webhooks", keys.webhook_user_pk, unlink=unlink_parked),
)


class PartitionWalker:
    """The erasure's ``UserPartitions``: the families of one user's items, a page at a time."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        families: tuple[KeyFamily, ...] = USER_KEY_FAMILIES,
    ) -> None:
        self._client = client
        self._table = table_name
        self._families = families

    @property
    def families(self) -> int:
        return len(self._families)

    def page(self, user_id: str, family: int, limit: int) -> tuple[list[str], int]:
        """Up to ``limit`` sort keys of the user's partition of ``family`` (the kept ones
        left out), and the ``Query`` requests it took."""
        spec = self._families[family]
        return self.sort_keys(spec.partition(user_id), limit, spec.keep)

    def delete_items(self, user_id: str, family: int, items: Sequence[str]) -> int:
        spec = self._families[family]
        mirrored = spec.unlink(self._client, self._table, user_id, items) if spec.unlink else 0
        return mirrored + self.delete(spec.partition(user_id), items)

    def leave_seat(self, seat: str, user_id: str) -> int:
        """Delete the user's member item from the cohort partition ``seat``."""
        return self.delete(seat, [keys.cohort_member_sk(user_id)])

    def sort_keys(self, pk: str, limit: int, keep: Callable[[str], bool]) -> tuple[list[str], int]:
        """Up to ``limit`` sort keys of partition ``pk``, without those ``keep`` spares, and
        the number of ``Query`` requests it took."""
        found: list[str] = []
        start: Any = None
        requests = 0
        while len(found) < limit:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": to_item({":pk": pk}),
                "ProjectionExpression": "SK",
                "Limit": limit + 1,
                "ConsistentRead": True,
            }
            if start is not None:
                kwargs["ExclusiveStartKey"] = start
            response = self._client.query(**kwargs)
            requests += 1
            found.extend(
                sk for item in response.get("Items", []) if not keep(sk := item["SK"]["S"])
            )
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        return found[:limit], requests

    def delete(self, pk: str, sort_keys: Sequence[str]) -> int:
        """Delete the items; returns the number of ``BatchWriteItem`` requests it took."""
        requests = 0
        for begin in range(0, len(sort_keys), BATCH_WRITE_LIMIT):
            pending: Any = {
                self._table: [
                    {"DeleteRequest": {"Key": to_item({"PK": pk, "SK": sk})}}
                    for sk in sort_keys[begin : begin + BATCH_WRITE_LIMIT]
                ]
            }
            while pending:
                response = self._client.batch_write_item(RequestItems=pending)
                requests += 1
                pending = response.get("UnprocessedItems") or None
        return requests

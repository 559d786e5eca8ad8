"""Progress of one user's erasure (``PK=ERASURE#<user>``, ``SK=CHECKPOINT``), so a walk that ran
out of time resumes where it stopped, and a newer request supersedes an older run.

Every save is conditional on the request time it belongs to: a run started for an earlier
request of the same user stops at its next save instead of overwriting the newer one's progress.
The checkpoint holds the user id, the request time and counts (≤ 1 KB); it expires with the
tombstone (``expires_at``) and is the operator's receipt that the erasure ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.checkpoints import ErasureCheckpoint, SupersededError
from gamification.domain.leagues import LeagueState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CHECKPOINT_SK = "CHECKPOINT"


def seat_partition(league: LeagueState) -> str | None:
    """The cohort partition of the user's latest seat. Older seats (closed weeks) are read by
    nothing and expire with their week (``league_repository.expires_at``, 35 days)."""
    if league.week is None or league.cohort is None:
        return None
    return keys.cohort_pk(league.week, league.cohort_tier, league.cohort)


class ErasureLedger:
    def __init__(
        self, client: DynamoDBClient, table_name: str, keep_for: timedelta = timedelta(days=28)
    ) -> None:
        self._client = client
        self._table = table_name
        self._keep_for = keep_for

    def start(
        self, user_id: str, requested_at: datetime, league: LeagueState | None = None
    ) -> ErasureCheckpoint:
        """A fresh checkpoint for a new request (replacing any earlier one's progress), with the
        partition of the user's latest seat (``league``: the replaced profile's). An update,
        not a put: the account function may update, never put outside a transaction."""
        seat = None if league is None else seat_partition(league)
        checkpoint = ErasureCheckpoint(user_id, requested_at, requested_at, seat=seat)
        item = self._item(checkpoint)
        fields = [name for name in item if name not in {"PK", "SK"}]
        self._client.update_item(
            TableName=self._table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="SET " + ", ".join(f"#{n} = :{n}" for n in fields),
            ExpressionAttributeNames={f"#{n}": n for n in fields},
            ExpressionAttributeValues={f":{n}": item[n] for n in fields},
        )
        return checkpoint

    def load(self, user_id: str) -> ErasureCheckpoint | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.erasure_pk(user_id), "SK": CHECKPOINT_SK}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if not item:
            return None
        values = from_item(item)
        return ErasureCheckpoint(
            user_id=user_id,
            requested_at=datetime.fromisoformat(values["requested_at"]),
            updated_at=datetime.fromisoformat(values["updated_at"]),
            family=int(values.get("family", 0)),
            deleted=int(values.get("deleted", 0)),
            pages=int(values.get("pages", 0)),
            invocations=int(values.get("invocations", 0)),
            done=bool(values.get("done", False)),
            seat=values.get("seat"),
        )

    def save(self, checkpoint: ErasureCheckpoint) -> None:
        """Store progress; raises :class:`SupersededError` if a newer request took over."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._item(checkpoint),
                ConditionExpression="requested_at = :r",
                ExpressionAttributeValues=to_item({":r": checkpoint.requested_at.isoformat()}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise SupersededError(checkpoint.user_id) from error
            raise

    def _item(self, checkpoint: ErasureCheckpoint) -> dict[str, Any]:
        return to_item(
            {
                "PK": keys.erasure_pk(checkpoint.user_id),
                "SK": CHECKPOINT_SK,
                "requested_at": checkpoint.requested_at.isoformat(),
                "updated_at": checkpoint.updated_at.isoformat(),
                "family": checkpoint.family,
                "deleted": checkpoint.deleted,
                "pages": checkpoint.pages,
                "invocations": checkpoint.invocations,
                "done": checkpoint.done,
                "seat": checkpoint.seat,
                "expires_at": int((checkpoint.requested_at + self._keep_for).timestamp()),
            }
        )

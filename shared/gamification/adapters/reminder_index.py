"""The sparse reminder index (GSI1): which users' streak reminders fall due in a UTC hour.

Only profiles with push enabled and a streak carry the index keys, so a query reads exactly the
users to consider this hour, never the user table (see ``UserRepository.profile_item``). Each
hour is written under ``shards`` keys (``keys.reminder_shard`` of the user), read one shard and
one bounded page at a time.

Since issue #26 a key names the due hour of day within a period of days
(``keys.reminder_pk``), so it no longer moves every day a streak grows: a page holds every user
due at that hour on any day of the period, and the worker keeps those due now (it re-plans each
user from the loaded profile anyway). Until every profile has been rewritten (at most the
back-dating window plus a day after the deploy: older due days are past), a profile can still
carry the day-keyed key of before; each shard reads that legacy partition after the period's,
behind a cursor that starts with ``#`` (never in a user id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_NAME = "GSI1"


@dataclass(frozen=True, slots=True)
class ReminderPage:
    user_ids: list[str]
    next: str | None
    """The cursor of the next page (the last user id read), ``None`` on the shard's last page."""


LEGACY = "#"
"""Cursor prefix of the legacy (day-keyed) partition; ``#`` alone: its start."""


class ReminderIndex:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        period_days: int = keys.DEFAULT_REMINDER_PERIOD_DAYS,
    ) -> None:
        self._client = client
        self._table = table_name
        self._period = period_days

    def page(self, hour: datetime, shard: int, after: str | None, limit: int) -> ReminderPage:
        """Up to ``limit`` ids of users due in ``hour``'s ``shard`` (or at that hour on another
        day of its period), after the user ``after``.

        The cursor is a user id: the index's sort key is the user's key, so the start key is
        rebuilt from it (GSI start keys carry the table's keys too) and a cursor is tiny and
        stable across retries."""
        legacy = self._period > 1 and after is not None and after.startswith(LEGACY)
        if legacy:
            assert after is not None
            found = self._read(keys.reminder_pk(hour, shard), after[1:] or None, limit)
            return ReminderPage(found.user_ids, LEGACY + found.next if found.next else None)
        found = self._read(keys.reminder_pk(hour, shard, self._period), after, limit)
        if found.next is not None or self._period <= 1:
            return found
        room = limit - len(found.user_ids)
        if room <= 0:
            return ReminderPage(found.user_ids, LEGACY)
        # The period's partition is done: the legacy one in the same page (usually empty: one
        # small query), so the migration costs no extra unit of work.
        rest = self._read(keys.reminder_pk(hour, shard), None, room)
        return ReminderPage(
            found.user_ids + rest.user_ids, LEGACY + rest.next if rest.next else None
        )

    def _read(self, pk: str, after: str | None, limit: int) -> ReminderPage:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
            "Limit": limit,
        }
        if after is not None:
            user_key = keys.user_pk(after)
            kwargs["ExclusiveStartKey"] = to_item(
                {"GSI1PK": pk, "GSI1SK": user_key, "PK": user_key, "SK": keys.PROFILE_SK}
            )
        user_ids: list[str] = []
        while True:
            response = self._client.query(**kwargs)
            user_ids += [keys.user_id_from_pk(i["PK"]["S"]) for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if last is None:
                return ReminderPage(user_ids, None)
            if len(user_ids) >= limit:
                return ReminderPage(user_ids, user_ids[-1])
            # A 1 MB response ended the page early: read on for the rest of the limit.
            kwargs["ExclusiveStartKey"] = last
            kwargs["Limit"] = limit - len(user_ids)

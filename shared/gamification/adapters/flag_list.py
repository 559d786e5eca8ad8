"""The open cheating flags as a list admins page through (``FLAGS`` / ``USER#<id>``, ≤ 300 B).

The flag lives on the profile (``UserState.flag``); this item is its index, written by the
profile's own transaction whenever the flag changes (``flag_write``): raised by the consumer or
the close (Put), closed by a review or an erasure (Delete). So it exists exactly while the
profile holds an open flag, however often a commit is retried or a message redelivered.
"""

from __future__ import annotations

from typing import Any

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.flags import Flag, FlaggedUser, FlagPage

CURSOR = SortKeyCursor(max_chars=400, accepts=lambda sk: sk.startswith(keys.FLAG_PREFIX))


def flag_key(user_id: str) -> dict[str, Any]:
    return to_item({"PK": keys.FLAGS_PK, "SK": keys.flag_sk(user_id)})


def flag_item(user_id: str, flag: Flag) -> dict[str, Any]:
    return to_item(
        {
            "PK": keys.FLAGS_PK,
            "SK": keys.flag_sk(user_id),
            "user_id": user_id,
            "rule": flag.rule.value,
            "observed": flag.observed,
            "threshold": flag.threshold,
            "window": flag.window,
            "at": flag.at.isoformat(),
        }
    )


def flag_write(table: str, user_id: str, before: Flag | None, after: Flag | None) -> Any:
    """The transaction item that keeps the list in step with the profile's flag (or ``None``
    when the flag did not change)."""
    if before == after:
        return None
    if after is None:
        return {"Delete": {"TableName": table, "Key": flag_key(user_id)}}
    return {"Put": {"TableName": table, "Item": flag_item(user_id, after)}}


class FlagList:
    """Reads the open flags, oldest user id first (one Query a page)."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def page(self, limit: int, cursor: str | None = None) -> FlagPage:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.FLAGS_PK}),
            "Limit": limit,
        }
        if cursor is not None:
            request["ExclusiveStartKey"] = to_item(
                {"PK": keys.FLAGS_PK, "SK": CURSOR.decode(cursor)}
            )
        response = self._client.query(**request)
        flags = [_decode(from_item(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_cursor = CURSOR.encode(str(from_item(last)["SK"])) if last else None
        return FlagPage(flags, next_cursor)


def _decode(values: dict[str, Any]) -> FlaggedUser:
    flag = Flag.model_validate(
        {k: values[k] for k in ("rule", "observed", "threshold", "window", "at")}
    )
    return FlaggedUser(str(values["user_id"]), flag)

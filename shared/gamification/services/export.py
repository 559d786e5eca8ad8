"""Export of everything stored about one user as JSON documents, a page at a time.

The first page holds the profile (settings, XP, level, counters, streak runs, weekly XP, earned
badges, the leaderboard listing and any exclusion with its reason) and the write-budget counters;
every page holds up to ``page_size`` *records*: the other items of the user's partition (dedupe
markers = the activity history, notifications, daily-cap days, reminder guards), each named by
its kind. ``next_cursor`` continues (``null`` on the last page). The cursor carries only a sort
key: the partition always comes from the user asked for, so a cursor never reaches another user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.notification_codec import stored_notification_from_item
from gamification.adapters.user_repository import UserRepository, decode_slots

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

FORMAT = "gamify-export/1"
CURSOR = SortKeyCursor(max_chars=2048, accepts=bool)
"""An export continues after any item of the partition (the partition is the user asked for)."""


class UnknownUserError(LookupError):
    """Nothing at all is stored under this user id: no profile, no erasure tombstone, no
    records, no write-budget counters (a user that never existed, or erased long ago)."""


@dataclass(frozen=True, slots=True)
class ExportPage:
    document: dict[str, Any]
    next_cursor: str | None


class UserExport:
    def __init__(
        self,
        users: UserRepository,
        table_name: str,
        client: DynamoDBClient,
        page_size: int = 1000,
    ) -> None:
        self._users = users
        self._table = table_name
        self._client = client
        self._page_size = page_size

    def page(
        self, user_id: str, cursor: str | None, now: datetime, *, must_exist: bool = False
    ) -> ExportPage:
        """One page of the export. ``must_exist`` (an admin naming any id): a first page with
        nothing stored at all is :class:`UnknownUserError`, not an empty document; the caller's
        own export is always answered (an empty one says truthfully that nothing is stored)."""
        after = CURSOR.decode(cursor) if cursor else None
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.user_pk(user_id)}),
            "Limit": self._page_size,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = to_item({"PK": keys.user_pk(user_id), "SK": after})
        response = self._client.query(**kwargs)
        items = [from_item(i) for i in response.get("Items", [])]
        records = [_record(i) for i in items if i["SK"] != keys.PROFILE_SK]
        last = response.get("LastEvaluatedKey")
        document: dict[str, Any] = {
            "format": FORMAT,
            "user_id": user_id,
            "exported_at": now.astimezone(UTC).isoformat(),
            "records": records,
        }
        if after is None:
            document["profile"] = self._profile(user_id)
            document["write_budget"] = self._budget(user_id)
            if must_exist and not (records or document["profile"] or document["write_budget"]):
                raise UnknownUserError(user_id)
        return ExportPage(document, CURSOR.encode(last["SK"]["S"]) if last else None)

    def _profile(self, user_id: str) -> dict[str, Any] | None:
        stored = self._users.load(user_id, consistent=True)
        if not stored.exists:
            return None
        state, marks = stored.state, stored.marks
        settings = state.settings
        return {
            "settings": settings.model_dump(mode="json"),
            "xp": state.xp,
            "level": state.level,
            "xp_reached_at": stored.xp_at.isoformat() if stored.xp_at else None,
            "counters": dict(state.counters),
            "streak": state.streak.model_dump(mode="json"),
            "challenge_streak": state.challenge_streak.model_dump(mode="json"),
            "weekly_xp": dict(state.weekly_xp),
            "badges": {b: at.isoformat() for b, at in sorted(state.badges.items())},
            "streak_freezes": state.freezes.model_dump(mode="json"),
            "quests": {q: p.model_dump(mode="json") for q, p in sorted(state.quests.items())},
            "league": state.league.model_dump(mode="json"),
            "leaderboards": {
                "visible": settings.leaderboard_visible,
                "excluded": marks.exclusion is not None,
                "exclusion_reason": marks.exclusion.reason if marks.exclusion else None,
                "excluded_at": marks.exclusion.at.isoformat() if marks.exclusion else None,
            },
            "erased_at": marks.erased_at.isoformat() if marks.erased_at else None,
            "erasing": marks.erasing,
            # Applied activities whose dedupe marker may not be stored yet (pending markers):
            # their keys name objects, so they are the user's data like the markers' records.
            "pending_activities": list(stored.pending),
        }

    def _budget(self, user_id: str) -> list[dict[str, Any]]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.budget_pk(user_id)}),
        )
        return [
            {"window": str(v["SK"]).removeprefix("W#"), "spent": int(v.get("spent", 0))}
            for v in (from_item(i) for i in response.get("Items", []))
        ]


def _record(values: Mapping[str, Any]) -> dict[str, Any]:
    sk = str(values["SK"])
    if sk.startswith("SEEN#"):
        return {"kind": "activity", "key": sk.removeprefix("SEEN#"), "applied_at": values.get("at")}
    if keys.is_notification_sk(sk):
        notification = stored_notification_from_item(values)
        return {
            "kind": "notification",
            "notification_kind": notification.kind.value,
            "notification_id": notification.id,
            "title": notification.title,
            "message": notification.message,
            "created_at": notification.created_at.isoformat(),
            "read": notification.read,
        }
    if sk.startswith(keys.DAY_PREFIX):
        slots = values.get("slots", {})
        return {
            "kind": "cap_day",
            "day": sk.removeprefix(keys.DAY_PREFIX),
            "capped_activities": {t: len(decode_slots(bytes(d))) for t, d in slots.items()},
        }
    if sk.startswith("REMINDED#"):
        return {"kind": "streak_reminder_sent", "day": sk.removeprefix("REMINDED#")}
    return {"kind": "other", "key": sk}

"""DynamoDB repository of user aggregates: profile (with the domain state), dedupe markers,
notifications, committed together in one guarded transaction (earned badges live in the profile).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.notifications import Notification, NotificationKind
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import reminder_due_at

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_TRANSACTION_ITEMS = 100


class VersionConflictError(Exception):
    """Someone else committed this user since we read it: re-read and apply again."""


class AlreadyAppliedError(Exception):
    """Some activities were committed earlier (their markers exist): drop them and apply again."""

    def __init__(self, dedupe_keys: Sequence[str]) -> None:
        super().__init__(f"{len(dedupe_keys)} activities already applied")
        self.dedupe_keys = list(dedupe_keys)


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user's state as read, with the version that guards the next write."""

    state: UserState
    version: int = 0
    """0 means no profile is stored yet."""
    xp_at: datetime | None = None
    """When the user reached their current XP: ties on a leaderboard go to the earlier one."""

    @property
    def exists(self) -> bool:
        return self.version > 0


@dataclass(frozen=True, slots=True)
class UserChange:
    """Everything one transition writes for one user."""

    before: StoredUser
    state: UserState
    now: datetime
    new_markers: Sequence[str] = ()
    notifications: Sequence[Notification] = ()

    @property
    def xp_at(self) -> datetime | None:
        if self.state.xp != self.before.state.xp:
            return self.now
        return self.before.xp_at


class UserRepository:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        reminder_lead: timedelta = timedelta(hours=6),
        notification_ttl: timedelta = timedelta(days=90),
    ) -> None:
        self._client = client
        self._table = table_name
        self._reminder_lead = reminder_lead
        self._notification_ttl = notification_ttl

    # -- reads ---------------------------------------------------------------------------------

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        """Strongly consistent by default: the version read guards the next write. Reads that
        only display pass ``consistent=False`` (half the read cost)."""
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        return decode_profile(from_item(item)) if item else StoredUser(UserState.new(user_id))

    def load_many(self, user_ids: Iterable[str], consistent: bool = False) -> dict[str, StoredUser]:
        """One BatchGetItem per 100 users; ``consistent`` when the versions guard a write."""
        wanted = list(dict.fromkeys(user_ids))
        found: dict[str, StoredUser] = {}
        for start in range(0, len(wanted), 100):
            request: Any = {
                self._table: {
                    "Keys": [
                        to_item({"PK": keys.user_pk(u), "SK": keys.PROFILE_SK})
                        for u in wanted[start : start + 100]
                    ],
                    "ConsistentRead": consistent,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    stored = decode_profile(from_item(item))
                    found[stored.state.user_id] = stored
                request = response.get("UnprocessedKeys") or None
        return {u: found.get(u, StoredUser(UserState.new(u))) for u in wanted}

    # -- writes --------------------------------------------------------------------------------

    def save_settings(self, user_id: str, settings: UserSettings, now: datetime) -> StoredUser:
        """Replace a user's settings (see :meth:`update_settings`)."""
        return self.update_settings(user_id, lambda _: settings, now)

    def update_settings(
        self, user_id: str, update: Callable[[UserSettings], UserSettings], now: datetime
    ) -> StoredUser:
        """Change a user's settings, keeping the version guard (the consumer may be mid-write).

        ``update`` maps the stored settings to the new ones; it runs again on every re-read, so
        a concurrent change to another field is kept, not overwritten. The reminder index keys
        are re-derived, since push and timezone decide them.
        """
        for _ in range(5):
            stored = self.load(user_id)
            state = stored.state.model_copy(update={"settings": update(stored.state.settings)})
            try:
                version = self.commit(UserChange(before=stored, state=state, now=now))
            except VersionConflictError:
                continue
            return StoredUser(state, version, stored.xp_at)
        raise VersionConflictError(f"user {user_id} kept changing")

    def commit(self, change: UserChange) -> int:
        """Write the change atomically; returns the new version.

        Raises :class:`VersionConflictError` when the profile moved on since it was read and
        :class:`AlreadyAppliedError` when some dedupe markers already exist.
        """
        user_id = change.state.user_id
        pk = keys.user_pk(user_id)
        new_version = change.before.version + 1
        items: list[Any] = [self._profile_put(change, new_version)]
        marker_index = {}
        for key in change.new_markers:
            marker_index[len(items)] = key
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(
                            {"PK": pk, "SK": keys.seen_sk(key), "at": _iso(change.now)}
                        ),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        items.extend(
            {"Put": {"TableName": self._table, "Item": self.notification_item(n)}}
            for n in change.notifications
        )
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(items)} items exceed one transaction; split the batch")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            _raise_cancellation(reasons, marker_index)
            raise
        return new_version

    def _profile_put(self, change: UserChange, new_version: int) -> dict[str, Any]:
        if change.before.exists:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": to_item({":v": change.before.version}),
            }
        else:
            condition = {"ConditionExpression": "attribute_not_exists(PK)"}
        item = self.profile_item(change.state, new_version, change.xp_at, change.now)
        return {"Put": {"TableName": self._table, "Item": item, **condition}}

    def profile_item(
        self, state: UserState, version: int, xp_at: datetime | None, now: datetime
    ) -> dict[str, Any]:
        """The stored form of a profile, with its sparse index keys derived from the state."""
        settings = state.settings
        due = (
            reminder_due_at(state.streak, settings.timezone, self._reminder_lead)
            if settings.push_enabled
            else None
        )
        playing = state.xp > 0
        return to_item(
            {
                "PK": keys.user_pk(state.user_id),
                "SK": keys.PROFILE_SK,
                "user_id": state.user_id,
                "version": version,
                "xp": state.xp,
                "level": state.level,
                "xp_at": _iso(xp_at) if xp_at else None,
                "weekly_xp": dict(state.weekly_xp) or None,
                "display_name": settings.display_name,
                "timezone": settings.timezone,
                "push_enabled": settings.push_enabled,
                "state": encode_state(state),
                "updated_at": _iso(now),
                "GSI1PK": keys.reminder_pk(due) if due else None,
                "GSI1SK": keys.user_pk(state.user_id) if due else None,
                "GSI2PK": keys.players_pk(keys.player_shard(state.user_id)) if playing else None,
                "GSI2SK": state.user_id if playing else None,
            }
        )

    def notification_item(self, notification: Notification) -> dict[str, Any]:
        expires = notification.created_at + self._notification_ttl
        return to_item(
            {
                "PK": keys.user_pk(notification.user_id),
                "SK": keys.notification_sk(notification.created_at, notification.id),
                "notification_id": notification.id,
                "user_id": notification.user_id,
                "kind": notification.kind.value,
                "title": notification.title,
                "message": notification.message,
                "created_at": _iso(notification.created_at),
                "read": False,
                "push": notification.push,
                "expires_at": int(expires.timestamp()),
            }
        )


def _raise_cancellation(reasons: Sequence[Any], marker_index: dict[int, str]) -> None:
    codes = [r.get("Code") for r in reasons]
    failed = [i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"]
    if 0 in failed or "TransactionConflict" in codes:
        raise VersionConflictError("profile changed or is being changed concurrently")
    duplicates = [marker_index[i] for i in failed if i in marker_index]
    if duplicates:
        raise AlreadyAppliedError(duplicates)


# -- encoding -----------------------------------------------------------------------------------


def decode_notification(values: Mapping[str, Any]) -> Notification:
    """A notification item (as ``notification_item`` writes it, plain values) as the domain's."""
    return Notification(
        id=str(values["notification_id"]),
        user_id=str(values["user_id"]),
        kind=NotificationKind(str(values["kind"])),
        title=str(values["title"]),
        message=str(values["message"]),
        created_at=datetime.fromisoformat(str(values["created_at"])),
        push=bool(values.get("push", False)),
    )


_STATE_EXCLUDE = {"user_id", "settings"}


def encode_state(state: UserState) -> str:
    """The domain state as compact JSON (settings and id live in their own attributes)."""
    return state.model_dump_json(exclude=_STATE_EXCLUDE, exclude_defaults=True)


def decode_profile(values: dict[str, Any]) -> StoredUser:
    settings = UserSettings(
        display_name=values.get("display_name"),
        timezone=values.get("timezone", "UTC"),
        push_enabled=bool(values.get("push_enabled", False)),
    )
    body = json.loads(values.get("state", "{}"))
    state = UserState.model_validate({**body, "user_id": values["user_id"], "settings": settings})
    xp_at = values.get("xp_at")
    return StoredUser(
        state=state,
        version=int(values["version"]),
        xp_at=datetime.fromisoformat(xp_at) if xp_at else None,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()

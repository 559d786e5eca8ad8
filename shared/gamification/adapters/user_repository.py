"""DynamoDB repository of user aggregates: profile (with the domain state), daily-cap days,
dedupe markers, notifications, committed together under the profile's version guard (earned
badges live in the profile).

The profile holds only summaries whose size does not grow with a user's history. A day's cap
slots live inline in the profile while the day has few (``inline_slots``) and no activity for it
can still arrive later than its retention; a day near its caps spills to one ``DAY#<local day>``
item, read only when an activity for that day arrives and expired by TTL (docs/data-model.md).

Two commit paths (docs/pipeline.md, "Pending markers"): a change that writes only the profile
and new dedupe markers is one conditional ``PutItem`` of the profile naming the new markers in
its bounded ``pending`` list, then one idempotent ``PutItem`` per marker; anything else (a
notification, a league seat, a spilled day) is one transaction as before. An activity is applied
iff its marker exists or its key is in the profile's ``pending``; the next commit confirms the
pending markers (consistent read), re-puts any a crash lost and drops them from ``pending``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import OUTBOX, encode_outbox
from gamification.adapters.flag_list import flag_write
from gamification.adapters.league_repository import cohort_name, membership_put
from gamification.adapters.notification_codec import DEFAULT_NOTIFICATION_TTL, notification_item
from gamification.adapters.profile_codec import (
    _inlinable,
    by_day,
    decode_day,
    decode_profile,
    encode_inline,
    encode_slots,
    pack_state,
)
from gamification.adapters.wallet_codec import WalletItems
from gamification.domain import notifications
from gamification.domain.domain_events import EventDraft, user_erased, user_excluded
from gamification.domain.freezes import FreezeRules, expires_without_clock
from gamification.domain.leagues import LeagueState
from gamification.domain.messages import DEFAULT_LOCALE
from gamification.domain.notifications import Notification
from gamification.domain.profile_records import (
    NO_MARKS as NO_MARKS,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    AccountMarks as AccountMarks,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    AlreadyAppliedError as AlreadyAppliedError,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    Exclusion as Exclusion,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    StoredUser as StoredUser,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    UnstorableChangeError as UnstorableChangeError,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    UserChange as UserChange,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    VersionConflictError as VersionConflictError,  # noqa: PLC0414 (re-exported: its old home)
)
from gamification.domain.profile_records import (
    on_the_boards_with,
)
from gamification.domain.state import CapSlot, UserSettings, UserState
from gamification.domain.wallet import AlreadyRedeemedError, LimitReachedError, OutOfStockError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = Logger(child=True)

MAX_TRANSACTION_ITEMS = 100
PENDING_MAX_KEYS = 10
PENDING_MAX_BYTES = 1024
"""Bound of the profile's ``pending`` list (dedupe keys whose markers may not be stored yet): a
change that would exceed it commits as a transaction instead, which stores every marker."""
DEFAULT_INLINE_SLOTS = 8
"""Cap slots a day keeps inline in the profile; a day with more spills to its ``DAY#`` item."""
ALL_DAYS_TRACKED = "0001-01-01"
"""``slots_from`` of a profile created with inline slots: no day of it has a hidden day item."""
DEFAULT_DAY_RETENTION = timedelta(hours=48) + timedelta(days=14)
"""Back-dating window + queue retention: after that no activity for a day can still arrive."""


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """Where a commit stores each day's cap slots (see :meth:`UserRepository.plan_slots`)."""

    inline: Mapping[str, Mapping[str, tuple[CapSlot, ...]]] = field(default_factory=dict)
    """Days kept in the profile (few slots, within their retention)."""
    day_items: Mapping[str, Mapping[str, tuple[CapSlot, ...]]] = field(default_factory=dict)
    """Day items to write (a day that spilled or changed while spilled)."""
    slots_from: str | None = None
    spilled: frozenset[str] = frozenset()


class UserRepository:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        reminder_lead: timedelta = timedelta(hours=6),
        notification_ttl: timedelta = DEFAULT_NOTIFICATION_TTL,
        day_retention: timedelta = DEFAULT_DAY_RETENTION,
        *,
        freezes: FreezeRules | None = None,
        reminder_shards: int = keys.DEFAULT_REMINDER_SHARDS,
        fast_path: bool = False,
        inline_slots: int = DEFAULT_INLINE_SLOTS,
        reminder_period_days: int = keys.DEFAULT_REMINDER_PERIOD_DAYS,
    ) -> None:
        """``fast_path``: commit a profile-and-markers change without a transaction (pending
        markers; the consumer's IAM allows it, other writers keep transactions and carry
        ``pending`` forward). ``inline_slots`` 0 keeps every day in a day item (the layout
        before issue #26); ``reminder_period_days`` see ``keys.reminder_pk``."""
        self._fast_path = fast_path
        self._inline_slots = inline_slots
        self._reminder_period = reminder_period_days
        self._client = client
        self._reminder_shards = reminder_shards
        self._table = table_name
        self._reminder_lead = reminder_lead
        self._notification_ttl = notification_ttl
        self._day_retention = day_retention
        self._freezes = freezes or FreezeRules()

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

    def with_days(self, stored: StoredUser, days: Iterable[str]) -> StoredUser:
        """``stored`` with the cap slots of ``days`` (ISO local days) read in: one consistent
        BatchGetItem for the days not read yet. Read after the profile, so the profile's version
        also guards them (every writer of a day item bumps the profile in the same transaction).
        """
        missing = sorted(set(days) - stored.days_loaded - stored.inline_days)
        if stored.slots_from is not None:  # a day tracked inline and not spilled has no item
            known = {d for d in missing if d >= stored.slots_from and d not in stored.spilled}
            missing = [d for d in missing if d not in known]
            stored = replace(stored, days_loaded=stored.days_loaded | known)
        if not missing:
            return stored
        capped = dict(stored.state.capped)
        pk = keys.user_pk(stored.state.user_id)
        for start in range(0, len(missing), 100):
            request: Any = {
                self._table: {
                    "Keys": [
                        to_item({"PK": pk, "SK": keys.day_sk(d)})
                        for d in missing[start : start + 100]
                    ],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    capped.update(decode_day(from_item(item)))
                request = response.get("UnprocessedKeys") or None
        return replace(
            stored,
            state=stored.state.model_copy(update={"capped": capped}),
            days_loaded=stored.days_loaded | frozenset(missing),
        )

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
                return self.save(UserChange(before=stored, state=state, now=now))
            except VersionConflictError:
                continue
        raise VersionConflictError(f"user {user_id} kept changing")

    def set_exclusion(self, user_id: str, exclusion: Exclusion | None, now: datetime) -> StoredUser:
        """Exclude a user from the boards (or lift it), under the version guard like settings."""
        for _ in range(5):
            stored = self.load(user_id)
            marks = replace(stored.marks, exclusion=exclusion)
            newly = exclusion is not None and stored.marks.exclusion is None
            events = (user_excluded(exclusion.reason, exclusion.at),) if newly and exclusion else ()
            try:
                return self.save(
                    UserChange(
                        before=stored, state=stored.state, now=now, marks=marks, events=events
                    )
                )
            except VersionConflictError:
                continue
        raise VersionConflictError(f"user {user_id} kept changing")

    def begin_erasure(self, user_id: str, now: datetime, keep_for: timedelta) -> StoredUser:
        """Replace the profile by the erasure tombstone: no game data, no index keys, the next
        version (so a commit prepared from the old profile fails its guard), ``erased_at`` and
        ``erasing``. It expires ``keep_for`` after the request unless the user plays again.
        It names the league cohorts whose boards may still hold the user (``left_leagues``),
        so the projector takes them off those boards too within seconds (a new account reusing
        the id must not find the old cohort XP). Returns the profile it replaced (what it named
        outside the user's partition)."""
        for _ in range(5):
            stored = self.load(user_id)
            if stored.exists:
                condition: dict[str, Any] = {
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": to_item({":v": stored.version}),
                }
            else:
                condition = {"ConditionExpression": "attribute_not_exists(PK)"}
            item = to_item(
                {
                    "PK": keys.user_pk(user_id),
                    "SK": keys.PROFILE_SK,
                    "version": stored.version + 1,
                    "erased_at": _iso(now),
                    "erasing": True,
                    "left_leagues": _cohorts_held(stored.state.league) or None,
                    "updated_at": _iso(now),
                    "expires_at": int((now + keep_for).timestamp()),
                    # Receivers drop their copy; the event carries no personal data but the id.
                    OUTBOX: encode_outbox([user_erased(now)]) if stored.exists else None,
                }
            )
            put: Any = {"Put": {"TableName": self._table, "Item": item, **condition}}
            # An open flag goes with the game data (its list item names the user).
            unflag = flag_write(self._table, user_id, stored.state.flag, None)
            try:  # a one-item transaction: the profile is only ever put inside one (IAM)
                self._client.transact_write_items(
                    TransactItems=[put, *([unflag] if unflag else [])]
                )
            except ClientError as error:
                if error.response["Error"]["Code"] == "TransactionCanceledException":
                    continue
                raise
            return stored
        raise VersionConflictError(f"user {user_id} kept changing")

    def finish_erasure(self, user_id: str, requested_at: datetime) -> bool:
        """The walk is done: clear ``erasing`` (and bump the version, so a settings change
        prepared meanwhile re-reads). ``False`` when a newer request owns the tombstone."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
                # ``outbox``: the tombstone's user.erased must not go out again with this write.
                UpdateExpression="SET version = version + :one REMOVE erasing, outbox",
                ConditionExpression="erased_at = :t",
                ExpressionAttributeValues=to_item({":one": 1, ":t": _iso(requested_at)}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def commit(self, change: UserChange) -> int:
        """Write the change under the version guard; returns the new version (see :meth:`save`)."""
        return self.save(change).version

    def save(self, change: UserChange) -> StoredUser:
        """Write the change under the version guard; returns the user as now stored.

        Raises :class:`VersionConflictError` when the profile moved on since it was read and
        :class:`AlreadyAppliedError` when some of the new dedupe keys were applied before (their
        marker exists or the profile holds them as pending).
        """
        before = change.before
        pending = set(before.pending)
        again = [k for k in change.new_markers if k in pending]
        if again:
            raise AlreadyAppliedError(again)
        outstanding = list(before.pending)
        if self._fast_path:
            # Read after the profile (``before``), so a marker absent here and a key not in
            # ``before.pending`` were not applied when the version we guard on was current.
            stored = self._markers_stored([*change.new_markers, *before.pending], before)
            again = [k for k in change.new_markers if k in stored]
            if again:
                raise AlreadyAppliedError(again)
            outstanding = [k for k in before.pending if k not in stored]
        plan = self.plan_slots(change)
        new_version = before.version + 1
        after_pending = (*outstanding, *change.new_markers)
        quick = (
            self._fast_path
            and not plan.day_items
            and not change.notifications
            and change.membership is None
            and not change.wallet
            and change.state.flag == before.state.flag
            and len(after_pending) <= PENDING_MAX_KEYS
            and sum(len(k.encode()) for k in after_pending) <= PENDING_MAX_BYTES
        )
        if quick:
            self._put_profile(change, new_version, plan, after_pending)
            self._put_markers(change, after_pending)
        else:
            # The transaction stores every marker: the fast path's outstanding ones (known
            # missing) unconditionally; a writer without the fast path carries them forward.
            kept = () if self._fast_path else tuple(outstanding)
            rewritten = outstanding if self._fast_path else []
            self._transact(change, new_version, plan, kept, rewritten)
            after_pending = kept
        return StoredUser(
            change.state,
            new_version,
            change.xp_at,
            days_loaded=before.days_loaded
            | before.inline_days
            | frozenset(by_day(change.state.capped)),
            marks=change.new_marks,
            pending=tuple(after_pending),
            slots_from=plan.slots_from,
            spilled=plan.spilled,
        )

    def _markers_stored(self, dedupe_keys: Sequence[str], before: StoredUser) -> set[str]:
        """Which of ``dedupe_keys`` have a marker (one consistent BatchGetItem per 100)."""
        wanted = list(dict.fromkeys(dedupe_keys))
        if not wanted:
            return set()
        pk = keys.user_pk(before.state.user_id)
        found: set[str] = set()
        for start in range(0, len(wanted), 100):
            request: Any = {
                self._table: {
                    "Keys": [
                        to_item({"PK": pk, "SK": keys.seen_sk(k)})
                        for k in wanted[start : start + 100]
                    ],
                    "ConsistentRead": True,
                    "ProjectionExpression": "SK",
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    found.add(str(item["SK"]["S"]).removeprefix(keys.seen_sk("")))
                request = response.get("UnprocessedKeys") or None
        return found

    def _put_profile(
        self, change: UserChange, new_version: int, plan: SlotPlan, pending: Sequence[str]
    ) -> None:
        """The fast path's one write: the profile alone, conditional on the version read."""
        put = self._profile_put(change, new_version, plan, pending)["Put"]
        try:
            self._client.put_item(**put)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ValidationException":
                raise UnstorableChangeError(error.response["Error"].get("Message", code)) from error
            if code == "ConditionalCheckFailedException":
                raise VersionConflictError("profile changed since it was read") from error
            raise

    def _put_markers(self, change: UserChange, dedupe_keys: Sequence[str]) -> None:
        """Store the pending markers (idempotent puts). The change is committed already: a
        failure here is logged, not raised, and the next commit of the user puts them again."""
        pk = keys.user_pk(change.state.user_id)
        for key in dedupe_keys:
            item = to_item({"PK": pk, "SK": keys.seen_sk(key), "at": _iso(change.now)})
            try:
                self._client.put_item(TableName=self._table, Item=item)
            except (ClientError, BotoCoreError) as error:
                logger.warning("dedupe marker left pending", extra={"error": str(error)})

    def _transact(
        self,
        change: UserChange,
        new_version: int,
        plan: SlotPlan,
        pending: Sequence[str],
        rewritten: Sequence[str],
    ) -> None:
        user_id = change.state.user_id
        pk = keys.user_pk(user_id)
        items: list[Any] = [self._profile_put(change, new_version, plan, pending)]
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
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item({"PK": pk, "SK": keys.seen_sk(key), "at": _iso(change.now)}),
                }
            }
            for key in rewritten
        )
        items.extend(
            {"Put": {"TableName": self._table, "Item": self.day_item(user_id, day, buckets)}}
            for day, buckets in plan.day_items.items()
        )
        purse = WalletItems(self._table, user_id, change.wallet)
        wallet_from = len(items)
        items.extend(purse.items)
        # The flags list follows the profile's flag in the same transaction (adapters.flag_list).
        flagged = flag_write(self._table, user_id, change.before.state.flag, change.state.flag)
        if flagged is not None:
            items.append(flagged)
        seat = 1 if change.membership is not None else 0
        room = MAX_TRANSACTION_ITEMS - len(items) - seat  # the league seat commits too
        items.extend(
            {"Put": {"TableName": self._table, "Item": self.notification_item(n)}}
            for n in notifications.within(
                list(change.notifications), room, change.state.settings.locale
            )
        )
        membership_index = -1
        if change.membership is not None:
            membership_index = len(items)
            # Its condition fails only if this user already sits in that cohort, which the
            # profile's version guard already rules out: treated like a version conflict.
            items.append(membership_put(self._table, change.membership, change.now))
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(items)} items exceed one transaction; split the batch")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ValidationException":
                raise UnstorableChangeError(error.response["Error"].get("Message", code)) from error
            if code != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            _raise_cancellation(reasons, marker_index, membership_index)
            _raise_wallet_cancellation(reasons, purse, wallet_from)
            raise

    def _profile_put(
        self, change: UserChange, new_version: int, plan: SlotPlan, pending: Sequence[str]
    ) -> dict[str, Any]:
        if change.before.exists:
            # A profile read with no pending keys must still have none: a writer holding a
            # stale record of the same version cannot drop keys it never saw.
            guard = "version = :v" + (
                "" if change.before.pending else " AND attribute_not_exists(pending)"
            )
            condition = {
                "ConditionExpression": guard,
                "ExpressionAttributeValues": to_item({":v": change.before.version}),
            }
        else:
            condition = {"ConditionExpression": "attribute_not_exists(PK)"}
        item = self.profile_item(
            change.state,
            new_version,
            change.xp_at,
            change.now,
            change.new_marks,
            pending=pending,
            plan=plan,
            events=change.outbox,
        )
        return {"Put": {"TableName": self._table, "Item": item, **condition}}

    def profile_item(
        self,
        state: UserState,
        version: int,
        xp_at: datetime | None,
        now: datetime,
        marks: AccountMarks = NO_MARKS,
        *,
        pending: Sequence[str] = (),
        plan: SlotPlan | None = None,
        events: Sequence[EventDraft] = (),
    ) -> dict[str, Any]:
        """The stored form of a profile, with its sparse index keys derived from the state.
        Without ``plan`` no cap slot is stored (its days are read from their day items).

        ``unlisted`` (projected into GSI2, present only when true) keeps the user off every
        board: their own choice (``leaderboard_visible``) or an operator's exclusion."""
        settings = state.settings
        unlisted = not on_the_boards_with(settings, marks)
        # Keyed by when the streak really breaks: a freeze held pushes the reminder a day later.
        expires = (
            expires_without_clock(state.streak, state.freezes, self._freezes, settings.timezone)
            if settings.push_enabled
            else None
        )
        due = expires - self._reminder_lead if expires else None
        playing = state.xp > 0
        league = state.league
        cohort = (
            cohort_name(league.week, league.cohort_tier, league.cohort)
            if league.week is not None and league.cohort is not None
            else None
        )
        return to_item(
            {
                "PK": keys.user_pk(state.user_id),
                "SK": keys.PROFILE_SK,
                "version": version,
                "xp": state.xp,
                "level": state.level,
                "xp_at": _iso(xp_at) if xp_at else None,
                "weekly_xp": dict(state.weekly_xp) or None,
                "league": cohort,
                "display_name": settings.display_name,
                "timezone": settings.timezone,
                "push_enabled": settings.push_enabled,
                "leaderboard_visible": None if settings.leaderboard_visible else False,
                "locale": None if settings.locale == DEFAULT_LOCALE else settings.locale,
                "friend_passed_notices": None if settings.friend_passed_notices else False,
                "unlisted": True if unlisted else None,
                "excluded_reason": marks.exclusion.reason if marks.exclusion else None,
                "excluded_at": _iso(marks.exclusion.at) if marks.exclusion else None,
                "erased_at": _iso(marks.erased_at) if marks.erased_at else None,
                "erasing": True if marks.erasing else None,
                "state": pack_state(state),
                "pending": list(pending) or None,
                "slots": encode_inline(plan.inline) if plan and plan.inline else None,
                "slots_from": plan.slots_from if plan else None,
                "spilled": sorted(plan.spilled) if plan and plan.spilled else None,
                "updated_at": _iso(now),
                OUTBOX: encode_outbox(events),
                "GSI1PK": (
                    keys.reminder_pk(
                        due,
                        keys.reminder_shard(state.user_id, self._reminder_shards),
                        self._reminder_period,
                    )
                    if due
                    else None
                ),
                "GSI1SK": keys.user_pk(state.user_id) if due else None,
                "GSI2PK": keys.players_pk(keys.player_shard(state.user_id)) if playing else None,
                "GSI2SK": state.user_id if playing else None,
            }
        )

    def day_item(
        self, user_id: str, day: str, buckets: Mapping[str, Sequence[CapSlot]]
    ) -> dict[str, Any]:
        """One local day's cap slots, per event type, packed at ``SLOT.size`` bytes a slot."""
        return to_item(
            {
                "PK": keys.user_pk(user_id),
                "SK": keys.day_sk(day),
                "slots": {event_type: encode_slots(s) for event_type, s in buckets.items()},
                "expires_at": int(self.day_expires(day).timestamp()),
            }
        )

    def day_expires(self, day: str) -> datetime:
        """When no activity for ``day`` can arrive any more (its day item's TTL; an inline day is
        dropped at the first commit after it). A local day ends at most a day after its UTC date
        does (UTC+14 to UTC-12): a margin."""
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        return start + timedelta(days=2) + self._day_retention

    def plan_slots(self, change: UserChange) -> SlotPlan:
        """Inline the days with at most ``inline_slots`` slots; spill a fuller day to its day
        item (once spilled, a day stays there until it expires). A profile of the older layout
        (``slots_from`` unknown) starts tracking from two days ahead: an earlier day may have a
        day item nobody read, so it keeps using it."""
        if self._inline_slots <= 0:
            return SlotPlan(day_items=self._days_to_write(change))
        before = change.before
        slots_from = before.slots_from
        if slots_from is None:
            first = change.now.astimezone(UTC).date() + timedelta(days=2)
            slots_from = first.isoformat() if before.exists else ALL_DAYS_TRACKED
        old = by_day(change.before.state.capped)
        # An expired day is dropped at a later commit, not the one that changed it (a late
        # activity's own slot is stored, as its day item would be until its TTL).
        live = {
            d: buckets
            for d, buckets in by_day(change.state.capped).items()
            if self.day_expires(d) > change.now or buckets != old.get(d)
        }
        spilled = {d for d in before.spilled if self.day_expires(d) > change.now}
        inline: dict[str, dict[str, tuple[CapSlot, ...]]] = {}
        items: dict[str, dict[str, tuple[CapSlot, ...]]] = {}
        for day, buckets in sorted(live.items()):
            legacy = day < slots_from or day in before.inline_days
            if legacy or day in spilled:
                # Unchanged and read from its day item: nothing to write. A day not read from
                # one (a record built by hand from a profile with inline slots) is written out.
                stored = day in before.days_loaded and day not in before.inline_days
                if buckets != old.get(day) or not stored:
                    items[day] = buckets
                continue
            if _inlinable(day, buckets, self._inline_slots):
                inline[day] = buckets
            else:
                items[day] = buckets
                spilled.add(day)
        return SlotPlan(inline, items, slots_from, frozenset(spilled))

    def _days_to_write(self, change: UserChange) -> dict[str, dict[str, tuple[CapSlot, ...]]]:
        """Days whose slots changed, plus an old-format profile's days that may still be used."""
        before = by_day(change.before.state.capped)
        after = by_day(change.state.capped)
        changed = {d for d, buckets in after.items() if buckets != before.get(d)}
        carried = {
            d for d in change.before.inline_days & after.keys() if self.day_expires(d) > change.now
        }
        return {d: after[d] for d in sorted(changed | carried)}

    def notification_item(self, notification: Notification) -> dict[str, Any]:
        """The stored item of ``notification`` with this repository's TTL."""
        return notification_item(notification, self._notification_ttl)


def _raise_cancellation(
    reasons: Sequence[Any], marker_index: dict[int, str], membership_index: int = -1
) -> None:
    codes = [r.get("Code") for r in reasons]
    invalid = [
        r.get("Message") or "ValidationError" for r in reasons if r.get("Code") == "ValidationError"
    ]
    if invalid:
        raise UnstorableChangeError("; ".join(invalid))
    failed = [i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"]
    if 0 in failed or "TransactionConflict" in codes or membership_index in failed:
        raise VersionConflictError("profile changed or is being changed concurrently")
    duplicates = [marker_index[i] for i in failed if i in marker_index]
    if duplicates:
        raise AlreadyAppliedError(duplicates)


def _raise_wallet_cancellation(reasons: Sequence[Any], purse: WalletItems, offset: int) -> None:
    """A redeem's own conditions: its key used before, a stock shard drained, a limit reached."""
    failed = {
        i - offset for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"
    }
    if purse.receipt_at is not None and purse.receipt_at in failed:
        raise AlreadyRedeemedError("")
    if failed & set(purse.stock_at):
        raise OutOfStockError("a stock shard holds fewer units than drawn")
    if purse.limit_at is not None and purse.limit_at in failed:
        raise LimitReachedError("per-user limit reached")
    if failed:  # a ledger entry's seq exists: only a stale profile could propose it
        raise VersionConflictError("ledger moved on since the profile was read")


# -- encoding -----------------------------------------------------------------------------------


def _cohorts_held(league: LeagueState) -> list[str]:
    """The cohorts whose boards may still hold the user: the latest seat and the last closed
    one (the only cohort boards anything reads; an older one is read by nothing and expires
    with its week + ``WEEKLY_RETENTION``)."""
    held = []
    if league.week is not None and league.cohort is not None:
        held.append(cohort_name(league.week, league.cohort_tier, league.cohort))
    if league.result is not None:
        result = league.result
        held.append(cohort_name(result.week, result.from_tier, result.cohort))
    return sorted(set(held))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()

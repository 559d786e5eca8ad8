"""Export of everything stored about one user as JSON documents, a page at a time.

The first page holds the profile (settings, XP, level, counters, streak runs, weekly XP, earned
badges, the leaderboard listing and any exclusion with its reason), the write-budget counters
and the user's own follows, blocks and friend streaks (``graph``), their team memberships
(``teams``);
every page holds up to ``page_size`` *records*: the other items of the user's partition (dedupe
markers = the activity history, notifications, daily-cap days, reminder guards), each named by
its kind. ``next_cursor`` continues (``null`` on the last page). The storage work (the queries,
the cursor, decoding items) is the ``Records`` port's (``adapters.user_records``); this module
owns the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from gamification.domain.follows import MAX_BLOCKED, MAX_FOLLOWING, EdgePage
from gamification.domain.friend_streaks import StreakLink
from gamification.domain.profile_records import StoredUser
from gamification.domain.teams import Membership
from gamification.domain.user_records import (
    AppliedActivity,
    BudgetWindow,
    CapDay,
    LedgerRecord,
    NotificationRecord,
    PurchaseCount,
    RecordPage,
    RedeemReceipt,
    ReminderSent,
    UserRecord,
)

FORMAT = "gamify-export/1"

# -- ports (adapters: UserRepository, user_records.UserRecords; fakes: tests/fakes) -------------


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...


class Records(Protocol):
    def page(self, user_id: str, cursor: str | None, limit: int) -> RecordPage:
        """The user's records among the next ``limit`` stored items (the profile is not one of
        them), in key order from ``cursor``; ``InvalidCursorError`` for a cursor not issued."""
        ...

    def budget(self, user_id: str) -> list[BudgetWindow]:
        """The user's write-budget windows."""
        ...


class OwnEdges(Protocol):
    """The follows and blocks the user made (``adapters.follow_graph``), a page at a time."""

    def following(self, owner: str, cursor: str | None, limit: int) -> EdgePage: ...

    def blocked(self, owner: str, cursor: str | None, limit: int) -> EdgePage: ...

    def streak_links(self, owner: str) -> list[StreakLink]:
        """The user's friend streaks and invitations (≤ their mutual friends)."""
        ...


class OwnMemberships(Protocol):
    """The user's team memberships (``adapters.team_repository``; ≤ the per-user limit)."""

    def memberships(self, user_id: str) -> list[Membership]: ...


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
        users: Profiles,
        records: Records,
        page_size: int = 1000,
        graph: OwnEdges | None = None,
        teams: OwnMemberships | None = None,
    ) -> None:
        self._teams = teams
        self._users = users
        self._records = records
        self._page_size = page_size
        self._graph = graph

    def page(
        self, user_id: str, cursor: str | None, now: datetime, *, must_exist: bool = False
    ) -> ExportPage:
        """One page of the export. ``must_exist`` (an admin naming any id): a first page with
        nothing stored at all is :class:`UnknownUserError`, not an empty document; the caller's
        own export is always answered (an empty one says truthfully that nothing is stored)."""
        page = self._records.page(user_id, cursor or None, self._page_size)
        records = [_record(r) for r in page.records]
        document: dict[str, Any] = {
            "format": FORMAT,
            "user_id": user_id,
            "exported_at": now.astimezone(UTC).isoformat(),
            "records": records,
        }
        if not cursor:
            document["profile"] = self._profile(user_id)
            document["write_budget"] = [
                {"window": w.window, "spent": w.spent} for w in self._records.budget(user_id)
            ]
            if self._graph is not None:
                document["graph"] = self._edges(user_id, self._graph)
            if self._teams is not None:
                document["teams"] = [
                    {
                        "team_id": m.team_id,
                        "joined_at": m.joined_at.isoformat(),
                        "added_by_admin": m.added_by_admin,
                    }
                    for m in self._teams.memberships(user_id)
                ]
            edges = document.get("graph", {})
            made = edges.get("following") or edges.get("blocked") or document.get("teams")
            if must_exist and not (
                records or document["profile"] or document["write_budget"] or made
            ):
                raise UnknownUserError(user_id)
        return ExportPage(document, page.next_cursor)

    @staticmethod
    def _edges(user_id: str, graph: OwnEdges) -> dict[str, list[dict[str, str | None]]]:
        """The user's own edges, whole on the first page: at most ``MAX_FOLLOWING`` follows
        and ``MAX_BLOCKED`` blocks. Followers are other users' follows of them (a celebrity
        has millions): ``GET /v1/me/followers`` pages them."""
        found: dict[str, list[dict[str, str | None]]] = {}
        for name, read, bound in (
            ("following", graph.following, MAX_FOLLOWING),
            ("blocked", graph.blocked, MAX_BLOCKED),
        ):
            edges: list[dict[str, str | None]] = []
            cursor: str | None = None
            while True:
                page = read(user_id, cursor, bound)
                edges.extend(
                    {"user_id": e.user_id, "since": e.since.isoformat()} for e in page.edges
                )
                cursor = page.next_cursor
                if cursor is None:
                    break
            found[name] = edges
        found["friend_streaks"] = [
            {
                "user_id": link.user_id,
                "status": link.status.value,
                "since": link.since.isoformat(),
                "started_on": link.started_on.isoformat() if link.started_on else None,
            }
            for link in graph.streak_links(user_id)
        ]
        return found

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
            "wallet": state.wallet.model_dump(mode="json"),
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


def _record(record: UserRecord) -> dict[str, Any]:
    match record:
        case AppliedActivity(key=key, applied_at=at):
            return {"kind": "activity", "key": key, "applied_at": at}
        case NotificationRecord(notification=notification):
            return {
                "kind": "notification",
                "notification_kind": notification.kind.value,
                "notification_id": notification.id,
                "title": notification.title,
                "message": notification.message,
                "created_at": notification.created_at.isoformat(),
                "read": notification.read,
            }
        case CapDay(day=day, capped_activities=capped):
            return {"kind": "cap_day", "day": day, "capped_activities": capped}
        case ReminderSent(day=day):
            return {"kind": "streak_reminder_sent", "day": day}
        case LedgerRecord() | RedeemReceipt() | PurchaseCount():
            return _wallet_record(record)
        case _:
            return {"kind": "other", "key": record.key}


def _wallet_record(record: LedgerRecord | RedeemReceipt | PurchaseCount) -> dict[str, Any]:
    """The wallet's records: ledger entries, redeem receipts, per-item purchase counts."""
    match record:
        case LedgerRecord(entry=entry):
            return {
                "kind": "wallet_ledger",
                "seq": entry.seq,
                "currency": entry.currency,
                "amount": entry.amount,
                "balance": entry.balance,
                "cause": entry.cause.value,
                "what": entry.kind,
                "ref": entry.ref,
                "at": entry.at.isoformat(),
                "note": entry.note,
                "spendable_from": entry.spendable_from.isoformat()
                if entry.spendable_from
                else None,
            }
        case RedeemReceipt(result=result):
            return {
                "kind": "wallet_redeem",
                "idempotency_key": result.key,
                "item_id": result.item_id,
                "quantity": result.quantity,
                "currency": result.currency,
                "amount": result.amount,
                "redeemed_at": result.redeemed_at.isoformat(),
            }
        case PurchaseCount(item_id=item_id, count=count):
            return {"kind": "wallet_purchases", "item_id": item_id, "count": count}

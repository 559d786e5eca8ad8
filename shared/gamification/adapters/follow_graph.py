"""The follow graph in DynamoDB: one item per edge and its reverse, written in one transaction.

Layout (``keys``; sizes in docs/data-model.md), all under the owner's ``GRAPH#<id>`` partition:

* ``OUT#<b>`` in a's partition and ``IN#<a>`` in b's: a follows b;
* ``BLOCK#<b>`` in a's partition and ``BLOCK#<a>`` in b's: a block between them, ``mine`` on the
  blocker's side and ``theirs`` on the other (both when each blocks the other);
* ``COUNTS``: ``following`` and ``blocking``, kept in the same transactions as the edges, so
  the limits hold under concurrent requests (a condition on the counter, not a count read
  before writing).

A follow's transaction also checks the block item, and a block's transaction deletes the follows
it read or checks they are still absent, so a follow racing a block can never survive it. The
block's transaction also ends the two users' friend streak and friend quest pairings
(``PQUEST#<quest>`` items of ``adapters.pair_quest_links``, whose pairing checks the block item).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import outbox_update
from gamification.adapters.graph_query import graph_items, transact
from gamification.adapters.pair_quest_links import MAX_TRANSACTION_ITEMS, PairQuestLinks
from gamification.domain.domain_events import EventDraft
from gamification.domain.follows import (
    MAX_BLOCKED,
    MAX_FOLLOWING,
    BlockedError,
    BlockLimitError,
    Edge,
    EdgePage,
    FollowLimitError,
    GraphBusyError,
    Relation,
)
from gamification.domain.friend_streaks import (
    MAX_ACTIVE,
    LinkStatus,
    StreakLimitError,
    StreakLink,
)
from gamification.domain.pair_quests import PairLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ATTEMPTS = 4
"""Transactions retried after a conflict or a relation that changed between read and write."""


def cursor_for(prefix: str) -> SortKeyCursor:
    """Cursors of one edge list: a sort key of that list (``OUT#``, ``IN#`` or ``BLOCK#``)."""
    return SortKeyCursor(max_chars=400, accepts=lambda sk: sk.startswith(prefix))


class FollowGraph:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        max_following: int = MAX_FOLLOWING,
        max_blocked: int = MAX_BLOCKED,
    ) -> None:
        self._client = client
        self._table = table_name
        self._pairs = PairQuestLinks(client, table_name)
        self._max_following = max_following
        self._max_blocked = max_blocked

    # -- reads ---------------------------------------------------------------------------------

    def relation(self, owner: str, other: str) -> tuple[Relation, int]:
        """What lies between ``owner`` and ``other`` and how many ``owner`` follows: one
        consistent ``BatchGetItem`` of four small items of ``owner``'s partition."""
        wanted = {
            keys.following_sk(other): "out",
            keys.follower_sk(other): "in",
            keys.block_sk(other): "block",
            keys.GRAPH_COUNTS_SK: "counts",
        }
        found = self._get(owner, list(wanted), consistent=True)
        block = found.get(keys.block_sk(other), {})
        counts = found.get(keys.GRAPH_COUNTS_SK, {})
        relation = Relation(
            follows=keys.following_sk(other) in found,
            followed_by=keys.follower_sk(other) in found,
            i_block=bool(block.get("mine")),
            they_block=bool(block.get("theirs")),
        )
        return relation, int(counts.get("following", 0))

    def following(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        return self._page(owner, keys.FOLLOWING_PREFIX, cursor, limit)

    def followers(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        return self._page(owner, keys.FOLLOWER_PREFIX, cursor, limit)

    def blocked(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        """The users ``owner`` blocks (a ``BLOCK#`` item holding only ``theirs`` is skipped)."""
        return self._page(owner, keys.BLOCK_PREFIX, cursor, limit, only_mine=True)

    def followed_ids(self, owner: str) -> list[str]:
        """Everyone ``owner`` follows (≤ ``MAX_FOLLOWING``): keys-only pages of one Query."""
        items = graph_items(
            self._client, self._table, owner, keys.FOLLOWING_PREFIX, projection="SK"
        )
        return [str(item["SK"]).removeprefix(keys.FOLLOWING_PREFIX) for item in items]

    def follows_many(self, owner: str, others: Iterable[str]) -> set[str]:
        """Which of ``others`` ``owner`` follows: ``BatchGetItem``s of the ``OUT#`` items."""
        return self._present(owner, keys.FOLLOWING_PREFIX, others)

    def followed_by_many(self, owner: str, others: Iterable[str]) -> set[str]:
        """Which of ``others`` follow ``owner``: ``BatchGetItem``s of the ``IN#`` items."""
        return self._present(owner, keys.FOLLOWER_PREFIX, others)

    def _present(self, owner: str, prefix: str, others: Iterable[str]) -> set[str]:
        found = self._get(owner, [f"{prefix}{o}" for o in dict.fromkeys(others)], consistent=False)
        return {sk.removeprefix(prefix) for sk in found}

    # -- writes --------------------------------------------------------------------------------

    def follow(
        self, follower: str, followed: str, at: datetime, events: Sequence[EventDraft] = ()
    ) -> bool:
        """Store the edge and its reverse and count it; ``False`` when it already existed.
        Raises ``FollowLimitError`` at the limit and ``BlockedError`` if a block exists.
        ``events`` go into the follower's profile outbox in the same transaction (an update of
        ``outbox`` and ``version``); a follower with no profile gets the edge alone."""
        mine = keys.graph_pk(follower)
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            "PK": mine,
                            "SK": keys.following_sk(followed),
                            "user_id": followed,
                            "at": at.isoformat(),
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            "PK": keys.graph_pk(followed),
                            "SK": keys.follower_sk(follower),
                            "user_id": follower,
                            "at": at.isoformat(),
                        }
                    ),
                }
            },
            self._count(follower, following=1, blocking=0),
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": self._key(mine, keys.block_sk(followed)),
                    "ConditionExpression": "attribute_not_exists(mine) AND "
                    "attribute_not_exists(theirs)",
                }
            },
        ]
        if events:
            items.append(outbox_update(self._table, follower, events))
        for _ in range(ATTEMPTS):
            reasons = self._transact(items)
            if reasons is None:
                return True
            if reasons[0] == "ConditionalCheckFailed":
                return False
            if reasons[2] == "ConditionalCheckFailed":
                raise FollowLimitError(follower)
            if reasons[3] == "ConditionalCheckFailed":
                raise BlockedError(followed)
            if len(reasons) > 4 and reasons[4] == "ConditionalCheckFailed":
                items = items[:4]  # no profile to carry the event: the edge alone
        raise GraphBusyError(follower)

    def unfollow(self, follower: str, followed: str) -> bool:
        """Delete the edge, its reverse and its count; ``False`` when there was none."""
        items = [
            self._delete(keys.graph_pk(follower), keys.following_sk(followed), must_exist=True),
            self._delete(keys.graph_pk(followed), keys.follower_sk(follower)),
            self._count(follower, following=-1, blocking=0),
        ]
        for _ in range(ATTEMPTS):
            reasons = self._transact(items)
            if reasons is None:
                return True
            if reasons[0] == "ConditionalCheckFailed":
                return False
        raise GraphBusyError(follower)

    def block(self, blocker: str, blocked: str, at: datetime) -> bool:
        """Block ``blocked``: both follows between the two go, and so do their friend streak and
        their friend quest pairings, in the same transaction as the block's two items; ``False``
        when the block existed. ``BlockLimitError`` at the limit."""
        for _ in range(ATTEMPTS):
            relation, _count = self.relation(blocker, blocked)
            if relation.i_block:
                self._end_pairings(blocker, blocked)  # a block retried after a failure midway
                return False
            link = self.streak_link(blocker, blocked)  # a block ends a friend streak too
            active = -1 if link is not None and link.status is LinkStatus.ACTIVE else 0
            following = -1 if relation.follows else 0
            items = [
                self._mark_block(blocker, blocked, "mine", at),
                self._mark_block(blocked, blocker, "theirs", at),
                self._count(blocker, following=following, blocking=1, streaks=active),
                *self._cut(blocker, blocked, exists=relation.follows),
                *self._cut(blocked, blocker, exists=relation.followed_by),
            ]
            if relation.followed_by or active:
                followed_back = -1 if relation.followed_by else 0
                items.append(
                    self._count(blocked, following=followed_back, blocking=0, streaks=active)
                )
            if link is not None:
                items.extend(self._end_link(blocker, blocked, link)[:2])
            pairings = self._pairings(blocker, blocked)
            room = MAX_TRANSACTION_ITEMS - len(items)
            items.extend(self._pairs.end_side(p) for p in pairings[:room])
            reasons = self._transact(items)
            if reasons is None:
                self._end_pairings(blocker, blocked)  # any that had no room or raced the block
                return True
            if reasons[2] == "ConditionalCheckFailed" and not any(
                r == "ConditionalCheckFailed" for i, r in enumerate(reasons) if i != 2
            ):
                raise BlockLimitError(blocker)
        raise GraphBusyError(blocker)

    def _pairings(self, a: str, b: str) -> list[PairLink]:
        """The sides of every friend quest pairing between ``a`` and ``b`` (two consistent
        ``Query``s of the ``PQUEST#`` items: a half left by an erasure is found too)."""
        return [
            side
            for owner, other in ((a, b), (b, a))
            for side in self._pairs.partners_of(owner)
            if side.partner == other
        ]

    def _end_pairings(self, a: str, b: str) -> None:
        """After the block committed: delete the pairings its transaction had no room for (more
        than ≈ 40 between the same two) or that a pairing committed between the read and the
        block. None can be made once the block exists (``PairQuestLinks.pair`` checks it), so
        this read finds every one left."""
        left = self._pairings(a, b)
        if left:
            self._pairs.end_sides(left)

    def unblock(self, blocker: str, blocked: str) -> bool:
        """Lift ``blocker``'s block; ``False`` when there was none. The other user's own block
        of ``blocker``, if any, stays."""
        for _ in range(ATTEMPTS):
            relation, _count = self.relation(blocker, blocked)
            if not relation.i_block:
                return False
            mine, theirs = keys.graph_pk(blocker), keys.graph_pk(blocked)
            if relation.they_block:
                items = [
                    self._update(
                        mine, keys.block_sk(blocked), "REMOVE mine", "attribute_exists(mine)"
                    ),
                    self._update(theirs, keys.block_sk(blocker), "REMOVE theirs"),
                ]
            else:
                guard = "attribute_exists(mine) AND attribute_not_exists(theirs)"
                items = [
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": self._key(mine, keys.block_sk(blocked)),
                            "ConditionExpression": guard,
                        }
                    },
                    self._delete(theirs, keys.block_sk(blocker)),
                ]
            items.append(self._count(blocker, following=0, blocking=-1))
            if self._transact(items) is None:
                return True
        raise GraphBusyError(blocker)

    # -- friend streaks ------------------------------------------------------------------------

    def streak_links(self, owner: str) -> list[StreakLink]:
        """Every friend streak ``owner`` is part of or invited to (one Query; ≤ the mutual
        friends, so ≤ ``MAX_FOLLOWING``)."""
        items = graph_items(self._client, self._table, owner, keys.FRIEND_STREAK_PREFIX)
        return [_link(item) for item in items]

    def streak_link(self, owner: str, other: str) -> StreakLink | None:
        found = self._get(owner, [keys.friend_streak_sk(other)], consistent=True)
        item = found.get(keys.friend_streak_sk(other))
        return None if item is None else _link(item)

    def invite_streak(self, inviter: str, invitee: str, at: datetime) -> bool:
        """Store the invitation on both sides; ``False`` when either side already has a link."""
        items = [
            self._put_link(inviter, invitee, LinkStatus.INVITED, at),
            self._put_link(invitee, inviter, LinkStatus.INVITED_ME, at),
        ]
        return self._transact(items) is None

    def accept_streak(
        self,
        invitee: str,
        inviter: str,
        started_on: date,
        at: datetime,
        events: Mapping[str, Sequence[EventDraft]] | None = None,
    ) -> bool:
        """Make the invitation active on both sides and count it for both (≤ ``MAX_ACTIVE``);
        ``False`` if there was no such invitation; ``StreakLimitError`` at either's limit.
        ``events`` (by user) go into those users' profile outboxes in the same transaction; a
        user with no profile gets none."""
        items = [
            self._activate(invitee, inviter, LinkStatus.INVITED_ME, started_on, at),
            self._activate(inviter, invitee, LinkStatus.INVITED, started_on, at),
            self._count(invitee, following=0, blocking=0, streaks=1),
            self._count(inviter, following=0, blocking=0, streaks=1),
        ]
        told = [outbox_update(self._table, u, d) for u, d in (events or {}).items() if d]
        for _ in range(ATTEMPTS):
            reasons = self._transact(items + told)
            if reasons is None:
                return True
            missing = [i for i, code in enumerate(reasons[4:]) if code == "ConditionalCheckFailed"]
            if missing and "ConditionalCheckFailed" not in reasons[:4]:
                told = [t for i, t in enumerate(told) if i not in missing]  # no profile: no event
                continue
            at_limit = "ConditionalCheckFailed" in reasons[2:4]
            if at_limit and "ConditionalCheckFailed" not in reasons[:2]:
                raise StreakLimitError(invitee)
            return False
        raise GraphBusyError(invitee)

    def end_streak(self, owner: str, other: str) -> bool:
        """Delete the link on both sides (and uncount an active one); ``False`` if none."""
        for _ in range(ATTEMPTS):
            link = self.streak_link(owner, other)
            if link is None:
                return False
            items = self._end_link(owner, other, link)
            if self._transact(items) is None:
                return True
        raise GraphBusyError(owner)

    def _end_link(self, owner: str, other: str, link: StreakLink) -> list[dict[str, Any]]:
        mine = keys.graph_pk(owner), keys.friend_streak_sk(other)
        items: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": self._key(*mine),
                    "ConditionExpression": "#status = :status",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item({":status": link.status.value}),
                }
            },
            self._delete(keys.graph_pk(other), keys.friend_streak_sk(owner)),
        ]
        if link.status is LinkStatus.ACTIVE:
            items.append(self._count(owner, following=0, blocking=0, streaks=-1))
            items.append(self._count(other, following=0, blocking=0, streaks=-1))
        return items

    def _put_link(self, owner: str, other: str, status: LinkStatus, at: datetime) -> dict[str, Any]:
        item = {
            "PK": keys.graph_pk(owner),
            "SK": keys.friend_streak_sk(other),
            "user_id": other,
            "status": status.value,
            "at": at.isoformat(),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _activate(
        self, owner: str, other: str, was: LinkStatus, started_on: date, at: datetime
    ) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(keys.graph_pk(owner), keys.friend_streak_sk(other)),
                "UpdateExpression": "SET #status = :active, started_on = :day, #at = :at",
                "ConditionExpression": "#status = :was",
                "ExpressionAttributeNames": {"#status": "status", "#at": "at"},
                "ExpressionAttributeValues": to_item(
                    {
                        ":active": LinkStatus.ACTIVE.value,
                        ":was": was.value,
                        ":day": started_on.isoformat(),
                        ":at": at.isoformat(),
                    }
                ),
            }
        }

    # -- helpers -------------------------------------------------------------------------------

    def _page(
        self, owner: str, prefix: str, cursor: str | None, limit: int, only_mine: bool = False
    ) -> EdgePage:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": keys.graph_pk(owner), ":prefix": prefix}),
        }
        if only_mine:
            kwargs["FilterExpression"] = "attribute_exists(mine)"
        pk = keys.graph_pk(owner)
        if cursor is not None:
            after = cursor_for(prefix).decode(cursor)
            kwargs["ExclusiveStartKey"] = to_item({"PK": pk, "SK": after})
        found: list[tuple[str, Edge]] = []
        kwargs["Limit"] = limit + 1  # one more says whether a next page exists
        while True:
            response = self._client.query(**kwargs)
            for raw in response.get("Items", []):
                item = from_item(raw)
                edge = Edge(user_id=item["user_id"], since=datetime.fromisoformat(item["at"]))
                found.append((item["SK"], edge))
            start = response.get("LastEvaluatedKey")
            if start is None or len(found) > limit:
                break
            kwargs["ExclusiveStartKey"] = start
            kwargs["Limit"] = limit + 1 - len(found)
        more = len(found) > limit
        shown = found[:limit]
        return EdgePage(
            [edge for _, edge in shown],
            cursor_for(prefix).encode(shown[-1][0]) if more and shown else None,
        )

    def _get(self, owner: str, sort_keys: Sequence[str], *, consistent: bool) -> dict[str, Any]:
        pk = keys.graph_pk(owner)
        found: dict[str, Any] = {}
        for begin in range(0, len(sort_keys), 100):
            request: Any = {
                self._table: {
                    "Keys": [self._key(pk, sk) for sk in sort_keys[begin : begin + 100]],
                    "ConsistentRead": consistent,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for raw in response["Responses"].get(self._table, []):
                    item = from_item(raw)
                    found[item["SK"]] = item
                request = response.get("UnprocessedKeys") or None
        return found

    def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """Commit; ``None`` on success, else each item's cancellation code (``"None"`` for
        items that did not fail). A conflict with another transaction is retried as is."""
        codes = transact(self._client, items, ATTEMPTS)
        if codes is not None and "TransactionConflict" in codes:
            raise GraphBusyError("the relation kept changing")
        return codes

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return to_item({"PK": pk, "SK": sk})

    def _count(
        self, owner: str, *, following: int, blocking: int, streaks: int = 0
    ) -> dict[str, Any]:
        """The counters' change, guarded by the limits when it grows one of them."""
        conditions = []
        if streaks > 0:
            conditions.append("(attribute_not_exists(streaks) OR streaks < :max_streaks)")
        if following > 0:
            conditions.append("(attribute_not_exists(following) OR following < :max_following)")
        if blocking > 0:
            conditions.append("(attribute_not_exists(blocking) OR blocking < :max_blocking)")
        values: dict[str, Any] = {":following": following, ":blocking": blocking}
        if streaks:
            values[":streaks"] = streaks
        if streaks > 0:
            values[":max_streaks"] = MAX_ACTIVE
        if following > 0:
            values[":max_following"] = self._max_following
        if blocking > 0:
            values[":max_blocking"] = self._max_blocked
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(keys.graph_pk(owner), keys.GRAPH_COUNTS_SK),
            "UpdateExpression": "ADD following :following, blocking :blocking"
            + (", streaks :streaks" if streaks else ""),
            "ExpressionAttributeValues": to_item(values),
        }
        if conditions:
            update["ConditionExpression"] = " AND ".join(conditions)
        return {"Update": update}

    def _delete(self, pk: str, sk: str, *, must_exist: bool = False) -> dict[str, Any]:
        delete: dict[str, Any] = {"TableName": self._table, "Key": self._key(pk, sk)}
        if must_exist:
            delete["ConditionExpression"] = "attribute_exists(PK)"
        return {"Delete": delete}

    def _update(self, pk: str, sk: str, expression: str, condition: str = "") -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(pk, sk),
            "UpdateExpression": expression,
        }
        if condition:
            update["ConditionExpression"] = condition
        return {"Update": update}

    def _mark_block(self, owner: str, other: str, side: str, at: datetime) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(keys.graph_pk(owner), keys.block_sk(other)),
                "UpdateExpression": f"SET {side} = :yes, user_id = :other, #at = :at",
                "ExpressionAttributeNames": {"#at": "at"},
                "ExpressionAttributeValues": to_item(
                    {":yes": True, ":other": other, ":at": at.isoformat()}
                ),
            }
        }

    def _cut(self, follower: str, followed: str, *, exists: bool) -> list[dict[str, Any]]:
        """Delete the follow ``follower`` -> ``followed`` as read, or check it is still absent."""
        out = (keys.graph_pk(follower), keys.following_sk(followed))
        if exists:
            return [
                self._delete(*out, must_exist=True),
                self._delete(keys.graph_pk(followed), keys.follower_sk(follower)),
            ]
        return [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": self._key(*out),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]


def _link(item: dict[str, Any]) -> StreakLink:
    started = item.get("started_on")
    return StreakLink(
        user_id=item["user_id"],
        status=LinkStatus(item["status"]),
        since=datetime.fromisoformat(item["at"]),
        started_on=date.fromisoformat(started) if started else None,
    )


# -- erasure: the other side of each of an erased user's edges ------------------------------------


def unlink(client: DynamoDBClient, table: str, user_id: str, sort_keys: Sequence[str]) -> int:
    """Before the walk deletes a page of ``user_id``'s graph items, delete what mirrors them in
    the other users' partitions (the reverse of each follow, the other side of each block) and
    correct those users' counters. Idempotent: a mirror already gone changes nothing. Returns
    the requests made."""
    requests = 0
    graph = FollowGraph(client, table)
    for sk in sort_keys:
        if sk.startswith(keys.FOLLOWING_PREFIX):  # they followed someone: drop its reverse
            other = sk.removeprefix(keys.FOLLOWING_PREFIX)
            client.delete_item(
                TableName=table, Key=graph._key(keys.graph_pk(other), keys.follower_sk(user_id))
            )
        elif sk.startswith(keys.FOLLOWER_PREFIX):  # someone followed them: that follow goes
            other = sk.removeprefix(keys.FOLLOWER_PREFIX)
            graph._transact(
                [
                    graph._delete(
                        keys.graph_pk(other), keys.following_sk(user_id), must_exist=True
                    ),
                    graph._count(other, following=-1, blocking=0),
                ]
            )
        elif sk.startswith(keys.BLOCK_PREFIX):  # the other side of a block, theirs or mine
            other = sk.removeprefix(keys.BLOCK_PREFIX)
            theirs = (keys.graph_pk(other), keys.block_sk(user_id))
            cancelled = graph._transact(
                [
                    {
                        "Delete": {
                            "TableName": table,
                            "Key": graph._key(*theirs),
                            "ConditionExpression": "attribute_exists(mine)",
                        }
                    },
                    graph._count(other, following=0, blocking=-1),
                ]
            )
            if cancelled is not None:
                client.delete_item(TableName=table, Key=graph._key(*theirs))
                requests += 1
        elif sk.startswith(keys.FRIEND_STREAK_PREFIX):  # the partner's side, uncounted if active
            other = sk.removeprefix(keys.FRIEND_STREAK_PREFIX)
            theirs = (keys.graph_pk(other), keys.friend_streak_sk(user_id))
            cancelled = graph._transact(
                [
                    {
                        "Delete": {
                            "TableName": table,
                            "Key": graph._key(*theirs),
                            "ConditionExpression": "#status = :active",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": to_item(
                                {":active": LinkStatus.ACTIVE.value}
                            ),
                        }
                    },
                    graph._count(other, following=0, blocking=0, streaks=-1),
                ]
            )
            if cancelled is not None:
                client.delete_item(TableName=table, Key=graph._key(*theirs))
                requests += 1
        else:
            continue
        requests += 1
    return requests

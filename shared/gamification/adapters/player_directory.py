"""Every player with XP, read from the sharded player index (GSI2), for rebuilds and backfills.

GSI2 is sparse (only profiles with XP) and spread over ``PLAYER_SHARDS`` partition keys, so a
full read never hammers one partition. ``sample`` reads a bounded random slice of it, for the
drift check whose cost must not grow with the number of players.

The index projects keys only (issue #26): a projected ``xp`` made every XP change rewrite the
player's index entry (a write unit per activity), while the index is read only by rebuilds,
drift samples and backfills. A page of index keys is followed by one eventually consistent
``BatchGetItem`` per 100 profiles, of the leaderboard attributes only: ≈ 0.5 read units a player
(a profile is under 4 KB) instead of ≈ 0.03, paid by the rare reader rather than on every write
(docs/data-model.md prices both). The reader works on either projection, so it can be deployed
before the index is replaced.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.player_score import PlayerScore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_NAME = "GSI2"
_PROJECTED = "GSI2PK, GSI2SK, xp, xp_at, display_name, weekly_xp, #league, unlisted, erasing"


@dataclass(frozen=True, slots=True)
class PlayerPage:
    players: list[PlayerScore]
    next_key: str | None
    """Opaque position to resume this shard from; ``None`` when the shard is exhausted."""


class PlayerDirectory:
    shards = keys.PLAYER_SHARDS
    """The index's shards: a walk over ``page`` reads ``range(shards)``."""

    def __init__(self, client: DynamoDBClient, table_name: str, page_size: int = 1000) -> None:
        self._client = client
        self._table = table_name
        self._page_size = page_size

    def players(self) -> Iterator[PlayerScore]:
        """Every player, shard by shard."""
        for shard in range(keys.PLAYER_SHARDS):
            position: str | None = None
            while True:
                page = self.page(shard, position, self._page_size)
                yield from page.players
                if page.next_key is None:
                    break
                position = page.next_key

    def page(self, shard: int, after: str | None, limit: int) -> PlayerPage:
        """Up to ``limit`` players of one shard, after the position ``after``."""
        return self._range(shard, None, None, after, limit)

    def sample(self, limit: int, rng: random.Random | None = None) -> list[PlayerScore]:
        """Up to ``limit`` players, a contiguous run of the index from a random point: a random
        shard, from a random user id between the shard's first and last (two one-item queries),
        then the next shards in turn, wrapping round to the first shard's start. A population
        smaller than ``limit`` is read whole. Cost: about ``limit`` index entries plus
        three queries, whatever the population."""
        rng = rng or random.Random()  # noqa: S311 (a statistical sample, not a secret)
        first = rng.randrange(keys.PLAYER_SHARDS)
        start = self._random_start(first, rng)
        found: list[PlayerScore] = []
        order: list[tuple[int, str | None, str | None]] = [(first, start, None)]
        order += [
            ((first + i) % keys.PLAYER_SHARDS, None, None) for i in range(1, keys.PLAYER_SHARDS)
        ]
        if start is not None:
            order.append((first, None, start))  # the wrap: the first shard before the start
        for shard, low, high in order:
            position: str | None = None
            while len(found) < limit:
                page = self._range(shard, low, high, position, limit - len(found))
                found += page.players
                if page.next_key is None:
                    break
                position = page.next_key
            if len(found) >= limit:
                break
        return found

    def _random_start(self, shard: int, rng: random.Random) -> str | None:
        """A random user id between the shard's first and last (``None``: an empty shard)."""
        edges = [self._edge(shard, forward) for forward in (True, False)]
        if edges[0] is None or edges[1] is None:
            return None
        return between(edges[0], edges[1], rng.random())

    def _edge(self, shard: int, forward: bool) -> str | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=INDEX_NAME,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.players_pk(shard)}),
            ProjectionExpression="GSI2SK",
            ScanIndexForward=forward,
            Limit=1,
        )
        items = response.get("Items", [])
        return str(from_item(items[0])["GSI2SK"]) if items else None

    def _range(
        self, shard: int, low: str | None, high: str | None, after: str | None, limit: int
    ) -> PlayerPage:
        """Players of one shard with ``low <= id < high`` (either bound optional)."""
        condition, values = "GSI2PK = :pk", {":pk": keys.players_pk(shard)}
        if low is not None:
            condition, values[":low"] = condition + " AND GSI2SK >= :low", low
        elif high is not None:
            condition, values[":high"] = condition + " AND GSI2SK < :high", high
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
            "Limit": limit,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = _start_key(after, shard)
        response = self._client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        ids = [str(i["GSI2SK"]["S"]) for i in response.get("Items", [])]
        found = self._profiles(ids)
        return PlayerPage(
            players=[found[u] for u in ids if u in found],
            next_key=json.dumps(last, sort_keys=True) if last else None,
        )

    def _profiles(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        """The leaderboard attributes of these players' profiles (eventually consistent, like
        the index itself; one BatchGetItem per 100). A profile that left the index since (no
        ``GSI2PK``) is left out."""
        found: dict[str, PlayerScore] = {}
        for values in batch_profiles(self._client, self._table, user_ids, _PROJECTED):
            if values.get("GSI2PK"):
                player = _player(values)
                found[player.user_id] = player
        return found

    def lookup(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        """The players among ``user_ids`` that are in the index now (one consistent
        ``GetItem`` each, of the projected attributes only): for the few ids a rebuild's
        catch-up read did not meet."""
        found: dict[str, PlayerScore] = {}
        for user_id in user_ids:
            item = self._client.get_item(
                TableName=self._table,
                Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
                ConsistentRead=True,
                ProjectionExpression=_PROJECTED,
                ExpressionAttributeNames={"#league": "league"},
            ).get("Item")
            values = from_item(item) if item else None
            if values is not None and values.get("GSI2PK"):
                found[user_id] = _player(values)
        return found

    def any_player(self) -> bool:
        """Whether at least one player exists (at most one small query per shard)."""
        return any(self.page(shard, None, 1).players for shard in range(keys.PLAYER_SHARDS))


def between(low: str, high: str, fraction: float) -> str:
    """A string ``low <= s <= high`` about ``fraction`` of the way from one to the other in
    DynamoDB's (byte) order. User ids are ASCII (``domain.activity``): the characters after the
    common prefix are read as base-128 digits, so ids that share a prefix (``user-``) or are
    random (UUIDs) both give an even spread."""
    common = 0
    while common < min(len(low), len(high)) and low[common] == high[common]:
        common += 1
    digits = 8

    def number(text: str) -> int:
        tail = text[common : common + digits].ljust(digits, "\0")
        return sum(min(ord(c), 127) << (7 * (digits - 1 - i)) for i, c in enumerate(tail))

    a, b = number(low), number(high)
    n = a + int((b - a) * min(max(fraction, 0.0), 1.0))
    tail = "".join(chr((n >> (7 * (digits - 1 - i))) & 127) for i in range(digits))
    tail = tail.split("\0", 1)[0]  # no NUL in a key value: cut there (the clamp keeps order)
    return max(low, min(high, low[:common] + tail))


def profile_score(image: Mapping[str, Any]) -> PlayerScore | None:
    """What the boards hold for the profile in a stream record's new image (``None`` for any
    other item). Reads only the attributes GSI2 projects, never the encoded state."""
    pk, sk = str(image.get("PK", "")), str(image.get("SK", ""))
    if sk != keys.PROFILE_SK or not pk.startswith(keys.user_pk("")):
        return None
    return _player(image, keys.user_id_from_pk(pk))


def _player(values: Mapping[str, Any], user_id: str | None = None) -> PlayerScore:
    xp_at = values.get("xp_at")
    return PlayerScore(
        user_id=user_id if user_id is not None else str(values["GSI2SK"]),
        xp=int(values.get("xp", 0)),
        xp_at=datetime.fromisoformat(xp_at) if xp_at else None,
        display_name=values.get("display_name"),
        weekly_xp={str(k): int(v) for k, v in (values.get("weekly_xp") or {}).items()},
        league=values.get("league"),
        left_leagues=tuple(values.get("left_leagues") or ()),
        # Unlisted by choice or by an operator; ``erasing``: the erasure stub (XP 0, no index
        # keys), whose image on the stream takes the user off every board.
        listed=not values.get("unlisted") and not values.get("erasing"),
    )


_INDEX_KEY = frozenset({"GSI2PK", "GSI2SK", "PK", "SK"})


def _start_key(after: str, shard: int) -> dict[str, Any]:
    """A position this reader issued for ``shard`` (an admin's dry run passes one back through
    the API): any other value is an :class:`InvalidCursorError`, never a failed query."""
    try:
        key = json.loads(after)
    except ValueError as error:
        raise InvalidCursorError("cursor is not one this API issued") from error
    if (
        not isinstance(key, dict)
        or set(key) != _INDEX_KEY
        or not all(isinstance(v, dict) and set(v) == {"S"} for v in key.values())
        or not all(isinstance(v["S"], str) for v in key.values())
        or key["GSI2PK"]["S"] != keys.players_pk(shard)
    ):
        raise InvalidCursorError("cursor is not one this API issued")
    return key


def batch_profiles(
    client: Any, table: str, user_ids: Sequence[str], projection: str
) -> Iterator[dict[str, Any]]:
    """The decoded profiles of these users (eventually consistent ``BatchGetItem``, 100 ids a
    request, unprocessed keys retried); a user without a profile is left out."""
    wanted = list(dict.fromkeys(user_ids))
    for start in range(0, len(wanted), 100):
        request: Any = {
            table: {
                "Keys": [
                    to_item({"PK": keys.user_pk(u), "SK": keys.PROFILE_SK})
                    for u in wanted[start : start + 100]
                ],
                "ProjectionExpression": projection,
                "ExpressionAttributeNames": {"#league": "league"},
            }
        }
        while request:
            response = client.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table, []):
                yield from_item(item)
            request = response.get("UnprocessedKeys") or None

"""Redis leaderboards: an all-time sorted set and one per ISO week.

Writes are ``ZADD ... LT`` of an *absolute* score, never an increment, so a repeated or late
write can never inflate or lower a player. The score (``board_schema.encode_score``) is the
negated composite of XP (high bits) and the inverted second at which the user reached it (low
bits), and boards are read in ascending order: more XP first, among equal XP the earlier
achiever, and for an exact tie the lower user id (Redis orders equal scores by member). All
keys share the ``{lb}`` hash tag, so the same commands (and the Lua reads, one round trip each)
work on cluster-mode and serverless ElastiCache.

A board is *complete* only while its generation marker exists: the reconciler sets it in the
same transaction that swaps a rebuilt board in. Anything that loses data (flush, restart,
failover, eviction) loses the marker too, and every read then says so
(``BoardIncompleteError``) instead of serving a partial board as fresh; the scores the projector
keeps adding meanwhile do not bring the marker back, only a rebuild does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

import redis

from gamification.adapters.board_rebuild import (
    BoardRebuild,
    PageCounts,
    temp_key,
)
from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    NAMES_KEY,
    REBUILD_PAGE,
    SCALE,
    WEEKLY_RETENTION,
    BoardIncompleteError,
    Entry,
    LeaderboardUnavailableError,
    Page,
    board_expiry,
    board_key,
    boards_to_leave,
    decode_xp,
    encode_score,
    generation_key,
    leagues_marker,
    marker_key,
    more_xp_than,
    text,
    weekly_expiry,
)
from gamification.adapters.player_score import (
    ALLTIME,
    WEEKLY_PREFIX,
    PlayerScore,
    league,
    weekly,
)
from gamification.domain.ranking import competition_ranks

# The vocabulary is re-exported: its home is player_score and board_schema.
__all__ = [
    "ALLTIME",
    "NAMES_KEY",
    "REBUILD_PAGE",
    "WEEKLY_PREFIX",
    "WEEKLY_RETENTION",
    "BoardIncompleteError",
    "BoardRebuild",
    "Entry",
    "Leaderboard",
    "LeaderboardUnavailableError",
    "Page",
    "PageCounts",
    "PlayerScore",
    "board_expiry",
    "board_key",
    "boards_to_leave",
    "decode_xp",
    "encode_score",
    "leagues_marker",
    "marker_key",
    "weekly",
    "weekly_expiry",
]


# The Lua reads mirror board_schema: a stored score is -(xp * scale + inverted seconds), so a
# score's XP is floor(-score / scale), and the players with more XP than ``xp`` are those
# scored at most -(xp + 1) * scale (``more_xp_than``).
_SLICE = """
local board, names = KEYS[1], KEYS[2]
if redis.call('EXISTS', KEYS[3]) == 0 then return {-1} end
local start, stop, scale = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[4] ~= '' then
  local position = redis.call('ZRANK', board, ARGV[4])
  if not position then return {redis.call('ZCARD', board), 0, {}, {}, 0} end
  start = math.max(0, position - start)
  stop = position + stop
end
local rows = redis.call('ZRANGE', board, start, stop, 'WITHSCORES')
local total = redis.call('ZCARD', board)
if #rows == 0 then return {total, 0, {}, {}, start} end
local bound = -(math.floor(-tonumber(rows[2]) / scale) + 1) * scale
local higher = redis.call('ZCOUNT', board, '-inf', string.format('%d', bound))
local members = {}
for i = 1, #rows, 2 do members[#members + 1] = rows[i] end
return {total, higher, rows, redis.call('HMGET', names, unpack(members)), start}
"""

_RANK = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return -1 end
local scale = tonumber(ARGV[2])
local bound = -(math.floor(-tonumber(score) / scale) + 1) * scale
return redis.call('ZCOUNT', KEYS[1], '-inf', string.format('%d', bound)) + 1
"""


_RANK_OF_XP = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1]) + 1
"""


class Leaderboard:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._slice = client.register_script(_SLICE)
        self._rank = client.register_script(_RANK)
        self._rank_of_xp_script = client.register_script(_RANK_OF_XP)

    # -- writes --------------------------------------------------------------------------------

    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None:
        """Raise each player's scores to the stored truth (one round trip for all of them).

        A player who is not listed (left the boards, excluded, being erased) is removed instead,
        with their name, from every board that can still hold them (``boards_to_leave``), in
        the same round trip. The batch's order is kept, so hiding then showing again in one
        batch ends on the board.
        """
        try:
            pipe = self._client.pipeline(transaction=False)
            for player in players:
                if not player.listed:
                    for board in boards_to_leave(player, now):
                        pipe.zrem(board_key(board), player.user_id)
                    pipe.hdel(NAMES_KEY, player.user_id)
                    continue
                alltime_xp = player.listed_xp(ALLTIME)
                if alltime_xp is not None:
                    pipe.zadd(
                        board_key(ALLTIME),
                        {player.user_id: encode_score(alltime_xp, player.xp_at)},
                        lt=True,
                    )
                for week in player.weekly_xp:
                    xp, expires = player.listed_xp(weekly(week)), weekly_expiry(week)
                    if xp is None or expires <= now:
                        continue  # not a member, or the board expired (writing would re-create it)
                    key = board_key(weekly(week))
                    pipe.zadd(key, {player.user_id: encode_score(xp, player.xp_at)}, lt=True)
                    pipe.expireat(key, expires)
                cohort = player.league_board
                if cohort is not None:
                    xp, cohort_expires = player.listed_xp(cohort), board_expiry(cohort)
                    if xp is not None and cohort_expires is not None and cohort_expires > now:
                        key = board_key(cohort)
                        pipe.zadd(key, {player.user_id: encode_score(xp, player.xp_at)}, lt=True)
                        pipe.expireat(key, cohort_expires)
                if player.display_name:
                    pipe.hset(NAMES_KEY, player.user_id, player.display_name)
                else:
                    pipe.hdel(NAMES_KEY, player.user_id)
            pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def replace(
        self,
        board: str,
        players: Iterable[PlayerScore],
        expire_at: datetime | None,
        generation: str,
        stamp: bool = True,
    ) -> None:
        """Rebuild ``board`` from the truth into a temporary key, then swap it in atomically,
        stamped with its generation marker (the board is complete from that moment)."""
        rebuild = self.rebuild([board])
        page: list[PlayerScore] = []
        for player in players:
            page.append(player)
            if len(page) == REBUILD_PAGE:
                rebuild.add(page)
                page = []
        rebuild.add(page)
        rebuild.swap(board, expire_at, generation if stamp else None)
        rebuild.finish()

    def rebuild(
        self, boards: Sequence[str], cohort_week: str | None = None, run: str | None = None
    ) -> BoardRebuild:
        """Start rebuilding ``boards`` (and, with ``cohort_week``, every league cohort board of
        that week) into temporary keys fed page by page: memory bounded by a page. ``run``
        names the temporary keys of a paused rebuild to resume (default: a new run)."""
        return BoardRebuild(self._client, boards, cohort_week, run)

    def stale(
        self,
        players: Sequence[PlayerScore],
        boards: Sequence[str],
        cohort_week: str | None,
        seen: str,
    ) -> list[PlayerScore]:
        """Of ``players`` (a page of a fresh read of the truth), those the cache holds behind:
        missing or lower on one of ``boards`` or on their cohort board of ``cohort_week``,
        still held although unlisted, or held with another name. Also records every id of the
        page in the set ``seen`` (a temporary key, see ``unseen``). One round trip."""
        if not players:
            return []
        ids = [p.user_id for p in players]
        prefix = None if cohort_week is None else league(f"{cohort_week}:")
        members: dict[str, list[str]] = {}
        for player in players:
            cohort = player.league_board
            if prefix is not None and cohort is not None and cohort.startswith(prefix):
                members.setdefault(cohort, []).append(player.user_id)
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.sadd(temp_key(seen), *ids)
            pipe.expire(temp_key(seen), ABANDONED_REBUILD_TTL)
            for board in boards:
                pipe.zmscore(board_key(board), ids)
            pipe.hmget(NAMES_KEY, ids)
            for cohort, user_ids in members.items():
                pipe.zmscore(board_key(cohort), user_ids)
            replies = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        held = replies[2 : 2 + len(boards)]
        names = replies[2 + len(boards)]
        on_cohort: dict[str, Any] = {}
        for user_ids, scores in zip(members.values(), replies[3 + len(boards) :], strict=True):
            on_cohort.update(zip(user_ids, scores, strict=True))
        behind: list[PlayerScore] = []
        for i, player in enumerate(players):
            checks = [(b, scores[i]) for b, scores in zip(boards, held, strict=True)]
            if player.user_id in on_cohort and player.league_board is not None:
                checks.append((player.league_board, on_cohort[player.user_id]))
            lagging = any(_held_behind(player.listed_xp(b), score) for b, score in checks)
            name = None if names[i] is None else text(names[i])
            if lagging or (player.listed and name != player.display_name):
                behind.append(player)
        return behind

    def unseen(
        self, board: str, seen: str, cursor: int = 0, chunk: int = REBUILD_PAGE
    ) -> tuple[int, list[str]]:
        """Members of ``board`` not in the set ``seen``, one ``ZSCAN`` step from ``cursor``
        (about ``chunk`` members) and one ``SMISMEMBER``: the board is never loaded whole.
        Returns the next cursor (``0``: the scan is over) and the members."""
        try:
            after, found = cast(
                tuple[Any, list[Any]],
                self._client.zscan(board_key(board), cursor, count=chunk),
            )
            members = [text(member) for member, _ in found]
            return int(after), self._missing(seen, members) if members else []
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def _missing(self, seen: str, members: list[str]) -> list[str]:
        found = cast(list[Any], self._client.smismember(temp_key(seen), members))
        return [m for m, present in zip(members, found, strict=True) if not present]

    def remove(self, board: str, user_ids: Sequence[str]) -> None:
        """Take ``user_ids`` off one board (a cohort board ``publish`` cannot name)."""
        if not user_ids:
            return
        try:
            self._client.zrem(board_key(board), *user_ids)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def forget(self, key: str) -> None:
        """Drop a temporary key of a finished run (it would expire anyway)."""
        try:
            self._client.delete(temp_key(key))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def stamp(self, marker: str, generation: str, expire_at: datetime | None) -> None:
        """Set a generation marker by name (the cohort boards of a week share one)."""
        try:
            self._client.set(generation_key(marker), generation, exat=expire_at)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def complete(self, boards: Sequence[str]) -> dict[str, bool]:
        """Whether each board holds a complete rebuild (its marker exists): one round trip."""
        try:
            pipe = self._client.pipeline(transaction=False)
            for board in boards:
                pipe.exists(marker_key(board))
            found = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return {board: bool(exists) for board, exists in zip(boards, found, strict=True)}

    # -- reads ---------------------------------------------------------------------------------

    def page(self, board: str, offset: int, limit: int) -> Page:
        """Entries ``offset .. offset+limit-1`` with ``RANK()`` ranks and names: one round trip."""
        return self._run_slice(board, offset, offset + limit - 1, "")

    def around(self, board: str, user_id: str, radius: int) -> Page:
        """The user's entry with ``radius`` entries on each side: one round trip."""
        return self._run_slice(board, radius, radius, user_id)

    def rank(self, board: str, user_id: str) -> int | None:
        try:
            found = int(
                cast(
                    Any,
                    self._rank(keys=[board_key(board), marker_key(board)], args=[user_id, SCALE]),
                )
            )
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        if found == -2:
            raise BoardIncompleteError(board)
        return None if found < 0 else found

    def rank_of_xp(self, board: str, xp: int) -> int | None:
        """The ``RANK()`` a player with ``xp`` would have on ``board`` without being a member:
        what an unlisted user sees as their own rank (one round trip, ``None`` without XP)."""
        if xp <= 0:
            return None
        try:
            found = int(
                cast(
                    Any,
                    self._rank_of_xp_script(
                        keys=[board_key(board), marker_key(board)], args=[more_xp_than(xp)]
                    ),
                )
            )
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        if found == -2:
            raise BoardIncompleteError(board)
        return found

    def scores(self, board: str) -> Iterator[tuple[str, int]]:
        """Every member and its XP (ZSCAN, so a large board never blocks Redis)."""
        try:
            for member, score in self._client.zscan_iter(board_key(board)):
                yield str(member), decode_xp(float(score))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def scores_of(self, board: str, user_ids: Sequence[str]) -> dict[str, int | None]:
        """The XP of each of ``user_ids`` on ``board`` (``None``: not a member): one ``ZMSCORE``,
        one round trip, whatever the board's size (the sampled drift check)."""
        if not user_ids:
            return {}
        try:
            found = cast(list[Any], self._client.zmscore(board_key(board), list(user_ids)))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return {
            user_id: None if score is None else decode_xp(float(score))
            for user_id, score in zip(user_ids, found, strict=True)
        }

    def size(self, board: str) -> int:
        try:
            return int(cast(Any, self._client.zcard(board_key(board))))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def _run_slice(self, board: str, first: int, second: int, user_id: str) -> Page:
        try:
            reply = cast(
                list[Any],
                self._slice(
                    keys=[board_key(board), NAMES_KEY, marker_key(board)],
                    args=[first, second, SCALE, user_id],
                ),
            )
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        if reply == [-1]:
            raise BoardIncompleteError(board)
        total, higher, rows, names, start = reply
        members: Sequence[str] = rows[0::2]
        xps = [decode_xp(float(s)) for s in rows[1::2]]
        ranks = competition_ranks(xps, int(start), int(higher))
        entries = [
            Entry(rank=r, user_id=str(m), xp=xp, display_name=n)
            for r, m, xp, n in zip(ranks, members, xps, names, strict=True)
        ]
        return Page(entries=entries, total=int(total))


def _held_behind(truth: int | None, held: Any) -> bool:
    """The cache must be raised (or cleared): ``ZADD LT`` fixes the first, ``publish`` both."""
    if truth is None:
        return held is not None
    return held is None or decode_xp(float(held)) < truth

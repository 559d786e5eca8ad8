"""Redis leaderboards: an all-time sorted set and one per ISO week.

Writes are ``ZADD ... GT`` of an *absolute* composite score, never an increment, so a repeated or
late write can never inflate or lower a score. The composite puts XP in the high bits and the
inverted minute at which the user reached it in the low bits: among equal XP, the earlier
achiever sorts first. All keys share the ``{lb}`` hash tag, so the same commands (and the Lua
reads, one round trip each) work on cluster-mode and serverless ElastiCache.

A board is *complete* only while its generation marker exists: the reconciler sets it in the
same transaction that swaps a rebuilt board in. Anything that loses data (flush, restart,
failover, eviction) loses the marker too, and every read then says so
(``BoardIncompleteError``) instead of serving a partial board as fresh; the scores the projector
keeps adding meanwhile do not bring the marker back, only a rebuild does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import uuid4

import redis

from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    MAX_XP,
    NAMES_KEY,
    PREFIX,
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
    leagues_marker,
    marker_key,
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
    "WEEKLY_PREFIX",
    "WEEKLY_RETENTION",
    "BoardIncompleteError",
    "Entry",
    "Leaderboard",
    "LeaderboardUnavailableError",
    "Page",
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

REBUILD_PAGE = 1000
"""Players per pipeline of a rebuild, members per ``ZSCAN``/``ZMSCORE`` chunk."""


_SLICE = """
local board, names = KEYS[1], KEYS[2]
if redis.call('EXISTS', KEYS[3]) == 0 then return {-1} end
local start, stop, scale = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[4] ~= '' then
  local position = redis.call('ZREVRANK', board, ARGV[4])
  if not position then return {redis.call('ZCARD', board), 0, {}, {}, 0} end
  start = math.max(0, position - start)
  stop = position + stop
end
local rows = redis.call('ZRANGE', board, start, stop, 'REV', 'WITHSCORES')
local total = redis.call('ZCARD', board)
if #rows == 0 then return {total, 0, {}, {}, start} end
local threshold = (math.floor(tonumber(rows[2]) / scale) + 1) * scale
local higher = redis.call('ZCOUNT', board, string.format('%d', threshold), '+inf')
local members = {}
for i = 1, #rows, 2 do members[#members + 1] = rows[i] end
return {total, higher, rows, redis.call('HMGET', names, unpack(members)), start}
"""

_RANK = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return -1 end
local scale = tonumber(ARGV[2])
local threshold = (math.floor(tonumber(score) / scale) + 1) * scale
return redis.call('ZCOUNT', KEYS[1], string.format('%d', threshold), '+inf') + 1
"""


_RANK_OF_XP = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
local threshold = (tonumber(ARGV[1]) + 1) * tonumber(ARGV[2])
return redis.call('ZCOUNT', KEYS[1], string.format('%d', threshold), '+inf') + 1
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
                        gt=True,
                    )
                for week in player.weekly_xp:
                    xp, expires = player.listed_xp(weekly(week)), weekly_expiry(week)
                    if xp is None or expires <= now:
                        continue  # not a member, or the board expired (writing would re-create it)
                    key = board_key(weekly(week))
                    pipe.zadd(key, {player.user_id: encode_score(xp, player.xp_at)}, gt=True)
                    pipe.expireat(key, expires)
                cohort = player.league_board
                if cohort is not None:
                    xp, cohort_expires = player.listed_xp(cohort), board_expiry(cohort)
                    if xp is not None and cohort_expires is not None and cohort_expires > now:
                        key = board_key(cohort)
                        pipe.zadd(key, {player.user_id: encode_score(xp, player.xp_at)}, gt=True)
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
            lagging = any(_behind(player.listed_xp(b), score) for b, score in checks)
            name = None if names[i] is None else _text(names[i])
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
            members = [_text(member) for member, _ in found]
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
            self._client.set(f"{PREFIX}:generation:{marker}", generation, exat=expire_at)
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
                        keys=[board_key(board), marker_key(board)], args=[min(xp, MAX_XP), SCALE]
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


def temp_key(name: str) -> str:
    """A temporary key of one run (same ``{lb}`` hash slot; expires if the run dies)."""
    return f"{PREFIX}:rebuild:{name}"


def _behind(truth: int | None, held: Any) -> bool:
    """The cache must be raised (or cleared): ``ZADD GT`` fixes the first, ``publish`` both."""
    if truth is None:
        return held is not None
    return held is None or decode_xp(float(held)) < truth


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class PageCounts:
    """What one page added to a rebuild, and how the live boards differed for it."""

    players: int = 0
    """Distinct players new to this run (a player re-keyed mid-walk is read twice)."""
    members: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    """Board -> new members the live board lacks."""
    changed: dict[str, int] = field(default_factory=dict)
    """Board -> new members the live board holds with other XP."""
    cohort_members: int = 0


class BoardRebuild:
    """One rebuild in progress: every board's truth goes into a temporary key of this run, a
    page at a time, then each is swapped in atomically with its generation marker. Readers
    never see a half-built board; a run that dies leaves keys that expire
    (``ABANDONED_REBUILD_TTL``, renewed by every page)."""

    def __init__(
        self,
        client: redis.Redis,
        boards: Sequence[str],
        cohort_week: str | None,
        run: str | None = None,
    ) -> None:
        self._client = client
        self._run = run or uuid4().hex
        self._boards = list(boards)
        self._cohort_prefix = None if cohort_week is None else league(f"{cohort_week}:")
        self._others = temp_key(f"{self._run}:others")
        """Players on none of the boards (unlisted): a set, so each counts once."""
        self._cohorts = temp_key(f"{self._run}:cohorts")
        """The names of the cohort boards being rebuilt."""

    @property
    def run(self) -> str:
        """The name of this run's temporary keys (saved by a paused pass, to resume)."""
        return self._run

    def temp(self, board: str) -> str:
        return temp_key(f"{self._run}:{board}")

    def add(self, players: Sequence[PlayerScore]) -> PageCounts:
        """Write one page into the temporary boards and compare it with the live boards, in
        one round trip of a few commands a board (one ``ZADD`` of the page's members, one
        ``ZMSCORE`` against the live board, one against this run's board: a player already
        there was read twice and counts once)."""
        counts = PageCounts()
        page = list({p.user_id: p for p in players}.values())  # read twice: the later read
        if not page:
            return counts
        ids = [p.user_id for p in page]
        n = len(self._boards)
        try:
            pipe = self._client.pipeline(transaction=False)
            for board in self._boards:
                pipe.zmscore(board_key(board), ids)
                pipe.zmscore(self.temp(board), ids)
            pipe.smismember(self._others, ids)
            cohort_writes, expires = self._queue(pipe, page)
            replies = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        live, built, others = replies[0 : 2 * n : 2], replies[1 : 2 * n : 2], replies[2 * n]
        written = replies[len(replies) - cohort_writes - expires : len(replies) - expires]
        counts.cohort_members = sum(int(r) for r in written)
        for i, player in enumerate(page):
            counted = False
            for board, held, already in zip(self._boards, live, built, strict=True):
                xp = player.listed_xp(board)
                if xp is None:
                    continue
                if not counted:
                    counts.players += already[i] is None
                    counted = True
                if already[i] is not None:
                    continue
                counts.members[board] = counts.members.get(board, 0) + 1
                if held[i] is None:
                    counts.added[board] = counts.added.get(board, 0) + 1
                elif decode_xp(float(held[i])) != xp:
                    counts.changed[board] = counts.changed.get(board, 0) + 1
            if not counted:
                counts.players += not others[i]
        return counts

    def _queue(self, pipe: Any, page: Sequence[PlayerScore]) -> tuple[int, int]:
        """Queue one page's writes: the cohort boards' ``ZADD``s, then the ``EXPIRE``s, come
        last; returns how many of each."""
        touched: set[str] = set()
        for board in self._boards:
            scores = {
                p.user_id: encode_score(xp, p.xp_at)
                for p in page
                if (xp := p.listed_xp(board)) is not None
            }
            if scores:
                pipe.zadd(self.temp(board), scores)
                touched.add(self.temp(board))
        unlisted = [p.user_id for p in page if all(p.listed_xp(b) is None for b in self._boards)]
        if unlisted:  # on none of the boards: counted once through a set
            pipe.sadd(self._others, *unlisted)
            touched.add(self._others)
        names = {p.user_id: p.display_name for p in page if p.listed and p.display_name}
        if names:
            pipe.hset(NAMES_KEY, mapping=names)
        nameless = [p.user_id for p in page if p.listed and not p.display_name]
        if nameless:
            pipe.hdel(NAMES_KEY, *nameless)
        cohorts: dict[str, dict[str, int]] = {}
        for player in page:
            cohort = self._cohort_of(player)
            if cohort is not None:
                xp = player.listed_xp(cohort) or 0
                cohorts.setdefault(cohort, {})[player.user_id] = encode_score(xp, player.xp_at)
        if cohorts:
            pipe.sadd(self._cohorts, *cohorts)
            touched.add(self._cohorts)
        for cohort, scores in cohorts.items():
            pipe.zadd(self.temp(cohort), scores)
            touched.add(self.temp(cohort))
        for key in sorted(touched):
            # After the writes, so the key exists: a crashed run's key expires on its own.
            pipe.expire(key, ABANDONED_REBUILD_TTL)
        return len(cohorts), len(touched)

    def _cohort_of(self, player: PlayerScore) -> str | None:
        cohort = player.league_board
        if (
            self._cohort_prefix is None
            or cohort is None
            or not cohort.startswith(self._cohort_prefix)
        ):
            return None
        return cohort if player.listed_xp(cohort) is not None else None

    def members(self, board: str) -> int:
        """Members of the rebuilt ``board`` so far."""
        try:
            return int(cast(Any, self._client.zcard(self.temp(board))))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def strays(
        self, board: str, cursor: int = 0, chunk: int = REBUILD_PAGE
    ) -> tuple[int, int, int]:
        """One ``ZSCAN`` step of the live ``board`` from ``cursor`` (about ``chunk`` members),
        looked up in the rebuild by one ``ZMSCORE``: ``(next cursor, 0 when the scan is over;
        live members the rebuild lacks; live members seen)``. The board is never loaded
        whole, and a paused pass resumes the scan at its cursor."""
        try:
            after, found = cast(
                tuple[Any, list[Any]],
                self._client.zscan(board_key(board), cursor, count=chunk),
            )
            members = [_text(member) for member, _ in found]
            strays = self._not_rebuilt(board, members) if members else 0
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return int(after), strays, len(members)

    def _not_rebuilt(self, board: str, members: list[str]) -> int:
        found = cast(list[Any], self._client.zmscore(self.temp(board), members))
        return sum(1 for score in found if score is None)

    def top(self, board: str, size: int) -> list[Entry]:
        """The rebuilt board's first ``size`` entries, ranked as ``page`` ranks them."""
        try:
            rows = cast(
                list[Any],
                self._client.zrange(self.temp(board), 0, size - 1, desc=True, withscores=True),
            )
            members = [_text(m) for m, _ in rows]
            names = cast(list[Any], self._client.hmget(NAMES_KEY, members)) if members else []
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        xps = [decode_xp(float(score)) for _, score in rows]
        ranks = competition_ranks(xps, 0, 0)
        return [
            Entry(rank=r, user_id=m, xp=xp, display_name=None if n is None else _text(n))
            for r, m, xp, n in zip(ranks, members, xps, names, strict=True)
        ]

    def swap(self, board: str, expire_at: datetime | None, generation: str | None) -> None:
        """Put the rebuilt ``board`` in place, with its marker (``None``: no marker), in one
        transaction: readers see the old board or the new one, never a half-built one."""
        temp, final = self.temp(board), board_key(board)
        try:
            built = bool(self._client.exists(temp))
            swap = self._client.pipeline(transaction=True)
            if built:
                swap.rename(temp, final)  # RENAME keeps the temporary key's TTL: replace it
                if expire_at is not None:
                    swap.expireat(final, expire_at)
                else:
                    swap.persist(final)
            else:
                swap.delete(final)
            if generation is not None:
                swap.set(marker_key(board), generation, exat=expire_at)
            swap.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def swap_cohorts(self, chunk: int = 100) -> int:
        """Swap every rebuilt cohort board in (each atomically, with its expiry), a chunk of
        names at a time; the week's one marker is the caller's ``stamp``. Returns the count."""
        swapped = 0
        try:
            batch: list[str] = []
            for name in self._client.sscan_iter(self._cohorts, count=chunk):
                batch.append(_text(name))
                if len(batch) == chunk:
                    swapped += self._swap_all(batch)
                    batch = []
            swapped += self._swap_all(batch)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return swapped

    def _swap_all(self, boards: list[str]) -> int:
        if not boards:
            return 0
        swap = self._client.pipeline(transaction=True)
        for board in boards:
            swap.rename(self.temp(board), board_key(board))
            expire_at = board_expiry(board)
            if expire_at is not None:
                swap.expireat(board_key(board), expire_at)
        swap.execute()
        return len(boards)

    def drop_from_cohorts(self, user_ids: Sequence[str], chunk: int = 500) -> None:
        """Take ``user_ids`` (a few: players gone while the run ran) off every cohort board
        this run swapped in, ``chunk`` boards a round trip (``ZREM`` of a non-member is a
        no-op, so nothing is read)."""
        if not user_ids:
            return
        try:
            batch: list[str] = []
            for name in self._client.sscan_iter(self._cohorts, count=chunk):
                batch.append(_text(name))
                if len(batch) == chunk:
                    self._zrem_all(batch, user_ids)
                    batch = []
            self._zrem_all(batch, user_ids)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def _zrem_all(self, boards: list[str], user_ids: Sequence[str]) -> None:
        if not boards:
            return
        pipe = self._client.pipeline(transaction=False)
        for board in boards:
            pipe.zrem(board_key(board), *user_ids)
        pipe.execute()

    def finish(self) -> None:
        """Drop the run's bookkeeping sets (they would expire anyway)."""
        try:
            self._client.delete(self._cohorts, self._others)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

"""A leaderboard rebuild in progress: temporary keys fed a page at a time, swapped in
atomically with their generation markers (``Leaderboard.rebuild`` starts one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import uuid4

import redis

from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    NAMES_KEY,
    PREFIX,
    REBUILD_PAGE,
    Entry,
    LeaderboardUnavailableError,
    board_expiry,
    board_key,
    decode_xp,
    encode_score,
    marker_key,
    text,
)
from gamification.adapters.player_score import PlayerScore, league
from gamification.domain.boards import PageCounts as PageCounts  # noqa: PLC0414 (re-exported: its old home)
from gamification.domain.ranking import competition_ranks


def temp_key(name: str) -> str:
    """A temporary key of one run (same ``{lb}`` hash slot; expires if the run dies)."""
    return f"{PREFIX}:rebuild:{name}"


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
            members = [text(member) for member, _ in found]
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
                self._client.zrange(self.temp(board), 0, size - 1, withscores=True),
            )
            members = [text(m) for m, _ in rows]
            names = cast(list[Any], self._client.hmget(NAMES_KEY, members)) if members else []
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        xps = [decode_xp(float(score)) for _, score in rows]
        ranks = competition_ranks(xps, 0, 0)
        return [
            Entry(rank=r, user_id=m, xp=xp, display_name=None if n is None else text(n))
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
                batch.append(text(name))
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
                batch.append(text(name))
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

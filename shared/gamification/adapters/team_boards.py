"""Team boards in Redis: each team's members and contributions in one hash slot, updated by one
Lua script per step, and the boards across teams, version-guarded.

Per team (hash tag ``{team:<id>}``, so a script's keys share a slot on cluster-mode and
serverless caches; a 100,000-member team is one slot, written once per projector batch, not once
per activity: docs/teams.md#hot-keys):

- ``:members``: ZSET member → the second they joined (the week rule, ``week_open_to``);
- ``:xp:<board>``: ZSET member → XP on the board (every member, hidden ones too: the totals);
- ``:board:<board>``: ZSET member → the global board's score (listed members only: names);
- ``:total:<board>``: the sum of ``:xp:<board>``, changed only with the entry it sums;
- ``:version``: raised by every step that changed the team.

Across teams (``{teams:<shard>}``, 16 slots by team: ``RANK_SHARDS``): ``:rank:<board>:<metric>``
ZSET team → minus the value (ascending reads: the higher value first, ties by team id) and
``:version:<board>`` HASH team → the version written, so a standing older than the one on the
board is ignored. A user's teams are mirrored
in ``{teamsof:<user>}`` (≤ the per-user limit).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

import redis

from gamification.adapters.board_schema import (
    NAMES_KEY,
    LeaderboardUnavailableError,
    decode_xp,
    encode_score,
    more_xp_than,
    text,
)
from gamification.domain.teams import (
    METRICS,
    TOP_N,
    MemberScore,
    Metric,
    TeamStanding,
    board_end,
    team_board_expiry,
    team_value,
)

TEAM_PREFIX = "{team:"
RANK_PREFIX = "{teams}"


def _team(team_id: str, part: str) -> str:
    return f"{TEAM_PREFIX}{team_id}}}:{part}"


def members_key(team_id: str) -> str:
    return _team(team_id, "members")


def xp_key(team_id: str, board: str) -> str:
    return _team(team_id, f"xp:{board}")


def listed_key(team_id: str, board: str) -> str:
    return _team(team_id, f"board:{board}")


def total_key(team_id: str, board: str) -> str:
    return _team(team_id, f"total:{board}")


def version_key(team_id: str) -> str:
    return _team(team_id, "version")


def teams_of_key(user_id: str) -> str:
    return f"{{teamsof:{user_id}}}"


RANK_SHARDS = 16
"""The boards across teams are split over this many hash slots by team (``rank_shard``): with
every user in a team, 10,000 activities/s touch ≈ 9,000 teams a second, and one slot would take
every team's update (``benchmarks/team_hot_keys.py``). A read merges the shards' heads."""


def rank_shard(team_id: str) -> int:
    return zlib.crc32(team_id.encode()) % RANK_SHARDS


def rank_key(board: str, metric: Metric, shard: int) -> str:
    return f"{{teams:{shard}}}:rank:{board}:{metric}"


def rank_version_key(board: str, shard: int) -> str:
    return f"{{teams:{shard}}}:version:{board}"


MARKER_KEY = f"{RANK_PREFIX}:generation"
"""The team boards' generation marker: set by a finished rebuild (``TeamBoardReconciler``), gone
with the data when Redis loses it (flush, restart, failover): until it is back the team boards
answer ``stale: true`` and the one-minute check rebuilds them."""
LEASE_KEY = f"{RANK_PREFIX}:rebuild:lease"
PROGRESS_KEY = f"{RANK_PREFIX}:rebuild:progress"
"""The team pass's lease (``RebuildLease``; one slot with its progress key, unused yet)."""


# The standing every script returns: {version, members, {total, top xp...} per board}.
_STANDING = """
local function standing(nboards)
  local out = {tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('ZCARD', KEYS[1])}
  for i = 1, nboards do
    local row = {tonumber(redis.call('GET', KEYS[3 * i + 2]) or '0')}
    local top = redis.call('ZRANGE', KEYS[3 * i], 0, TOP_LAST, 'REV', 'WITHSCORES')
    for j = 2, #top, 2 do row[#row + 1] = tonumber(top[j]) end
    out[#out + 1] = row
  end
  return out
end
local function expire(nboards, first)
  for i = 1, nboards do
    local at = tonumber(ARGV[first + i - 1])
    if at > 0 then
      for k = 0, 2 do redis.call('EXPIREAT', KEYS[3 * i + k], at) end
    end
  end
end
""".replace("TOP_LAST", str(TOP_N - 1))

# KEYS: members, version, then per board (xp, listed, total). ARGV: nboards, the boards' end
# seconds (-1: all-time), their expiry seconds (0: none), then per member: user, listed
# ('1'/'0') and per board its XP ('' when the image has none) and the global board's score.
_CONTRIBUTE = (
    _STANDING
    + """
local n = tonumber(ARGV[1])
local changed = false
local pos = 2 + 2 * n
while pos <= #ARGV do
  local user, listed = ARGV[pos], ARGV[pos + 1]
  local joined = redis.call('ZSCORE', KEYS[1], user)
  if joined then
    for i = 1, n do
      local xp, score = ARGV[pos + 2 * i], ARGV[pos + 2 * i + 1]
      local ends = tonumber(ARGV[1 + i])
      if xp ~= '' and (ends < 0 or tonumber(joined) < ends) then
        local new = tonumber(xp)
        local old = redis.call('ZSCORE', KEYS[3 * i], user)
        if not old or new > tonumber(old) then
          redis.call('ZADD', KEYS[3 * i], new, user)
          redis.call('INCRBY', KEYS[3 * i + 2], new - (tonumber(old) or 0))
          changed = true
        end
        if listed == '1' and new > 0 then
          redis.call('ZADD', KEYS[3 * i + 1], 'LT', score, user)
        else
          redis.call('ZREM', KEYS[3 * i + 1], user)
        end
      end
    end
  end
  pos = pos + 2 + 2 * n
end
if changed then redis.call('INCR', KEYS[2]) end
expire(n, 2 + n)
return standing(n)
"""
)

# ARGV: nboards, user, joined second, then per board the expiry second (or 0).
_ADMIT = (
    _STANDING
    + """
local n = tonumber(ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('INCR', KEYS[2])
end
expire(n, 4)
return standing(n)
"""
)

# ARGV: nboards, user.
_LEAVE = (
    _STANDING
    + """
local n = tonumber(ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then
  for i = 1, n do
    local old = redis.call('ZSCORE', KEYS[3 * i], ARGV[2])
    if old then
      redis.call('ZREM', KEYS[3 * i], ARGV[2])
      redis.call('DECRBY', KEYS[3 * i + 2], tonumber(old))
    end
    redis.call('ZREM', KEYS[3 * i + 1], ARGV[2])
  end
  redis.call('INCR', KEYS[2])
end
return standing(n)
"""
)

# KEYS: the board's version hash, then one ZSET per metric. ARGV: team, version, expiry second
# (or 0), then one value per metric.
_RANK = """
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) <= old then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], -tonumber(ARGV[2 + i]), ARGV[1]) end
if old < 0 and tonumber(ARGV[3]) > 0 then
  for i = 1, #KEYS do redis.call('EXPIREAT', KEYS[i], ARGV[3]) end
end
return 1
"""


def _seconds(moment: datetime | None) -> int:
    return -1 if moment is None else int(moment.timestamp())


class TeamBoards:
    """The projection's ``TeamBoardStore`` and the team boards' reads."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._contribute = client.register_script(_CONTRIBUTE)
        self._admit = client.register_script(_ADMIT)
        self._leave = client.register_script(_LEAVE)
        self._rank = client.register_script(_RANK)
        self._read = client.register_script(_STANDING + "\nreturn standing(tonumber(ARGV[1]))")

    # -- the projection's writes ---------------------------------------------------------------

    def teams_of(self, user_ids: Collection[str]) -> dict[str, set[str]]:
        ids = sorted(user_ids)
        try:
            pipe = self._client.pipeline(transaction=False)
            for user_id in ids:
                pipe.smembers(teams_of_key(user_id))
            replies = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return {u: {text(t) for t in teams} for u, teams in zip(ids, replies, strict=True) if teams}

    def admit(
        self, team_id: str, user_id: str, joined_at: datetime, boards: Sequence[str]
    ) -> TeamStanding:
        # The user's mirror first: see services/team_projection.py for why this order is safe.
        self._call(lambda: self._client.sadd(teams_of_key(user_id), team_id))
        args: list[Any] = [len(boards), user_id, int(joined_at.timestamp())]
        args += [max(0, _seconds(team_board_expiry(b))) for b in boards]
        reply = self._call(lambda: self._admit(keys=self._keys(team_id, boards), args=args))
        return self._standing(team_id, boards, reply)

    def contribute(
        self, team_id: str, scores: Sequence[MemberScore], now: datetime
    ) -> TeamStanding:
        boards = sorted({b for s in scores for b in s.boards if self._writable(b, now)})
        args: list[Any] = [len(boards)]
        args += [_seconds(board_end(b)) for b in boards]
        args += [max(0, _seconds(team_board_expiry(b))) for b in boards]
        for score in scores:
            args += [score.user_id, "1" if score.listed else "0"]
            for board in boards:
                xp = score.boards.get(board)
                args += ["", 0] if xp is None else [xp, encode_score(xp, score.xp_at)]
        reply = self._call(lambda: self._contribute(keys=self._keys(team_id, boards), args=args))
        return self._standing(team_id, boards, reply)

    def leave(self, team_id: str, user_id: str, boards: Sequence[str]) -> TeamStanding:
        reply = self._call(
            lambda: self._leave(keys=self._keys(team_id, boards), args=[len(boards), user_id])
        )
        self._call(lambda: self._client.srem(teams_of_key(user_id), team_id))
        return self._standing(team_id, boards, reply)

    def rank(self, standings: Sequence[TeamStanding], now: datetime) -> None:
        try:
            pipe = self._client.pipeline(transaction=False)
            for standing in standings:
                for board, total in standing.totals.items():
                    expires = team_board_expiry(board)
                    if expires is not None and expires <= now:
                        continue
                    values = [
                        team_value(m, total, standing.members, standing.top.get(board, ()))
                        for m in METRICS
                    ]
                    shard = rank_shard(standing.team_id)
                    self._rank(
                        keys=[
                            rank_version_key(board, shard),
                            *(rank_key(board, m, shard) for m in METRICS),
                        ],
                        args=[
                            standing.team_id,
                            standing.version,
                            max(0, _seconds(expires)),
                            *(repr(v) for v in values),
                        ],
                        client=pipe,
                    )
            pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    # -- reconciliation (services/team_reconciliation.py) --------------------------------------

    def complete(self) -> bool:
        """Whether the team boards were rebuilt since Redis last lost data (their marker)."""
        return bool(self._call(lambda: self._client.exists(MARKER_KEY)))

    def stamp(self, generation: str) -> None:
        self._call(lambda: self._client.set(MARKER_KEY, generation))

    def drop_teams(self, board: str, keep: Collection[str]) -> list[str]:
        """Take every team not in ``keep`` (deleted teams, teams the truth no longer lists) off
        the boards across teams on ``board``, a ``HSCAN`` of each shard's versions at a time;
        returns them."""
        dropped: list[str] = []
        try:
            for shard in range(RANK_SHARDS):
                versions = rank_version_key(board, shard)
                gone = [
                    team
                    for raw in self._client.hscan_iter(versions, count=500)
                    if (team := text(raw[0])) not in keep
                ]
                for start in range(0, len(gone), 500):
                    chunk = gone[start : start + 500]
                    pipe = self._client.pipeline(transaction=False)
                    pipe.hdel(versions, *chunk)
                    for metric in METRICS:
                        pipe.zrem(rank_key(board, metric, shard), *chunk)
                    pipe.execute()
                dropped += gone
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return dropped

    # -- reads ---------------------------------------------------------------------------------

    def ranked_teams(
        self, board: str, metric: Metric, offset: int, limit: int
    ) -> tuple[list[tuple[str, float]], int, int]:
        """A page of teams by ``metric``: ``(team, value)`` rows, how many teams are on the
        board, and how many have a strictly higher value than the page's first (its ``RANK()``
        is that + 1). Two round trips whatever the shards: each shard's head (``offset +
        limit`` rows) and size, merged in the board's order, then the count above the first."""
        keys = [rank_key(board, metric, shard) for shard in range(RANK_SHARDS)]
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.zrange(key, 0, offset + limit - 1, withscores=True)
                pipe.zcard(key)
            replies = pipe.execute()
            heads = [(float(s), text(t)) for raw in replies[0::2] for t, s in raw]
            count = sum(int(n) for n in replies[1::2])
            rows = sorted(heads)[offset : offset + limit]
            higher = 0
            if rows:
                pipe = self._client.pipeline(transaction=False)
                for key in keys:
                    pipe.zcount(key, "-inf", f"({rows[0][0]!r}")
                higher = sum(int(n) for n in pipe.execute())
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return [(t, 0.0 - s) for s, t in rows], count, higher  # 0.0 - s: never -0.0

    def member_page(
        self, team_id: str, board: str, offset: int, limit: int
    ) -> tuple[list[tuple[str, int]], int, int]:
        """A page of a team's listed members by XP on ``board`` (the global board's order):
        ``(user, xp)`` rows, how many are listed, and how many have more XP than the first."""
        rows, count, higher = self._slice(
            listed_key(team_id, board), offset, limit, lambda s: more_xp_than(decode_xp(s))
        )
        return [(u, decode_xp(s)) for u, s in rows], count, higher

    def _slice(
        self, key: str, offset: int, limit: int, above: Callable[[float], Any]
    ) -> tuple[list[tuple[str, float]], int, int]:
        """Rows ``offset..offset+limit`` of an ascending board, its size, and the count of
        rows strictly before the first row's value (``above``: that bound for ``ZCOUNT``)."""
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.zrange(key, offset, offset + limit - 1, withscores=True)
            pipe.zcard(key)
            raw, count = pipe.execute()
            rows = [(text(m), float(s)) for m, s in raw]
            higher = self._client.zcount(key, "-inf", above(rows[0][1])) if rows else 0
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return rows, int(count), int(higher)

    def standing(self, team_id: str, boards: Sequence[str]) -> TeamStanding:
        """The team's aggregates now (for a team's own page)."""
        reply = self._call(lambda: self._read(keys=self._keys(team_id, boards), args=[len(boards)]))
        return self._standing(team_id, boards, reply)

    def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        """Display names from the global boards' names hash (listed players only)."""
        if not user_ids:
            return {}
        found = self._call(lambda: self._client.hmget(NAMES_KEY, list(user_ids)))
        return {u: text(n) for u, n in zip(user_ids, found, strict=True) if n is not None}

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _writable(board: str, now: datetime) -> bool:
        expires = team_board_expiry(board)
        return expires is None or expires > now

    @staticmethod
    def _keys(team_id: str, boards: Sequence[str]) -> list[str]:
        keys = [members_key(team_id), version_key(team_id)]
        for board in boards:
            keys += [xp_key(team_id, board), listed_key(team_id, board), total_key(team_id, board)]
        return keys

    @staticmethod
    def _standing(team_id: str, boards: Sequence[str], reply: Any) -> TeamStanding:
        version, members, *rows = reply
        return TeamStanding(
            team_id,
            int(version),
            int(members),
            totals={b: int(row[0]) for b, row in zip(boards, rows, strict=True)},
            top={b: tuple(int(x) for x in row[1:]) for b, row in zip(boards, rows, strict=True)},
        )

    @staticmethod
    def _call(action: Any) -> Any:
        try:
            return action()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

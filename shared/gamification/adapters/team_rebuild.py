"""A team boards rebuild in progress (``TeamBoards.rebuild`` starts one): each team's truth goes
into temporary keys of this run in the team's own hash slot, a page of memberships at a time,
then the team is swapped in by one script that measures the drift and replaces the team's keys
atomically (readers see the old team or the new one). A run that dies leaves keys that expire
(``ABANDONED_REBUILD_TTL``, renewed by every page). Keys: docs/data-model.md#redis-keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

import redis

from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    LeaderboardUnavailableError,
    text,
)
from gamification.adapters.team_boards import (
    _STANDING,
    TEAM_PREFIX,
    TeamBoards,
    members_key,
    teams_of_key,
)
from gamification.domain.team_rebuild import RebuiltMember
from gamification.domain.teams import TeamStanding, team_board_expiry


def temp_team_key(team_id: str, run: str, part: str) -> str:
    """A temporary key of one run, in the team's slot (the swap script reads both)."""
    return f"{TEAM_PREFIX}{team_id}}}:rebuild:{run}:{part}"


def touched_key(run: str) -> str:
    """The ids of the teams this run wrote (a set; the swap walks it)."""
    return f"{{teams}}:rebuild:{run}:teams"


# KEYS: the live team's keys (TeamBoards._keys: members, version, per board xp, listed, total),
# then the run's members and per board its xp and listed. ARGV: nboards, per board the expiry
# second (0: none). Returns {old version, standing, per board {added, removed, changed}}.
_SWAP = (
    _STANDING
    + """
local n = tonumber(ARGV[1])
local base = 2 + 3 * n
local old_version = tonumber(redis.call('GET', KEYS[2]) or '0')
local function put(temp, live, at)
  if redis.call('EXISTS', temp) == 1 then
    redis.call('RENAME', temp, live)
    if at > 0 then redis.call('EXPIREAT', live, at) else redis.call('PERSIST', live) end
  else
    redis.call('DEL', live)
  end
end
local drift = {}
for i = 1, n do
  local live, temp = KEYS[3 * i], KEYS[base + 1 + 2 * i - 1]
  local added, removed, changed, total = 0, 0, 0, 0
  local rows = redis.call('ZRANGE', temp, 0, -1, 'WITHSCORES')
  for j = 1, #rows, 2 do
    local new = tonumber(rows[j + 1])
    total = total + new
    local old = redis.call('ZSCORE', live, rows[j])
    if not old then added = added + 1 elseif tonumber(old) ~= new then changed = changed + 1 end
  end
  local held = redis.call('ZRANGE', live, 0, -1)
  for j = 1, #held do
    if not redis.call('ZSCORE', temp, held[j]) then removed = removed + 1 end
  end
  drift[i] = {added, removed, changed}
  local at = tonumber(ARGV[1 + i])
  put(temp, live, at)
  put(KEYS[base + 2 * i + 1], KEYS[3 * i + 1], at)
  redis.call('SET', KEYS[3 * i + 2], string.format('%d', total))
  if at > 0 then redis.call('EXPIREAT', KEYS[3 * i + 2], at) end
end
put(KEYS[base + 1], KEYS[1], 0)
redis.call('INCR', KEYS[2])
return {old_version, standing(n), drift}
"""
)

# KEYS: the live members, this run's seen set. ARGV: the most ids to return.
_UNSEEN = """
local out = {}
local held = redis.call('ZRANGE', KEYS[1], 0, -1)
for j = 1, #held do
  if not redis.call('ZSCORE', KEYS[2], held[j]) then
    out[#out + 1] = held[j]
    if #out >= tonumber(ARGV[1]) then break end
  end
end
return out
"""


class ReconciledTeamBoards(TeamBoards):
    """The team boards with the rebuild (the reconciler's ``TeamCache`` port)."""

    def rebuild(self, run: str) -> TeamBoardRebuild:
        return TeamBoardRebuild(self._client, run)


class TeamBoardRebuild:
    """One run's temporary team boards (the reconciler's ``TeamRebuild`` port)."""

    def __init__(self, client: redis.Redis, run: str) -> None:
        self._client = client
        self._run = run
        self._swap = client.register_script(_SWAP)
        self._unseen = client.register_script(_UNSEEN)

    def _temp(self, team_id: str, part: str) -> str:
        return temp_team_key(team_id, self._run, part)

    def add(self, members: Sequence[RebuiltMember], boards: Sequence[str]) -> None:
        """One page of members into the run's keys (one round trip), and the users' team
        mirrors (``{teamsof:<user>}``: a stale extra id is harmless, a non-member counts
        nothing)."""
        if not members:
            return
        touched: set[str] = set()
        try:
            pipe = self._client.pipeline(transaction=False)
            for m in members:
                key = self._temp(m.team_id, "members")
                pipe.zadd(key, {m.user_id: int(m.joined_at.timestamp())})
                touched.add(key)
                for board in boards:
                    if board in m.xp:
                        pipe.zadd(self._temp(m.team_id, f"xp:{board}"), {m.user_id: m.xp[board]})
                        touched.add(self._temp(m.team_id, f"xp:{board}"))
                    if board in m.listed:
                        key = self._temp(m.team_id, f"board:{board}")
                        pipe.zadd(key, {m.user_id: m.listed[board]})
                        touched.add(key)
                pipe.sadd(teams_of_key(m.user_id), m.team_id)
            pipe.sadd(touched_key(self._run), *{m.team_id for m in members})
            touched.add(touched_key(self._run))
            for key in sorted(touched):
                pipe.expire(key, ABANDONED_REBUILD_TTL)
            pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def teams(self) -> Iterator[str]:
        """The teams this run wrote."""
        try:
            for team in self._client.sscan_iter(touched_key(self._run), count=500):
                yield text(team)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def swap(
        self, team_id: str, boards: Sequence[str]
    ) -> tuple[TeamStanding, dict[str, tuple[int, int, int]], bool]:
        """Put the team's rebuilt keys in place (a team the run did not write is emptied):
        its standing (version raised), the drift per board (added, removed, changed), and
        whether the team had been written before (a team is listed on the boards across teams
        once it had a member)."""
        keys = [*TeamBoards._keys(team_id, boards), self._temp(team_id, "members")]
        for board in boards:
            keys += [self._temp(team_id, f"xp:{board}"), self._temp(team_id, f"board:{board}")]
        args: list[Any] = [len(boards)]
        args += [max(0, _seconds(team_board_expiry(b))) for b in boards]
        try:
            old_version, reply, drifts = cast(list[Any], self._swap(keys=keys, args=args))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        standing = TeamBoards._standing(team_id, boards, reply)
        drift = {
            board: (int(a), int(r), int(c)) for board, (a, r, c) in zip(boards, drifts, strict=True)
        }
        return standing, drift, int(old_version) > 0

    def see(self, team_id: str, user_ids: Sequence[str]) -> None:
        """The catch-up read met these members (``unseen`` then finds the others)."""
        if not user_ids:
            return
        key = self._temp(team_id, "seen")
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.zadd(key, dict.fromkeys(user_ids, 0))
            pipe.expire(key, ABANDONED_REBUILD_TTL)
            pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error

    def unseen(self, team_id: str, limit: int) -> list[str]:
        """Up to ``limit`` members of the live team the catch-up read did not meet."""
        keys = [members_key(team_id), self._temp(team_id, "seen")]
        try:
            found = cast(list[Any], self._unseen(keys=keys, args=[limit]))
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return [text(u) for u in found]

    def finish(self, team_ids: Sequence[str]) -> None:
        """Drop the run's bookkeeping (it would expire anyway)."""
        try:
            pipe = self._client.pipeline(transaction=False)
            for team_id in team_ids:
                pipe.delete(self._temp(team_id, "seen"))
            pipe.delete(touched_key(self._run))
            pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error


def _seconds(moment: datetime | None) -> int:
    return -1 if moment is None else int(moment.timestamp())

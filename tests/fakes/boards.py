"""In-memory leaderboards and snapshots: the ports of ``services.queries``,
``services.league_queries``, ``services.projector`` and ``services.reconciliation`` (real:
``adapters.leaderboard`` and ``adapters.board_rebuild`` on Redis, ``adapters.snapshot_repository``
on DynamoDB; the contracts: tests/adapters/contracts/test_boards.py and test_reconciler_ports.py
hold them equal).

A board is readable only once marked complete (the real one's generation marker, set by a rebuild);
``down`` makes every call fail as an unreachable Redis does. A scan's cursor (``unseen``,
``strays``) is an offset in member order, ``0`` when the scan is over, as a ``ZSCAN`` cursor is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from gamification.adapters.board_schema import board_expiry  # when a board expires (pure)
from gamification.domain.boards import (
    ALLTIME,
    LEAGUE_PREFIX,
    SCALE,
    Entry,
    LeaderboardUnavailableError,
    Page,
    PageCounts,
    PlayerScore,
    Snapshot,
    encode_score,
    league,
    league_week,
    leagues_marker,
    weekly,
)
from gamification.domain.friend_boards import Scored
from gamification.domain.ranking import competition_ranks


class FakeLeaderboard:
    def __init__(self, *, complete: bool = True) -> None:
        self.boards: dict[str, dict[str, int]] = {}
        """Board -> member -> encoded score (``encode_score``: lower is better)."""
        self.names: dict[str, str] = {}
        self.markers: dict[str, str] = {}
        """Generation marker name (``marker_of``) -> generation."""
        self.marker_expiry: dict[str, datetime | None] = {}
        """When each marker was set to expire (the fake never expires one by itself)."""
        self.all_complete = complete
        """Every board counts as complete (a service test's usual cache); else only those with
        a marker (``mark_complete``, a rebuild's swap or ``stamp``)."""
        self.scratch: dict[str, dict[str, int]] = {}
        """A rebuild's temporary boards, ``<run>:<board>`` -> member -> encoded score."""
        self.sets: dict[str, set[str]] = {}
        """Temporary sets by name: a pass's ``seen`` ids, a rebuild's ``<run>:others`` and
        ``<run>:cohorts``."""
        self.down = False

    # -- test controls --------------------------------------------------------------------------

    def mark_complete(self, *boards: str) -> None:
        for board in boards:
            self.markers[marker_of(board)] = "complete"

    # -- writes --------------------------------------------------------------------------------

    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None:
        self._reachable()
        for player in players:
            if not player.listed:
                for held in self.boards.values():
                    held.pop(player.user_id, None)
                self.names.pop(player.user_id, None)
                continue
            boards = [ALLTIME, *(weekly(w) for w in player.weekly_xp)]
            if player.league_board is not None:
                boards.append(player.league_board)
            for board in boards:
                xp = player.listed_xp(board)
                expires = board_expiry(board)
                if xp is None or (expires is not None and expires <= now):
                    continue
                score = encode_score(xp, player.xp_at)
                held = self.boards.setdefault(board, {})
                held[player.user_id] = min(score, held.get(player.user_id, score))  # ZADD LT
            if player.display_name:
                self.names[player.user_id] = player.display_name
            else:
                self.names.pop(player.user_id, None)

    # -- reads ---------------------------------------------------------------------------------

    def page(self, board: str, offset: int, limit: int) -> Page:
        return self._slice(board, offset, offset + limit - 1)

    def around(self, board: str, user_id: str, radius: int) -> Page:
        ordered = self._ordered(board)
        position = next((i for i, (u, _) in enumerate(ordered) if u == user_id), None)
        if position is None:
            return Page(entries=[], total=len(ordered))
        return self._slice(board, max(0, position - radius), position + radius)

    def rank(self, board: str, user_id: str) -> int | None:
        ordered = self._ordered(board)
        held = dict(ordered)
        if user_id not in held:
            return None
        return sum(1 for _, xp in ordered if xp > held[user_id]) + 1

    def rank_of_xp(self, board: str, xp: int) -> int | None:
        if xp <= 0:
            return None
        return sum(1 for _, held in self._ordered(board) if held > xp) + 1

    def _slice(self, board: str, start: int, stop: int) -> Page:
        ordered = self._ordered(board)
        rows = ordered[start : stop + 1] if stop >= start else []
        if not rows:
            return Page(entries=[], total=len(ordered))
        higher = sum(1 for _, xp in ordered if xp > rows[0][1])
        ranks = competition_ranks([xp for _, xp in rows], start, higher)
        entries = [
            Entry(rank=r, user_id=u, xp=xp, display_name=self.names.get(u))
            for r, (u, xp) in zip(ranks, rows, strict=True)
        ]
        return Page(entries=entries, total=len(ordered))

    def scores_of(self, board: str, user_ids: Sequence[str]) -> dict[str, int | None]:
        self._reachable()
        held = self.boards.get(board, {})
        return {u: None if u not in held else decode_xp(held[u]) for u in user_ids}

    def size(self, board: str) -> int:
        self._reachable()
        return len(self.boards.get(board, {}))

    def complete(self, boards: Sequence[str]) -> dict[str, bool]:
        self._reachable()
        return {b: self.all_complete or marker_of(b) in self.markers for b in boards}

    # -- the reconciler's (services.reconciliation.Boards) --------------------------------------

    def rebuild(self, boards: Sequence[str], cohort_week: str, run: str) -> FakeRebuild:
        return FakeRebuild(self, boards, cohort_week, run)

    def stale(
        self, players: Sequence[PlayerScore], boards: Sequence[str], cohort_week: str, seen: str
    ) -> list[PlayerScore]:
        """Of ``players``, those held behind (missing or lower on one of ``boards`` or their
        cohort board of ``cohort_week``, held although unlisted, held with another name); every
        id goes into the set ``seen``."""
        self._reachable()
        self.sets.setdefault(seen, set()).update(p.user_id for p in players)
        prefix = league(f"{cohort_week}:")
        behind = []
        for player in players:
            checks = list(boards)
            cohort = player.league_board
            if cohort is not None and cohort.startswith(prefix):
                checks.append(cohort)
            lagging = any(
                _held_behind(player.listed_xp(b), self.boards.get(b, {}).get(player.user_id))
                for b in checks
            )
            renamed = self.names.get(player.user_id) != player.display_name
            if lagging or (player.listed and renamed):
                behind.append(player)
        return behind

    def unseen(self, board: str, seen: str, cursor: int, chunk: int) -> tuple[int, list[str]]:
        """Members of ``board`` not in the set ``seen``, ``chunk`` of them a step."""
        self._reachable()
        after, members = _scan(self.boards.get(board, {}), cursor, chunk)
        met = self.sets.get(seen, set())
        return after, [m for m in members if m not in met]

    def forget(self, key: str) -> None:
        self._reachable()
        self.sets.pop(key, None)

    def stamp(self, marker: str, generation: str, expire_at: datetime | None) -> None:
        self._reachable()
        self.markers[marker] = generation
        self.marker_expiry[marker] = expire_at

    def _ordered(self, board: str) -> list[tuple[str, int]]:
        """(member, XP) in the board's order; unavailable unless reachable and complete."""
        self._reachable()
        if not (self.all_complete or marker_of(board) in self.markers):
            raise LeaderboardUnavailableError(f"{board} is not complete")
        held = self.boards.get(board, {})
        return [(u, decode_xp(s)) for u, s in sorted(held.items(), key=lambda i: (i[1], i[0]))]

    def _reachable(self) -> None:
        if self.down:
            raise LeaderboardUnavailableError("the fake leaderboard is down")


class FakeRebuild:
    """``services.reconciliation.Rebuild``: one run's temporary boards, kept by the board fake
    under the run's name (a paused pass resumes them), swapped in with their markers."""

    def __init__(
        self, owner: FakeLeaderboard, boards: Sequence[str], cohort_week: str, run: str
    ) -> None:
        self._owner = owner
        self._boards = list(boards)
        self._prefix = league(f"{cohort_week}:")
        self._run = run

    def add(self, players: Sequence[PlayerScore]) -> PageCounts:
        """One page into the temporary boards, compared with the live ones: a player already
        in this run (read twice) counts once."""
        self._owner._reachable()
        counts = PageCounts()
        others, cohorts = self._set("others"), self._set("cohorts")
        for player in {p.user_id: p for p in players}.values():  # read twice: the later read
            user_id, counted = player.user_id, False
            for board in self._boards:
                xp = player.listed_xp(board)
                if xp is None:
                    continue
                already = user_id in self._temp(board)
                if not counted:
                    counts.players += not already
                    counted = True
                if already:
                    continue
                counts.members[board] = counts.members.get(board, 0) + 1
                held = self._owner.boards.get(board, {}).get(user_id)
                if held is None:
                    counts.added[board] = counts.added.get(board, 0) + 1
                elif decode_xp(held) != xp:
                    counts.changed[board] = counts.changed.get(board, 0) + 1
            if not counted:
                counts.players += user_id not in others
                others.add(user_id)
            for board in self._boards:
                if (xp := player.listed_xp(board)) is not None:
                    self._temp(board)[user_id] = encode_score(xp, player.xp_at)
            if player.listed and player.display_name:
                self._owner.names[user_id] = player.display_name
            elif player.listed:
                self._owner.names.pop(user_id, None)
            cohort = player.league_board
            if cohort is not None and cohort.startswith(self._prefix):
                xp = player.listed_xp(cohort)
                if xp is not None:
                    cohorts.add(cohort)
                    temp = self._temp(cohort)
                    counts.cohort_members += user_id not in temp
                    temp[user_id] = encode_score(xp, player.xp_at)
        return counts

    def strays(self, board: str, cursor: int, chunk: int) -> tuple[int, int, int]:
        self._owner._reachable()
        after, members = _scan(self._owner.boards.get(board, {}), cursor, chunk)
        built = self._owner.scratch.get(f"{self._run}:{board}", {})
        return after, sum(1 for m in members if m not in built), len(members)

    def swap(self, board: str, expire_at: datetime | None, generation: str | None) -> None:
        self._owner._reachable()
        built = self._owner.scratch.pop(f"{self._run}:{board}", {})
        if built:
            self._owner.boards[board] = built
        else:
            self._owner.boards.pop(board, None)
        if generation is not None:
            self._owner.markers[marker_of(board)] = generation
            self._owner.marker_expiry[marker_of(board)] = expire_at

    def swap_cohorts(self) -> int:
        self._owner._reachable()
        cohorts = self._set("cohorts")
        for cohort in cohorts:
            self._owner.boards[cohort] = self._owner.scratch.pop(f"{self._run}:{cohort}", {})
        return len(cohorts)

    def drop_from_cohorts(self, user_ids: Sequence[str]) -> None:
        self._owner._reachable()
        for cohort in self._set("cohorts"):
            for user_id in user_ids:
                self._owner.boards.get(cohort, {}).pop(user_id, None)

    def finish(self) -> None:
        self._owner._reachable()
        for name in ("others", "cohorts"):
            self._owner.sets.pop(f"{self._run}:{name}", None)

    def _temp(self, board: str) -> dict[str, int]:
        return self._owner.scratch.setdefault(f"{self._run}:{board}", {})

    def _set(self, name: str) -> set[str]:
        return self._owner.sets.setdefault(f"{self._run}:{name}", set())


def marker_of(board: str) -> str:
    """The board's generation marker's name: a week's cohort boards share one."""
    return leagues_marker(league_week(board)) if board.startswith(LEAGUE_PREFIX) else board


def decode_xp(score: int) -> int:
    return -score // SCALE


def _held_behind(truth: int | None, held: int | None) -> bool:
    if truth is None:
        return held is not None
    return held is None or decode_xp(held) < truth


def _scan(board: dict[str, int], cursor: int, chunk: int) -> tuple[int, list[str]]:
    members = sorted(board)[cursor : cursor + chunk]
    after = cursor + chunk
    return (after if after < len(board) else 0), members


class FakeSnapshots:
    def __init__(self) -> None:
        self.saved: dict[str, Snapshot] = {}

    def save(self, snapshot: Snapshot) -> None:
        self.saved[snapshot.board] = snapshot

    def load(self, board: str) -> Snapshot | None:
        return self.saved.get(board)


class FakeFriendScores:
    """``services.friend_board.MemberScores`` over a ``FakeLeaderboard`` (real:
    ``adapters.friend_scores.FriendScores``; contract: tests/adapters/contracts/
    test_friend_scores.py)."""

    def __init__(self, board: FakeLeaderboard) -> None:
        self.board = board

    def scores(self, board: str, user_ids: Sequence[str]) -> list[Scored]:
        self.board._ordered(board)  # reachable and complete, or the same errors
        held = self.board.boards.get(board, {})
        return [
            Scored(u, held[u], self.board.names.get(u))
            for u in dict.fromkeys(user_ids)
            if u in held
        ]

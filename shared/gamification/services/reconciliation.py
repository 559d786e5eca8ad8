"""Leaderboard reconciliation: DynamoDB is the truth, Redis a cache rebuilt from it.

A run streams the player index a page at a time (memory bounded by a page, never by the
population): each page goes into temporary boards and is compared with the live ones (exact
drift), while a heap of N per board keeps the top-N snapshots the API serves while Redis is down
(written from the truth, so they stay fresh even when Redis is not). The boards are then
swapped in atomically. Scores committed while the rebuild ran would be overwritten by the swap,
so a second streaming read re-publishes every player the boards hold behind the truth
(``ZADD GT``, which never lowers a score), and takes off the members it did not meet that are
gone from the index (erased meanwhile).

Each swap stamps the board's generation marker, which is what makes the board servable as
fresh (see ``gamification.adapters.leaderboard``). Next week's board is stamped ahead of time,
so the weekly board is complete from the week's first activity on. ``check`` is the cheap test a
one-minute schedule runs: when a marker is gone, the full rebuild starts at once.

The full pass costs a read of every player, so it runs daily; between passes ``sample`` measures
drift on a bounded random sample of the index (one page, compared with ``ZMSCORE``), starts the
full pass when the sample's drift rate reaches a threshold, and otherwise refreshes the snapshots
from the boards' own top N: the board is then complete (its marker) and found in step.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from gamification.adapters.leaderboard import (
    ALLTIME,
    REBUILD_PAGE,
    BoardIncompleteError,
    BoardRebuild,
    Entry,
    Leaderboard,
    LeaderboardUnavailableError,
    PageCounts,
    PlayerScore,
    encode_score,
    leagues_marker,
    weekly,
    weekly_expiry,
)
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.player_score import LEAGUE_PREFIX, league
from gamification.adapters.snapshot_repository import Snapshot, SnapshotRepository
from gamification.domain.periods import iso_week
from gamification.domain.ranking import competition_ranks


@dataclass(frozen=True, slots=True)
class Drift:
    """How the cached board differed from the truth before the rebuild."""

    added: int = 0
    """Players missing from the cache."""
    removed: int = 0
    """Members the cache held that the truth does not (strays)."""
    changed: int = 0
    """Players whose cached XP was wrong."""

    @property
    def total(self) -> int:
        return self.added + self.removed + self.changed


def measure_drift(cached: Mapping[str, int], truth: Mapping[str, int]) -> Drift:
    return Drift(
        added=len(truth.keys() - cached.keys()),
        removed=len(cached.keys() - truth.keys()),
        changed=sum(1 for u in truth.keys() & cached.keys() if truth[u] != cached[u]),
    )


def board_truth(players: Iterable[PlayerScore], board: str) -> dict[str, int]:
    """Member -> XP the board must hold (players without XP on it are not members)."""
    return {p.user_id: xp for p in players if (xp := p.listed_xp(board)) is not None}


def top_entries(players: Iterable[PlayerScore], board: str, size: int) -> list[Entry]:
    """The first ``size`` entries, in the order and with the ``RANK()`` the board serves.

    Same order as the sorted set read backwards: composite score (XP, then earlier achiever),
    then member descending for the rare exact tie.
    """
    ranked = sorted(
        (
            (encode_score(xp, p.xp_at), p.user_id, xp, p.display_name)
            for p in players
            if (xp := p.listed_xp(board)) is not None
        ),
        reverse=True,
    )[:size]
    ranks = competition_ranks([xp for _, _, xp, _ in ranked], 0, 0)
    return [
        Entry(rank=rank, user_id=user_id, xp=xp, display_name=name)
        for rank, (_, user_id, xp, name) in zip(ranks, ranked, strict=True)
    ]


def sampled_drift(
    players: Sequence[PlayerScore], board: str, cached: Mapping[str, int | None]
) -> Drift:
    """Drift of ``board`` among the sampled ``players`` (a sampled unlisted player still on the
    board is a stray; strays outside the sample are found by the full pass only)."""
    added = removed = changed = 0
    for player in players:
        truth, held = player.listed_xp(board), cached.get(player.user_id)
        if truth is not None and held is None:
            added += 1
        elif truth is None and held is not None:
            removed += 1
        elif truth != held:
            changed += 1
    return Drift(added=added, removed=removed, changed=changed)


@dataclass(frozen=True, slots=True)
class DriftSample:
    """What the sampled check compared and found."""

    size: int
    """Players read from the index."""
    in_flight: int
    """Of them, players whose XP changed within the grace period (the projector may not have
    caught up yet): not compared."""
    drifted: int
    """Compared players wrong on at least one board."""
    boards: dict[str, Drift] = field(default_factory=dict)

    @property
    def compared(self) -> int:
        return self.size - self.in_flight

    @property
    def rate(self) -> float:
        """The estimated share of players the cache holds wrongly."""
        return self.drifted / self.compared if self.compared else 0.0


@dataclass(frozen=True, slots=True)
class BoardResult:
    board: str
    members: int
    drift: Drift
    was_empty: bool


@dataclass
class ReconciliationReport:
    now: datetime
    players: int = 0
    rebuilt: bool = False
    boards: list[BoardResult] = field(default_factory=list)
    late_updates: int = 0
    """Players the catch-up read found the swapped boards holding behind the truth (a score
    committed, a player hidden or renamed while the pass ran: re-published), plus board members
    that read did not meet (erased meanwhile: removed; joined after the read passed them:
    published)."""
    incomplete: list[str] = field(default_factory=list)
    """Boards the cheap check found without their generation marker (it then rebuilt them)."""
    cache_reachable: bool = True
    cohort_boards: int = 0
    """League cohort boards of the current week rebuilt (together, under one marker)."""
    cohort_members: int = 0
    sample: DriftSample | None = None
    """The sampled check's findings (``sample`` only; a rebuild it started is in ``boards``)."""
    snapshots_from_cache: bool = False
    """The sampled check refreshed the snapshots from the complete boards' top N."""

    @property
    def empty_cache_rebuilt(self) -> bool:
        """The all-time board was empty although players exist (e.g. a replaced cache node)."""
        return any(b.board == ALLTIME and b.was_empty and b.members for b in self.boards)

    def summary(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "players": self.players,
            "rebuilt": self.rebuilt,
            "empty_cache_rebuilt": self.empty_cache_rebuilt,
            "late_updates": self.late_updates,
            "incomplete": self.incomplete,
            "cache_reachable": self.cache_reachable,
            "cohorts": {"boards": self.cohort_boards, "members": self.cohort_members},
            **({"sample": self._sample_summary()} if self.sample else {}),
            "snapshots_from_cache": self.snapshots_from_cache,
            "boards": {
                b.board: {
                    "members": b.members,
                    "added": b.drift.added,
                    "removed": b.drift.removed,
                    "changed": b.drift.changed,
                }
                for b in self.boards
            },
        }

    def _sample_summary(self) -> dict[str, Any]:
        assert self.sample is not None
        return {
            "size": self.sample.size,
            "in_flight": self.sample.in_flight,
            "drifted": self.sample.drifted,
            "rate": self.sample.rate,
            "boards": {
                board: {"added": d.added, "removed": d.removed, "changed": d.changed}
                for board, d in self.sample.boards.items()
            },
        }


class LeaderboardReconciler:
    def __init__(
        self,
        directory: PlayerDirectory,
        leaderboard: Leaderboard,
        snapshots: SnapshotRepository,
        snapshot_size: int = 100,
        *,
        sample_size: int = 1000,
        drift_threshold: float = 0.005,
        in_flight: timedelta = timedelta(minutes=5),
        rng: random.Random | None = None,
    ) -> None:
        self._directory = directory
        self._leaderboard = leaderboard
        self._snapshots = snapshots
        self._snapshot_size = snapshot_size
        self._sample_size = sample_size
        self._drift_threshold = drift_threshold
        """The sampled drift rate at which ``sample`` starts the full pass (0.5 %: 5 players
        of a 1,000 sample; at a true rate of 1 % one check triggers with ≈ 97 % probability)."""
        self._in_flight = in_flight
        self._rng = rng or random.Random()  # noqa: S311 (a statistical sample, not a secret)

    def reconcile(self, now: datetime) -> ReconciliationReport:
        """Snapshot, measure drift, rebuild and swap the boards, then catch up late writes.

        Streamed: the index is read a page at a time (``REBUILD_PAGE`` players) into the
        temporary boards, so memory is bounded by a page and the snapshots' top N, never by
        the population.
        """
        report = ReconciliationReport(now=now, rebuilt=True)
        week, next_week = iso_week(now), iso_week(now + timedelta(days=7))
        boards = {ALLTIME: None, weekly(week): weekly_expiry(week)}
        generation = f"{now.isoformat()}/{uuid4().hex[:8]}"
        rebuild = self._leaderboard.rebuild([*boards, weekly(next_week)], cohort_week=week)
        tops = {board: TopN(board, self._snapshot_size) for board in boards}
        found = PageCounts()
        failure: LeaderboardUnavailableError | None = None
        for page in pages(self._directory.players()):
            for top in tops.values():
                top.offer(page)
            if failure is None:
                try:
                    _merge(found, rebuild.add(page))
                except LeaderboardUnavailableError as error:
                    failure = error  # the snapshots are still written from the truth
        if failure is not None:
            self._save_tops(tops, {b: t.listed for b, t in tops.items()}, now)
            raise failure
        report.players = found.players
        self._save_tops(tops, {b: found.members.get(b, 0) for b in boards}, now)
        for board, expire_at in boards.items():
            removed, held = rebuild.strays(board)
            drift = Drift(
                added=found.added.get(board, 0),
                removed=removed,
                changed=found.changed.get(board, 0),
            )
            rebuild.swap(board, expire_at, generation)
            report.boards.append(BoardResult(board, found.members.get(board, 0), drift, not held))
        # Nobody has XP in a week that has not started: stamping it now keeps it complete.
        rebuild.swap(weekly(next_week), weekly_expiry(next_week), generation)
        report.cohort_boards = rebuild.swap_cohorts()
        report.cohort_members = found.cohort_members
        self._leaderboard.stamp(leagues_marker(week), generation, weekly_expiry(week))
        self._leaderboard.stamp(leagues_marker(next_week), generation, weekly_expiry(next_week))
        report.late_updates = self._catch_up(now, rebuild, [*boards, weekly(next_week)], week)
        rebuild.finish()
        return report

    def _catch_up(
        self, now: datetime, rebuild: BoardRebuild, boards: Sequence[str], week: str
    ) -> int:
        """A second streaming read of the index puts back what the swap rolled back: every
        player the boards now hold behind the truth (a score committed meanwhile, a player
        hidden meanwhile, a new name) is re-published (``ZADD GT``, or taken off when
        unlisted). Members of the all-time board that read did not meet are looked up one by
        one: gone from the index (erased meanwhile) they are taken off every board, present
        (they joined after the read passed them) they are published. Returns how many players
        were fixed; when any, the snapshots are written again from that read."""
        seen = f"{uuid4().hex}:seen"
        tops = {board: TopN(board, self._snapshot_size) for board in boards[:2]}
        late = 0
        for page in pages(self._directory.players()):
            for top in tops.values():
                top.offer(page)
            behind = self._leaderboard.stale(page, boards, week, seen)
            if behind:
                self._leaderboard.publish(behind, now)
                late += len(behind)
        for ids in self._leaderboard.unseen(ALLTIME, seen):
            if not ids:
                continue
            present = self._directory.lookup(ids)
            gone = [u for u in ids if u not in present]
            self._leaderboard.publish(
                [
                    *present.values(),
                    *(PlayerScore(user_id=u, xp=0, xp_at=None, listed=False) for u in gone),
                ],
                now,
            )
            rebuild.drop_from_cohorts(gone)
            late += len(ids)
        self._leaderboard.forget(seen)
        if late:
            # A player erased or hidden meanwhile (whose snapshots the eraser may already have
            # scrubbed) must not stay in them.
            self._save_tops(tops, {b: self._leaderboard.size(b) for b in tops}, now)
        return late

    def _save_tops(
        self, tops: Mapping[str, TopN], totals: Mapping[str, int], now: datetime
    ) -> None:
        for board, top in tops.items():
            self._snapshots.save(
                Snapshot(board=board, taken_at=now, entries=top.entries(), total=totals[board])
            )

    def check(self, now: datetime) -> ReconciliationReport:
        """The cheap check (three EXISTS: all-time, weekly, the week's cohorts): rebuild at once
        when a served board is incomplete.

        Redis being unreachable is not a failure of this job: reads already fall back, and the
        next minute's check rebuilds once it answers again.
        """
        try:
            incomplete = self._incomplete(now)
        except LeaderboardUnavailableError:
            return ReconciliationReport(now=now, cache_reachable=False)
        if not incomplete:
            return ReconciliationReport(now=now)
        report = self.reconcile(now)
        report.incomplete = incomplete
        return report

    def sample(self, now: datetime) -> ReconciliationReport:
        """The frequent drift check, at a cost that does not grow with the players: the markers
        (as ``check``), then up to ``sample_size`` players from a random point of the index,
        compared with the all-time and the current weekly board (one ``ZMSCORE`` each).

        At a drift rate of ``drift_threshold`` or more the full pass runs at once. With no drift
        found, the snapshots are refreshed from each board's top N, read by the script that
        refuses a board without its marker: only a complete board, just found in step, feeds
        them (a board that lost its marker meanwhile keeps its older snapshot, marked with its
        time).
        """
        week = iso_week(now)
        try:
            incomplete = self._incomplete(now)
            if incomplete:
                report = self.reconcile(now)
                report.incomplete = incomplete
                return report
            players = self._directory.sample(self._sample_size, self._rng)
            settled = [p for p in players if p.xp_at is None or p.xp_at <= now - self._in_flight]
            boards = [ALLTIME, weekly(week)]
            ids = [p.user_id for p in settled]
            cached = {board: self._leaderboard.scores_of(board, ids) for board in boards}
        except LeaderboardUnavailableError:
            return ReconciliationReport(now=now, cache_reachable=False)
        drifted = sum(
            1
            for p in settled
            if any(p.listed_xp(board) != cached[board].get(p.user_id) for board in boards)
        )
        found = DriftSample(
            size=len(players),
            in_flight=len(players) - len(settled),
            drifted=drifted,
            boards={board: sampled_drift(settled, board, cached[board]) for board in boards},
        )
        if drifted and found.rate >= self._drift_threshold:
            report = self.reconcile(now)
            report.sample = found
            return report
        report = ReconciliationReport(now=now, sample=found)
        if not drifted:  # a little drift (below the threshold) keeps the older snapshots
            report.snapshots_from_cache = self._snapshots_from_cache(boards, now)
        return report

    def _snapshots_from_cache(self, boards: Sequence[str], now: datetime) -> bool:
        """Each board's top N from the cache, as its snapshot (``False`` if any was refused)."""
        refreshed = True
        for board in boards:
            try:
                page = self._leaderboard.page(board, 0, self._snapshot_size)
            except (BoardIncompleteError, LeaderboardUnavailableError):
                refreshed = False
                continue
            self._snapshots.save(
                Snapshot(board=board, taken_at=now, entries=page.entries, total=page.total)
            )
        return refreshed

    def _incomplete(self, now: datetime) -> list[str]:
        """The served boards whose marker is gone (three ``EXISTS``, one round trip)."""
        boards = [ALLTIME, weekly(iso_week(now)), league(f"{iso_week(now)}:0:0")]
        complete = self._leaderboard.complete(boards)
        return [
            leagues_marker(iso_week(now)) if board.startswith(LEAGUE_PREFIX) else board
            for board in boards
            if not complete[board]
        ]


def pages(players: Iterable[PlayerScore], size: int = REBUILD_PAGE) -> Iterator[list[PlayerScore]]:
    """``players`` a page at a time: what one round trip to Redis carries."""
    page: list[PlayerScore] = []
    for player in players:
        page.append(player)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def _merge(total: PageCounts, page: PageCounts) -> None:
    total.players += page.players
    total.cohort_members += page.cohort_members
    for mine, theirs in (
        (total.members, page.members),
        (total.added, page.added),
        (total.changed, page.changed),
    ):
        for board, count in theirs.items():
            mine[board] = mine.get(board, 0) + count


class TopN:
    """A board's first ``size`` entries while the truth streams by: a heap of ``size``, so the
    snapshot needs no population in memory. A player read twice (re-keyed mid-walk) counts by
    the later read."""

    def __init__(self, board: str, size: int) -> None:
        self._board = board
        self._size = size
        self._heap: list[tuple[int, str, int, str | None]] = []
        self._ids: set[str] = set()
        self.listed = 0
        """Members read (the snapshot's total if Redis cannot count them)."""

    def offer(self, players: Iterable[PlayerScore]) -> None:
        for player in players:
            if player.user_id in self._ids:
                self._heap = [e for e in self._heap if e[1] != player.user_id]
                heapq.heapify(self._heap)
                self._ids.discard(player.user_id)
            xp = player.listed_xp(self._board)
            if xp is None or self._size <= 0:
                continue
            self.listed += 1
            entry = (encode_score(xp, player.xp_at), player.user_id, xp, player.display_name)
            if len(self._heap) < self._size:
                heapq.heappush(self._heap, entry)
            elif entry[:2] > self._heap[0][:2]:
                self._ids.discard(heapq.heapreplace(self._heap, entry)[1])
            else:
                continue
            self._ids.add(player.user_id)

    def entries(self) -> list[Entry]:
        """Same order and ranks as ``top_entries``."""
        ranked = sorted(self._heap, key=lambda e: e[:2], reverse=True)
        ranks = competition_ranks([xp for _, _, xp, _ in ranked], 0, 0)
        return [
            Entry(rank=rank, user_id=user_id, xp=xp, display_name=name)
            for rank, (_, user_id, xp, name) in zip(ranks, ranked, strict=True)
        ]

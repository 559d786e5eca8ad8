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

One full pass runs at a time (a lease in Redis, ``RebuildLease``), cut into units (a page of
either read, a few ``ZSCAN`` steps, the swap) after each of which it saves its progress
(``PassState``) and may stop: at ten million players a pass spans two invocations, and any
later run (the one-minute ``check`` first) resumes a paused pass before anything else.
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from gamification.adapters import keys
from gamification.adapters.board_schema import ABANDONED_REBUILD_TTL
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
    board_expiry,
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

if TYPE_CHECKING:
    from gamification.adapters.rebuild_lease import RebuildLease

BUILD, STRAYS, SWAP, CATCH_UP, UNSEEN = "build", "strays", "swap", "catch_up", "unseen"
"""The phases of a full pass, in order: what a paused pass resumes at."""
NONE, DONE, PAUSED, IN_PROGRESS, LOST = "none", "done", "paused", "in_progress", "lost"
"""What a run did with the full pass (the summary's ``rebuild``): ran none, finished one,
paused one (to be resumed by the next run), found one running (holding the lease: left alone),
lost its lease mid-way (it stalled past the expiry; the next holder resumes)."""
SCAN_CHUNKS = 50
"""``ZSCAN`` steps (of a page each) per unit of the strays and catch-up scans: ≈ 50,000
members, ≈ 0.3 s (measured: 6 s per million members), one progress save each."""
MAX_BUILD = timedelta(seconds=ABANDONED_REBUILD_TTL) - timedelta(minutes=5)
"""A build older than this is started over: a temporary cohort board written once, early,
expires an hour after that write."""


class LeaseLostError(Exception):
    """Another run took the lease over (this one stalled past its expiry): stop at once."""


def _never() -> bool:
    return False


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
    rebuild: str = NONE
    """What this run did with the full pass: ``none``, ``done``, ``paused``, ``in_progress``
    (another run holds the lease: none started) or ``lost`` (see ``NONE`` .. ``LOST``)."""
    resumed: bool = False
    """This run resumed a pass paused by an earlier run."""
    units: int = 0
    """Units of the pass this run did (pages of either read, the swap)."""
    phase: str | None = None
    """Where the paused (or lost) pass stands."""
    pass_started: datetime | None = None
    """When the pass this run worked on started (its boards' and snapshots' time)."""
    invocations: int = 0
    """Runs the pass has taken so far, this one included."""

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
            "rebuild": self.rebuild,
            **({"pass": self._pass_summary()} if self.rebuild != NONE else {}),
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

    def _pass_summary(self) -> dict[str, Any]:
        return {
            "resumed": self.resumed,
            "units": self.units,
            "phase": self.phase,
            "started": None if self.pass_started is None else self.pass_started.isoformat(),
            "invocations": self.invocations,
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


@dataclass
class PassState:
    """A full pass's progress: what a paused pass saves (as JSON, next to its temporary keys)
    and the next run resumes from. Bounded: two heaps of the snapshot size, a few counters a
    board, one GSI2 cursor (≈ 20 KB at N = 100)."""

    run: str
    """The name of the pass's temporary keys."""
    started: datetime
    """The pass's clock: its week, its snapshots' time."""
    generation: str
    tops: dict[str, TopN]
    """The current read's heaps (first read: the snapshots; catch-up: their rewrite)."""
    phase: str = BUILD
    shard: int = 0
    position: str | None = None
    """The current read's GSI2 cursor: the shard, and the page key to read after."""
    found: PageCounts = field(default_factory=PageCounts)
    board: int = 0
    """The served board whose strays are being counted (an index into ``served``)."""
    cursor: int = 0
    """The current ``ZSCAN``'s cursor (strays, then the members the catch-up did not meet)."""
    removed: dict[str, int] = field(default_factory=dict)
    """Board -> live members the rebuild lacks (strays) so far."""
    held: dict[str, int] = field(default_factory=dict)
    """Board -> live members scanned so far."""
    results: list[BoardResult] = field(default_factory=list)
    cohort_boards: int = 0
    late: int = 0
    invocations: int = 1
    stream: Iterator[list[PlayerScore]] | None = None
    """Without a lease: the directory's one stream (never saved)."""
    failure: LeaderboardUnavailableError | None = None
    """Redis failed mid-read: the read goes on for the snapshots only (never saved)."""

    @property
    def week(self) -> str:
        return iso_week(self.started)

    @property
    def next_week(self) -> str:
        return iso_week(self.started + timedelta(days=7))

    @property
    def served(self) -> list[str]:
        """The boards whose drift is measured and whose snapshots are written."""
        return [ALLTIME, weekly(self.week)]

    @property
    def boards(self) -> list[str]:
        return [ALLTIME, weekly(self.week), weekly(self.next_week)]

    @property
    def seen(self) -> str:
        """The catch-up read's set of ids (a temporary key of the run)."""
        return f"{self.run}:seen"

    def dumps(self) -> str:
        found = self.found
        return json.dumps(
            {
                "v": 1,
                "run": self.run,
                "started": self.started.isoformat(),
                "generation": self.generation,
                "phase": self.phase,
                "shard": self.shard,
                "position": self.position,
                "found": {
                    "players": found.players,
                    "members": found.members,
                    "added": found.added,
                    "changed": found.changed,
                    "cohort_members": found.cohort_members,
                },
                "tops": {board: top.state() for board, top in self.tops.items()},
                "board": self.board,
                "cursor": self.cursor,
                "removed": self.removed,
                "held": self.held,
                "results": [
                    [
                        r.board,
                        r.members,
                        r.drift.added,
                        r.drift.removed,
                        r.drift.changed,
                        r.was_empty,
                    ]
                    for r in self.results
                ],
                "cohort_boards": self.cohort_boards,
                "late": self.late,
                "invocations": self.invocations,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, raw: str, snapshot_size: int) -> PassState | None:
        """The saved pass, one more run taken (``None``: unreadable, e.g. an older format)."""
        try:
            data = json.loads(raw)
            if data.get("v") != 1:
                return None
            found = data["found"]
            return cls(
                run=data["run"],
                started=datetime.fromisoformat(data["started"]),
                generation=data["generation"],
                tops={
                    board: TopN.restore(board, snapshot_size, top)
                    for board, top in data["tops"].items()
                },
                phase=data["phase"],
                shard=data["shard"],
                position=data["position"],
                found=PageCounts(
                    players=found["players"],
                    members=found["members"],
                    added=found["added"],
                    changed=found["changed"],
                    cohort_members=found["cohort_members"],
                ),
                board=data["board"],
                cursor=data["cursor"],
                removed=data["removed"],
                held=data["held"],
                results=[
                    BoardResult(board, members, Drift(added, removed, changed), was_empty)
                    for board, members, added, removed, changed, was_empty in data["results"]
                ],
                cohort_boards=data["cohort_boards"],
                late=data["late"],
                invocations=data["invocations"] + 1,
            )
        except (ValueError, KeyError, TypeError):
            return None


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
        lease: RebuildLease | None = None,
        page_size: int = REBUILD_PAGE,
        scan_chunks: int = SCAN_CHUNKS,
    ) -> None:
        self._directory = directory
        self._lease = lease
        """At most one full pass at a time, resumable (``None``: each pass runs to its end)."""
        self._page_size = page_size
        """Players per page of a resumable read (GSI2 query limit), members per ``ZSCAN`` step."""
        self._scan_chunks = scan_chunks
        self._leaderboard = leaderboard
        self._snapshots = snapshots
        self._snapshot_size = snapshot_size
        self._sample_size = sample_size
        self._drift_threshold = drift_threshold
        """The sampled drift rate at which ``sample`` starts the full pass (0.5 %: 5 players
        of a 1,000 sample; at a true rate of 1 % one check triggers with ≈ 97 % probability)."""
        self._in_flight = in_flight
        self._rng = rng or random.Random()  # noqa: S311 (a statistical sample, not a secret)

    def reconcile(
        self, now: datetime, should_stop: Callable[[], bool] | None = None
    ) -> ReconciliationReport:
        """Snapshot, measure drift, rebuild and swap the boards, then catch up late writes.

        Streamed: the index is read a page at a time (``REBUILD_PAGE`` players) into the
        temporary boards, so memory is bounded by a page and the snapshots' top N, never by
        the population. With a lease (production), at most one pass runs: a pass paused
        earlier is resumed (whoever started it), a pass that holds the lease is left alone
        (``rebuild: in_progress``), and ``should_stop`` (asked after every unit) pauses this
        one, its progress saved for the next run.
        """
        report = self._full(now, should_stop, start=True)
        assert report is not None
        return report

    def _full(
        self, now: datetime, should_stop: Callable[[], bool] | None, *, start: bool
    ) -> ReconciliationReport | None:
        """Resume the paused pass, else (``start``) begin one; ``None``: nothing to resume and
        nothing to start."""
        report = ReconciliationReport(now=now)
        if self._lease is None:  # no lease (the benchmarks' fakes): one pass, to the end
            state = self._fresh(now)
            self._advance(state, _never, None, report)
            return self._done(state, report)
        try:
            token = self._lease.acquire()
        except LeaderboardUnavailableError as error:
            if not start:
                raise
            # Redis is down: the read still writes the snapshots from the truth if it can
            # finish in this run (it cannot save progress), then the pass fails.
            state = self._fresh(now)
            state.failure = error
            self._advance(state, should_stop or _never, None, report)
            raise error from None
        if token is None:
            report.rebuild = IN_PROGRESS
            return report
        try:
            saved = self._resumable(self._lease.progress(), now)
        except LeaderboardUnavailableError:
            self._lease.release(token)
            raise
        if saved is None and not start:
            self._lease.release(token)
            return None
        state = saved or self._fresh(now)
        report.resumed = saved is not None
        try:
            done = self._advance(state, should_stop or _never, token, report)
        except LeaseLostError:
            report.rebuild = LOST
            report.phase = state.phase
            return report
        if not done:
            if state.failure is not None:  # Redis failed mid-read: nothing can be saved
                raise state.failure
            self._lease.release(token, state.dumps())
            report.rebuild = PAUSED
            report.phase = state.phase
            report.pass_started = state.started
            report.invocations = state.invocations
            return report
        self._lease.release(token)
        return self._done(state, report)

    def _done(self, state: PassState, report: ReconciliationReport) -> ReconciliationReport:
        report.rebuild = DONE
        report.rebuilt = True
        report.players = state.found.players
        report.boards = list(state.results)
        report.cohort_boards = state.cohort_boards
        report.cohort_members = state.found.cohort_members
        report.late_updates = state.late
        report.pass_started = state.started
        report.invocations = state.invocations
        return report

    def _fresh(self, now: datetime) -> PassState:
        week = iso_week(now)
        return PassState(
            run=uuid4().hex,
            started=now,
            generation=f"{now.isoformat()}/{uuid4().hex[:8]}",
            tops=self._tops(week),
        )

    def _tops(self, week: str) -> dict[str, TopN]:
        return {board: TopN(board, self._snapshot_size) for board in (ALLTIME, weekly(week))}

    def _resumable(self, saved: str | None, now: datetime) -> PassState | None:
        """The saved pass, if it can still finish: one not yet swapped in is dropped when the
        week turned meanwhile (it would swap in last week's boards and empty this week's) or
        when it is older than its oldest temporary key may be (a cohort board written once, an
        hour ago, may be gone); its keys expire on their own."""
        state = None if saved is None else PassState.loads(saved, self._snapshot_size)
        if state is None or state.phase not in (BUILD, STRAYS, SWAP):
            return state  # swapped in: only the catch-up is left
        if iso_week(now) != state.week or now - state.started > MAX_BUILD:
            return None
        return state

    def _advance(
        self,
        state: PassState,
        should_stop: Callable[[], bool],
        token: str | None,
        report: ReconciliationReport,
    ) -> bool:
        """Run the pass from ``state`` until it is done (``True``) or ``should_stop`` says so
        after a unit of work (``False``; at least one unit runs, so every run moves on). A
        unit is a page of a read, ``scan_chunks`` steps of a ``ZSCAN`` (strays; the members
        the catch-up did not meet) or the swap; the progress is saved after each."""
        rebuild = self._leaderboard.rebuild(state.boards, cohort_week=state.week, run=state.run)
        worked = False
        while True:
            if worked and should_stop():
                return False
            if state.phase == BUILD:
                worked = self._build_page(state, rebuild)
            elif state.phase == STRAYS:
                self._strays(state, rebuild)
                worked = True
            elif state.phase == SWAP:
                self._swap(state, rebuild)
                worked = True
            elif state.phase == CATCH_UP:
                worked = self._catch_up_page(state)
            elif self._unseen(state, rebuild):
                rebuild.finish()
                report.units += 1
                return True
            else:
                worked = True
            if worked:
                report.units += 1
                if token is not None and state.failure is None:
                    assert self._lease is not None
                    if not self._lease.checkpoint(token, state.dumps()):
                        raise LeaseLostError

    def _next_page(self, state: PassState) -> list[PlayerScore] | None:
        """The next page of the current read (``None``: the read is over), the cursor moved
        past it. Without a lease the directory's own stream is read (one run, no cursor)."""
        if self._lease is None or state.stream is not None:
            if state.stream is None:
                state.stream = pages(self._directory.players())
            return next(state.stream, None)
        if state.shard >= keys.PLAYER_SHARDS:
            return None
        page = self._directory.page(state.shard, state.position, self._page_size)
        state.position = page.next_key
        if page.next_key is None:
            state.shard, state.position = state.shard + 1, None
        return page.players

    def _build_page(self, state: PassState, rebuild: BoardRebuild) -> bool:
        """One page into the temporary boards and the heaps (``False``: the read was over)."""
        page = self._next_page(state)
        if page is None:
            if state.failure is not None:
                self._save_tops(state.tops, {b: t.listed for b, t in state.tops.items()}, state)
                raise state.failure
            state.phase, state.shard, state.position, state.stream = STRAYS, 0, None, None
            return False
        for top in state.tops.values():
            top.offer(page)
        if state.failure is None:
            try:
                _merge(state.found, rebuild.add(page))
            except LeaderboardUnavailableError as error:
                state.failure = error  # the snapshots are still written from the truth
        return True

    def _strays(self, state: PassState, rebuild: BoardRebuild) -> None:
        """Count strays (live members the rebuild lacks), ``scan_chunks`` steps of the served
        boards' ``ZSCAN`` at a time."""
        board = state.served[state.board]
        for _ in range(self._scan_chunks):
            state.cursor, strays, held = rebuild.strays(board, state.cursor, self._page_size)
            state.removed[board] = state.removed.get(board, 0) + strays
            state.held[board] = state.held.get(board, 0) + held
            if state.cursor == 0:  # this board's scan is over
                state.board += 1
                if state.board == len(state.served):
                    state.phase = SWAP
                return

    def _swap(self, state: PassState, rebuild: BoardRebuild) -> None:
        """Snapshots from the first read, then every board swapped in and stamped."""
        found = state.found
        self._save_tops(state.tops, {b: found.members.get(b, 0) for b in state.tops}, state)
        for board in state.served:
            drift = Drift(
                added=found.added.get(board, 0),
                removed=state.removed.get(board, 0),
                changed=found.changed.get(board, 0),
            )
            rebuild.swap(board, board_expiry(board), state.generation)
            was_empty = not state.held.get(board, 0)
            state.results.append(BoardResult(board, found.members.get(board, 0), drift, was_empty))
        # Nobody has XP in a week that has not started: stamping it now keeps it complete.
        next_week = state.next_week
        rebuild.swap(weekly(next_week), weekly_expiry(next_week), state.generation)
        state.cohort_boards = rebuild.swap_cohorts()
        self._leaderboard.stamp(
            leagues_marker(state.week), state.generation, weekly_expiry(state.week)
        )
        self._leaderboard.stamp(
            leagues_marker(next_week), state.generation, weekly_expiry(next_week)
        )
        state.phase, state.tops, state.cursor = CATCH_UP, self._tops(state.week), 0

    def _catch_up_page(self, state: PassState) -> bool:
        """A second streaming read of the index puts back what the swap rolled back: every
        player the boards now hold behind the truth (a score committed meanwhile, a player
        hidden meanwhile, a new name) is re-published (``ZADD GT``, or taken off when
        unlisted). Every id read goes into a temporary set (``seen``). ``False``: the read
        was over."""
        page = self._next_page(state)
        if page is None:
            state.phase, state.shard, state.position, state.stream = UNSEEN, 0, None, None
            return False
        for top in state.tops.values():
            top.offer(page)
        behind = self._leaderboard.stale(page, state.boards, state.week, state.seen)
        if behind:
            self._leaderboard.publish(behind, state.started)
            state.late += len(behind)
        return True

    def _unseen(self, state: PassState, rebuild: BoardRebuild) -> bool:
        """Members of the all-time board the catch-up read did not meet (``scan_chunks`` steps
        of its ``ZSCAN`` at a time, ``True`` once over) are looked up one by one: gone from
        the index (erased meanwhile) they are taken off every board, present (they joined
        after the read passed them) they are published. When the catch-up fixed any player,
        the snapshots are written again from its read."""
        for _ in range(self._scan_chunks):
            state.cursor, ids = self._leaderboard.unseen(
                ALLTIME, state.seen, state.cursor, self._page_size
            )
            if ids:
                present = self._directory.lookup(ids)
                gone = [u for u in ids if u not in present]
                self._leaderboard.publish(
                    [
                        *present.values(),
                        *(PlayerScore(user_id=u, xp=0, xp_at=None, listed=False) for u in gone),
                    ],
                    state.started,
                )
                rebuild.drop_from_cohorts(gone)
                state.late += len(ids)
            if state.cursor == 0:
                break
        else:
            return False
        self._leaderboard.forget(state.seen)
        if state.late:
            # A player erased or hidden meanwhile (whose snapshots the eraser may already have
            # scrubbed) must not stay in them.
            self._save_tops(state.tops, {b: self._leaderboard.size(b) for b in state.tops}, state)
        return True

    def _save_tops(
        self, tops: Mapping[str, TopN], totals: Mapping[str, int], state: PassState
    ) -> None:
        for board, top in tops.items():
            self._snapshots.save(
                Snapshot(
                    board=board,
                    taken_at=state.started,
                    entries=top.entries(),
                    total=totals[board],
                )
            )

    def check(
        self, now: datetime, should_stop: Callable[[], bool] | None = None
    ) -> ReconciliationReport:
        """The cheap check (three EXISTS: all-time, weekly, the week's cohorts; two more: the
        lease, a paused pass): resume a paused pass first, rebuild at once when a served board
        is incomplete, and start nothing while another pass holds the lease.

        Redis being unreachable is not a failure of this job: reads already fall back, and the
        next minute's check rebuilds once it answers again.
        """
        try:
            incomplete = self._incomplete(now)
            running, paused = self._pass_status()
        except LeaderboardUnavailableError:
            return ReconciliationReport(now=now, cache_reachable=False)
        if running:
            return ReconciliationReport(now=now, incomplete=incomplete, rebuild=IN_PROGRESS)
        if not incomplete and not paused:
            return ReconciliationReport(now=now)
        report = self._full(now, should_stop, start=bool(incomplete))
        if report is None:  # the paused pass could not be resumed (too old): nothing to do
            return ReconciliationReport(now=now)
        report.incomplete = incomplete
        return report

    def _pass_status(self) -> tuple[bool, bool]:
        """``(a pass holds the lease, a paused pass waits)``."""
        return (False, False) if self._lease is None else self._lease.status()

    def sample(
        self, now: datetime, should_stop: Callable[[], bool] | None = None
    ) -> ReconciliationReport:
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
            running, paused = self._pass_status()
            if running:  # the running pass measures every player
                return ReconciliationReport(now=now, incomplete=incomplete, rebuild=IN_PROGRESS)
            if incomplete or paused:
                resumed = self._full(now, should_stop, start=bool(incomplete))
                if resumed is not None:
                    resumed.incomplete = incomplete
                    return resumed
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
            report = self.reconcile(now, should_stop)
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

    def state(self) -> dict[str, Any]:
        """What a paused pass saves of the heap."""
        return {"listed": self.listed, "heap": [list(entry) for entry in self._heap]}

    @classmethod
    def restore(cls, board: str, size: int, state: Mapping[str, Any]) -> TopN:
        top = cls(board, size)
        top.listed = int(state["listed"])
        top._heap = [(int(s), str(u), int(xp), n) for s, u, xp, n in state["heap"]]
        top._ids = {entry[1] for entry in top._heap}
        return top

    def entries(self) -> list[Entry]:
        """Same order and ranks as ``top_entries``."""
        ranked = sorted(self._heap, key=lambda e: e[:2], reverse=True)
        ranks = competition_ranks([xp for _, _, xp, _ in ranked], 0, 0)
        return [
            Entry(rank=rank, user_id=user_id, xp=xp, display_name=name)
            for rank, (_, user_id, xp, name) in zip(ranks, ranked, strict=True)
        ]

"""Leaderboard reconciliation: DynamoDB is the truth, Redis a cache rebuilt from it.

A run streams the player index a page at a time (memory bounded by a page, never by the
population): each page goes into temporary boards and is compared with the live ones (exact
drift), while a heap of N per board keeps the top-N snapshots the API serves while Redis is down
(written from the truth, so they stay fresh even when Redis is not). The boards are then
swapped in atomically. Scores committed while the rebuild ran would be overwritten by the swap,
so a second streaming read re-publishes every player the boards hold behind the truth
(``ZADD LT`` of the negated score, which never lowers a player), and takes off the members it
did not meet that are gone from the index (erased meanwhile).

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

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol
from uuid import uuid4

from gamification.domain.periods import iso_week
from gamification.services.board_truth import (
    DRIFT_RATE_THRESHOLD,
    Drift,
    DriftSample,
    TopN,
    pages,
    sampled_drift,
)
from gamification.services.job_ports import (
    ABANDONED_REBUILD_TTL,
    ALLTIME,
    LEAGUE_PREFIX,
    REBUILD_PAGE,
    BoardIncompleteError,
    LeaderboardUnavailableError,
    Page,
    PageCounts,
    PlayerPages,
    PlayerScore,
    Snapshot,
    board_expiry,
    league,
    leagues_marker,
    weekly,
    weekly_expiry,
)
from gamification.services.jobs import Budget, Status, run_units
from gamification.services.pass_state import (
    BUILD,
    CATCH_UP,
    STRAYS,
    SWAP,
    UNSEEN,
    PassState,
    merge_counts,
)
from gamification.services.reconciliation_report import (
    DONE,
    IN_PROGRESS,
    LOST,
    PAUSED,
    BoardResult,
    ReconciliationReport,
)


class PlayerIndex(PlayerPages, Protocol):
    """The truth the boards are rebuilt from: every player with XP (``player_directory``)."""

    def players(self) -> Iterator[PlayerScore]:
        """Every player, in one stream (a pass without a lease: no cursor to save)."""
        ...

    def lookup(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]: ...

    def sample(self, limit: int, rng: random.Random | None = None) -> list[PlayerScore]: ...


class Rebuild(Protocol):
    """One pass's temporary boards (``adapters.board_rebuild``)."""

    def add(self, players: Sequence[PlayerScore]) -> PageCounts: ...

    def strays(self, board: str, cursor: int, chunk: int) -> tuple[int, int, int]:
        """``(cursor, live members the rebuild lacks, live members scanned)``."""
        ...

    def swap(self, board: str, expire_at: datetime | None, generation: str | None) -> None: ...

    def swap_cohorts(self) -> int: ...

    def drop_from_cohorts(self, user_ids: Sequence[str]) -> None: ...

    def finish(self) -> None: ...


class Boards(Protocol):
    """The cache: the live boards, their markers, a pass's scratch sets (``adapters.leaderboard``).
    Every call raises ``LeaderboardUnavailableError`` when the cache cannot answer."""

    def rebuild(self, boards: Sequence[str], cohort_week: str, run: str) -> Rebuild: ...

    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None: ...

    def stale(
        self, players: Sequence[PlayerScore], boards: Sequence[str], cohort_week: str, seen: str
    ) -> list[PlayerScore]: ...

    def unseen(self, board: str, seen: str, cursor: int, chunk: int) -> tuple[int, list[str]]: ...

    def forget(self, key: str) -> None: ...

    def stamp(self, marker: str, generation: str, expire_at: datetime | None) -> None: ...

    def complete(self, boards: Sequence[str]) -> dict[str, bool]: ...

    def page(self, board: str, offset: int, limit: int) -> Page: ...

    def scores_of(self, board: str, user_ids: Sequence[str]) -> dict[str, int | None]: ...

    def size(self, board: str) -> int: ...


class Snapshots(Protocol):
    def save(self, snapshot: Snapshot) -> None: ...


class PassLease(Protocol):
    """At most one full pass, and its saved progress (``adapters.rebuild_lease``)."""

    def status(self) -> tuple[bool, bool]:
        """``(a pass holds the lease, a paused pass's progress exists)``."""
        ...

    def acquire(self) -> str | None: ...

    def progress(self) -> str | None: ...

    def checkpoint(self, token: str, progress: str = "") -> bool: ...

    def release(self, token: str, progress: str = "") -> bool: ...


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


class _PassWalk:
    """One run of a full pass: a page of either read, a scan unit or the swap is its unit of
    work, after which the progress is saved with the lease (lost: ``LeaseLostError``)."""

    def __init__(
        self,
        reconciler: LeaderboardReconciler,
        state: PassState,
        token: str | None,
        report: ReconciliationReport,
    ) -> None:
        self.reconciler, self.state, self.token, self.report = reconciler, state, token, report
        self.rebuild = reconciler._leaderboard.rebuild(
            state.boards, cohort_week=state.week, run=state.run
        )
        self.over = False

    def finished(self) -> bool:
        return self.over

    def unit(self) -> bool:
        reconciler, state, rebuild = self.reconciler, self.state, self.rebuild
        if state.phase == BUILD:
            worked = reconciler._build_page(state, rebuild)
        elif state.phase == CATCH_UP:
            worked = reconciler._catch_up_page(state)
        elif state.phase == STRAYS:
            reconciler._strays(state, rebuild)
            worked = True
        elif state.phase == SWAP:
            reconciler._swap(state, rebuild)
            worked = True
        elif reconciler._unseen(state, rebuild):
            rebuild.finish()
            self.report.units += 1
            self.over = True
            return True
        else:
            worked = True
        if worked:
            self.report.units += 1
            lease, token = reconciler._lease, self.token
            if token is None or lease is None or state.failure is not None:
                return worked  # one pass to the end (no lease), or nothing savable
            if not lease.checkpoint(token, state.dumps()):
                raise LeaseLostError
        return worked


class LeaderboardReconciler:
    def __init__(
        self,
        directory: PlayerIndex,
        leaderboard: Boards,
        snapshots: Snapshots,
        snapshot_size: int = 100,
        *,
        sample_size: int = 1000,
        drift_threshold: float = DRIFT_RATE_THRESHOLD,
        in_flight: timedelta = timedelta(minutes=5),
        rng: random.Random | None = None,
        lease: PassLease | None = None,
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

    def run(
        self, mode: str, now: datetime, should_stop: Callable[[], bool] | None = None
    ) -> ReconciliationReport:
        """The run a mode asks for: ``check`` (``if-empty``), ``sample`` or (else) ``full``."""
        if mode in {"check", "if-empty"}:
            return self.check(now, should_stop)
        if mode == "sample":
            return self.sample(now, should_stop)
        return self.reconcile(now, should_stop)

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
        """Run the pass from ``state`` on the job runner until it is done (``True``) or
        ``should_stop`` says so after a unit of work (``False``; at least one unit runs, so
        every run moves on). A unit is a page of a read, ``scan_chunks`` steps of a ``ZSCAN``
        (strays; the members the catch-up did not meet) or the swap; the progress is saved
        after each."""
        walk = _PassWalk(self, state, token, report)
        return run_units(walk, Budget(should_stop)) is Status.DONE

    def _next_page(self, state: PassState) -> list[PlayerScore] | None:
        """The next page of the current read (``None``: the read is over), the cursor moved
        past it. Without a lease the directory's own stream is read (one run, no cursor)."""
        if self._lease is None or state.stream is not None:
            if state.stream is None:
                state.stream = pages(self._directory.players())
            return next(state.stream, None)
        if state.shard >= self._directory.shards:
            return None
        page = self._directory.page(state.shard, state.position, self._page_size)
        state.position = page.next_key
        if page.next_key is None:
            state.shard, state.position = state.shard + 1, None
        return page.players

    def _build_page(self, state: PassState, rebuild: Rebuild) -> bool:
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
                merge_counts(state.found, rebuild.add(page))
            except LeaderboardUnavailableError as error:
                state.failure = error  # the snapshots are still written from the truth
        return True

    def _strays(self, state: PassState, rebuild: Rebuild) -> None:
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

    def _swap(self, state: PassState, rebuild: Rebuild) -> None:
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
        hidden meanwhile, a new name) is re-published (``ZADD LT``, or taken off when
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

    def _unseen(self, state: PassState, rebuild: Rebuild) -> bool:
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

"""Team boards reconciliation: DynamoDB (memberships and profiles) is the truth, Redis a cache
rebuilt from it, like the global boards (``services/reconciliation.py``), whose machinery it
reuses: the rebuild lease (``RebuildLease`` under its own key), temporary keys swapped in
atomically, the drift measured at the swap, a generation marker that makes the boards servable
as fresh, the catch-up read and the members it did not meet.

A pass: (1) every membership, a page at a time with the members' profiles, into temporary keys
in each team's slot (``domain.team_rebuild``: the projection's rules on the current state);
(2) each team swapped in by one script that counts the drift (members added, removed, changed
per board) and raises the team's version, then ranked across teams (the version guard keeps the
newer standing), and teams the truth no longer has (deleted) taken off the boards across teams;
(3) the catch-up: a second read of the memberships applies the projection's own steps (admit,
then contribute: both idempotent and only raising) to every member, which puts back what the
swap rolled back (XP committed, a member joined while the pass ran); members of a team that read
did not meet are looked up one by one (consistent read): gone (left while the pass ran), they
leave; (4) the marker is stamped: the team boards answer ``stale: false`` again.

The one-minute ``check`` runs a pass as soon as the marker is gone (a flush, restart, failover);
the daily ``full`` run always does (a partial loss that kept the marker). Not yet resumable: a
pass that runs out of time stops, leaves the marker unset and the next check starts over
(docs/teams.md#reconciliation gives the size one run covers).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import uuid4

from gamification.domain.boards import ALLTIME, LeaderboardUnavailableError, PlayerScore
from gamification.domain.team_rebuild import MemberRow, RebuiltMember, rebuilt_members
from gamification.domain.teams import TeamStanding, live_boards, member_score
from gamification.services.board_truth import Drift
from gamification.services.jobs import Metric
from gamification.services.reconciliation import PassLease
from gamification.services.reconciliation_report import DONE, IN_PROGRESS, LOST, NONE
from gamification.services.team_projection import TeamBoardStore

ABANDONED = "abandoned"
"""The pass ran out of time: nothing is saved, the marker stays unset, the next check retries."""
RANK_CHUNK = 500
"""Standings ranked per round trip."""
UNSEEN_CHUNK = 500


class TeamTruth(Protocol):
    """Memberships, profiles and teams in the table (``adapters.team_truth``)."""

    def memberships(self) -> Iterator[list[MemberRow]]: ...

    def profiles(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]: ...

    def joined_at(self, team_id: str, user_id: str) -> datetime | None: ...

    def teams(self) -> Iterator[str]: ...


class TeamRebuild(Protocol):
    """One pass's temporary team boards (``adapters.team_rebuild``)."""

    def add(self, members: Sequence[RebuiltMember], boards: Sequence[str]) -> None: ...

    def teams(self) -> Iterator[str]: ...

    def swap(
        self, team_id: str, boards: Sequence[str]
    ) -> tuple[TeamStanding, dict[str, tuple[int, int, int]], bool]:
        """The team's standing after the swap, its drift per board ``(added, removed,
        changed)`` and whether it had been written before."""
        ...

    def see(self, team_id: str, user_ids: Sequence[str]) -> None: ...

    def unseen(self, team_id: str, limit: int) -> list[str]: ...

    def finish(self, team_ids: Sequence[str]) -> None: ...


class TeamCache(TeamBoardStore, Protocol):
    """The team boards with what a pass needs (``adapters.team_boards``); every call raises
    ``LeaderboardUnavailableError`` when the cache cannot answer."""

    def rebuild(self, run: str) -> TeamRebuild: ...

    def complete(self) -> bool: ...

    def stamp(self, generation: str) -> None: ...

    def drop_teams(self, board: str, keep: Collection[str]) -> list[str]: ...


class _LeaseLostError(Exception):
    pass


class _OutOfTimeError(Exception):
    pass


@dataclass
class TeamReconciliationReport:
    now: datetime
    rebuild: str = NONE
    """``none``, ``done``, ``in_progress`` (another pass holds the lease), ``lost`` (the lease
    expired under this pass) or ``abandoned`` (out of time)."""
    incomplete: bool = False
    """The marker was gone (the boards answered stale)."""
    cache_reachable: bool = True
    memberships: int = 0
    teams: int = 0
    drift: dict[str, Drift] = field(default_factory=dict)
    dropped: int = 0
    """Teams taken off the boards across teams (deleted, or not in the truth)."""
    late_updates: int = 0
    """Teams the catch-up moved (a change committed while the pass ran) plus members it found
    gone (left meanwhile)."""

    def metrics(self) -> list[Metric]:
        """Drift only from a finished pass (as the global boards); a pass that could not
        finish says so."""
        found: list[Metric] = []
        if self.rebuild in (LOST, ABANDONED):
            found.append(Metric("TeamBoardPassUnfinished", 1))
        if self.rebuild != DONE:
            return found
        found += [
            Metric("TeamBoardMemberships", self.memberships),
            Metric("TeamBoardLateUpdates", self.late_updates),
            Metric("TeamBoardsDropped", self.dropped),
            Metric("TeamBoardsIncompleteRebuilt", int(self.incomplete)),
        ]
        for board, drift in self.drift.items():
            kind = "alltime" if board == ALLTIME else "weekly"
            found += [
                Metric("TeamBoardDriftAdded", drift.added, board=kind),
                Metric("TeamBoardDriftRemoved", drift.removed, board=kind),
                Metric("TeamBoardDriftChanged", drift.changed, board=kind),
            ]
        return found

    def summary(self) -> dict[str, Any]:
        return {
            "rebuild": self.rebuild,
            "incomplete": self.incomplete,
            "cache_reachable": self.cache_reachable,
            "memberships": self.memberships,
            "teams": self.teams,
            "dropped": self.dropped,
            "late_updates": self.late_updates,
            "drift": {
                b: {"added": d.added, "removed": d.removed, "changed": d.changed}
                for b, d in self.drift.items()
            },
        }


def _never() -> bool:
    return False


class TeamBoardReconciler:
    def __init__(self, truth: TeamTruth, cache: TeamCache, lease: PassLease | None) -> None:
        self._truth = truth
        self._cache = cache
        self._lease = lease

    def run(
        self, mode: str, now: datetime, should_stop: Callable[[], bool] | None = None
    ) -> TeamReconciliationReport:
        """``check`` / ``if-empty`` / ``sample``: a pass only when the marker is gone;
        ``full``: a pass. Redis unreachable is not a failure (the reads say so; the next check
        rebuilds)."""
        report = TeamReconciliationReport(now=now)
        try:
            report.incomplete = not self._cache.complete()
            if mode in {"check", "if-empty", "sample"} and not report.incomplete:
                return report
            self._pass(now, should_stop or _never, report)
        except LeaderboardUnavailableError:
            report.cache_reachable = False
        return report

    def _pass(
        self, now: datetime, should_stop: Callable[[], bool], report: TeamReconciliationReport
    ) -> None:
        token = None if self._lease is None else self._lease.acquire()
        if self._lease is not None and token is None:
            report.rebuild = IN_PROGRESS
            return
        done = False
        try:
            self._rebuild(now, should_stop, token, report)
            done = True
        except _LeaseLostError:
            report.rebuild = LOST
            return
        except _OutOfTimeError:
            report.rebuild = ABANDONED
        finally:
            if self._lease is not None and token is not None and report.rebuild != LOST:
                self._lease.release(token)
        if done:
            report.rebuild = DONE

    def _unit_done(self, token: str | None, should_stop: Callable[[], bool]) -> None:
        """After a page: renew the lease (lost: stop at once), then ask the budget."""
        if self._lease is not None and token is not None and not self._lease.checkpoint(token):
            raise _LeaseLostError
        if should_stop():
            raise _OutOfTimeError

    def _rebuild(
        self,
        now: datetime,
        should_stop: Callable[[], bool],
        token: str | None,
        report: TeamReconciliationReport,
    ) -> None:
        boards = live_boards(now)
        rebuild = self._cache.rebuild(uuid4().hex)
        for page in self._truth.memberships():
            if page:
                players = self._truth.profiles([row.user_id for row in page])
                rebuild.add(rebuilt_members(page, players, boards), boards)
                report.memberships += len(page)
            self._unit_done(token, should_stop)
        teams = set(self._truth.teams()) | set(rebuild.teams())
        report.teams = len(teams)
        report.drift = {board: Drift() for board in boards}
        swapped: dict[str, int] = {}
        standings: list[TeamStanding] = []
        for team_id in sorted(teams):
            standing, drift, had = rebuild.swap(team_id, boards)
            swapped[team_id] = standing.version
            for board in boards:
                report.drift[board] = _plus(report.drift[board], drift[board])
            if standing.members or had:  # listed across teams once it had a member
                standings.append(standing)
            if len(standings) >= RANK_CHUNK:
                self._cache.rank(standings, now)
                standings = []
        self._cache.rank(standings, now)
        dropped = {team for board in boards for team in self._cache.drop_teams(board, teams)}
        for team_id in sorted(dropped):  # emptied: their members' keys go too
            _, drift, _ = rebuild.swap(team_id, boards)
            for board in boards:
                report.drift[board] = _plus(report.drift[board], drift[board])
        report.dropped = len(dropped)
        self._unit_done(token, should_stop)
        report.late_updates = self._catch_up(
            now, boards=boards, rebuild=rebuild, swapped=swapped, token=token, stop=should_stop
        )
        report.late_updates += self._unseen(sorted(teams), boards, rebuild, now)
        rebuild.finish(sorted(teams))
        self._cache.stamp(f"{now.isoformat()}/{uuid4().hex[:8]}")

    def _catch_up(
        self,
        now: datetime,
        *,
        boards: Sequence[str],
        rebuild: TeamRebuild,
        swapped: dict[str, int],
        token: str | None,
        stop: Callable[[], bool],
    ) -> int:
        """The second read: the projection's steps for every member (admit, then contribute);
        returns how many teams it moved past their swapped version."""
        moved: set[str] = set()
        for page in self._truth.memberships():
            players = self._truth.profiles([row.user_id for row in page]) if page else {}
            by_team: dict[str, list[MemberRow]] = {}
            for row in page:
                by_team.setdefault(row.team_id, []).append(row)
            standings: list[TeamStanding] = []
            for team_id, rows in sorted(by_team.items()):
                rebuild.see(team_id, [row.user_id for row in rows])
                for row in rows:
                    standings.append(self._cache.admit(team_id, row.user_id, row.joined_at, boards))
                scores = [member_score(players[r.user_id]) for r in rows if r.user_id in players]
                if scores:
                    standings.append(self._cache.contribute(team_id, scores, now))
            for standing in standings:
                if standing.version > swapped.get(standing.team_id, 0):
                    moved.add(standing.team_id)
            self._cache.rank(standings, now)
            self._unit_done(token, stop)
        return len(moved)

    def _unseen(
        self, teams: Sequence[str], boards: Sequence[str], rebuild: TeamRebuild, now: datetime
    ) -> int:
        """Members the catch-up read did not meet: still members (joined after the read passed
        them) are kept, the others (left while the pass ran, put back by the swap) leave."""
        left = 0
        for team_id in teams:
            while ids := rebuild.unseen(team_id, UNSEEN_CHUNK):
                kept = [u for u in ids if self._truth.joined_at(team_id, u) is not None]
                rebuild.see(team_id, kept)
                gone = [u for u in ids if u not in kept]
                standings = [self._cache.leave(team_id, u, boards) for u in gone]
                self._cache.rank(standings, now)
                left += len(gone)
        return left


def _plus(a: Drift, b: tuple[int, int, int]) -> Drift:
    return Drift(added=a.added + b[0], removed=a.removed + b[1], changed=a.changed + b[2])

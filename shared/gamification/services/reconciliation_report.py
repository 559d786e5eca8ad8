"""What a reconciliation run reports: per board, the pass, the sample (the handler's metrics
and log line come from it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gamification.services.board_truth import Drift, DriftSample
from gamification.services.job_ports import ALLTIME
from gamification.services.jobs import Metric

NONE, DONE, PAUSED, IN_PROGRESS, LOST = "none", "done", "paused", "in_progress", "lost"
"""What a run did with the full pass (the summary's ``rebuild``): ran none, finished one,
paused one (to be resumed by the next run), found one running (holding the lease: left alone),
lost its lease mid-way (it stalled past the expiry; the next holder resumes)."""


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

    def metrics(self) -> list[Metric]:
        """What the run publishes: every sampled check what it saw (drift or not: the rate is
        an estimate); a paused pass, or a run that found one running or lost its lease, says
        so; only a finished pass reports drift (a paused one's counts are partial), and a check
        that found every board complete publishes nothing more (idle cost)."""
        found: list[Metric] = []
        if self.sample is not None:
            found += [
                Metric("DriftSampleSize", self.sample.compared),
                Metric("DriftSampleDrifted", self.sample.drifted),
                Metric("DriftSampleRate", 100 * self.sample.rate, "Percent"),
            ]
        flagged = {PAUSED: "FullPassPaused", IN_PROGRESS: "FullPassAlreadyRunning"}
        flagged[LOST] = "FullPassLeaseLost"
        if self.rebuild in flagged:
            found.append(Metric(flagged[self.rebuild], 1))
        if self.rebuilt:
            found += self._pass_metrics()
        return found

    def _pass_metrics(self) -> list[Metric]:
        found = [
            Metric("ReconciledPlayers", self.players),
            Metric("LateUpdates", self.late_updates),
            Metric("EmptyCacheRebuilt", int(self.empty_cache_rebuilt)),
            Metric("IncompleteBoardsRebuilt", len(self.incomplete)),
        ]
        for result in self.boards:
            # One dimension value per kind of board, not per week: bounded metric cardinality.
            kind = "alltime" if result.board == ALLTIME else "weekly"
            found += [
                Metric("LeaderboardDriftAdded", result.drift.added, board=kind),
                Metric("LeaderboardDriftRemoved", result.drift.removed, board=kind),
                Metric("LeaderboardDriftChanged", result.drift.changed, board=kind),
            ]
        return found

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

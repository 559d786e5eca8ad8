"""A full pass's progress: what a paused pass saves next to its temporary keys, and the next
run resumes from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gamification.domain.periods import iso_week
from gamification.services.board_truth import Drift, TopN
from gamification.services.job_ports import (
    ALLTIME,
    LeaderboardUnavailableError,
    PageCounts,
    PlayerScore,
    weekly,
)
from gamification.services.reconciliation_report import BoardResult

BUILD, STRAYS, SWAP, CATCH_UP, UNSEEN = "build", "strays", "swap", "catch_up", "unseen"
"""The phases of a full pass, in order: what a paused pass resumes at."""
PASS_FORMAT = 2
"""The saved progress's format. 2: the score layout ``v2`` (a pass paused under another layout
holds temporary boards in that layout: it is dropped, and a fresh pass starts)."""


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
                "v": PASS_FORMAT,
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
            if data.get("v") != PASS_FORMAT:
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


def merge_counts(total: PageCounts, page: PageCounts) -> None:
    total.players += page.players
    total.cohort_members += page.cohort_members
    for mine, theirs in (
        (total.members, page.members),
        (total.added, page.added),
        (total.changed, page.changed),
    ):
        for board, count in theirs.items():
            mine[board] = mine.get(board, 0) + count

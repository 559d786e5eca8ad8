"""A simulated table stream driving ``TeamProjector`` step by step, for the exactly-once property
tests of the team boards (on the fake here, on a real redis-server in
tests/adapters/contracts/test_team_boards.py).

The truth: users earn XP (each commit a new profile image, sometimes hidden), join and leave
teams. The deliveries, drawn by hypothesis and interleaved at the granularity of one port call
(one Lua script on Redis):

- profile images: any committed image, any number of times, in any order; its processing is two
  steps (read the user's teams, then one contribution per team) and may be abandoned midway
  (a failed invocation: it is delivered again later);
- membership records: in each item's order (the stream's guarantee), each join three steps
  (admit, read the profile from the truth, contribute), and a batch may fail and be replayed
  from an earlier record (the stream's retry);
- team standings: ranked across teams in any order, some more than once.

At the end every record was delivered at least once, and the boards must equal the truth. The
steps are ``TeamProjector``'s, in its order (tests/services/test_team_projection.py pins that
order on the projector itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import strategies as st

from gamification.domain.boards import ALLTIME, PlayerScore, weekly
from gamification.domain.periods import iso_week
from gamification.domain.teams import (
    METRICS,
    MemberScore,
    MembershipChange,
    TeamStanding,
    live_boards,
    member_score,
    team_value,
)
from gamification.services.team_projection import TeamBoardStore

START = datetime(2026, 11, 30, 8, tzinfo=UTC)  # a Monday: every step falls in one ISO week
WEEK = weekly(iso_week(START))
USERS = tuple(f"u{i}" for i in range(7))
TEAMS = ("red", "blue")


@dataclass
class Pending:
    """A delivery in progress: its remaining steps, run one at a time."""

    steps: list[Callable[[], None]]
    on_done: Callable[[], None] = lambda: None


@dataclass
class Simulation:
    store: TeamBoardStore
    now: datetime = START
    xp: dict[str, int] = field(default_factory=dict)
    week_xp: dict[str, int] = field(default_factory=dict)
    images: dict[str, list[PlayerScore]] = field(default_factory=dict)
    delivered: set[tuple[str, int]] = field(default_factory=set)
    members: set[tuple[str, str]] = field(default_factory=set)
    log: dict[tuple[str, str], list[MembershipChange]] = field(default_factory=dict)
    cursor: dict[tuple[str, str], int] = field(default_factory=dict)
    membership_busy: dict[tuple[str, str], Pending] = field(default_factory=dict)
    profile_busy: list[Pending] = field(default_factory=list)
    standings: list[TeamStanding] = field(default_factory=list)

    def clock(self) -> datetime:
        return self.now

    def _tick(self) -> None:
        self.now += timedelta(minutes=1)

    # -- the truth ---------------------------------------------------------------------------

    def earn(self, user: str, gain: int, listed: bool) -> None:
        self.xp[user] = self.xp.get(user, 0) + gain
        self.week_xp[user] = self.week_xp.get(user, 0) + gain
        image = PlayerScore(
            user,
            self.xp[user],
            self.now,
            weekly_xp={WEEK.removeprefix("weekly:"): self.week_xp[user]},
            listed=listed,
        )
        self.images.setdefault(user, []).append(image)

    def toggle(self, team: str, user: str) -> None:
        joined = (team, user) not in self.members
        (self.members.add if joined else self.members.discard)((team, user))
        self.log.setdefault((team, user), []).append(MembershipChange(user, team, joined, self.now))

    def profile(self, user: str) -> PlayerScore | None:
        images = self.images.get(user)
        return images[-1] if images else None

    # -- deliveries --------------------------------------------------------------------------

    def start_profile(self, user: str, index: int) -> None:
        image = self.images[user][index]
        score = member_score(image)
        pending = Pending([], on_done=lambda: self.delivered.add((user, index)))

        def read_teams() -> None:
            for team in sorted(self.store.teams_of({user}).get(user, ())):
                pending.steps.append(partial(self._contribute, team, score))

        pending.steps.append(read_teams)
        self.profile_busy.append(pending)

    def _contribute(self, team: str, score: MemberScore) -> None:
        self.standings.append(self.store.contribute(team, [score], self.now))

    def start_membership(self, key: tuple[str, str]) -> None:
        change = self.log[key][self.cursor.get(key, 0)]
        boards = live_boards(change.at)
        pending = Pending(
            [], on_done=lambda: self.cursor.__setitem__(key, self.cursor.get(key, 0) + 1)
        )
        if change.joined:
            read: dict[str, PlayerScore | None] = {}

            def contribute_read() -> None:
                if (found := read["player"]) is not None:
                    self._contribute(change.team_id, member_score(found))

            pending.steps = [
                lambda: self.standings.append(
                    self.store.admit(change.team_id, change.user_id, change.at, boards)
                ),
                lambda: read.__setitem__("player", self.profile(change.user_id)),
                contribute_read,
            ]
        else:
            pending.steps = [
                lambda: self.standings.append(
                    self.store.leave(change.team_id, change.user_id, boards)
                )
            ]
        self.membership_busy[key] = pending

    @staticmethod
    def step(pending: Pending) -> bool:
        """Run the next step; True when the delivery is done."""
        pending.steps.pop(0)()
        if not pending.steps:
            pending.on_done()
            return True
        return False

    def run(self, draw: Callable[[st.SearchStrategy[Any]], Any], actions: int) -> None:
        """``actions`` drawn steps of truth and delivery, then every record delivered."""
        for _ in range(actions):
            self._tick()
            choice = draw(st.integers(0, 7))
            if choice == 0:
                self.earn(
                    draw(st.sampled_from(USERS)), draw(st.integers(0, 50)), draw(st.booleans())
                )
            elif choice == 1:
                self.toggle(draw(st.sampled_from(TEAMS)), draw(st.sampled_from(USERS)))
            elif choice == 2 and self.images:
                user = draw(st.sampled_from(sorted(self.images)))
                self.start_profile(user, draw(st.integers(0, len(self.images[user]) - 1)))
            elif choice == 3 and self.profile_busy:
                pending = draw(st.sampled_from(self.profile_busy))
                if draw(st.integers(0, 9)) == 0:
                    self.profile_busy.remove(pending)  # the invocation failed: redelivered later
                elif self.step(pending):
                    self.profile_busy.remove(pending)
            elif choice == 4:
                ready = sorted(
                    k
                    for k, changes in self.log.items()
                    if k not in self.membership_busy and self.cursor.get(k, 0) < len(changes)
                )
                if ready:
                    self.start_membership(draw(st.sampled_from(ready)))
            elif choice == 5 and self.membership_busy:
                key = draw(st.sampled_from(sorted(self.membership_busy)))
                if self.step(self.membership_busy[key]):
                    del self.membership_busy[key]
            elif choice == 6 and self.log:
                # A failed batch: retried from an earlier record of the item's stream.
                key = draw(st.sampled_from(sorted(self.log)))
                self.membership_busy.pop(key, None)
                self.cursor[key] = draw(st.integers(0, self.cursor.get(key, 0)))
            elif choice == 7 and self.standings:
                picked = draw(st.sampled_from(self.standings))
                self.store.rank([picked], self.now)
        self.drain(draw)

    def drain(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        for pending in list(self.profile_busy):
            while not self.step(pending):
                pass
        self.profile_busy.clear()
        for pending in list(self.membership_busy.values()):
            while not self.step(pending):
                pass
        self.membership_busy.clear()
        for key in sorted(self.log):
            while self.cursor.get(key, 0) < len(self.log[key]):
                self.start_membership(key)
                while not self.step(self.membership_busy[key]):
                    pass
                del self.membership_busy[key]
        missing = [(u, i) for u, ims in self.images.items() for i in range(len(ims))]
        for user, index in draw(st.permutations([m for m in missing if m not in self.delivered])):
            self.start_profile(user, index)
            pending = self.profile_busy.pop()
            while not self.step(pending):
                pass
        for standing in draw(st.permutations(self.standings)):
            self.store.rank([standing], self.now)

    # -- the property --------------------------------------------------------------------------

    def expected(self, team: str, board: str) -> tuple[int, int, list[int]]:
        """(total, members, contributions) the truth gives ``team`` on ``board``."""
        source = self.xp if board == ALLTIME else self.week_xp
        members = [u for t, u in self.members if t == team]
        xps = [source[u] for u in members if u in source]
        return sum(xps), len(members), xps

    def check(self, standing: Callable[[str, list[str]], TeamStanding]) -> None:
        boards = [ALLTIME, WEEK]
        ranked_teams = {s.team_id for s in self.standings}
        for team in TEAMS:
            now = standing(team, boards)
            for board in boards:
                total, members, xps = self.expected(team, board)
                assert now.totals[board] == total, (team, board)
                assert now.members == members
                if team not in ranked_teams:
                    continue
                rows, _, _ = self.store.ranked_teams(board, "total", 0, 10)  # type: ignore[attr-defined]
                for metric in METRICS:
                    rows, _, _ = self.store.ranked_teams(board, metric, 0, 10)  # type: ignore[attr-defined]
                    value = dict(rows)[team]
                    assert value == team_value(metric, total, members, xps), (team, board, metric)

"""Scale: a million users through the real services, on in-memory fakes that count.

``python -m benchmarks scale`` (or ``python -m benchmarks.scale --users 100000`` to scale down)
drives the real jobs (``StreakReminders``, ``LeaderboardReconciler``, ``LeagueClose``, the
consumer's ``ActivityApplier``) and the real adapters (``UserRepository``'s profile item decides
which index keys a write touches) through ``benchmarks.fakes``: DynamoDB units as AWS bills
them, writes per partition key of the table and of each GSI, and *simulated* time (a latency per
request, ``fakes.LATENCY_S``). moto proves correctness in tests/; this only measures.

The synthetic population (seeded, generated lazily from a few real profiles):

- timezones weighted like a global consumer app's traffic (:data:`ZONES`);
- heavy-tailed activity: activities per user and day are lognormal (median 3, a long tail of
  heavy users, :data:`ACTIVITY_SIGMA`);
- 60 % of users have push on (:data:`PUSH_SHARE`); every user has XP and plays in a league tier
  (geometric over the ten tiers: most users in the lower tiers).

Profiles are generated from one template per timezone: the template is a real state (built by
the domain transition from two weeks of activities) and each user's item is the template's
profile item with the user's own id-derived attributes (key, index keys), checked against
``UserRepository.profile_item`` by tests/benchmarks/test_scale_benchmark.py.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import heapq
import math
import random
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from benchmarks.fakes import (
    FakeDynamoDB,
    FakeQueue,
    Item,
    SimulatedTimeoutError,
    makespan,
    timed,
)
from gamification.adapters import keys
from gamification.adapters.board_rebuild import PageCounts
from gamification.adapters.board_schema import Entry, Page, generation_key, marker_key
from gamification.adapters.dynamo_codec import from_item
from gamification.adapters.league_repository import CloseCheckpoints, LeagueRepository
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.player_score import PlayerScore
from gamification.adapters.profile_codec import decode_profile
from gamification.adapters.reminder_index import ReminderIndex
from gamification.adapters.reminder_ledger import ReminderLedger
from gamification.adapters.reminder_progress import ReminderProgress
from gamification.adapters.reminder_queue import ReminderQueue, decode
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_repository import UserRepository
from gamification.config import Settings
from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.freezes import FreezeRules, expires_without_clock
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.leagues import LeagueState
from gamification.domain.periods import iso_week
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import apply_activities
from gamification.resources import REMINDER_QUEUE
from gamification.services.applier import ActivityApplier
from gamification.services.league_close import LeagueClose, close_shards_for
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reminders import ReminderFanOut, StreakReminders

TABLE = "scale"
SEED = 19
USERS = 1_000_000
REMINDER_HOUR_USERS = 200_000
ACTIVITIES_PER_SECOND = 10_000
RECONCILE_SAMPLE = 100_000
"""Players the reconciler reads at full fidelity; its units are linear in players (one GSI2
item each), so 1 M and 10 M are scaled from the units per player measured here."""
CLOSE_SAMPLE_COHORTS = 60
"""Cohorts closed at full fidelity; the population's close time is scaled from their mean."""
PARTITION_LIMIT = 1000
"""DynamoDB's per-partition write throughput: 1,000 write units per second."""

ZONES: tuple[tuple[str, float], ...] = (
    ("America/New_York", 0.17),
    ("America/Chicago", 0.08),
    ("America/Los_Angeles", 0.09),
    ("America/Mexico_City", 0.04),
    ("America/Sao_Paulo", 0.07),
    ("Europe/London", 0.07),
    ("Europe/Berlin", 0.10),
    ("Europe/Moscow", 0.03),
    ("Africa/Lagos", 0.03),
    ("Asia/Kolkata", 0.12),
    ("Asia/Jakarta", 0.05),
    ("Asia/Manila", 0.03),
    ("Asia/Tokyo", 0.05),
    ("Australia/Sydney", 0.03),
    ("UTC", 0.04),
)
"""Share of users per timezone: a global consumer app's mix (North America ≈ 38 %, Europe
≈ 20 %, India 12 %, Brazil 7 %, East and Southeast Asia ≈ 13 %)."""
ACTIVITY_MEDIAN = 3.0
ACTIVITY_SIGMA = 1.2
"""Lognormal activities per user and day: median 3, mean ≈ 6, the top 1 % above ≈ 50."""
DISPLAY_NAME = "Synthetic Player"
"""16 characters, on every profile (the boards project it)."""
PUSH_SHARE = 0.6
TIER_DECAY = 0.6
"""Share of users in tier t ∝ TIER_DECAY ** t."""
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
"""A Monday: the simulated day (the league week 2026-W49 starts; 2026-W48 closes)."""


@dataclass(frozen=True, slots=True)
class Sizes:
    users: int = USERS
    reminder_hour: int = REMINDER_HOUR_USERS
    activities_per_second: int = ACTIVITIES_PER_SECOND
    reconcile_sample: int = RECONCILE_SAMPLE
    close_sample_cohorts: int = CLOSE_SAMPLE_COHORTS

    @classmethod
    def scaled(cls, users: int) -> Sizes:
        """Every size in proportion to ``users`` (the defaults are for 1 M)."""
        ratio = users / USERS
        return cls(
            users=users,
            reminder_hour=max(1, round(REMINDER_HOUR_USERS * ratio)),
            activities_per_second=max(1, round(ACTIVITIES_PER_SECOND * ratio)),
            reconcile_sample=max(1, min(users, RECONCILE_SAMPLE)),
            close_sample_cohorts=max(1, min(CLOSE_SAMPLE_COHORTS, users // 1000)),
        )


# -- the population ------------------------------------------------------------------------------


def user_id(index: int) -> str:
    """A UUID-shaped id (36 characters, as Cognito's ``sub``) that names its index."""
    h = hashlib.blake2b(index.to_bytes(4, "big"), digest_size=11).hexdigest()
    return f"{index:08x}-{h[:4]}-4{h[4:7]}-8{h[7:10]}-{h[10:22]}"


def user_index(uid: str) -> int:
    return int(uid[:8], 16)


def _activity(uid: str, at: datetime, n: int, kind: str = "post_read") -> Activity:
    return Activity(
        user_id=uid,
        type=kind,
        object_id=f"{uid}-{at:%Y%m%d%H%M%S}-{n}",
        occurred_at=at,
        received_at=at,
        source=Reporter.CLIENT,
    )


def lived_state(zone: str, push: bool, rules: GameRules, days: int = 14) -> UserState:
    """A real state: ``days`` days of three reads each (by the transition), ending yesterday,
    in the league week before ``NOW``'s."""
    state = UserState.new(
        "template", UserSettings(timezone=zone, push_enabled=push, display_name=DISPLAY_NAME)
    )
    acts = [
        _activity("template", NOW - timedelta(days=d, hours=1), k)
        for d in range(days, 0, -1)
        for k in range(3)
    ]
    return apply_activities(state, acts, rules, NOW - timedelta(hours=12)).state


@dataclass
class Template:
    """One timezone's profile item, cloned per user (only id-derived attributes differ)."""

    item: Item
    state: UserState


class Population:
    """``users`` synthetic users, compact: a zone, a daily rate, push and a tier per user."""

    def __init__(
        self, users: int, rules: GameRules, settings: Settings, seated: str | None = None
    ) -> None:
        """``seated``: a week every user holds a cohort of (projected by GSI2, as mid-week);
        ``None``: no cohort yet (the week's first activity joins one)."""
        rng = random.Random(SEED)
        self.size = users
        self.reminder_shards = settings.reminder_shards
        self.repository = UserRepository(
            FakeDynamoDB(),  # type: ignore[arg-type]
            TABLE,
            reminder_lead=settings.reminder_lead,
            reminder_shards=settings.reminder_shards,
        )
        """Builds the templates' items (never writes)."""
        zone_names = [z for z, _ in ZONES]
        self.zones = array("B", rng.choices(range(len(ZONES)), [w for _, w in ZONES], k=users))
        self.rates = array(
            "f",
            (rng.lognormvariate(math.log(ACTIVITY_MEDIAN), ACTIVITY_SIGMA) for _ in range(users)),
        )
        self.push = array("B", (rng.random() < PUSH_SHARE for _ in range(users)))
        tiers = len(rules.leagues.tiers)
        weights = [TIER_DECAY**t for t in range(tiers)]
        self.tiers = array("B", rng.choices(range(tiers), weights, k=users))
        self._templates: dict[tuple[int, bool, int], Template] = {}
        for zi, zone in enumerate(zone_names):
            for push in (False, True):
                state = lived_state(zone, push, rules)
                for tier in range(tiers):
                    league = LeagueState(tier=tier)
                    if seated is not None:
                        league = LeagueState(tier=tier, week=seated, cohort_tier=tier, cohort=1234)
                    tiered = state.model_copy(update={"league": league})
                    item = self.repository.profile_item(tiered, 42, NOW - timedelta(days=1), NOW)
                    self._templates[(zi, push, tier)] = Template(item, tiered)

    def template(self, index: int) -> Template:
        return self._templates[(self.zones[index], bool(self.push[index]), self.tiers[index])]

    def profile(self, index: int) -> Item:
        """The user's stored profile: the template's item with the user's own keys (the same
        object for a user's repeated reads within a page, so the fake sizes it once)."""
        return self._profile(index)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one population per run, kept on purpose)
    def _profile(self, index: int) -> Item:
        return personalised(self.template(index).item, user_id(index), self.reminder_shards)


def personalised(template: Item, uid: str, reminder_shards: int) -> Item:
    """``template`` (a profile item) as user ``uid``'s: the key and every id-derived index key,
    built by the real key functions."""
    item = dict(template)
    item["PK"] = {"S": keys.user_pk(uid)}
    if "GSI1PK" in item:
        shard = keys.reminder_shard(uid, reminder_shards)
        prefix = str(template["GSI1PK"]["S"]).rsplit("#", 1)[0]  # the due hour, without shard
        item["GSI1PK"] = {"S": f"{prefix}#{shard}"}
        item["GSI1SK"] = {"S": keys.user_pk(uid)}
    if "GSI2PK" in item:
        item["GSI2PK"] = {"S": keys.players_pk(keys.player_shard(uid))}
        item["GSI2SK"] = {"S": uid}
    return item


def _due_hour(item: Item, lead: timedelta) -> datetime:
    """The UTC hour a profile item's reminder falls due (its index key names the hour of day
    and the week, not the day: computed from the stored streak, as the repository does)."""
    state = decode_profile(from_item(item)).state
    expires = expires_without_clock(
        state.streak, state.freezes, FreezeRules(), state.settings.timezone
    )
    assert expires is not None
    return (expires - lead).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class PopulationBacking:
    """The population's profiles as the table holds them before the simulation (lazily)."""

    def __init__(self, population: Population, members: Sequence[int] | None = None) -> None:
        self._population = population
        self._members = members
        self._groups: dict[tuple[str | None, str], list[int]] | None = None

    def item(self, pk: str, sk: str) -> Item | None:
        uid = keys.user_id_from_pk(pk)
        if sk != keys.PROFILE_SK or not pk.startswith("USER#") or len(uid) != len(user_id(0)):
            return None
        try:
            index = user_index(uid)
        except ValueError:
            return None
        if index >= self._population.size or user_id(index) != uid:
            return None
        return self._population.profile(index)

    def partition(self, index: str | None, pk: str) -> Iterable[Item]:
        if index is None:
            found = self.item(pk, keys.PROFILE_SK)
            return [found] if found else []
        if self._groups is None:
            self._groups = {}
            members = self._members or range(self._population.size)
            for i in members:
                item = self._population.profile(i)
                for spec in ("GSI1", "GSI2"):
                    if f"{spec}PK" in item:
                        group = (spec, item[f"{spec}PK"]["S"])
                        self._groups.setdefault(group, []).append(i)
        return (self._population.profile(i) for i in self._groups.get((index, pk), []))


# -- 1. a reminder hour --------------------------------------------------------------------------


@dataclass
class ReminderResult:
    scheme: str
    due: int
    sent_in_hour: int
    sent_total: int
    duplicates: int
    units: int
    """Worker invocations (one unit each), the hourly run's excluded."""
    workers: int
    done_s: float
    """Simulated seconds from the hour's start until its last reminder was sent."""
    requests: int
    timed_out: int = 0
    read_units: float | None = None
    """DynamoDB read units billed (``None``: the baseline, measured before units were)."""
    write_units: float | None = None
    """DynamoDB write units billed: the table's and the reminder index's."""


BEFORE_FAN_OUT = ReminderResult(
    scheme="before the fan-out: the hourly run reminds one user after another "
    "(one invocation, 5 min timeout)",
    due=200_000,
    sent_in_hour=19_728,
    sent_total=19_728,
    duplicates=0,
    units=1,
    workers=1,
    done_s=300.0,
    requests=20_140,
)
"""Measured by this benchmark on the service before the fan-out (commit db5ae3b), which this
module can no longer import: kept as the baseline."""

QUEUE_HOP_S = 0.05
"""Simulated seconds from a message's send to a worker starting it (SQS poll + invoke)."""


def reminder_population(
    users: int, rules: GameRules, settings: Settings
) -> tuple[Population, datetime]:
    """``users`` users whose reminders all fall due in one UTC hour (New York, 18:00 local):
    the busiest hour of the population's busiest zone, made as large as asked."""
    population = Population(0, rules, settings)
    population.size = users
    population.zones = array("B", [0]) * users
    population.push = array("B", [1]) * users
    population.tiers = array("B", [0]) * users
    hour = _due_hour(population.profile(0), settings.reminder_lead)
    return population, hour


@dataclass
class FanOutRig:
    """The hour's real fan-out (hourly run + worker) on one fake table and a fake queue."""

    fake: FakeDynamoDB
    sqs: FakeQueue
    fan_out: ReminderFanOut
    worker: StreakReminders
    hour: datetime


def fan_out_rig(users: int, rules: GameRules, settings: Settings) -> FanOutRig:
    population, hour = reminder_population(users, rules, settings)
    fake = FakeDynamoDB(backing=PopulationBacking(population), discard_sk_prefixes=("NOTIF#",))
    sqs = FakeQueue(fake.meter)
    queue = ReminderQueue(sqs, "reminders")  # type: ignore[arg-type]
    progress = ReminderProgress(fake, TABLE)  # type: ignore[arg-type]
    worker = StreakReminders(
        ReminderIndex(fake, TABLE),  # type: ignore[arg-type]
        UserRepository(
            fake,  # type: ignore[arg-type]
            TABLE,
            reminder_lead=settings.reminder_lead,
            reminder_shards=settings.reminder_shards,
        ),
        ReminderLedger(fake, TABLE),  # type: ignore[arg-type]
        queue,
        progress,
        lead=settings.reminder_lead,
    )
    fan_out = ReminderFanOut(queue, progress, shards=settings.reminder_shards)
    return FanOutRig(fake, sqs, fan_out, worker, hour)


def run_hour(
    rig: FanOutRig, at: datetime, workers: int, timeout_s: float
) -> tuple[list[tuple[float, int]], int, int]:
    """The hourly run at ``at``, then its units (and their continuations) on ``workers``
    parallel workers. Returns each unit's (finish time after ``at``, reminders sent), the units
    run and the units that hit the worker's timeout."""
    meter = rig.fake.meter
    meter.deadline = None
    enqueue_s, _ = timed(meter, lambda: rig.fan_out.run(at))
    pending: list[tuple[float, int, str]] = []
    sequence = 0
    for body in rig.sqs.bodies:
        heapq.heappush(pending, (enqueue_s + QUEUE_HOP_S, sequence, body))
        sequence += 1
    rig.sqs.bodies.clear()
    free = [0.0] * workers
    finished: list[tuple[float, int]] = []
    units = timed_out = 0
    while pending:
        available, _, body = heapq.heappop(pending)
        start = max(heapq.heappop(free), available)
        meter.deadline = meter.clock + timeout_s
        began = meter.clock
        units += 1
        try:
            report = rig.worker.run_unit(decode(body))
            sent = report.sent
        except SimulatedTimeoutError:
            timed_out += 1  # SQS would retry it after the visibility timeout: not simulated
            sent = 0
        finish = start + meter.clock - began
        heapq.heappush(free, finish)
        finished.append((finish, sent))
        for later in rig.sqs.bodies:
            heapq.heappush(pending, (finish + QUEUE_HOP_S, sequence, later))
            sequence += 1
        rig.sqs.bodies.clear()
    meter.deadline = None
    return finished, units, timed_out


def reminder_hour(users: int, rules: GameRules, settings: Settings) -> ReminderResult:
    """The fan-out at the default settings: the run on the hour queues one unit per shard, the
    workers (``REMINDER_QUEUE.max_concurrency`` at once) send pages of 1,000 and continue.
    (The next hour's final pass, which sends nothing again, is proven by the test.)"""
    rig = fan_out_rig(users, rules, settings)
    workers = REMINDER_QUEUE.max_concurrency
    timeout = float(REMINDER_QUEUE.consumer_timeout_seconds)
    first, units, timed_out = run_hour(rig, rig.hour, workers, timeout)
    requests = sum(rig.fake.meter.requests.values())
    sent = sum(n for _, n in first)
    return ReminderResult(
        scheme=f"fan-out: {settings.reminder_shards} shards, pages of 1,000, "
        f"{workers} workers at most",
        due=users,
        sent_in_hour=sum(n for t, n in first if t <= 3600),
        sent_total=sent,
        duplicates=rig.fake.writes_by_kind["NOTIF"] - sent,
        units=units,
        workers=workers,
        done_s=max((t for t, n in first if n), default=0.0),
        requests=requests,
        timed_out=timed_out,
        read_units=rig.fake.meter.read_units,
        write_units=rig.fake.meter.write_units + rig.fake.meter.index_write_units,
    )


# -- 2. the busiest partition key ----------------------------------------------------------------


@dataclass
class HotKeys:
    activities: int
    users: int
    by_kind: dict[str, tuple[str, str, int, float]] = field(default_factory=dict)
    """Kind of key -> (where, busiest key, its writes/s, its write units/s)."""
    writes: Counter[str] = field(default_factory=Counter)
    """Item writes per table or index, and ``PROFILE``: profile items written."""


def key_kind(where: str, pk: str) -> str:
    if where != "table":
        return f"{where} {pk.split('#', 1)[0]}"
    prefix = pk.split("#", 1)[0]
    return {"USER": "table USER (one user)"}.get(prefix, f"table {prefix}")


def sample_activities(
    population: Population, count: int, at: datetime, rng: random.Random
) -> dict[int, list[Activity]]:
    """``count`` activities in one second, users drawn in proportion to their daily rate."""
    chosen = rng.choices(range(population.size), population.rates, k=count)
    by_user: dict[int, list[Activity]] = {}
    for n, index in enumerate(chosen):
        by_user.setdefault(index, []).append(_activity(user_id(index), at, n))
    return by_user


def hot_keys(sizes: Sizes, rules: GameRules, settings: Settings) -> HotKeys:
    """One second at ``activities_per_second``, at the start of a league week (every activity
    is its user's first of the week, so every one also takes a seat: the worst second for the
    seat counters, sharded by the week's seat plan), through the consumer's real applier."""
    population = Population(sizes.users, rules, settings)
    fake = FakeDynamoDB(backing=PopulationBacking(population), discard_sk_prefixes=("NOTIF#",))
    users = UserRepository(
        fake,  # type: ignore[arg-type]
        TABLE,
        reminder_lead=settings.reminder_lead,
        reminder_shards=settings.reminder_shards,
    )
    seats = LeagueRepository(
        fake,  # type: ignore[arg-type]
        TABLE,
        rules.leagues.cohort_size,
        settings.league_seat_shards,
    )
    at = NOW
    # The close job plans the week's seat shards from an earlier week's joins per tier: here
    # every user of the population joined (the real plan_week, written before the week).
    joins = Counter(population.tiers)
    seats.plan_week(iso_week(at), joins, len(rules.leagues.tiers), at - timedelta(days=7))
    fake.meter.writes_by_key.clear()
    fake.meter.units_by_key.clear()
    applier = ActivityApplier(users, lambda: rules, lambda: at, seats=seats)
    batch = sample_activities(population, sizes.activities_per_second, at, random.Random(SEED))
    for index, activities in batch.items():
        applier.apply(user_id(index), activities)
    result = HotKeys(activities=sizes.activities_per_second, users=len(batch))
    for (where, _), writes in fake.meter.writes_by_key.items():
        result.writes[where] += writes
    result.writes["PROFILE"] = fake.writes_by_kind["PROFILE"]
    for (where, pk), writes in fake.meter.writes_by_key.items():
        kind = key_kind(where, pk)
        units = fake.meter.units_by_key[(where, pk)]
        best = result.by_kind.get(kind)
        if best is None or units > best[3]:
            result.by_kind[kind] = (where, pk, writes, units)
    return result


# -- 3. reconciliation ---------------------------------------------------------------------------


class FakeRebuild:
    """The reconciler's rebuild (``BoardRebuild``) over the fake's dicts."""

    def __init__(self, owner: FakeLeaderboard, boards: Sequence[str], week: str | None) -> None:
        self._owner = owner
        self._boards = list(boards)
        self._prefix = None if week is None else f"league:{week}:"
        self._temp: dict[str, dict[str, int]] = {}
        self._others: set[str] = set()

    def add(self, players: Sequence[PlayerScore]) -> PageCounts:
        counts = PageCounts()
        for player in players:
            first = True
            for board in self._boards:
                xp = player.listed_xp(board)
                if xp is None:
                    continue
                temp = self._temp.setdefault(board, {})
                new = player.user_id not in temp
                temp[player.user_id] = xp
                if new:
                    counts.players += first
                    counts.members[board] = counts.members.get(board, 0) + 1
                    held = self._owner.boards.get(board, {}).get(player.user_id)
                    if held is None:
                        counts.added[board] = counts.added.get(board, 0) + 1
                    elif held != xp:
                        counts.changed[board] = counts.changed.get(board, 0) + 1
                first = False
            if first and player.user_id not in self._others:
                self._others.add(player.user_id)
                counts.players += 1
            cohort = player.league_board
            if self._prefix and cohort and cohort.startswith(self._prefix):
                xp = player.listed_xp(cohort)
                if xp is not None:
                    temp = self._temp.setdefault(cohort, {})
                    counts.cohort_members += player.user_id not in temp
                    temp[player.user_id] = xp
        return counts

    def strays(self, board: str, cursor: int = 0, chunk: int = 1000) -> tuple[int, int, int]:
        """The whole board in one step (cursor ``0``: the scan is over)."""
        live, temp = self._owner.boards.get(board, {}), self._temp.get(board, {})
        return 0, sum(1 for u in live if u not in temp), len(live)

    def swap(self, board: str, expire_at: datetime | None, generation: str | None) -> None:
        self._owner.boards[board] = self._temp.pop(board, {})
        if generation is not None:
            self._owner.markers.add(marker_key(board))

    def swap_cohorts(self) -> int:
        cohorts = [b for b in self._temp if b.startswith("league:")]
        for board in cohorts:
            self._owner.boards[board] = self._temp.pop(board)
        self._cohorts = cohorts
        return len(cohorts)

    def drop_from_cohorts(self, user_ids: Sequence[str]) -> None:
        for board in self._cohorts:
            for user_id in user_ids:
                self._owner.boards[board].pop(user_id, None)

    def finish(self) -> None:
        self._others.clear()


class FakeLeaderboard:
    """The Redis boards as dicts (Redis is not billed per request; only DynamoDB is measured)."""

    def __init__(self) -> None:
        self.boards: dict[str, dict[str, int]] = {}
        self.markers: set[str] = set()
        self.seen: dict[str, set[str]] = {}

    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None:
        for player in players:
            for board in self.boards:
                xp = player.listed_xp(board)
                if xp is not None:
                    self.boards[board][player.user_id] = xp
                elif not player.listed:
                    self.boards[board].pop(player.user_id, None)

    def rebuild(
        self, boards: Sequence[str], cohort_week: str | None = None, run: str | None = None
    ) -> FakeRebuild:
        return FakeRebuild(self, boards, cohort_week)

    def stale(
        self,
        players: Sequence[PlayerScore],
        boards: Sequence[str],
        cohort_week: str | None,
        seen: str,
    ) -> list[PlayerScore]:
        self.seen.setdefault(seen, set()).update(p.user_id for p in players)
        return [
            p
            for p in players
            if any(
                (xp := p.listed_xp(b)) != self.boards.get(b, {}).get(p.user_id)
                and (xp is None or (self.boards.get(b, {}).get(p.user_id) or 0) < xp)
                for b in boards
            )
        ]

    def unseen(
        self, board: str, seen: str, cursor: int = 0, chunk: int = 1000
    ) -> tuple[int, list[str]]:
        """The whole board in one step (cursor ``0``: the scan is over)."""
        met = self.seen.get(seen, set())
        return 0, [u for u in self.boards.get(board, {}) if u not in met]

    def forget(self, key: str) -> None:
        self.seen.pop(key, None)

    def size(self, board: str) -> int:
        return len(self.boards.get(board, {}))

    def stamp(self, marker: str, generation: str, expire_at: datetime | None) -> None:
        self.markers.add(generation_key(marker))

    def complete(self, boards: Sequence[str]) -> dict[str, bool]:
        return {b: marker_key(b) in self.markers for b in boards}

    def scores(self, board: str) -> Iterator[tuple[str, int]]:
        return iter(list(self.boards.get(board, {}).items()))

    def scores_of(self, board: str, user_ids: Sequence[str]) -> dict[str, int | None]:
        held = self.boards.get(board, {})
        return {u: held.get(u) for u in user_ids}

    def page(self, board: str, offset: int, limit: int) -> Page:
        held = sorted(self.boards.get(board, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        entries = [
            Entry(rank=offset + i + 1, user_id=u, xp=xp, display_name=None)
            for i, (u, xp) in enumerate(held[offset : offset + limit])
        ]
        return Page(entries=entries, total=len(held))


@dataclass
class Reconciliation:
    players: int
    read_units_per_run: float
    """One full pass (``reconcile``)."""
    sample_read_units: float
    """One sampled drift check (``sample``) on boards in step."""
    sample_queries: int
    simulated_s: float

    @property
    def read_units_per_player(self) -> float:
        return self.read_units_per_run / self.players


def reconciliation(players: int, rules: GameRules, settings: Settings) -> Reconciliation:
    """One full pass over ``players`` players, then one sampled drift check on the boards the
    pass left in step (the check then refreshes the snapshots from the cache)."""
    population = Population(players, rules, settings, seated=iso_week(NOW))
    fake = FakeDynamoDB(backing=PopulationBacking(population))
    reconciler = LeaderboardReconciler(
        PlayerDirectory(fake, TABLE),  # type: ignore[arg-type]
        FakeLeaderboard(),
        SnapshotRepository(fake, TABLE),  # type: ignore[arg-type]
        rng=random.Random(SEED),
    )
    report = reconciler.reconcile(NOW)
    assert report.players == players, (report.players, players)
    full = fake.meter.read_units
    simulated = fake.meter.clock
    queries = fake.meter.requests["Query"]
    checked = reconciler.sample(NOW + timedelta(minutes=15))
    assert checked.sample is not None, checked.summary()
    assert not checked.rebuilt, checked.summary()
    return Reconciliation(
        players=players,
        read_units_per_run=full,
        sample_read_units=fake.meter.read_units - full,
        sample_queries=fake.meter.requests["Query"] - queries,
        simulated_s=simulated,
    )


# -- 4. league close -----------------------------------------------------------------------------


@dataclass
class CloseSample:
    cohorts: int
    members: int
    simulated_s: float
    transactions: int

    @property
    def per_cohort_s(self) -> float:
        return self.simulated_s / self.cohorts


def league_close_sample(cohorts: int, rules: GameRules, settings: Settings) -> CloseSample:
    """``cohorts`` full cohorts joined through the real applier, then closed by the real job;
    the close's simulated time per cohort."""
    fake = FakeDynamoDB(discard_sk_prefixes=("NOTIF#",))
    users = UserRepository(fake, TABLE)  # type: ignore[arg-type]
    seats = LeagueRepository(fake, TABLE, rules.leagues.cohort_size, 1)  # type: ignore[arg-type]
    week_start = NOW - timedelta(days=7)
    applier = ActivityApplier(users, lambda: rules, lambda: week_start, seats=seats)
    members = cohorts * rules.leagues.cohort_size
    for index in range(members):
        uid = user_id(index)
        applier.apply(
            uid,
            [
                _activity(uid, week_start + timedelta(minutes=index % 600), k)
                for k in range(1 + index % 5)
            ],
        )
    closer = LeagueClose(seats, users, CloseCheckpoints(fake, TABLE), rules=lambda: rules)  # type: ignore[arg-type]
    before = fake.meter.clock
    transactions = fake.meter.requests["TransactWriteItems"]
    progress = closer.run(iso_week(week_start), NOW + timedelta(minutes=5))
    assert progress.checkpoint.closed == members, progress
    return CloseSample(
        cohorts=cohorts,
        members=members,
        simulated_s=fake.meter.clock - before,
        transactions=fake.meter.requests["TransactWriteItems"] - transactions,
    )


# -- the report ----------------------------------------------------------------------------------


READ_PRICE_PER_MILLION = 0.125


def _units(units: float | None) -> str:
    return "not measured" if units is None else f"{units:,.0f}"


def _dollars(read_units: float) -> str:
    return f"${read_units * READ_PRICE_PER_MILLION / 1e6:,.3f}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _hours(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def simulate(sizes: Sizes) -> str:
    rules = default_game_rules()
    settings = Settings.from_env({})
    lines = [
        "## Scale: a simulated million users (reminders, reconciliation, hot keys, league close)",
        "",
        f"{sizes.users:,} synthetic users (timezones weighted like real traffic, lognormal "
        "activity), the real services and adapters on in-memory fakes that bill DynamoDB units "
        "and count simulated time (per request: 5-10 ms, 15 ms a transaction). Default "
        "settings. Command: `python -m benchmarks scale` "
        "(`python -m benchmarks.scale --users N` scales every size down).",
    ]
    hour = reminder_hour(sizes.reminder_hour, rules, settings)
    lines += [
        "",
        f"### One reminder hour: {hour.due:,} users due (18:00 in New York)",
        "",
        "Sent within the hour: by units finished within 60 simulated minutes of the hour's "
        "start (a unit's reminders count when the unit ends). Sent twice: notifications "
        "written beyond one per user.",
        "",
        "| scheme | due | sent within the hour | sent in all | sent twice | worker invocations "
        "| last sent after | DynamoDB + SQS requests | read units | write units |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [hour] if sizes.reminder_hour != BEFORE_FAN_OUT.due else [BEFORE_FAN_OUT, hour]
    for r in rows:
        lines.append(
            f"| {r.scheme} | {r.due:,} | {r.sent_in_hour:,} ({_pct(r.sent_in_hour, r.due)}) "
            f"| {r.sent_total:,} | {r.duplicates} | {r.units:,} | {_hours(r.done_s)} "
            f"| {r.requests:,} | {_units(r.read_units)} | {_units(r.write_units)} |"
        )
    if hour.timed_out:
        lines.append(f"\n**{hour.timed_out} units hit the worker's timeout.**")
    recon = reconciliation(sizes.reconcile_sample, rules, settings)
    per_player = recon.read_units_per_player
    lines += [
        "",
        "### Reconciliation: DynamoDB read units per day",
        "",
        f"Measured: one full pass over {recon.players:,} players reads "
        f"{recon.read_units_per_run:,.0f} read units ({per_player:.4f} a player: the player "
        f"index read twice, eventually consistent; simulated run time "
        f"{_hours(recon.simulated_s)}); one sampled drift check reads "
        f"{recon.sample_read_units:,.1f} ({recon.sample_queries} queries), whatever the "
        "population. Today's scheme: the full pass every 15 minutes; the new one: the full "
        "pass daily and the sampled check every 15 minutes. Other sizes scale the full pass "
        f"linearly from the per-player figure. ${READ_PRICE_PER_MILLION} per million read "
        "units (on demand, us-east-1).",
        "",
        "| players | today: full pass every 15 min (96 a day) | new: daily full pass + 96 "
        "samples | source |",
        "|---|---|---|---|",
    ]
    for players in (100_000, 1_000_000, 10_000_000):
        source = "measured" if players == recon.players else "full pass scaled"
        today_units = 96 * per_player * players
        new_units = per_player * players + 96 * recon.sample_read_units
        lines.append(
            f"| {players:,} | {today_units:,.0f} ({_dollars(today_units)}) "
            f"| {new_units:,.0f} ({_dollars(new_units)}) | {source} |"
        )
    hot = hot_keys(sizes, rules, settings)
    lines += [
        "",
        f"### Busiest partition keys at {hot.activities:,} activities/s",
        "",
        f"One simulated second: {hot.activities:,} activities from {hot.users:,} users drawn by "
        "their activity rate, at a league week's start (every activity also takes a seat, the "
        "seat counters' worst second). Writes per partition key of the table and of each GSI "
        f"(DynamoDB's limit: {PARTITION_LIMIT:,} write units/s per partition).",
        "",
        "| key kind | busiest key | writes/s | write units/s | under 1,000/s |",
        "|---|---|---|---|---|",
    ]
    for kind, (_, pk, writes, units) in sorted(hot.by_kind.items(), key=lambda kv: -kv[1][3]):
        ok = "yes" if units <= PARTITION_LIMIT else "**no**"
        lines.append(f"| {kind} | `{pk}` | {writes:,} | {units:,.0f} | {ok} |")
    sample = league_close_sample(sizes.close_sample_cohorts, rules, settings)
    seated = sizes.users  # every user plays a league week (the worst case)
    cohorts = math.ceil(seated / rules.leagues.cohort_size)
    shards = close_shards_for(cohorts, settings.league_close_shards)
    total, _ = makespan([sample.per_cohort_s] * cohorts, shards)
    lines += [
        "",
        "### League close",
        "",
        f"Measured: {sample.cohorts} cohorts ({sample.members:,} members) closed by the real "
        f"job in {_hours(sample.simulated_s)} simulated ({sample.per_cohort_s:.2f} s a cohort, "
        f"{sample.transactions:,} transactions). Scaled to every user seated "
        f"({cohorts:,} cohorts).",
        "",
        "| cohorts | close shards | simulated close time |",
        "|---|---|---|",
        f"| {cohorts:,} | {shards} (sized from the cohorts, the default) | {_hours(total)} |",
    ]
    for more in (1, 16, 64):
        time_more, _ = makespan([sample.per_cohort_s] * cohorts, more)
        lines.append(f"| {cohorts:,} | {more} | {_hours(time_more)} |")
    return "\n".join(lines)


def run() -> str:
    return simulate(Sizes())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--users", type=int, default=USERS, help="population size (1 M)")
    args = parser.parse_args(argv)
    print(simulate(Sizes.scaled(args.users)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

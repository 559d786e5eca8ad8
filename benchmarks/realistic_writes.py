"""Billed DynamoDB write units per activity at realistic traffic, index writes and the write
budget included: the true bill of the write path (issue #26).

Realistic traffic is many users, each sending a few activities a day, so an SQS batch of 10
holds one activity of each of 10 users (never one user's ten). The month is simulated so the
weekly league seat, the daily streak extension (which used to move the reminder index key) and
level-ups (notifications) are amortized as they occur. The real consumer (``QueueConsumer`` →
``ActivityApplier`` → ``UserRepository``, with league seats) and the real ``RequestBudget`` run
on ``benchmarks.fakes.FakeDynamoDB``, which bills as AWS does, GSI writes included (a key change
is a delete and a put; an unchanged key with unchanged projected attributes is no index write).

The same run measures the layout of before issue #26 for the ratio: every commit a transaction
(profile, marker, day item), GSI2 projecting the leaderboard attributes, the reminder key moving
with the due date, every request charging the budget counter. That is this code with the
settings that reproduce it (``UserRepository`` ``fast_path=False, inline_slots=0,
reminder_period_days=1``, ``LEGACY_TABLE``, ``RequestBudget`` ``free_per_container=0``), not a
stored number, so the ratio cannot drift from what the code does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.fakes import FakeDynamoDB, Meter
from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.league_repository import LeagueRepository
from gamification.adapters.request_budget import RequestBudget
from gamification.adapters.user_repository import UserRepository
from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.state import UserSettings
from gamification.domain.wallet import WalletRules
from gamification.resources import TABLE, TableSpec
from gamification.services.applier import ActivityApplier
from gamification.services.consumer import QueueConsumer

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
"""A Monday: the month covers four league weeks."""
DAYS = 28
USERS = 150
BATCH_SIZE = 10
TARGET = 4.0
"""Issue #26: at most 4 billed write units per activity, index writes and budget included."""
MIX: tuple[tuple[str, int], ...] = (
    ("post_read", 70),
    ("post_completed", 15),
    ("comment_left", 10),
    ("challenge_solved", 5),
)
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC", "America/Los_Angeles")
PUSH_SHARE = 0.6
ACTIVE_DAY_SHARE = 0.7
"""A user plays on about 5 days of 7 (so streaks break and restart now and then)."""
ACTIVITY_MEDIAN = 3.0
ACTIVITY_SIGMA = 0.8
BUDGET_PER_MINUTE = 120
"""The deployed stack's default (``infra.config.StackConfig.write_budget_per_minute``)."""
KINDS = (
    ("profile", ("PROFILE",)),
    ("marker", ("SEEN",)),
    ("day", ("DAY",)),
    ("GSI1 (reminders)", ("GSI1",)),
    ("GSI2 (players)", ("GSI2",)),
    ("budget", ("W",)),
    ("notifications", ("NOTIF",)),
    ("cohort + seat", ("USER", "SEATS")),
    ("wallet ledger", ("LEDGER",)),
)


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    repository: dict[str, Any]
    table: TableSpec
    free_budget: int | None
    """``RequestBudget(free_per_container=...)``; ``None``: the adapter's default."""


LEGACY_TABLE = TableSpec(
    indexes=(
        TABLE.indexes[0],
        type(TABLE.indexes[0])(
            "GSI2",
            "GSI2PK",
            "GSI2SK",
            "INCLUDE",
            ("xp", "xp_at", "weekly_xp", "display_name", "league", "unlisted"),
        ),
    )
)
"""The table before issue #26: GSI2 projected the leaderboard attributes."""
BEFORE = Layout(
    "before #26",
    {"fast_path": False, "inline_slots": 0, "reminder_period_days": 1},
    LEGACY_TABLE,
    0,
)
AFTER = Layout("now", {"fast_path": True}, TABLE, None)


@dataclass(frozen=True, slots=True)
class Message:
    message_id: str
    body: str


@dataclass
class Bill:
    activities: int = 0
    units: dict[str, float] = field(default_factory=dict)
    requests: float = 0.0
    read_units: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.units.values())


def traffic(users: int, days: int, seed: int = 11) -> list[Activity]:
    """A month of activities of ``users`` users, in arrival order."""
    rng = random.Random(seed)
    types, weights = zip(*MIX, strict=True)
    found: list[Activity] = []
    for u in range(users):
        user_id = f"user-{u:04d}"
        for day in range(days):
            if rng.random() > ACTIVE_DAY_SHARE:
                continue
            count = max(1, round(rng.lognormvariate(math.log(ACTIVITY_MEDIAN), ACTIVITY_SIGMA)))
            for i in range(min(count, 40)):
                kind = rng.choices(types, weights)[0]
                at = START + timedelta(days=day, seconds=rng.randrange(6 * 3600, 23 * 3600))
                found.append(
                    Activity(
                        user_id=user_id,
                        type=kind,
                        object_id=f"{kind}-{day}-{i}-{rng.randrange(10**9)}",
                        occurred_at=at,
                        received_at=at,
                        source=Reporter.SERVICE if kind == "challenge_solved" else Reporter.CLIENT,
                    )
                )
    found.sort(key=lambda a: a.occurred_at)
    return found


def batches(activities: list[Activity]) -> Iterator[list[Activity]]:
    """Batches of up to 10 activities in arrival order, at most one per user (the realistic
    case: a user's next activity comes minutes later, in another batch)."""
    batch: list[Activity] = []
    users: set[str] = set()
    for activity in activities:
        if activity.user_id in users or len(batch) == BATCH_SIZE:
            yield batch
            batch, users = [], set()
        batch.append(activity)
        users.add(activity.user_id)
    if batch:
        yield batch


def simulate(
    layout: Layout,
    users: int = USERS,
    days: int = DAYS,
    rules: GameRules | None = None,
    shape: Callable[[list[Activity]], list[Activity]] | None = None,
) -> Bill:
    """Run the month through the consumer on ``layout`` and return its bill per activity
    (``shape``: what to do to the month's activities first, e.g. give them attributes)."""
    rules = rules or default_game_rules()
    fake = FakeDynamoDB(Meter(), spec=layout.table)
    table = "realistic"
    now = [START]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    client: Any = fake
    repository = UserRepository(client, table, **layout.repository)
    seats = LeagueRepository(client, table)
    applier = ActivityApplier(repository, lambda: rules, clock, seats=seats)
    dead_letters: Any = _NoQueue()
    consumer = QueueConsumer(applier, DeadLetterQueue(dead_letters, "dlq"), lambda: rules)
    budget_kwargs = {} if layout.free_budget is None else {"free_per_container": layout.free_budget}
    budget = RequestBudget(
        client, table, limit=BUDGET_PER_MINUTE, window_seconds=60, clock=clock, **budget_kwargs
    )
    rng = random.Random(5)
    for u in range(users):  # settings first (not billed: a user sets them once)
        settings = UserSettings(timezone=rng.choice(ZONES), push_enabled=rng.random() < PUSH_SHARE)
        repository.save_settings(f"user-{u:04d}", settings, START - timedelta(days=1))
    fake.meter = Meter()
    activities = traffic(users, days)
    if shape is not None:
        activities = shape(activities)
    for n, batch in enumerate(batches(activities)):
        now[0] = batch[-1].occurred_at + timedelta(seconds=2)
        for activity in batch:  # the ingest spends the budget, one unit per activity
            budget.spend(activity.user_id)
        consumer.consume([Message(f"m-{n}-{i}", a.model_dump_json()) for i, a in enumerate(batch)])
    meter = fake.meter
    count = len(activities)
    bill = Bill(activities=count, requests=sum(meter.requests.values()) / count)
    bill.read_units = meter.read_units / count
    for name, prefixes in KINDS:
        bill.units[name] = sum(meter.units_by_kind.get(p, 0.0) for p in prefixes) / count
    other = sum(meter.units_by_kind.values()) / count - bill.total
    if other > 1e-9:
        bill.units["other"] = other
    return bill


class _NoQueue:
    """The DLQ: realistic traffic has no poison messages; any send fails the benchmark."""

    def send_message_batch(self, **_: Any) -> Any:
        raise AssertionError("a realistic activity went to the DLQ")


def without_earning(rules: GameRules) -> GameRules:
    """The same rules with no wallet earning rules (the engine's own bill: what issue #26's
    target was set on, before the wallet existed)."""
    return rules.model_copy(update={"wallet": WalletRules()})


def run() -> str:
    engine = simulate(AFTER, rules=without_earning(default_game_rules()))
    before, after = simulate(BEFORE), simulate(AFTER)
    names = list(dict.fromkeys([*before.units, *engine.units, *after.units]))
    lines = [
        "## Billed write units per activity at realistic traffic (issue #26)",
        "",
        f"{USERS} users over {DAYS} days (a user plays on ~{ACTIVE_DAY_SHARE:.0%} of days, "
        f"median {ACTIVITY_MEDIAN:.0f} activities a day; {PUSH_SHARE:.0%} with push; five "
        f"timezones), {after.activities} activities, batches of {BATCH_SIZE} with one activity "
        "per user, league seats on, the write budget at its deployed default "
        f"({BUDGET_PER_MINUTE}/min). Units as billed (FakeDynamoDB: 1 per started KB of the "
        "larger of old and new item, x2 in a transaction; GSI writes by AWS's rules).",
        "",
        "| layout | write units/activity | " + " | ".join(names) + " | read units/activity "
        "| requests/activity |",
        "|---|---|" + "---|" * len(names) + "---|---|",
    ]
    rows = (
        (BEFORE.name, before),
        (f"{AFTER.name}, no wallet earning rules", engine),
        (f"{AFTER.name}, the default data (gems for badges, quests, levels...)", after),
    )
    for label, bill in rows:
        split = " | ".join(f"{bill.units.get(n, 0.0):.2f}" for n in names)
        lines.append(
            f"| {label} | **{bill.total:.2f}** | {split} | {bill.read_units:.2f} "
            f"| {bill.requests:.2f} |"
        )
    lines += [
        "",
        f"Now / before: **{engine.total / before.total:.2f}** of the write units without wallet "
        f"earning rules (target: ≤ {TARGET} an activity), **{after.total / before.total:.2f}** "
        f"with the default data's: a credit is a ledger item in the commit's transaction "
        f"(+{after.total - engine.total:.2f} an activity, the wallet's price, which a team "
        "sets by its earning rules).",
    ]
    assert engine.total <= TARGET, "\n".join(lines)
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

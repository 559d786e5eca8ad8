"""Leagues: weekly cohorts inside tiers, with promotion and demotion zones (pure rules).

A user joins a cohort of their tier with their first XP-earning activity of an ISO week (UTC,
the weekly board's week). When the week ends, each cohort is ranked by the week's XP with SQL
``RANK()`` and its members move up, down or nowhere. Everything here is a function of the
cohort's standings and the rules, so closing a cohort twice, or cohorts in any order, gives the
same tiers (property-tested).

Zones (the defaults, rules as data in ``data/leagues.json``):

* promotion: the top ``ceil(promote_percent % of the members who earned XP)``, at least one when
  anybody earned XP; nobody is promoted from the last tier;
* demotion: the bottom ``floor(demote_percent % of the members)``; nobody is demoted from the
  first tier.

Zones are by rank, so a tie never splits: members tied on the promotion boundary are all
promoted, members tied on the demotion boundary are all spared (an all-zero week moves nobody).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gamification.domain import text
from gamification.domain.cheating import OutlierRule
from gamification.domain.flags import VelocityRule
from gamification.domain.messages import DEFAULT_LOCALE
from gamification.domain.messages import text as message_text

DEFAULT_LEAGUES_FILE = Path(__file__).resolve().parent.parent / "data" / "leagues.json"
MAX_TIERS = 50
MAX_COHORT_SIZE = 100
"""A cohort board is read in one round trip and closed from one query: keep it small."""
SEAT_SHARD_MEMBERS = 10_000
"""Joins a seat counter takes per week before the plan adds a shard. A tier's week-start join
wave at 10,000/s then stays under 1,000 writes/s a key once it lasts over 10 s (a tier of
≥ 100,000 joins); smaller tiers keep one counter, so their cohorts are full."""
MAX_SEAT_SHARDS = 100
"""Upper bound of a tier's count (one BatchGetItem reads a tier's counters)."""


def seat_shards(joins: int, floor: int = 1) -> int:
    """Seat counters a tier gets in a week whose tier saw ``joins`` joins in an earlier one:
    one per ``SEAT_SHARD_MEMBERS`` (so a small tier keeps one counter and full cohorts), at
    least ``floor`` (the setting), at most ``MAX_SEAT_SHARDS``."""
    return min(MAX_SEAT_SHARDS, max(floor, -(-joins // SEAT_SHARD_MEMBERS)))


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    name: str


class LeagueRules(BaseModel):
    """The tiers and zones a deployment plays with (validated when loaded, like badges)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tiers: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=40)], ...],
        Field(min_length=1, max_length=MAX_TIERS),
    ] = (
        "Bronze",
        "Silver",
        "Gold",
        "Sapphire",
        "Ruby",
        "Emerald",
        "Amethyst",
        "Pearl",
        "Obsidian",
        "Diamond",
    )
    cohort_size: Annotated[int, Field(ge=1, le=MAX_COHORT_SIZE)] = 30
    promote_percent: Annotated[int, Field(ge=0, le=100)] = 20
    demote_percent: Annotated[int, Field(ge=0, le=100)] = 20
    outliers: OutlierRule = OutlierRule()
    """Which members a close flags (``domain.cheating``, ``domain.flags``)."""
    velocity: VelocityRule = VelocityRule()
    """Which activity rate the consumer flags (``domain.flags``)."""

    @field_validator("tiers", mode="before")
    @classmethod
    def _clean_names(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(text.display_name(v) if isinstance(v, str) else v for v in value)
        return value

    @model_validator(mode="after")
    def _zones_fit(self) -> LeagueRules:
        if len(set(self.tiers)) != len(self.tiers):
            raise ValueError("tier names must be unique")
        if self.promote_percent + self.demote_percent > 100:
            raise ValueError("promote_percent + demote_percent must be at most 100")
        return self

    def tier(self, index: int) -> Tier:
        """The tier at ``index``, clamped into the ladder (a shortened ladder keeps users)."""
        clamped = min(max(index, 0), len(self.tiers) - 1)
        return Tier(index=clamped, name=self.tiers[clamped])

    @property
    def all_tiers(self) -> list[Tier]:
        return [Tier(index=i, name=n) for i, n in enumerate(self.tiers)]


def load_league_rules(path: Path = DEFAULT_LEAGUES_FILE) -> LeagueRules:
    return LeagueRules.model_validate(json.loads(path.read_bytes()))


class Movement(StrEnum):
    PROMOTED = "promoted"
    DEMOTED = "demoted"
    STAYED = "stayed"


@dataclass(frozen=True, slots=True)
class Zones:
    """How many ranks from the top are promoted and from the bottom demoted."""

    promote: int
    demote: int


def zones(members: int, earned: int, rules: LeagueRules) -> Zones:
    """The zone sizes of a cohort of ``members``, ``earned`` of whom earned XP this week."""
    promote = -(-earned * rules.promote_percent // 100)  # ceil
    if earned > 0 and rules.promote_percent > 0:
        promote = max(promote, 1)
    demote = members * rules.demote_percent // 100  # floor
    return Zones(promote=promote, demote=demote)


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: str
    xp: int
    """The week's XP (the cohort board's score)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One member's result of one week."""

    week: str
    rank: int
    from_tier: int
    to_tier: int
    xp: int

    @property
    def movement(self) -> Movement:
        if self.to_tier > self.from_tier:
            return Movement.PROMOTED
        if self.to_tier < self.from_tier:
            return Movement.DEMOTED
        return Movement.STAYED


def ranks(standings: Sequence[Standing]) -> dict[str, int]:
    """``RANK()`` by the week's XP: ties share a rank (1, 2, 2, 4)."""
    ordered = sorted((s.xp for s in standings), reverse=True)
    first: dict[int, int] = {}
    for position, xp in enumerate(ordered):
        first.setdefault(xp, position + 1)
    return {s.user_id: first[s.xp] for s in standings}


def close_cohort(
    week: str,
    tier: int,
    standings: Sequence[Standing],
    rules: LeagueRules,
    held: frozenset[str] = frozenset(),
) -> dict[str, Outcome]:
    """Every member's outcome; a function of the set of standings (not of their order).

    A ``held`` member (flagged, ``domain.cheating``) is never promoted and keeps their tier;
    the promotion slot they would have taken passes to the next member by rank among the
    members not held (so a cheater cannot push an honest member out of the zone). Zone sizes,
    displayed ranks and the demotion zone are those of the whole cohort: a hold changes no
    other member's result except by handing on a vacated promotion slot.
    """
    members = len(standings)
    zone = zones(members, sum(1 for s in standings if s.xp > 0), rules)
    rank_of = ranks(standings)
    free_rank = ranks([s for s in standings if s.user_id not in held])
    last = len(rules.tiers) - 1
    outcomes: dict[str, Outcome] = {}
    for standing in standings:
        user_id, rank = standing.user_id, rank_of[standing.user_id]
        to = tier
        if user_id in held:
            to = tier
        elif standing.xp > 0 and free_rank[user_id] <= zone.promote and tier < last:
            to = tier + 1
        elif rank > members - zone.demote and tier > 0:
            to = tier - 1
        outcomes[user_id] = Outcome(week, rank, tier, min(max(to, 0), last), standing.xp)
    return outcomes


class LeagueResult(BaseModel):
    """A user's last closed week, as stored on the profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week: str
    rank: int
    from_tier: int
    to_tier: int
    xp: int
    cohort: int

    @property
    def movement(self) -> Movement:
        return Outcome(self.week, self.rank, self.from_tier, self.to_tier, self.xp).movement


class LeagueState(BaseModel):
    """A user's place in the leagues; bounded (one membership, one result)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: int = 0
    """The tier the user plays in: their current cohort's, or the next one they join."""
    week: str | None = None
    """The week of the user's latest cohort."""
    cohort_tier: int = 0
    """The tier of that cohort (``tier`` moves on when the week closes)."""
    cohort: int | None = None
    closed: str | None = None
    """The latest week whose result was applied (== ``week`` once the cohort closed)."""
    result: LeagueResult | None = None

    @property
    def pending_close(self) -> bool:
        """Joined a week whose result is not applied yet."""
        return self.week is not None and self.closed != self.week

    def joined(self, week: str) -> bool:
        return self.week == week


def may_join(league: LeagueState, week: str, week_xp: int) -> bool:
    """Whether a user with ``week_xp`` in the current ``week`` takes a seat now.

    Not while the previous cohort's result is pending: the close job seats such users in their
    new tier in the same write that applies the result (see ``apply_outcome``).
    """
    return week_xp > 0 and not league.joined(week) and not league.pending_close


def join(league: LeagueState, week: str, cohort: int) -> LeagueState:
    """Seated in ``cohort`` of the user's current tier for ``week``."""
    return league.model_copy(update={"week": week, "cohort_tier": league.tier, "cohort": cohort})


def apply_outcome(league: LeagueState, cohort: int, outcome: Outcome) -> LeagueState:
    """The state after ``outcome``; unchanged when that week is already applied (idempotent)."""
    if league.week != outcome.week or league.closed == outcome.week:
        return league
    return league.model_copy(
        update={
            "tier": outcome.to_tier,
            "closed": outcome.week,
            "result": LeagueResult(
                week=outcome.week,
                rank=outcome.rank,
                from_tier=outcome.from_tier,
                to_tier=outcome.to_tier,
                xp=outcome.xp,
                cohort=cohort,
            ),
        }
    )


def leave_out(league: LeagueState, week: str) -> LeagueState:
    """The state of a member left out of ``week``'s close (an open cheating flag): no result,
    the tier kept, the week marked closed so they join the next one; unchanged when that week
    is already closed (idempotent)."""
    if league.week != week or league.closed == week:
        return league
    return league.model_copy(update={"closed": week})


def result_message(
    outcome: Outcome, rules: LeagueRules, locale: str = DEFAULT_LOCALE
) -> tuple[str, str]:
    """Title and message of the close notification, in the member's language."""
    name = rules.tier(outcome.to_tier).name
    title = message_text(locale, f"league_result.{outcome.movement.value}", name=name)
    message = message_text(
        locale, "league_result.message", week=outcome.week, rank=outcome.rank, xp=outcome.xp
    )
    return title, message


def outcomes_by_user(
    cohorts: Mapping[tuple[int, int], Sequence[Standing]], week: str, rules: LeagueRules
) -> dict[str, Outcome]:
    """Outcomes of a whole week's cohorts (keyed ``(tier, cohort)``), for tests and tools."""
    found: dict[str, Outcome] = {}
    for (tier, _), standings in cohorts.items():
        found.update(close_cohort(week, tier, standings, rules))
    return found


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's seat in one cohort, written in the user's transaction."""

    week: str
    tier: int
    cohort: int
    user_id: str

    @property
    def board(self) -> str:
        """The cohort's name on the profile, the projector and the boards (``week:tier:n``)."""
        return cohort_name(self.week, self.tier, self.cohort)


def cohort_name(week: str, tier: int, cohort: int) -> str:
    return f"{week}:{tier}:{cohort}"


def parse_cohort_name(name: str) -> tuple[str, int, int]:
    week, tier, cohort = name.split(":")
    return week, int(tier), int(cohort)

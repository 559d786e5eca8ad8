"""Badge rarity: the share of players holding each badge and each level of a tiered badge.

Counted by a scheduled walk over every stored player (``services.rarity``), kept in one bounded
item and shown in ``GET /v1/badges`` (docs/rules.md, "Rarity"). Pure: counting one player, the
record's bound, and the shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gamification.domain.badges import LEVEL_SEPARATOR, BadgeCatalog

MAX_ENTRIES = 1_000
"""Earned ids a count keeps (200 badges, 5 levels each): the item's bound, whatever the catalog."""
SHARE_DIGITS = 4


def counted_ids(catalog: BadgeCatalog) -> list[str]:
    """The ids a count keeps: each live badge and each of its levels ``id#n`` (n ≥ 2), in
    catalog order, at most ``MAX_ENTRIES`` (retired ids are not counted: nothing shows them)."""
    ids: list[str] = []
    for badge in catalog:
        ids.append(badge.id)
        ids.extend(f"{badge.id}{LEVEL_SEPARATOR}{n}" for n in range(2, len(badge.levels or ()) + 1))
    return ids[:MAX_ENTRIES]


@dataclass(slots=True)
class RarityCount:
    """A count in progress or finished: players seen and holders per counted id."""

    players: int = 0
    holders: dict[str, int] = field(default_factory=dict)

    def add(self, earned: Iterable[str], counted: frozenset[str]) -> None:
        """One player (with their earned ids): counted once whatever else they hold."""
        self.players += 1
        for earned_id in earned:
            if earned_id in counted:
                self.holders[earned_id] = self.holders.get(earned_id, 0) + 1

    def to_json(self) -> dict[str, object]:
        return {"players": self.players, "holders": dict(sorted(self.holders.items()))}

    @classmethod
    def of_json(cls, value: Mapping[str, object]) -> RarityCount:
        holders = value.get("holders") or {}
        assert isinstance(holders, Mapping)
        players = value.get("players", 0)
        assert isinstance(players, int)
        return cls(players, {str(k): int(v) for k, v in holders.items()})


@dataclass(frozen=True, slots=True)
class Rarity:
    """The latest finished count: what ``GET /v1/badges`` shows."""

    computed_at: datetime
    """When the walk that counted it finished."""
    count: RarityCount

    def holders(self, earned_id: str) -> int:
        return self.count.holders.get(earned_id, 0)

    def share(self, earned_id: str) -> float:
        """Holders over players (0 with no players), rounded to 4 digits (0.1234 = 12.34 %)."""
        if self.count.players == 0:
            return 0.0
        return round(self.holders(earned_id) / self.count.players, SHARE_DIGITS)


@dataclass(frozen=True, slots=True)
class RarityWalk:
    """A count in progress: where the walk over the player index goes on (``shard``, the key
    ``after`` which to read) and what it has counted so far."""

    started_at: datetime
    shard: int
    after: str | None
    count: RarityCount


@dataclass(frozen=True, slots=True)
class RarityRecord:
    """The one stored item: the published result and the walk in progress, each optional."""

    result: Rarity | None = None
    walk: RarityWalk | None = None

"""Everything a deployment configures about the game, validated together."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from gamification.domain.badges import BadgeCatalog, load_badge_catalog
from gamification.domain.boosts import Boost
from gamification.domain.catalog import EventCatalog, load_event_catalog
from gamification.domain.leagues import LeagueRules, load_league_rules
from gamification.domain.policy import Policy


class Ruleset(BaseModel):
    model_config = ConfigDict(frozen=True)

    events: EventCatalog
    badges: BadgeCatalog = BadgeCatalog()
    boosts: tuple[Boost, ...] = ()
    policy: Policy = Policy()
    leagues: LeagueRules = LeagueRules()

    @model_validator(mode="after")
    def _badges_reference_known_types(self) -> Ruleset:
        unknown = sorted(self.badges.referenced_event_types() - set(self.events.by_name))
        if unknown:
            raise ValueError(f"badge criteria.event_type names unknown event types: {unknown}")
        return self

    def with_badges(self, badges: BadgeCatalog) -> Ruleset:
        return Ruleset(
            events=self.events,
            badges=badges,
            boosts=self.boosts,
            policy=self.policy,
            leagues=self.leagues,
        )


def default_ruleset(policy: Policy | None = None) -> Ruleset:
    """The shipped event catalog and starter badges."""
    return Ruleset(
        events=load_event_catalog(),
        badges=load_badge_catalog(),
        policy=policy or Policy(),
        leagues=load_league_rules(),
    )

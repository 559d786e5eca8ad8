"""Everything a deployment configures about the game, validated together."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from gamification.domain.badges import BadgeCatalog, load_badge_catalog
from gamification.domain.boosts import Boost
from gamification.domain.catalog import EventCatalog, load_event_catalog
from gamification.domain.leagues import LeagueRules, load_league_rules
from gamification.domain.policy import Policy
from gamification.domain.quests import QuestCatalog
from gamification.domain.wallet import WalletRules, load_wallet_rules


class GameRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    events: EventCatalog
    badges: BadgeCatalog = BadgeCatalog()
    boosts: tuple[Boost, ...] = ()
    policy: Policy = Policy()
    quests: QuestCatalog | None = None
    """``None``: this process did not load the quests (nothing is counted or pruned then)."""
    leagues: LeagueRules = LeagueRules()
    wallet: WalletRules = WalletRules()
    """Currencies and earning rules (``data/currencies.json``); empty: no wallet."""

    @model_validator(mode="after")
    def _badges_reference_known_types(self) -> GameRules:
        unknown = sorted(self.badges.referenced_event_types() - set(self.events.by_name))
        if unknown:
            raise ValueError(f"badge criteria.event_type names unknown event types: {unknown}")
        if self.quests is not None:
            unknown = sorted(self.quests.referenced_event_types() - set(self.events.by_name))
            if unknown:
                raise ValueError(f"quest criteria.event_type names unknown event types: {unknown}")
        return self

    def with_badges(self, badges: BadgeCatalog) -> GameRules:
        return GameRules(
            events=self.events,
            badges=badges,
            boosts=self.boosts,
            policy=self.policy,
            quests=self.quests,
            leagues=self.leagues,
            wallet=self.wallet,
        )

    def with_quests(self, quests: QuestCatalog) -> GameRules:
        return self.model_copy(update={"quests": quests})


def default_game_rules(policy: Policy | None = None) -> GameRules:
    """The shipped event catalog and starter badges."""
    return GameRules(
        events=load_event_catalog(),
        badges=load_badge_catalog(),
        policy=policy or Policy(),
        leagues=load_league_rules(),
        wallet=load_wallet_rules(),
    )

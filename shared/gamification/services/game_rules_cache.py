"""The ruleset a process applies: shipped event types and policy, badges from the table.

Badge and quest definitions change rarely, so a container re-reads them at most once a minute:
one query per minute instead of one per badge per event (the seed's cost).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gamification.domain.badges import BadgeCatalog
from gamification.domain.catalog import EventCatalog, load_event_catalog
from gamification.domain.game_rules import GameRules
from gamification.domain.leagues import LeagueRules, load_league_rules
from gamification.domain.policy import Policy
from gamification.domain.quests import QuestCatalog
from gamification.domain.wallet import WalletRules, load_wallet_rules


@dataclass
class GameRulesCache:
    load_catalog: Callable[[], tuple[BadgeCatalog, QuestCatalog | None]]
    """Badges and quests in one read. Quests ``None``: this process does not load them, and
    then neither counts nor prunes quest progress (the badge backfill)."""
    policy: Policy = field(default_factory=Policy)
    events: EventCatalog = field(default_factory=load_event_catalog)
    leagues: LeagueRules = field(default_factory=load_league_rules)
    wallet: WalletRules = field(default_factory=load_wallet_rules)
    load_wallet: Callable[[], WalletRules | None] | None = None
    """The rules an admin saved (``None`` from it: the shipped ``wallet``), read with the rest."""
    max_age_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _cached: GameRules | None = None
    _loaded_at: float = 0.0

    def __call__(self) -> GameRules:
        now = self.clock()
        if self._cached is None or now - self._loaded_at >= self.max_age_seconds:
            badges, quests = self.load_catalog()
            saved = self.load_wallet() if self.load_wallet is not None else None
            self._cached = GameRules(
                events=self.events,
                badges=badges,
                policy=self.policy,
                quests=quests,
                leagues=self.leagues,
                wallet=saved or self.wallet,
            )
            self._loaded_at = now
        return self._cached

    def invalidate(self) -> None:
        self._cached = None

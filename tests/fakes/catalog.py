"""An in-memory badge and quest catalog: the ``BadgeStore`` and ``QuestStore`` ports of
``services.admin`` (real: ``adapters.badge_repository``; the contract:
tests/adapters/contracts/test_catalog.py).

Until ``seed_defaults`` runs, badges read as the shipped defaults (whatever was put), as the real
catalog does; quests are stored from the start.
"""

from __future__ import annotations

from gamification.domain.badges import BadgeCatalog, BadgeDefinition, load_badge_catalog
from gamification.domain.quests import QuestCatalog, QuestDefinition


class FakeCatalog:
    def __init__(self) -> None:
        self.badges: dict[str, BadgeDefinition] = {}
        self.quests: dict[str, QuestDefinition] = {}
        self.seeded = False

    def load(self) -> BadgeCatalog:
        if not self.seeded:
            return load_badge_catalog()
        return BadgeCatalog(badges=tuple(self.badges[b] for b in sorted(self.badges)))

    def load_rules(self) -> tuple[BadgeCatalog, QuestCatalog]:
        return self.load(), self.load_quests()

    def load_quests(self) -> QuestCatalog:
        return QuestCatalog(quests=tuple(self.quests[q] for q in sorted(self.quests)))

    def seed_defaults(self) -> None:
        if not self.seeded:
            self.badges.update({b.id: b for b in load_badge_catalog()})
            self.seeded = True

    def put(self, badge: BadgeDefinition) -> None:
        self.badges[badge.id] = badge

    def delete(self, badge_id: str) -> bool:
        return self.badges.pop(badge_id, None) is not None

    def put_quest(self, quest: QuestDefinition) -> None:
        self.quests[quest.id] = quest

    def delete_quest(self, quest_id: str) -> bool:
        return self.quests.pop(quest_id, None) is not None
